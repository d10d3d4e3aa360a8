# shellcheck shell=bash
# The start step, part 4 of 4: carry out `how`: log it, delete ZooKeeper nodes, rotate the
# JobID, record what was applied and the snapshot to restore, prune what retention allows,
# and set flink_args (Flink's own arguments: --job-id, --fromSavepoint) for the entrypoint.
# A refusal records its reason in `refused` (the liveness probe reads it) and waits without
# starting Flink (not Ready; exit 0 on SIGTERM). Every step can be repeated (`applied`
# changes only after the deletes; a rotation repeated wastes one JobID).
# The lock (if taken) is released once the records are written, before Flink starts.
# In: the variables and helpers of the parts before it, RETAINED_RUNS (2), RETAINED_SAVEPOINTS (5).
# shellcheck disable=SC2154 # its variables come from the parts before it
change="${applied:-none} -> $JOB_FINGERPRINT"
resume="python -m infra.flink_ops resume --latest (or resume --savepoint PATH, or fresh-start --confirm)"
refuse() {
  record refused "$1"
  lock_release
  log "$1: NOT starting the job; an operator decides: $resume"
  trap 'exit 0' TERM INT
  while true; do
    sleep 5 &
    wait $! || true
  done
}
# A new JobID: the new job's chk-N never land where an earlier run's retained chk-N are.
rotate() {
  local previous=$job_id
  job_id=$(new_job_id)
  if [[ -d $checkpoint_dir/$previous ]]; then
    printf '%s\n' "$previous" >>"$state/runs"
  fi
  record job-id "$job_id"
  log "new JobID $job_id (was $previous)"
}
# Checkpoint directories of earlier JobIDs beyond RETAINED_RUNS, once the current job has
# a checkpoint of its own in the store (before that, an earlier run may be all there is).
prune_runs() {
  local keep old
  keep=$(tail -n "${RETAINED_RUNS:-2}" "$state/runs")
  while read -r old; do
    if [[ -d $checkpoint_dir/$old && $old != "$job_id" && $requested != *"$old"* ]] &&
      ! grep -qxF -- "$old" <<<"$keep"; then
      rm -rf -- "${checkpoint_dir:?}/$old"
      log "deleted the checkpoints of earlier JobID $old (retainedRuns=${RETAINED_RUNS:-2})"
    fi
  done <"$state/runs"
  record runs "$keep"
}
# Complete savepoints beyond the newest RETAINED_SAVEPOINTS, except one still to start from.
prune_savepoints() {
  local keep=${RETAINED_SAVEPOINTS:-5} n=0 name needed
  needed=$(cat "$state/restore" 2>/dev/null || true)
  # shellcheck disable=SC2012 # ls -t sorts by age; Flink's savepoint names are plain characters
  while read -r name; do
    [[ -f $savepoint_dir/$name/_metadata ]] || continue
    n=$((n + 1))
    if ((n > keep)) && [[ $needed != *"/$name"* ]]; then
      rm -rf -- "${savepoint_dir:?}/$name"
      log "deleted savepoint $savepoint_dir/$name (retainedSavepoints=$keep)"
    fi
  done < <(ls -1t -- "$savepoint_dir" 2>/dev/null || true)
}
# Who clears `restore`: this step, at the next start. Flink restores a stored checkpoint
# before any --fromSavepoint, so the savepoint matters only until the job's first
# checkpoint is in the store, and this step is the only reader of `restore`: checking the
# store here (what Flink itself restores from) clears it exactly when it stops mattering,
# with no extra process in the pod and no race with a checkpoint being written.
if [[ -n $in_zookeeper ]]; then
  if [[ -s $state/restore ]]; then
    log "job $job_id has checkpoint $in_zookeeper in the store: savepoint $(cat "$state/restore") no longer needed"
    rm -f "$state/restore"
  fi
  [[ ! -s $state/runs ]] || prune_runs
fi
case $how in
  first)
    log "first start of job $JOB_FINGERPRINT"
    rotate
    ;;
  recover) log "job unchanged ($JOB_FINGERPRINT): recovering the stored job graph from its latest checkpoint" ;;
  refuse)
    log "job changed ($change), no savepoint of the running job: upgrade REFUSED (savepointFallback=refuse);" \
      "running the stored job graph; retry with a savepoint (kubectl rollout restart)"
    ;;
  refuse-terminal) refuse "job $job_id is $terminal (its job-result-store entry): it ended, Flink dropped its HA data" ;;
  refuse-metadata-lost)
    refuse "job $job_id completed checkpoint $on_volume (on the volume) but ZooKeeper holds none: HA metadata lost"
    ;;
  last-state)
    log "job changed ($change): last-state upgrade: new job graph from the latest completed checkpoint"
    delete "$graphs"
    ;;
  savepoint)
    if [[ -n $requested ]]; then
      log "start from $from requested (job $JOB_FINGERPRINT)"
    else
      log "job changed ($change): starting the new job graph from savepoint $from"
    fi
    record restore "$from"
    delete "$graphs"
    delete "$checkpoints"
    rotate
    ;;
  stateless | fresh)
    if [[ $how == fresh ]]; then
      log "fresh start requested (job $JOB_FINGERPRINT): starting without state"
    else
      log "job changed ($change): stateless upgrade: starting without state"
    fi
    rm -f "$state/restore"
    delete "$graphs"
    delete "$checkpoints"
    rotate
    ;;
esac
if [[ $how != recover && $how != refuse ]]; then
  record applied "$JOB_FINGERPRINT"
fi
rm -f "$state/savepoint" "$state/requested" "$state/refused"
prune_savepoints
lock_release
flink_args=()
if [[ -s $state/job-id ]]; then
  flink_args+=(--job-id "$(cat "$state/job-id")")
fi
restore=$(cat "$state/restore" 2>/dev/null || true)
if [[ -n $restore ]]; then
  flink_args+=(--fromSavepoint "$restore")
fi
echo "Flink's arguments from the upgrade step: ${flink_args[*]}"
