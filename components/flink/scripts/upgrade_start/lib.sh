# shellcheck shell=bash
# The start step, part 1 of 4 (lib, observe, decide, act; with lock between lib and
# observe; see upgrade_scripts.py): shell options and the helpers the other parts use: log
# (history.log, rotated by size), cli_classpath and zk (the ZooKeeper CLI shaded in
# flink-dist; a missing node is an empty answer), children, delete,
# record (and, from ../snapshots.sh: conf_path, derived_job_id, latest_checkpoint).
# @ZOOKEEPER_CLI_MAIN@ is filled in by upgrade_scripts.py.
# In: UPGRADE_STATE_DIR, ZOOKEEPER_QUORUM, FLINK_CONF_FILE, FLINK_LIB_DIR (/opt/flink/lib),
# ZOOKEEPER_CLI_TIMEOUT (60), HISTORY_MAX_BYTES (1 MiB: history.log is rotated to history.log.1).
set -euo pipefail
state=$UPGRADE_STATE_DIR
mkdir -p "$state"
log() {
  local history=$state/history.log
  if [[ -f $history ]] && (($(stat -c %s "$history") > ${HISTORY_MAX_BYTES:-1048576})); then
    mv "$history" "$history.1"
  fi
  printf '%s upgrade: %s\n' "$(date -u +%FT%TZ)" "$*" | tee -a "$history"
}
cli_classpath() { echo "${FLINK_LIB_DIR:-/opt/flink/lib}"/flink-dist*.jar; }
zk() {
  local out
  local classpath
  classpath=$(cli_classpath)
  if out=$(timeout "${ZOOKEEPER_CLI_TIMEOUT:-60}" java -cp "$classpath" \
      @ZOOKEEPER_CLI_MAIN@ -server "$ZOOKEEPER_QUORUM" "$@" 2>&1); then
    printf '%s\n' "$out"
  elif [[ $out == *"Node does not exist"* ]]; then
    return 0
  else
    printf 'zookeeper %s failed: %s\n' "$*" "$(printf '%s' "$out" | tail -n 3)" >&2
    return 1
  fi
}
children() {
  local listing
  listing=$(zk ls "$1") || return 1 # command substitutions do not inherit set -e
  printf '%s\n' "$listing" | sed -n 's/^\[\(.*\)\]$/\1/p' | tail -n 1 | tr -d ' ' | tr ',' '\n' | sed '/^$/d'
}
delete() {
  zk deleteall "$1" >/dev/null
  log "deleted $1 (Flink creates it again)"
}
new_job_id() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
record() { printf '%s\n' "$2" >"$state/$1.tmp" && mv "$state/$1.tmp" "$state/$1"; }
