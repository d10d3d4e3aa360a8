# shellcheck shell=bash
# The JobManager container's pre-stop hook (see upgrade_scripts.py): in savepoint mode,
# take a savepoint of the running job through the local REST API and record its path in
# $UPGRADE_STATE_DIR/savepoint for the next start. Never fails the stop. With ROLE_FILE
# (rpcPortMode podIp) on the leader only: a standby's REST API would reach the leader's job.
# In: UPGRADE_MODE, UPGRADE_STATE_DIR, SAVEPOINT_TIMEOUT_SECONDS (300), ROLE_FILE (none),
# FLINK_REST_HOST, FLINK_REST_PORT.
set -uo pipefail
[[ ${UPGRADE_MODE:-} == savepoint ]] || exit 0
state=$UPGRADE_STATE_DIR
mkdir -p "$state"
deadline=$((SECONDS + ${SAVEPOINT_TIMEOUT_SECONDS:-300}))
log() { printf '%s pre-stop: %s\n' "$(date -u +%FT%TZ)" "$*" | tee -a "$state/history.log"; }
if [[ -n ${ROLE_FILE:-} ]]; then
  role=$(cat "$ROLE_FILE" 2>/dev/null || true)
  if [[ $role != leader ]]; then
    log "${HOSTNAME:-this JobManager} is ${role:-without a role}, not the leader: no savepoint taken (the leader's hook takes it)"
    exit 0
  fi
fi
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
