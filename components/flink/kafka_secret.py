"""The Kafka contract with the job: what the ``flink-kafka`` Secret holds.

Jobs never see a key on their command line (Flink's UI shows job arguments). The
Secret reaches the JobManager and TaskManagers as ``KAFKA_*`` environment variables and
as ready client property files (``input.properties``, ``output.properties``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi

SECRET_NAME = "flink-kafka"
MOUNT_PATH = "/opt/flink/kafka"
PROPERTY_FILES = ("input.properties", "output.properties")
ENV_VARS = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "KAFKA_INPUT_TOPIC",
    "KAFKA_OUTPUT_TOPIC",
    "KAFKA_CONSUMER_GROUP",
    "KAFKA_SECURITY_PROTOCOL",
    "KAFKA_SASL_MECHANISM",
    "KAFKA_INPUT_JAAS_CONFIG",
    "KAFKA_OUTPUT_JAAS_CONFIG",
)

# Event Hubs closes idle connections after 240 s: clients must refresh metadata, forget
# idle topics' metadata and drop idle connections before that, and allow 60 s for a request
# (Microsoft's recommended Kafka client configuration for Event Hubs).
EVENT_HUBS_CLIENT_PROPERTIES = {
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "PLAIN",
    "request.timeout.ms": "60000",
    "metadata.max.age.ms": "180000",
    "metadata.max.idle.ms": "180000",
    "connections.max.idle.ms": "180000",
}
CONSUMER_PROPERTIES = {"session.timeout.ms": "30000", "auto.offset.reset": "earliest"}
# Event Hubs Standard has no Kafka transactions: the sink runs at-least-once. Event Hubs
# refuses requests of 1046528 bytes or more; Microsoft recommends 1000000.
PRODUCER_PROPERTIES = {"acks": "all", "max.request.size": "1000000", "enable.idempotence": "false"}


@dataclass
class KafkaEndpoint:
    bootstrap_servers: pulumi.Input[str]
    input_topic: str
    output_topic: str
    consumer_group: str
    input_jaas_config: pulumi.Input[str]  # secret
    output_jaas_config: pulumi.Input[str]  # secret


def client_properties(bootstrap_servers: str, jaas_config: str, extra: dict[str, str]) -> str:
    lines = {"bootstrap.servers": bootstrap_servers, **EVENT_HUBS_CLIENT_PROPERTIES, **extra}
    lines["sasl.jaas.config"] = jaas_config
    return "".join(f"{k}={v}\n" for k, v in lines.items())


def secret_data(
    bootstrap_servers: str,
    input_topic: str,
    output_topic: str,
    consumer_group: str,
    input_jaas_config: str,
    output_jaas_config: str,
) -> dict[str, str]:
    """Every key of the Secret: the KAFKA_* variables and the two property files."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers,
        "KAFKA_INPUT_TOPIC": input_topic,
        "KAFKA_OUTPUT_TOPIC": output_topic,
        "KAFKA_CONSUMER_GROUP": consumer_group,
        "KAFKA_SECURITY_PROTOCOL": EVENT_HUBS_CLIENT_PROPERTIES["security.protocol"],
        "KAFKA_SASL_MECHANISM": EVENT_HUBS_CLIENT_PROPERTIES["sasl.mechanism"],
        "KAFKA_INPUT_JAAS_CONFIG": input_jaas_config,
        "KAFKA_OUTPUT_JAAS_CONFIG": output_jaas_config,
        "input.properties": client_properties(
            bootstrap_servers, input_jaas_config, {"group.id": consumer_group, **CONSUMER_PROPERTIES}
        ),
        "output.properties": client_properties(bootstrap_servers, output_jaas_config, PRODUCER_PROPERTIES),
    }


def secret_string_data(endpoint: KafkaEndpoint) -> dict[str, pulumi.Output[str]]:
    """The Secret's ``stringData``: every key known up front, every value a Pulumi secret."""
    data = pulumi.Output.all(endpoint.bootstrap_servers, endpoint.input_jaas_config, endpoint.output_jaas_config).apply(
        lambda v: secret_data(v[0], endpoint.input_topic, endpoint.output_topic, endpoint.consumer_group, v[1], v[2])
    )
    return {k: pulumi.Output.secret(data.apply(_item(k))) for k in (*ENV_VARS, *PROPERTY_FILES)}


def _item(key: str) -> Callable[[dict[str, str]], str]:
    return lambda data: data[key]


def env_from_secret() -> list[dict[str, object]]:
    """Container env entries that read each KAFKA_* variable from the Secret."""
    return [{"name": n, "valueFrom": {"secretKeyRef": {"name": SECRET_NAME, "key": n}}} for n in ENV_VARS]
