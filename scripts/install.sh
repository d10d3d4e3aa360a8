#!/usr/bin/env bash
# Creates ./venv (the virtualenv Pulumi.yaml names) with the pinned runtime packages;
# with --dev also the test and lint tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=requirements.txt
if [[ "${1:-}" == "--dev" ]]; then requirements="requirements-dev.txt"; fi
[[ -x venv/bin/python ]] || python3 -m venv venv
venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
