# shellcheck shell=bash
# The start step, part 2 of 4: the facts, read from the shared volume and ZooKeeper.
# Out: graphs, checkpoints (the ZooKeeper paths), applied (the fingerprint of the stored job
# graph), taken (the pre-stop savepoint), requested (an operations command's request: a
# snapshot path or `fresh`), stored (the stored job graphs, read only when nothing is
# applied yet), job_id (the recorded JobID, else the one Flink derives), terminal (the state
# in the job-result-store entry of job_id: CANCELED, SUCCEEDED, FAILED…; empty: none),
# on_volume (its newest checkpoint with _metadata on the volume), in_zookeeper (its
# checkpoints in ZooKeeper's store), checkpoint_dir, savepoint_dir, from (empty; decide sets it).
# shellcheck disable=SC2034,SC2154 # state comes from lib, its variables go to decide and act
graphs=$HA_ZOOKEEPER_PATH/jobgraphs
checkpoints=$HA_ZOOKEEPER_PATH/jobs
cluster_id=${HA_ZOOKEEPER_PATH##*/}
applied=$(cat "$state/applied" 2>/dev/null || true)
taken=$(cat "$state/savepoint" 2>/dev/null || true)
requested=$(cat "$state/requested" 2>/dev/null || true)
job_id=$(cat "$state/job-id" 2>/dev/null || true)
[[ -n $job_id ]] || job_id=$(derived_job_id "$cluster_id")
checkpoint_dir=$(conf_path execution.checkpointing.dir)
savepoint_dir=$(conf_path execution.checkpointing.savepoint-dir)
results=$(conf_path high-availability.storageDir)/job-result-store/$cluster_id
terminal=""
for entry in "$results/$job_id.json" "$results/${job_id}_DIRTY.json"; do
  if [[ -f $entry && $(cat "$entry") =~ \"application-status\":\ ?\"([A-Z_]+)\" ]]; then
    terminal=${BASH_REMATCH[1]}
  fi
done
on_volume=$(latest_checkpoint "$checkpoint_dir/$job_id")
in_zookeeper=$(children "$checkpoints/$job_id/checkpoints" | tail -n 1)
if [[ -n $on_volume && -z $in_zookeeper ]]; then
  # The volume shows a completed checkpoint the store does not hold: the start is refused
  # unless the store answers otherwise when asked again (once, logged either way; CI saw a
  # lone empty answer right after a kill while the store held the job's checkpoints).
  sleep 1
  in_zookeeper=$(children "$checkpoints/$job_id/checkpoints" | tail -n 1)
  log "checkpoint $on_volume on the volume, none in ZooKeeper's store; asked again: ${in_zookeeper:-none}"
fi
from="" stored=""
if [[ -z $applied ]]; then
  stored=$(children "$graphs")
fi
