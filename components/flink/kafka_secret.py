"""The Kafka contract with the job: the ``flink-kafka`` Secret and ConfigMap.

Jobs never see a key on their command line (Flink's UI shows job arguments), nor in an
environment variable (a process's environment is easy to leak: crash dumps, ``/proc``,
child processes). The Secret holds the ready client property files
(``input.properties``, ``output.properties``), mounted as files; the ConfigMap holds what
is not secret (endpoint, topics, consumer group, protocol) and reaches the JobManager and
TaskManagers as ``KAFKA_*`` environment variables.

Two logins (``eventHubs.auth``): SASL PLAIN with a SAS connection string in each file's
JAAS line (``sas``), or OAUTHBEARER with workload identity, whose files hold no secret:
the job's login callback handler gets Entra ID tokens from the pod's federated token
(docs/workload-identity.md). The files stay in the Secret either way: one mount, one pod
shape, so switching the login changes the files' content and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.flink.names import meta

SECRET_NAME = "flink-kafka"  # the property files
CONFIG_MAP_NAME = "flink-kafka"  # the KAFKA_* variables
MOUNT_PATH = "/opt/flink/kafka"
PROPERTY_FILES = ("input.properties", "output.properties")
ENV_VARS = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "KAFKA_INPUT_TOPIC",
    "KAFKA_OUTPUT_TOPIC",
    "KAFKA_CONSUMER_GROUP",
    "KAFKA_SECURITY_PROTOCOL",
    "KAFKA_SASL_MECHANISM",
)

# Event Hubs closes idle connections after 240 s: clients must refresh metadata, forget
# idle topics' metadata and drop idle connections before that, and allow 60 s for a request
# (Microsoft's recommended Kafka client configuration for Event Hubs).
EVENT_HUBS_CLIENT_PROPERTIES = {
    "security.protocol": "SASL_SSL",
    "request.timeout.ms": "60000",
    "metadata.max.age.ms": "180000",
    "metadata.max.idle.ms": "180000",
    "connections.max.idle.ms": "180000",
}
PLAIN = "PLAIN"
OAUTHBEARER = "OAUTHBEARER"
# OAUTHBEARER: the job's handler (jobs/, flinkaks.reference.auth) exchanges the pod's
# federated token for an Entra ID token; the login module itself takes no option.
OAUTHBEARER_PROPERTIES = {
    "sasl.login.callback.handler.class": "flinkaks.reference.auth.WorkloadIdentityLoginCallbackHandler",
}
OAUTHBEARER_JAAS_CONFIG = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;"
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
    # SASL PLAIN: the JAAS lines (secrets). Workload identity: None, and the identity's client id.
    input_jaas_config: pulumi.Input[str] | None = None
    output_jaas_config: pulumi.Input[str] | None = None
    identity_client_id: pulumi.Input[str] | None = None
    # A broker whose certificate no public CA signed (the stack's own, in the cluster): the
    # PEM the clients trust instead of the JVM's CAs. None: Event Hubs, a public certificate.
    trusted_certificate: str | None = None

    def __post_init__(self) -> None:
        plain = self.input_jaas_config is not None and self.output_jaas_config is not None
        if plain == (self.identity_client_id is not None):
            raise ValueError("a Kafka endpoint has either both JAAS lines (PLAIN) or an identity (OAUTHBEARER)")

    @property
    def mechanism(self) -> str:
        return PLAIN if self.identity_client_id is None else OAUTHBEARER


def client_properties(bootstrap_servers: str, jaas_config: str | None, extra: dict[str, str]) -> str:
    """A client property file: PLAIN with ``jaas_config``, or (None) OAUTHBEARER with workload identity."""
    protocol = EVENT_HUBS_CLIENT_PROPERTIES["security.protocol"]
    lines = {"bootstrap.servers": bootstrap_servers, "security.protocol": protocol, **_login(jaas_config)}
    lines.update({**EVENT_HUBS_CLIENT_PROPERTIES, **extra})
    lines["sasl.jaas.config"] = OAUTHBEARER_JAAS_CONFIG if jaas_config is None else jaas_config
    return "".join(f"{k}={v}\n" for k, v in lines.items())


def trust_properties(certificate: str | None) -> dict[str, str]:
    """The client properties that trust exactly ``certificate`` (PEM); none for the JVM's CAs.

    A property file value is one line: its line breaks are written as ``\\n``, which
    ``java.util.Properties`` reads back as line breaks."""
    if certificate is None:
        return {}
    return {"ssl.truststore.type": "PEM", "ssl.truststore.certificates": certificate.strip().replace("\n", "\\n")}


def _login(jaas_config: str | None) -> dict[str, str]:
    if jaas_config is None:
        return {"sasl.mechanism": OAUTHBEARER, **OAUTHBEARER_PROPERTIES}
    return {"sasl.mechanism": PLAIN}


def endpoint_env(
    bootstrap_servers: str, input_topic: str, output_topic: str, consumer_group: str, mechanism: str = PLAIN
) -> dict[str, str]:
    """The KAFKA_* variables: nothing secret."""
    named = _named_env(input_topic, output_topic, consumer_group, mechanism)
    return {"KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers, **named}


def _named_env(input_topic: str, output_topic: str, consumer_group: str, mechanism: str) -> dict[str, str]:
    """The KAFKA_* variables but the bootstrap servers."""
    return {
        "KAFKA_INPUT_TOPIC": input_topic,
        "KAFKA_OUTPUT_TOPIC": output_topic,
        "KAFKA_CONSUMER_GROUP": consumer_group,
        "KAFKA_SECURITY_PROTOCOL": EVENT_HUBS_CLIENT_PROPERTIES["security.protocol"],
        "KAFKA_SASL_MECHANISM": mechanism,
    }


def property_files(
    bootstrap_servers: str,
    consumer_group: str,
    input_jaas_config: str | None,
    output_jaas_config: str | None,
    trusted_certificate: str | None = None,
) -> dict[str, str]:
    """The two client property files: the Secret's keys."""
    trust = trust_properties(trusted_certificate)
    return {
        "input.properties": client_properties(
            bootstrap_servers, input_jaas_config, {"group.id": consumer_group, **CONSUMER_PROPERTIES, **trust}
        ),
        "output.properties": client_properties(bootstrap_servers, output_jaas_config, {**PRODUCER_PROPERTIES, **trust}),
    }


