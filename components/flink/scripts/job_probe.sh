# shellcheck shell=bash
# The JobManager's probes (see job_health.py); $0 names the probe:
#   startup    the REST API answers, or the start step refused (it waits for the operator);
#   readiness  the job is RUNNING;
#   liveness   the JobManager is not stuck: fails only when the REST API has not answered for
#              REST_DOWN_AFTER_SECONDS, or when no checkpoint completed and none was in
#              progress for UNHEALTHY_AFTER_SECONDS (counted from the JobManager's start);
#              passes while the start step refused.
# With ROLE_FILE (rpcPortMode podIp: the leader watch writes `leader` or `standby` there)
# the job's checks are the leader's only: a standby's REST API serves the leader's view (a
# stuck job must restart the leader, not a standby). readiness: the REST API answers and
# the file names a role (the leader: and the job is RUNNING); liveness of a standby, or of
# a JobManager without a role yet: the REST API rule only.
# In: UNHEALTHY_AFTER_SECONDS (3000), REST_DOWN_AFTER_SECONDS (60), HEALTH_STATE_DIR (/tmp),
# UPGRADE_STATE_DIR (holds `refused` while the start step refuses), ROLE_FILE (none),
# FLINK_REST_HOST, FLINK_REST_PORT.
set -uo pipefail
probe=$0
case $probe in startup | readiness | liveness) ;; *)
  echo "unknown probe $probe: startup, readiness or liveness"
  exit 2
  ;;
esac
# shellcheck disable=SC2016 # the inner script's variables expand in the inner bash
http() {
  local response
  response=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" "$2" "$0" >&3
    cat <&3 2>/dev/null' "${FLINK_REST_HOST:-127.0.0.1}" "${FLINK_REST_PORT:-8081}" "$1") || return 1
  [[ $response =~ ^HTTP/1\.[01]\ 2[0-9][0-9] ]] || return 1
  printf '%s' "${response#*$'\r\n\r\n'}"
}
if [[ -n ${UPGRADE_STATE_DIR:-} && -e $UPGRADE_STATE_DIR/refused ]]; then
  echo "the start step refused the job: waiting for the operator ($UPGRADE_STATE_DIR/refused)"
  [[ $probe != readiness ]] # started and alive, never Ready
  exit
fi
overview=$(http /jobs/overview)
rest=$?
if [[ $probe == startup ]]; then
  ((rest == 0)) || echo "REST API not answering yet"
  exit "$rest"
fi
role=leader # without a leader watch the one JobManager is the leader
if [[ -n ${ROLE_FILE:-} ]]; then
  role=$(cat "$ROLE_FILE" 2>/dev/null || true)
  role=${role:-none}
fi
job="" state=none
if ((rest == 0)) && [[ $overview =~ \"jid\":\ ?\"([0-9a-f]{32})\"[^}]*\"state\":\ ?\"([A-Z_]+)\" ]]; then
  job=${BASH_REMATCH[1]} state=${BASH_REMATCH[2]}
fi
if [[ $probe == readiness ]]; then
  if ((rest != 0)); then
    echo "REST API not answering"
    exit 1
  fi
  case $role in
    leader) [[ $state == RUNNING ]] || echo "job $state" ;;
    standby) exit 0 ;;
    *) echo "no role from the leader watch yet ($role)" ;;
  esac
  [[ $role == leader && $state == RUNNING ]]
  exit
fi
now=$(date +%s)
read -r -a stat </proc/1/stat
state_dir=${HEALTH_STATE_DIR:-/tmp}
progress=$state_dir/job-progress-${stat[21]}
rest_down=$state_dir/rest-down-${stat[21]}
if ((rest != 0)); then
  [[ -s $rest_down ]] || printf '%s\n' "$now" >"$rest_down"
  read -r down_since <"$rest_down"
  echo "REST API not answering for $((now - down_since))s (limit ${REST_DOWN_AFTER_SECONDS:-60}s)"
  ((now - down_since <= ${REST_DOWN_AFTER_SECONDS:-60}))
  exit
fi
rm -f "$rest_down"
if [[ $role != leader ]]; then
  rm -f "$progress" # the window starts again when it leads
  exit 0
fi
# Progress: a checkpoint (or savepoint) completed since the last look, or one in progress.
completed=-1 in_progress=0
if [[ $state == RUNNING ]] && checkpoints=$(http "/jobs/$job/checkpoints") &&
  [[ $checkpoints =~ \"counts\":\ ?\{([^}]*)\} ]]; then
  counts=${BASH_REMATCH[1]}
  [[ $counts =~ \"completed\":\ ?([0-9]+) ]] && completed=${BASH_REMATCH[1]}
  [[ $counts =~ \"in_progress\":\ ?([0-9]+) ]] && in_progress=${BASH_REMATCH[1]}
fi
read -r seen since 2>/dev/null <"$progress" || seen="" since=""
if [[ -z $since ]] || ((in_progress > 0)) || [[ $completed -ge 0 && $completed != "$seen" ]]; then
  printf '%s %s\n' "$completed" "$now" >"$progress"
  exit 0
fi
if ((now - since > ${UNHEALTHY_AFTER_SECONDS:-3000})); then
  echo "job $state: no checkpoint completed or in progress for $((now - since))s (limit ${UNHEALTHY_AFTER_SECONDS:-3000}s)"
  exit 1
fi
