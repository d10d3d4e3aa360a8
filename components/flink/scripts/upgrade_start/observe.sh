# shellcheck shell=bash
# The start step, part 2 of 4: the facts, read from the shared volume and ZooKeeper.
# Out: graphs, checkpoints (the ZooKeeper paths), applied (the fingerprint of the stored job
# graph), taken (the pre-stop savepoint), requested (the start-from savepoint), stored
# (the stored job graphs, read only when nothing is applied yet), from (empty; decide sets it).
# shellcheck disable=SC2034,SC2154 # state comes from lib, its variables go to decide and act
graphs=$HA_ZOOKEEPER_PATH/jobgraphs
checkpoints=$HA_ZOOKEEPER_PATH/jobs
applied=$(cat "$state/applied" 2>/dev/null || true)
taken=$(cat "$state/savepoint" 2>/dev/null || true)
requested=$(cat "$state/requested" 2>/dev/null || true)
from="" stored=""
if [[ -z $applied ]]; then
  stored=$(children "$graphs")
fi
