"""Bash programs of the JobManager that make a change to the job take effect, keeping state.

In application mode with ZooKeeper HA, a JobManager recovers the job graph stored under
the stack's cluster-id and runs it, whatever its new image, arguments or config say. So:

- ``UPGRADE_AT_START`` runs in the JobManager's container before Flink, on every start
  (pod start and container restart). It compares the pod's ``JOB_FINGERPRINT`` with the
  fingerprint of the stored job graph (``$UPGRADE_STATE_DIR/applied``, on the shared
  volume). Equal: nothing to do, HA recovers the job from its latest checkpoint. Changed,
  by ``UPGRADE_MODE``:
  ``last-state``: delete the stored job graph, keep its checkpoints: the new graph starts
  from the latest completed checkpoint; ``savepoint``: start from the savepoint the old
  JobManager's pre-stop step took (delete the job graph and its checkpoints); without one,
  ``SAVEPOINT_FALLBACK`` ``refuse`` (keep running the old job graph) or ``last-state``;
  ``stateless``: delete job graph and checkpoints, start empty. A ``requested`` savepoint
  (the operations command ``start-from``) wins over everything.
  Every step can be repeated: a JobManager killed at any point redoes the decision, and
  ``applied`` changes only once the ZooKeeper nodes are gone. The savepoint to start from
  is kept in ``restore`` and passed as ``execution.savepoint.path``; Flink prefers the
  latest checkpoint when one exists, so it matters only until the new job's first one.
- ``SAVEPOINT_BEFORE_STOP`` is the container's pre-stop hook: in ``savepoint`` mode it
  takes a savepoint of the running job through the local REST API (bash ``/dev/tcp``,
  the image has no curl guarantee) and records its path for the next start.

ZooKeeper is reached with the ZooKeeper CLI that Flink ships shaded in ``flink-dist``
(the official image has java and bash, no zkCli or python). Each step logs one line to
stdout and to ``$UPGRADE_STATE_DIR/history.log``.
"""

from __future__ import annotations

from typing import TypeVar

from components.flink.flink_config import ZOOKEEPER_PATH_ROOT

Quorum = TypeVar("Quorum")

ZOOKEEPER_CLI_MAIN = "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.ZooKeeperMain"

UPGRADE_AT_START = (
    r"""set -euo pipefail
state=$UPGRADE_STATE_DIR
mkdir -p "$state"
log() { printf '%s upgrade: %s\n' "$(date -u +%FT%TZ)" "$*" | tee -a "$state/history.log"; }
zk() {
  local out
  local classpath
  classpath=$(echo "${FLINK_LIB_DIR:-/opt/flink/lib}"/flink-dist*.jar)
  if out=$(timeout "${ZOOKEEPER_CLI_TIMEOUT:-60}" java -cp "$classpath" \
      """
    + ZOOKEEPER_CLI_MAIN
    + r""" -server "$ZOOKEEPER_QUORUM" "$@" 2>&1); then
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
  listing=$(zk ls "$1")
  printf '%s\n' "$listing" | sed -n 's/^\[\(.*\)\]$/\1/p' | tail -n 1 | tr -d ' ' | tr ',' '\n' | sed '/^$/d'
}
delete() {
  zk deleteall "$1" >/dev/null
  log "deleted $1 (Flink creates it again)"
}
record() { printf '%s\n' "$2" >"$state/$1.tmp" && mv "$state/$1.tmp" "$state/$1"; }
graphs=$HA_ZOOKEEPER_PATH/jobgraphs
checkpoints=$HA_ZOOKEEPER_PATH/jobs
applied=$(cat "$state/applied" 2>/dev/null || true)
taken=$(cat "$state/savepoint" 2>/dev/null || true)
requested=$(cat "$state/requested" 2>/dev/null || true)
from="" stored=""
if [[ -z $applied ]]; then
  stored=$(children "$graphs")
fi
if [[ -n $requested ]]; then
  how=savepoint from=$requested
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
"""
)

