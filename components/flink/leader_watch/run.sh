# shellcheck shell=bash
# The leader watch (see __init__.py): compile LeaderWatch.java with the Janino compiler Flink
# ships in lib/ (the Flink image is a JRE, no javac) and run it in the same small JVM, with
# the ZooKeeper client shaded in flink-dist on the classpath. Janino's SimpleCompiler
# compiles the source in memory and calls its main; Flink's jar has no janinoc command.
# Environment: PROGRAM_DIR, FLINK_LIB_DIR, ZOOKEEPER_QUORUM, HA_ZOOKEEPER_PATH,
# OWN_ADDRESS, RPC_PORT, ROLE_FILE.
set -euo pipefail

: "${PROGRAM_DIR:?}" "${FLINK_LIB_DIR:?}" "${ZOOKEEPER_QUORUM:?}" "${HA_ZOOKEEPER_PATH:?}"
: "${OWN_ADDRESS:?}" "${RPC_PORT:?}" "${ROLE_FILE:?}"

jar() {
  for candidate in "$FLINK_LIB_DIR"/"$1"-*.jar; do
    if [ -f "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  echo "leader-watch: no $1-*.jar in $FLINK_LIB_DIR" >&2
  exit 1
}

runtime=$(jar flink-table-runtime)
dist=$(jar flink-dist)

exec java -Xmx32m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=16m \
  -cp "$runtime:$dist" org.codehaus.janino.SimpleCompiler "$PROGRAM_DIR/LeaderWatch.java" LeaderWatch
