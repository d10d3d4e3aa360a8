#!/usr/bin/env bash
# Runs a Pulumi command for one stack: scripts/stack.sh STACK COMMAND [pulumi args...]
#   e.g. scripts/stack.sh dev preview | up | refresh | destroy | stack output flinkUiUrl
#
# First what needs no network: the passphrase that encrypts the stack's secrets and the
# stack file (syntax, the CLI's config rules, every setting). Then the program's packages
# (./venv) and the Pulumi CLI of the version the SDK is pinned to in requirements.txt: the
# one on PATH if it is that version, else built from its Go modules (checked against Go's
# checksum database) by `python -m tests.engine install`. State lives in a local file
# backend (.pulumi-state/) unless PULUMI_BACKEND_URL says otherwise. Azure credentials
# come from `az login` (or ARM_* variables).
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/stack.sh STACK COMMAND [pulumi args...]  (COMMAND: preview, up, refresh, destroy, stack output, ...)"
stack="${1:?${usage}}"
command="${2:?${usage}}"
shift 2

if [[ -z "${PULUMI_CONFIG_PASSPHRASE+set}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
  echo "error: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE): it encrypts this stack's secrets" >&2
  exit 2
fi
if [[ ! -f "Pulumi.${stack}.yaml" ]]; then
  echo "error: Pulumi.${stack}.yaml: no such file; a stack is defined by its file (README: Add an environment)" >&2
  exit 2
fi

bash scripts/install.sh
if [[ "${command}" == preview || "${command}" == up ]]; then
  venv/bin/python -m infra.preflight "${stack}"
fi

version="$(sed -n 's/^pulumi==\([0-9][0-9.]*\)$/\1/p' requirements.txt)"
if [[ "$(pulumi version 2>/dev/null || true)" != "v${version}" ]]; then
  echo "building the Pulumi CLI ${version} from its Go modules (once; then cached)" >&2
  if built="$(venv/bin/python -m tests.engine install)" && [[ "${built}" == *pulumi_home=* ]]; then
    home="$(sed -n 's/^pulumi_home=//p' <<<"${built}" | tail -n 1)"
    export PATH="${home}/bin:${PATH}"   # the CLI only: plugins install into the usual ~/.pulumi
  fi
  if [[ "$(pulumi version 2>/dev/null || true)" != "v${version}" ]]; then
    cat >&2 <<MESSAGE
error: the Pulumi CLI ${version} (the version of the pinned pulumi SDK) is not on PATH and
could not be built here (that needs Go and the Go module proxy). Install exactly that
version by hand, put it on PATH and run this again, e.g. with the official installer:
  curl -fsSL https://get.pulumi.com -o install-pulumi.sh   # read it first
  sh install-pulumi.sh --version ${version} --no-edit-path
  export PATH="\${HOME}/.pulumi/bin:\${PATH}"
or unpack pulumi-v${version}-linux-x64.tar.gz from https://github.com/pulumi/pulumi/releases/tag/v${version}
after checking it against pulumi-${version}-checksums.txt of the same release.
MESSAGE
    exit 3
  fi
fi

if [[ -z "${PULUMI_BACKEND_URL:-}" ]]; then
  mkdir -p .pulumi-state
  export PULUMI_BACKEND_URL="file://${PWD}/.pulumi-state"
fi
if [[ "${command}" == preview || "${command}" == up ]]; then
  pulumi stack select --create --non-interactive "${stack}"
fi
exec pulumi "${command}" "$@" --stack "${stack}"