SAVEPOINT_BEFORE_STOP = r"""set -uo pipefail
[[ ${UPGRADE_MODE:-} == savepoint ]] || exit 0
state=$UPGRADE_STATE_DIR
mkdir -p "$state"
deadline=$((SECONDS + ${SAVEPOINT_TIMEOUT_SECONDS:-300}))
log() { printf '%s pre-stop: %s\n' "$(date -u +%FT%TZ)" "$*" | tee -a "$state/history.log"; }
# shellcheck disable=SC2016 # the inner script's variables expand in the inner bash
http() {
  local response
  response=$(timeout 15 bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n" "$2" "$3" "$0" >&3
    printf "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" "${#4}" "$4" >&3
    cat <&3 2>/dev/null' "${FLINK_REST_HOST:-127.0.0.1}" "${FLINK_REST_PORT:-8081}" "$1" "$2" "${3:-}") || return 1
  [[ $response =~ ^HTTP/1\.[01]\ 2[0-9][0-9] ]] || return 1
  printf '%s' "${response#*$'\r\n\r\n'}"
}
if ! overview=$(http GET /jobs/overview); then
  log "REST API not answering: no savepoint taken"
  exit 0
fi
if ! [[ $overview =~ \"jid\":\ ?\"([0-9a-f]{32})\"[^}]*\"state\":\ ?\"RUNNING\" ]]; then
  log "no RUNNING job: no savepoint taken"
  exit 0
fi
job=${BASH_REMATCH[1]}
if ! trigger=$(http POST "/jobs/$job/savepoints" '{"cancel-job":false}') ||
  ! [[ $trigger =~ \"request-id\":\ ?\"([0-9a-f]+)\" ]]; then
  log "job $job: savepoint not triggered: ${trigger:-no answer}"
  exit 0
fi
request=${BASH_REMATCH[1]}
log "job $job: savepoint triggered ($request)"
while ((SECONDS < deadline)); do
  if ! status=$(http GET "/jobs/$job/savepoints/$request"); then
    log "job $job: REST API gone while the savepoint was running: no savepoint recorded"
    exit 0
  fi
  if [[ $status =~ \"location\":\ ?\"([^\"]+)\" ]]; then
    printf '%s\n' "${BASH_REMATCH[1]}" >"$state/savepoint.tmp" && mv "$state/savepoint.tmp" "$state/savepoint"
    log "job $job: savepoint ${BASH_REMATCH[1]} recorded for the next start"
    exit 0
  fi
  if [[ $status == *'"failure-cause"'* ]]; then
    log "job $job: savepoint failed: $(printf '%s' "$status" | head -c 300)"
    exit 0
  fi
  sleep 1
done
log "job $job: savepoint not completed within ${SAVEPOINT_TIMEOUT_SECONDS:-300}s: no savepoint recorded"
"""


def upgrade_state_dir(data_dir: str, cluster_id: str) -> str:
    """Where the upgrade records of one cluster-id live on the shared volume."""
    return f"{data_dir.rstrip('/')}/upgrades/{cluster_id}"


def upgrade_environment(
    cluster_id: str,
    zookeeper_quorum: Quorum,
    data_dir: str,
    conf_file: str,
    fingerprint: str,
    mode: str,
    fallback: str,
) -> dict[str, str | Quorum]:
    """The environment both steps read (the pod's env; the integration tests' too).

    The quorum is a string in the tests and a Pulumi output in the pod template."""
    return {
        "JOB_FINGERPRINT": fingerprint,
        "UPGRADE_MODE": mode,
        "SAVEPOINT_FALLBACK": fallback,
        "UPGRADE_STATE_DIR": upgrade_state_dir(data_dir, cluster_id),
        "ZOOKEEPER_QUORUM": zookeeper_quorum,
        "HA_ZOOKEEPER_PATH": f"{ZOOKEEPER_PATH_ROOT}/{cluster_id}",
        "FLINK_CONF_FILE": conf_file,
    }
