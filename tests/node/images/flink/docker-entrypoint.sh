#!/usr/bin/env bash
# The Flink image's entry point, written for this test suite from the documented contract of
# the official image (nightlies.apache.org flink-docs, "Docker" deployment page):
#   jobmanager | standalone-job [args] | taskmanager [args]  start that process in the foreground;
#   anything else is executed as given.
# Configuration: $FLINK_HOME/conf/config.yaml, then JOB_MANAGER_RPC_ADDRESS (as
# jobmanager.rpc.address), then FLINK_PROPERTIES (lines of "key: value") on top.
# Run as root, it drops to the flink user (9999) first, as the official image does.
set -euo pipefail

FLINK_HOME=${FLINK_HOME:-/opt/flink}
CONF_DIR=${FLINK_CONF_DIR:-$FLINK_HOME/conf}
CONF_FILE=$CONF_DIR/config.yaml

if [[ $(id -u) == 0 && ${1:-} =~ ^(jobmanager|standalone-job|taskmanager)$ ]]; then
  exec setpriv --reuid=flink --regid=flink --init-groups "$0" "$@"
fi

# set_option KEY VALUE: one flat "key: value" line in config.yaml, replacing an earlier one.
set_option() {
  local key=$1 value=$2 escaped
  escaped=$(printf '%s' "$key" | sed 's/[.[\*^$/]/\\&/g')
  if [[ -f $CONF_FILE ]] && grep -q "^${escaped}:" "$CONF_FILE"; then
    sed -i "/^${escaped}:/,/^[^ ]/{/^${escaped}:/d;/^  /d}" "$CONF_FILE"
  fi
  printf '%s: %s\n' "$key" "$value" >>"$CONF_FILE"
}

# read_option KEY: the value of a flat key, continuation lines (indented) joined.
read_option() {
  [[ -f $CONF_FILE ]] || return 0
  awk -v key="$1" '
    found && /^  / { sub(/^ +/, ""); printf " %s", $0; next }
    found { exit }
    index($0, key ":") == 1 { found = 1; sub(/^[^:]*: */, ""); printf "%s", $0 }
  ' "$CONF_FILE"
}

prepare_configuration() {
  if [[ -n ${JOB_MANAGER_RPC_ADDRESS:-} ]]; then
    set_option jobmanager.rpc.address "$JOB_MANAGER_RPC_ADDRESS"
  fi
  if [[ -n ${FLINK_PROPERTIES:-} ]]; then
    local line
    while IFS= read -r line; do
      [[ $line =~ ^([^:#[:space:]][^:]*):[[:space:]]*(.*)$ ]] || continue
      set_option "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    done <<<"$FLINK_PROPERTIES"
  fi
}

classpath() {
  local jars=("$FLINK_HOME"/lib/*.jar)
  local IFS=:
  printf '%s' "${jars[*]}"
}

# resource_params GET_JM_RESOURCE_PARAMS|GET_TM_RESOURCE_PARAMS: Flink's own memory
# calculation (what bin/config.sh runs); sets JVM_PARAMS and DYNAMIC_PARAMS.
resource_params() {
  local output
  output=$(java -classpath "$FLINK_HOME/bin/bash-java-utils.jar:$(classpath)" \
    org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$CONF_DIR" "${@:2}" 2>&1) || {
    printf '%s\n' "$output" >&2
    exit 1
  }
  mapfile -t results < <(printf '%s\n' "$output" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p')
  if ((${#results[@]} != 2)); then
    printf 'could not compute the memory settings:\n%s\n' "$output" >&2
    exit 1
  fi
  read -r -a JVM_PARAMS <<<"${results[0]}"
  read -r -a DYNAMIC_PARAMS <<<"${results[1]}"
}

run_java() {
  local role=$1 main=$2
  shift 2
  local opts
  read -r -a opts <<<"$(read_option env.java.default-opts.all) $(read_option env.java.opts.all) $(read_option "env.java.opts.$role")"
  mkdir -p "$FLINK_HOME/log" 2>/dev/null || true
  local log4j=file:$CONF_DIR/log4j-console.properties
  exec java "${JVM_PARAMS[@]}" -XX:+IgnoreUnrecognizedVMOptions "${opts[@]}" \
    "-Dlog.file=$FLINK_HOME/log/flink-$role-${HOSTNAME:-flink}.log" \
    "-Dlog4j.configuration=$log4j" "-Dlog4j.configurationFile=$log4j" \
    -classpath "$(classpath)" "$main" "$@"
}

command=${1:-help}
case $command in
  jobmanager | standalone-job)
    shift
    prepare_configuration
    resource_params GET_JM_RESOURCE_PARAMS
    if [[ $command == standalone-job ]]; then
      main=org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint
    else
      main=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
    fi
    run_java jobmanager "$main" "${DYNAMIC_PARAMS[@]}" --configDir "$CONF_DIR" "$@"
    ;;
  taskmanager)
    shift
    prepare_configuration
    resource_params GET_TM_RESOURCE_PARAMS
    run_java taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$CONF_DIR" "${DYNAMIC_PARAMS[@]}" "$@"
    ;;
  help)
    echo "usage: $0 jobmanager|standalone-job [args]|taskmanager [args]|COMMAND..."
    ;;
  *)
    exec "$@"
    ;;
esac
