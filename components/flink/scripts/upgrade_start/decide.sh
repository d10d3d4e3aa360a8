# shellcheck shell=bash
# The start step, part 3 of 4: the decision, a pure function of the facts (no I/O).
# In: applied, stored, requested, taken, terminal, on_volume, in_zookeeper, from (empty),
# JOB_FINGERPRINT, UPGRADE_MODE, SAVEPOINT_FALLBACK. Out: how, one of first, recover,
# refuse, last-state, savepoint, stateless, fresh, refuse-terminal, refuse-metadata-lost;
# from, the snapshot to start from when how=savepoint. An unknown UPGRADE_MODE exits 1.
# tests/test_upgrade_decide.py holds its table, row by row.
# shellcheck disable=SC2034,SC2154 # facts come from observe, how and from go to act
if [[ $requested == fresh ]]; then
  how=fresh
elif [[ -n $requested ]]; then
  how=savepoint from=$requested
elif [[ -n $terminal ]]; then
  # The job ended (cancelled, stopped, finished, failed for good) and Flink cleaned its HA
  # data: starting it again would start it from empty state. An operator decides.
  how=refuse-terminal
elif [[ $applied == "$JOB_FINGERPRINT" ]]; then
  how=recover
elif [[ -z $applied && -z $stored ]]; then
  how=first
else
  case $UPGRADE_MODE in
    last-state | stateless) how=$UPGRADE_MODE ;;
    savepoint)
      if [[ -n $taken ]]; then
        how=savepoint from=$taken
      elif [[ $SAVEPOINT_FALLBACK == last-state ]]; then
        how=last-state
      else
        how=refuse
      fi
      ;;
    *)
      echo "UPGRADE_MODE=$UPGRADE_MODE: one of last-state, savepoint, stateless" >&2
      exit 1
      ;;
  esac
fi
# Starting from ZooKeeper's checkpoint store while it lost what the volume shows was
# completed would start empty (or from an old savepoint): refuse, loud.
case $how in
  recover | last-state | refuse)
    if [[ -n $on_volume && -z $in_zookeeper ]]; then
      how=refuse-metadata-lost
    fi
    ;;
esac
