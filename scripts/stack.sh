#!/usr/bin/env bash
# Runs a Pulumi command for one stack: scripts/stack.sh STACK [preview|up|destroy|refresh|output ...]
#
# Installs the program's packages and, when missing, the Pulumi CLI of the same version
# as the SDK pinned in requirements.txt. State lives in a local file backend
# (.pulumi-state/) unless PULUMI_BACKEND_URL says otherwise; stack secrets are encrypted
# with PULUMI_CONFIG_PASSPHRASE. Azure credentials come from `az login` (or ARM_* env).
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:?usage: scripts/stack.sh STACK [preview|up|destroy|refresh|output] [pulumi args...]}"
command="${2:-preview}"
shift $(( $# >= 2 ? 2 : 1 ))

bash scripts/install.sh

if ! command -v pulumi >/dev/null 2>&1; then
  version="$(sed -n 's/^pulumi==//p' requirements.txt)"
  echo "installing the Pulumi CLI ${version} into ~/.pulumi" >&2
  curl -fsSL https://get.pulumi.com | sh -s -- --version "${version}" --no-edit-path
  export PATH="${HOME}/.pulumi/bin:${PATH}"
fi

if [[ -z "${PULUMI_BACKEND_URL:-}" ]]; then
  mkdir -p .pulumi-state
  export PULUMI_BACKEND_URL="file://${PWD}/.pulumi-state"
fi
if [[ -z "${PULUMI_CONFIG_PASSPHRASE+set}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
  echo "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE): it encrypts this stack's secrets" >&2
  exit 2
fi

pulumi stack select --create --non-interactive "${stack}"
exec pulumi "${command}" --stack "${stack}" "$@"
