# shellcheck shell=bash
# The start step, part 4 of 4: carry out `how`: log it, delete ZooKeeper nodes, record
# what was applied and the savepoint to restore, and set execution.savepoint.path in the
# config file. Every step can be repeated (`applied` changes only after the deletes).
# In: the variables and helpers of the parts before it, FLINK_CONF_FILE.
# shellcheck disable=SC2154 # its variables come from the parts before it
change="${applied:-none} -> $JOB_FINGERPRINT"
case $how in
  first) log "first start of job $JOB_FINGERPRINT" ;;
  recover) log "job unchanged ($JOB_FINGERPRINT): recovering the stored job graph from its latest checkpoint" ;;
  refuse)
    log "job changed ($change), no savepoint of the running job: upgrade REFUSED (savepointFallback=refuse);" \
      "running the stored job graph; retry with a savepoint (kubectl rollout restart)"
    ;;
  last-state)
    log "job changed ($change): last-state upgrade: new job graph from the latest completed checkpoint"
    delete "$graphs"
    ;;
  savepoint)
    if [[ -n $requested ]]; then
      log "start from savepoint $from requested (job $JOB_FINGERPRINT)"
    else
      log "job changed ($change): starting the new job graph from savepoint $from"
    fi
    record restore "$from"
    delete "$graphs"
    delete "$checkpoints"
    ;;
  stateless)
    log "job changed ($change): stateless upgrade: starting without state"
    rm -f "$state/restore"
    delete "$graphs"
    delete "$checkpoints"
    ;;
esac
if [[ $how != recover && $how != refuse ]]; then
  record applied "$JOB_FINGERPRINT"
fi
rm -f "$state/savepoint" "$state/requested"
restore=$(cat "$state/restore" 2>/dev/null || true)
sed -i '/^execution\.savepoint\.path:/d' "$FLINK_CONF_FILE"
if [[ -n $restore ]]; then
  printf 'execution.savepoint.path: %s\n' "$restore" >>"$FLINK_CONF_FILE"
fi
