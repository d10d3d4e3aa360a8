# shellcheck shell=bash
# Placeholder so the ConfigMap renders: the leader-watch lane writes run.sh.
set -eu
