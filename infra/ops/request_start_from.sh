# shellcheck shell=bash
# `start-from`: record savepoint $1 for the JobManager's next start (which honours it before
# anything else); refuses a path without a savepoint (exit 3).
# In: UPGRADE_STATE_DIR.
set -e
p=${1#file:}
[[ -f $p/_metadata ]] || { echo "no savepoint at $1 (no _metadata)" >&2; exit 3; }
mkdir -p "$UPGRADE_STATE_DIR"
printf '%s\n' "$1" >"$UPGRADE_STATE_DIR/requested.tmp"
mv "$UPGRADE_STATE_DIR/requested.tmp" "$UPGRADE_STATE_DIR/requested"
echo "the next JobManager start begins from $1"