def secret_string_data(endpoint: KafkaEndpoint) -> dict[str, pulumi.Output[str]]:
    """The Secret's ``stringData``: every key known up front, every value a Pulumi secret."""
    files = pulumi.Output.all(
        endpoint.bootstrap_servers, endpoint.input_jaas_config, endpoint.output_jaas_config
    ).apply(lambda v: property_files(v[0], endpoint.consumer_group, v[1], v[2], endpoint.trusted_certificate))
    return {k: pulumi.Output.secret(files.apply(_item(k))) for k in PROPERTY_FILES}


def config_map_data(endpoint: KafkaEndpoint) -> dict[str, pulumi.Input[str]]:
    """The ConfigMap's ``data``: the KAFKA_* variables."""
    named = _named_env(endpoint.input_topic, endpoint.output_topic, endpoint.consumer_group, endpoint.mechanism)
    return {"KAFKA_BOOTSTRAP_SERVERS": endpoint.bootstrap_servers, **named}


def _item(key: str) -> Callable[[dict[str, str]], str]:
    return lambda data: data[key]


def env_from_config_map() -> list[dict[str, object]]:
    """The container's ``envFrom``: every KAFKA_* variable from the ConfigMap."""
    return [{"configMapRef": {"name": CONFIG_MAP_NAME}}]


def declare(name: str, namespace: str, endpoint: KafkaEndpoint, parent: pulumi.Resource) -> None:
    """The Secret and the ConfigMap, children of ``parent``."""
    child = pulumi.ResourceOptions(parent=parent)
    k8s.core.v1.Secret(
        f"{name}-kafka",
        metadata=meta(namespace, SECRET_NAME),
        type="Opaque",
        string_data=secret_string_data(endpoint),
        opts=child,
    )
    k8s.core.v1.ConfigMap(
        f"{name}-kafka-endpoint", metadata=meta(namespace, CONFIG_MAP_NAME), data=config_map_data(endpoint), opts=child
    )
