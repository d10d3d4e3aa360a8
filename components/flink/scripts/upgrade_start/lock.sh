# shellcheck shell=bash
# The start step, the lock between lib and observe (see upgrade_scripts.py): with standby
# JobManagers (UPGRADE_LOCK=zookeeper) every JobManager of a rollout runs the start step
# at once, and exactly one may observe, decide and act. lock_take creates the EPHEMERAL
# node $HA_ZOOKEEPER_PATH/upgrade-lock through a ZooKeeper CLI that stays running (a
# coprocess: one session, commands on its stdin) until lock_release; a holder that dies
# loses the lock when its session ends (UPGRADE_LOCK_SESSION_MS). The others wait, logged,
# up to UPGRADE_LOCK_TIMEOUT_SECONDS (then exit 1: the kubelet restarts the container),
# and observe after the holder: they find its change applied and only start.
# @ZOOKEEPER_CLI_MAIN@ is filled in by upgrade_scripts.py.
# In: UPGRADE_LOCK (none), HA_ZOOKEEPER_PATH, ZOOKEEPER_QUORUM, UPGRADE_LOCK_SESSION_MS
# (10000), UPGRADE_LOCK_TIMEOUT_SECONDS (300), ZOOKEEPER_CLI_TIMEOUT (60), HOSTNAME.
lock_path=$HA_ZOOKEEPER_PATH/upgrade-lock
lock_reply=""
# The CLI's answer to the last command: created, exists, missing, or the error line.
lock_answer() {
  local line
  lock_reply="no answer within ${ZOOKEEPER_CLI_TIMEOUT:-60}s"
  while IFS= read -r -t "${ZOOKEEPER_CLI_TIMEOUT:-60}" line <&"${upgrade_lock[0]}"; do
    case $line in
      "Created "*) lock_reply=created ;;
      "Node already exists"*) lock_reply=exists ;;
      "Node does not exist"*) lock_reply=missing ;;
      *KeeperErrorCode* | *Exception* | *rror*) lock_reply=$line ;;
      *) continue ;;
    esac
    return 0
  done
}
lock_send() { printf '%s\n' "$*" >&"${upgrade_lock[1]}"; }
lock_take() {
  [[ ${UPGRADE_LOCK:-none} == zookeeper ]] || return 0
  local parent="" part waited="" waiting_since=$SECONDS
  coproc upgrade_lock {
    exec java -cp "$(cli_classpath)" @ZOOKEEPER_CLI_MAIN@ -timeout "${UPGRADE_LOCK_SESSION_MS:-10000}" \
      -server "$ZOOKEEPER_QUORUM" 2>&1
  }
  IFS=/ read -r -a parts <<<"${HA_ZOOKEEPER_PATH#/}"
  for part in "${parts[@]}"; do
    parent+=/$part
    lock_send "create $parent"
    lock_answer
    [[ $lock_reply == created || $lock_reply == exists ]] || lock_failed "create $parent: $lock_reply"
  done
  while true; do
    lock_send "create -e $lock_path ${HOSTNAME:-jobmanager}-$$"
    lock_answer
    case $lock_reply in
      created) break ;;
      exists) ;;
      *) lock_failed "create $lock_path: $lock_reply" ;;
    esac
    if [[ -z $waited ]]; then
      waited=yes
      log "waiting for the upgrade lock $lock_path: another JobManager's start step holds it"
    elif ((SECONDS - waiting_since > ${UPGRADE_LOCK_TIMEOUT_SECONDS:-300})); then
      lock_failed "the upgrade lock $lock_path still held after ${UPGRADE_LOCK_TIMEOUT_SECONDS:-300}s"
    fi
    sleep 1
  done
  log "took the upgrade lock $lock_path (waited $((SECONDS - waiting_since))s)"
}
lock_failed() {
  log "$1: not starting (the container restarts and tries again)"
  exit 1
}
# Delete the node and end the session: the next JobManager's create succeeds at once.
lock_release() {
  [[ -n ${upgrade_lock_PID:-} ]] || return 0
  local pid=$upgrade_lock_PID
  lock_send "delete $lock_path"
  lock_send quit
  wait "$pid" || true
  upgrade_lock_PID=""
  log "released the upgrade lock $lock_path"
}
lock_take
