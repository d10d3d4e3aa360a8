#!/usr/bin/env bash
# Creates ./venv (the virtualenv Pulumi.yaml names) with the runtime packages; with --dev
# also the test and lint tools. Installs from the lock files: every transitive package
# pinned and checked against its hash (scripts/lock.sh writes them from requirements*.txt).
# With --dev also .venv-checkov, checkov's own virtualenv (requirements-checkov.lock: it
# cannot share the dev lock, see requirements-checkov.txt). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
lock=requirements.lock
if [[ "${1:-}" == "--dev" ]]; then lock="requirements-dev.lock"; fi
[[ -x venv/bin/python ]] || python3 -m venv venv
venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
if [[ "${1:-}" == "--dev" ]]; then
  [[ -x .venv-checkov/bin/python ]] || python3 -m venv .venv-checkov
  .venv-checkov/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r requirements-checkov.lock
fi
