# shellcheck shell=bash
# The JobManager's liveness probe: the job makes progress (see job_health.py).
# Fails when the REST API does not answer, or when the job completed no checkpoint for
# UNHEALTHY_AFTER_SECONDS, counted from the JobManager's start or its last completed one.
# In: UNHEALTHY_AFTER_SECONDS (600), HEALTH_STATE_DIR (/tmp), FLINK_REST_HOST, FLINK_REST_PORT.
set -uo pipefail
limit=${UNHEALTHY_AFTER_SECONDS:-600}
now=$(date +%s)
read -r -a stat </proc/1/stat
progress=${HEALTH_STATE_DIR:-/tmp}/job-progress-${stat[21]}
# shellcheck disable=SC2016 # the inner script's variables expand in the inner bash
http() {
  local response
  response=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" "$2" "$0" >&3
    cat <&3 2>/dev/null' "${FLINK_REST_HOST:-127.0.0.1}" "${FLINK_REST_PORT:-8081}" "$1") || return 1
  [[ $response =~ ^HTTP/1\.[01]\ 2[0-9][0-9] ]] || return 1
  printf '%s' "${response#*$'\r\n\r\n'}"
}
if ! overview=$(http /jobs/overview); then
  echo "REST API not answering"
  exit 1
fi
completed=-1 state=none
if [[ $overview =~ \"jid\":\ ?\"([0-9a-f]{32})\"[^}]*\"state\":\ ?\"([A-Z_]+)\" ]]; then
  job=${BASH_REMATCH[1]} state=${BASH_REMATCH[2]}
  if [[ $state == RUNNING ]] && checkpoints=$(http "/jobs/$job/checkpoints") &&
    [[ $checkpoints =~ \"counts\":\ ?\{[^}]*\"completed\":\ ?([0-9]+) ]]; then
    completed=${BASH_REMATCH[1]}
  fi
fi
read -r seen since 2>/dev/null <"$progress" || seen="" since=""
if [[ -z $since || ($completed -ge 0 && $completed != "$seen") ]]; then
  printf '%s %s\n' "$completed" "$now" >"$progress"
  exit 0
fi
if ((now - since > limit)); then
  echo "job $state: no completed checkpoint for $((now - since))s (limit ${limit}s)"
  exit 1
fi
