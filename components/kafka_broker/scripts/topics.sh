# shellcheck shell=bash
# The broker container's postStart hook: once the broker answers on loopback, make sure
# each topic exists with KAFKA_PARTITIONS partitions: created if missing, raised if it
# has fewer; a topic with more is refused (Kafka cannot take partitions away), so the
# hook fails, the container is restarted and the pod's events say why.
# In: KAFKA_TOPICS (space-separated), KAFKA_PARTITIONS.
set -euo pipefail
topics() { java -cp '@KAFKA_LIBS@/*' org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:@LOCAL_PORT@ "$@"; }
for _ in $(seq 60); do
  topics --list >/dev/null 2>&1 && break
  sleep 2
done
for topic in ${KAFKA_TOPICS}; do
  topics --create --if-not-exists --topic "${topic}" --partitions "${KAFKA_PARTITIONS}" --replication-factor 1
  count=$(topics --describe --topic "${topic}" | sed -n 's/.*PartitionCount: *\([0-9]*\).*/\1/p' | head -n 1)
  if ((count < KAFKA_PARTITIONS)); then
    topics --alter --topic "${topic}" --partitions "${KAFKA_PARTITIONS}"
  elif ((count > KAFKA_PARTITIONS)); then
    echo "topic ${topic} has ${count} partitions; Kafka cannot lower it to ${KAFKA_PARTITIONS}" >&2
    exit 1
  fi
done
