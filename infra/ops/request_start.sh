# shellcheck shell=bash
# `resume`, `fresh-start` (and `start-from`): record what the JobManager's next start does
# (its start step honours it before anything else, with a new JobID) and log it in
# history.log. $1: `savepoint PATH` (a savepoint or a retained checkpoint, with its
# _metadata), `latest` (the newest retained checkpoint of the last JobID on the volume),
# `fresh` (start without state). Exit 3: nothing to start from there.
# In: UPGRADE_STATE_DIR, FLINK_CONF_FILE, HA_ZOOKEEPER_PATH; the helpers of snapshots.sh.
set -euo pipefail
state=$UPGRADE_STATE_DIR
case $1 in
  savepoint)
    snapshot=$2
    [[ -f ${snapshot#file:}/_metadata ]] || { echo "no savepoint at $snapshot (no _metadata)" >&2; exit 3; }
    ;;
  latest)
    job_id=$(cat "$state/job-id" 2>/dev/null || derived_job_id "${HA_ZOOKEEPER_PATH##*/}")
    directory=$(conf_path execution.checkpointing.dir)/$job_id
    latest=$(latest_checkpoint "$directory")
    [[ -n $latest ]] || { echo "no retained checkpoint of JobID $job_id in $directory" >&2; exit 3; }
    snapshot=file:$directory/chk-$latest
    ;;
  fresh) snapshot=fresh ;;
  *) echo "usage: savepoint PATH | latest | fresh" >&2; exit 2 ;;
esac
mkdir -p "$state"
printf '%s\n' "$snapshot" >"$state/requested.tmp"
mv "$state/requested.tmp" "$state/requested"
if [[ $snapshot == fresh ]]; then
  what="a fresh start without state"
else
  what="a start from $snapshot"
fi
printf '%s ops: %s requested for the next start (new JobID)\n' "$(date -u +%FT%TZ)" "$what" >>"$state/history.log"
echo "the next JobManager start makes $what"
