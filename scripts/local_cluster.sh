# shellcheck shell=bash
# Sourced by scripts/stack.sh for the stack `local` (docs/local-stack.md), with the Pulumi CLI
# on PATH: picks the stack's cluster and writes or updates Pulumi.local.yaml
# (python -m infra.local). The cluster is the kube context KUBE_CONTEXT names, else the one
# the file records, else the one-node cluster of tests/node (root, Linux), started here and
# left running (`venv/bin/python -m tests.node stop --dir .local/node` ends it).
# In: command (stack.sh's), KUBE_CONTEXT, JOB_IMAGE (both optional).
# shellcheck disable=SC2154 # command is stack.sh's, which sources this file
node_context=flink-aks-test # the one-node cluster's (tests/controlplane/kubeconfig.py CONTEXT)
recorded="$(venv/bin/python -m infra.local context)"
context="${KUBE_CONTEXT:-${recorded:-${node_context}}}"
settings='{}'
if [[ "${context}" == "${node_context}" ]]; then
  if [[ "${EUID}" -ne 0 ]]; then
    echo "error: the one-node cluster needs root; or name a cluster of yours:" \
      "KUBE_CONTEXT=kind-kind JOB_IMAGE=<the job's image> bash scripts/stack.sh local ${command}" >&2
    exit 2
  fi
  # shellcheck source=scripts/packages.sh
  source scripts/packages.sh
  missing=()
  node_packages
  install_missing
  if ! command -v go >/dev/null 2>&1; then
    echo "error: the one-node cluster is built with Go (the version tests/controlplane/gobuild/kube/go.mod" \
      "names): install it and run this again, or name a cluster of yours with KUBE_CONTEXT" >&2
    exit 2
  fi
  bash scripts/install.sh --dev
  cluster="$(venv/bin/python -m tests.node local --dir .local)"
  KUBECONFIG="$(sed -n 's/^kubeconfig=//p' <<<"${cluster}")"
  export KUBECONFIG
  settings="$(sed -n 's/^settings=//p' <<<"${cluster}")"
fi
venv/bin/python -m infra.local init --context "${context}" --settings "${settings}" --job-image "${JOB_IMAGE:-}"
