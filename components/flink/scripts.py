"""Shell programs run by init containers of the official Flink image (bash, coreutils)."""

from __future__ import annotations

# Waits until a ZooKeeper server answers `srvr` with a Mode line: a server reports
# its mode only while it is part of a serving quorum. Gives up after
# ZOOKEEPER_WAIT_SECONDS so the kubelet restarts the pod with back-off.
WAIT_FOR_ZOOKEEPER = r"""set -u
deadline=$((SECONDS + ${ZOOKEEPER_WAIT_SECONDS:-600}))
while :; do
  for server in ${ZOOKEEPER_QUORUM//,/ }; do
    host=${server%:*}
    port=${server##*:}
    reply=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf srvr >&3 && cat <&3' "$host" "$port" 2>/dev/null)
    if [[ $reply == *"Mode: "* ]]; then
      echo "zookeeper serving: $server ${reply##*Mode: }" | head -n 1
      exit 0
    fi
  done
  if (( SECONDS >= deadline )); then
    echo "zookeeper not serving after ${ZOOKEEPER_WAIT_SECONDS:-600}s: $ZOOKEEPER_QUORUM" >&2
    exit 1
  fi
  echo "waiting for zookeeper: $ZOOKEEPER_QUORUM"
  sleep 2
done
"""

# Copies the image's conf (log4j files) and our config file into a writable volume,
# since the image's entrypoint edits the config file, and stages the job jar in
# usrlib, where application mode looks for the job (TaskManagers need it too).
# A flink-conf.yaml would take precedence over config.yaml in Flink 1.x: remove it.
PREPARE = r"""set -eu
cp -R "${IMAGE_CONF:-/opt/flink/conf}/." "$CONF_OUT/"
rm -f "$CONF_OUT/flink-conf.yaml"
cp "$CONFIG_SOURCE" "$CONF_OUT/config.yaml"
cp "$JOB_JAR" "$USRLIB_OUT/"
echo "prepared $CONF_OUT/config.yaml and $USRLIB_OUT/$(basename "$JOB_JAR")"
"""
