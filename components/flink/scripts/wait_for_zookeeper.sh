# shellcheck shell=bash
# The JobManager's init container: wait until ZooKeeper serves.
# A server answers `srvr` with a Mode line only while it is part of a serving quorum.
# Gives up after ZOOKEEPER_WAIT_SECONDS so the kubelet restarts the pod with back-off.
# In: ZOOKEEPER_QUORUM (host:port,...), ZOOKEEPER_WAIT_SECONDS (default 600).
# shellcheck disable=SC2016 # the inner script's variables expand in the inner bash
set -u
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
