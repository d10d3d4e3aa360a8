#!/usr/bin/env bash
# Runs a Pulumi command for one stack: scripts/stack.sh STACK COMMAND [pulumi args...]
#   e.g. scripts/stack.sh dev preview | up | refresh | destroy | stack output flinkUiUrl
#
# The stack `local` needs no Azure and no stack file to start with (docs/local-stack.md):
# its file is written on first use, for the kube context KUBE_CONTEXT names (with the
# job's image in JOB_IMAGE), else for the one-node cluster this script starts (as root).
#
# First what needs no network: the passphrase that encrypts the stack's secrets and the
# stack file (syntax, the CLI's config rules, every setting). Then the program's packages
# (./venv) and the Pulumi CLI of the version the SDK is pinned to in requirements.txt (see
# below). State lives in a local file
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
if [[ "${stack}" != local && ! -f "Pulumi.${stack}.yaml" ]]; then
  echo "error: Pulumi.${stack}.yaml: no such file; a stack is defined by its file (README: Add an environment)" >&2
  exit 2
fi

bash scripts/install.sh
preflight() { # the stack file and every setting, checked offline before preview or up
  if [[ "${command}" == preview || "${command}" == up ]]; then
    venv/bin/python -m infra.preflight "${stack}"
  fi
}
# Before the CLI, so a bad stack file costs no download; the local stack's file may not be
# written yet: it is checked once scripts/local_cluster.sh has written it.
[[ "${stack}" == local ]] || preflight

# The Pulumi CLI: the one on PATH if it is at least the pinned SDK's version (a newer CLI
# runs older SDKs), else that exact release, downloaded once into .pulumi-cli/ and checked
# against the release's checksums file before it is unpacked, else (no download possible)
# for the stack `local` (Kubernetes only), the CLI and kubernetes provider built from their
# Go modules (tests/engine: minutes the first time, then cached).
version="$(sed -n 's/^pulumi==\([0-9][0-9.]*\)$/\1/p' requirements.txt)"
releases="${PULUMI_RELEASES_URL:-https://github.com/pulumi/pulumi/releases/download}"
at_least_pinned() {  # is the CLI on PATH at least the pinned version?
  local found
  found="$(pulumi version 2>/dev/null || true)"
  found="${found#v}"
  [[ -n "${found}" ]] && [[ "$(printf '%s\n%s\n' "${version}" "${found}" | sort -V | head -n 1)" == "${version}" ]]
}
install_release() {  # download, verify and unpack the pinned release into .pulumi-cli/v<version>
  local os arch archive sums work
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) return 1 ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) return 1 ;; esac
  archive="pulumi-v${version}-${os}-${arch}.tar.gz"
  sums="pulumi-${version}-checksums.txt"
  work="$(mktemp -d)"
  echo "downloading the Pulumi CLI ${version} (${archive}) into .pulumi-cli/" >&2
  if curl -fsSL --connect-timeout 10 --max-time 600 -o "${work}/${archive}" "${releases}/v${version}/${archive}" &&
    curl -fsSL --connect-timeout 10 --max-time 60 -o "${work}/${sums}" "${releases}/v${version}/${sums}" &&
    grep -E "^[0-9a-f]{64}  ${archive}\$" "${work}/${sums}" >"${work}/expected" &&
    (cd "${work}" && sha256sum --check --quiet expected) &&
    mkdir -p .pulumi-cli && tar -xzf "${work}/${archive}" -C "${work}" &&
    rm -rf ".pulumi-cli/v${version}" && mv "${work}/pulumi" ".pulumi-cli/v${version}"; then
    rm -rf "${work}"
    return 0
  fi
  rm -rf "${work}"
  return 1
}
use_built_engine() {  # the engine built here: its CLI on PATH, its provider in a Pulumi home of the project's
  local home
  command -v go >/dev/null 2>&1 || return 1
  echo "no Pulumi CLI ${version} to download: building the CLI and the kubernetes provider from their Go modules" >&2
  home="$(venv/bin/python -m tests.engine install | sed -n 's/^pulumi_home=//p')" || return 1
  [[ -n "${home}" ]] || return 1
  mkdir -p .pulumi-home
  ln -sfn "${home}/bin" .pulumi-home/bin
  ln -sfn "${home}/plugins" .pulumi-home/plugins
  export PULUMI_HOME="${PWD}/.pulumi-home" PATH="${home}/bin:${PATH}"
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_SKIP_UPDATE_CHECK=1
  built_engine=1
}
built_engine=
if ! at_least_pinned; then
  export PATH="${PWD}/.pulumi-cli/v${version}:${PATH}"
  if ! at_least_pinned && ! { install_release && at_least_pinned; } &&
    ! { [[ "${stack}" == local ]] && use_built_engine && at_least_pinned; }; then
    cat >&2 <<MESSAGE
error: the Pulumi CLI ${version} (the version of the pinned pulumi SDK) is not on PATH and
could not be downloaded from ${releases}/v${version}/ and checked against its checksums
file (the stack \`local\` also tries to build it from its Go modules, with Go installed).
Install exactly that version by hand, put it on PATH and run this again, e.g.:
  curl -fsSLO ${releases}/v${version}/pulumi-v${version}-linux-x64.tar.gz
  curl -fsSLO ${releases}/v${version}/pulumi-${version}-checksums.txt
  grep ' pulumi-v${version}-linux-x64.tar.gz\$' pulumi-${version}-checksums.txt | sha256sum --check
  tar -xzf pulumi-v${version}-linux-x64.tar.gz && export PATH="\${PWD}/pulumi:\${PATH}"
or with the official installer (read it first): sh install.sh --version ${version}
MESSAGE
    exit 3
  fi
fi

if [[ -z "${PULUMI_BACKEND_URL:-}" ]]; then
  mkdir -p .pulumi-state
  export PULUMI_BACKEND_URL="file://${PWD}/.pulumi-state"
fi
if [[ "${stack}" == local ]]; then
  # shellcheck source=scripts/local_cluster.sh
  source scripts/local_cluster.sh
  preflight
fi
if [[ "${command}" == preview || "${command}" == up ]]; then
  pulumi stack select --create --non-interactive "${stack}"
fi
case "${built_engine}:${command}" in
  # No Python language host is built here: the program runs through the Automation API.
  1:preview | 1:up | 1:refresh | 1:destroy) exec venv/bin/python -m infra.local.automation "${command}" "$@" ;;
  *) exec pulumi "${command}" "$@" --stack "${stack}" ;;
esac
