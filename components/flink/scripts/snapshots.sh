# shellcheck shell=bash
# Helpers over the snapshots on the shared volume, for the start step and the operations
# commands: conf_path (a file: URI of the config file as a local path), derived_job_id,
# latest_checkpoint. In: FLINK_CONF_FILE.
# The value of a file: URI key of the rendered config, as a local path.
conf_path() {
  local value
  value=$(sed -n "s/^${1//./\\.}: *//p" "$FLINK_CONF_FILE" | tail -n 1 | tr -d "\"'")
  value=${value#file://}
  printf '%s\n' "${value#file:}"
}
# The JobID Flink derives from the cluster-id when none is given (new JobID(clusterId.hashCode(), 0)):
# a stack started before JobIDs were recorded keeps it until its first rotation.
derived_job_id() {
  local h=0 i c
  for ((i = 0; i < ${#1}; i++)); do
    printf -v c '%d' "'${1:i:1}"
    h=$(((31 * h + c) & 0xFFFFFFFF))
  done
  ((h < 0x80000000)) || h=$((h - 0x100000000))
  printf '%016x0000000000000000\n' "$h"
}
# The newest checkpoint id with its _metadata in checkpoint directory $1 (empty: none).
latest_checkpoint() {
  local d n latest=""
  for d in "$1"/chk-*; do
    n=${d##*/chk-}
    [[ -f $d/_metadata && $n =~ ^[0-9]+$ ]] && ((n > ${latest:-0})) && latest=$n
  done
  printf '%s\n' "$latest"
}
