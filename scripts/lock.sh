#!/usr/bin/env bash
# Regenerates the lock files from the top-level pins (after changing requirements*.txt):
# every transitive Python package, pinned with the hashes of its published files.
# scripts/install.sh installs from them with --require-hashes. checkov has a lock (and a
# virtualenv) of its own: it requires packaging<24, the Pulumi SDK packaging>=26.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --dev
for name in requirements requirements-dev requirements-checkov; do
  CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh" venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
    --strip-extras --no-emit-index-url --no-emit-find-links --output-file "${name}.lock" "${name}.txt"
done
