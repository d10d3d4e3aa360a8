# shellcheck shell=bash
# The broker's container: format the data volume once (KRaft: one node, both roles), then
# run the broker in place of this shell. The users' passwords reach it as a JAAS file.
# In: KAFKA_CLUSTER_ID, KAFKA_HEAP_OPTS; the files under @CONFIG_DIR@ and @SECRETS_DIR@.
set -euo pipefail
classpath='@KAFKA_LIBS@/*'
if [[ ! -f @DATA_DIR@/meta.properties ]]; then
  echo "formatting @DATA_DIR@ for cluster ${KAFKA_CLUSTER_ID}"
  java -cp "${classpath}" kafka.tools.StorageTool format --ignore-formatted \
    -t "${KAFKA_CLUSTER_ID}" -c @CONFIG_DIR@/server.properties
fi
# shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM options
exec java ${KAFKA_HEAP_OPTS} -Djava.awt.headless=true \
  -Djava.security.auth.login.config=@SECRETS_DIR@/@JAAS_FILE@ \
  -Dlog4j2.configurationFile=@CONFIG_DIR@/log4j2.properties \
  -cp "${classpath}" kafka.Kafka @CONFIG_DIR@/server.properties
