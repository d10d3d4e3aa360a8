#!/usr/bin/env bash
# The ZooKeeper image's entry point (Debian's zookeeper package): one standalone server on
# 2181 with the four-letter words the stack's init container and probes use. Written for
# this test suite; the image carries the name the stack's ZooKeeper chart values render.
set -euo pipefail
data=${ZOO_DATA_DIR:-/bitnami/zookeeper/data}  # Bitnami's: the chart mounts a volume there
mkdir -p "$data"
config=$data/zoo.cfg
cat >"$config" <<CONFIG
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$data
clientPort=2181
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok,stat,mntr
CONFIG
classpath=$(find /usr/share/java -maxdepth 1 -name '*.jar' -printf '%p:')
exec java -Xmx256m -Dzookeeper.jmx.log4j.disable=true -cp "$classpath" \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "$config"
