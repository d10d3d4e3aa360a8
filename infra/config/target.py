"""Where the workloads go: a new AKS cluster with Event Hubs (default) or an existing cluster.

``flink-aks:target`` is an object; ``cluster: existing`` deploys ZooKeeper and Flink onto
a Kubernetes cluster the stack does not own (a shared AKS, kind, minikube, a local
control plane) and points the job at an existing Kafka endpoint. The credentials are
separate top-level keys that must be Pulumi secrets, so they are encrypted in the stack
file and stay secret in the state: ``flink-aks:kubeconfig`` (with ``kubeconfig:
secret``), ``flink-aks:kafkaInputJaasConfig`` and ``flink-aks:kafkaOutputJaasConfig``.
Pure: the settings carry which keys hold the secrets, never their values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.config import validation as v
from infra.config.validation import ConfigError, key

CLUSTERS = ("aks", "existing")
KUBECONFIG_SOURCES = ("ambient", "secret")
TARGET_KEYS = ("cluster", "kubeconfig", "context", "kafka", "zookeeperConnect")
KAFKA_KEYS = ("bootstrapServers", "inputTopic", "outputTopic", "consumerGroup", "partitions")
KUBECONFIG_SECRET = "kubeconfig"
INPUT_JAAS_SECRET = "kafkaInputJaasConfig"
OUTPUT_JAAS_SECRET = "kafkaOutputJaasConfig"
SECRET_KEYS = (KUBECONFIG_SECRET, INPUT_JAAS_SECRET, OUTPUT_JAAS_SECRET)

HOST_PORT = r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5}"
KAFKA_TOPIC = r"[A-Za-z0-9._-]{1,249}"
KAFKA_GROUP = r"[A-Za-z0-9._-]{1,255}"
KUBE_CONTEXT = r"[A-Za-z0-9._@:/-]{1,253}"


@dataclass(frozen=True)
class KafkaTarget:
    bootstrap_servers: str
    input_topic: str
    output_topic: str
    consumer_group: str
    partitions: int
    input_jaas_key: str  # the config key of the input JAAS line (a secret)
    output_jaas_key: str


@dataclass(frozen=True)
class ExistingCluster:
    kubeconfig_key: str | None  # the config key of the kubeconfig secret; None: the ambient KUBECONFIG
    context: str | None
    kafka: KafkaTarget
    zookeeper_connect: str | None  # an existing ensemble; None: the stack installs the chart


@dataclass(frozen=True)
class TargetSettings:
    cluster: str
    existing: ExistingCluster | None = None


def _secret(config: Mapping[str, Any], secret_keys: frozenset[str], name: str) -> str:
    """The full key of a required secret value, checked to be set and encrypted."""
    full = key(name)
    if config.get(full) in (None, ""):
        raise ConfigError(full, None, f"a secret value: `pulumi config set --secret {full} '…'`")
    if full not in secret_keys:
        raise ConfigError(
            full, "[plain text, not shown]", f"a secret value: `pulumi config set --secret {full} '…'` encrypts it"
        )
    return full


def parse_target(config: Mapping[str, Any], secret_keys: frozenset[str]) -> TargetSettings:
    """``flink-aks:target`` and the secrets it names, validated."""
    obj = v.check_keys(key("target"), config.get(key("target")), TARGET_KEYS)
    cluster = v.choice(key("target.cluster"), obj.get("cluster", "aks"), CLUSTERS)
    if cluster == "aks":
        extra = sorted(set(obj) - {"cluster"}) + [n for n in SECRET_KEYS if key(n) in config]
        if extra:
            name = f"target.{extra[0]}" if extra[0] in obj else extra[0]
            value = obj.get(extra[0], "[not shown]")
            raise ConfigError(key(name), value, "nothing unless target.cluster is existing")
        return TargetSettings(cluster=cluster)
    for azure_only in ("aks", "eventHubs"):
        if key(azure_only) in config:
            raise ConfigError(
                key(azure_only),
                config[key(azure_only)],
                "nothing when target.cluster is existing: the stack creates no AKS cluster and no Event Hubs",
            )
    source = v.choice(key("target.kubeconfig"), obj.get("kubeconfig", "ambient"), KUBECONFIG_SOURCES)
    if source == "ambient" and key(KUBECONFIG_SECRET) in config:
        raise ConfigError(key(KUBECONFIG_SECRET), "[not shown]", "nothing unless target.kubeconfig is secret")
    context = obj.get("context")
    return TargetSettings(
        cluster=cluster,
        existing=ExistingCluster(
            kubeconfig_key=_secret(config, secret_keys, KUBECONFIG_SECRET) if source == "secret" else None,
            context=None
            if context is None
            else v.matching(key("target.context"), context, KUBE_CONTEXT, "a kubeconfig context name"),
            kafka=_kafka(obj.get("kafka"), config, secret_keys),
            zookeeper_connect=_zookeeper_connect(obj.get("zookeeperConnect")),
        ),
    )


def _kafka(raw: Any, config: Mapping[str, Any], secret_keys: frozenset[str]) -> KafkaTarget:
    if raw is None:
        raise ConfigError(
            key("target.kafka"), None, "an object with " + ", ".join(KAFKA_KEYS) + " (the existing Kafka endpoint)"
        )
    obj = v.check_keys(key("target.kafka"), raw, KAFKA_KEYS)
    servers = v.matching(
        key("target.kafka.bootstrapServers"),
        obj.get("bootstrapServers"),
        rf"{HOST_PORT}(,{HOST_PORT})*",
        "host:port[,host:port…] of the Kafka brokers",
    )
    topic_rule = "a Kafka topic name: 1-249 letters, digits, periods, hyphens and underscores"
    input_topic = v.matching(key("target.kafka.inputTopic"), obj.get("inputTopic"), KAFKA_TOPIC, topic_rule)
    output_topic = v.matching(key("target.kafka.outputTopic"), obj.get("outputTopic"), KAFKA_TOPIC, topic_rule)
    if input_topic == output_topic:
        raise ConfigError(
            key("target.kafka.outputTopic"), output_topic, "a topic different from target.kafka.inputTopic"
        )
    return KafkaTarget(
        bootstrap_servers=servers,
        input_topic=input_topic,
        output_topic=output_topic,
        consumer_group=v.matching(
            key("target.kafka.consumerGroup"),
            obj.get("consumerGroup", "flink"),
            KAFKA_GROUP,
            "a Kafka consumer group id: 1-255 letters, digits, periods, hyphens and underscores",
        ),
        partitions=v.integer(key("target.kafka.partitions"), obj.get("partitions"), 1, 10_000, " (the input topic's)"),
        input_jaas_key=_secret(config, secret_keys, INPUT_JAAS_SECRET),
        output_jaas_key=_secret(config, secret_keys, OUTPUT_JAAS_SECRET),
    )


def _zookeeper_connect(raw: Any) -> str | None:
    if raw is None:
        return None
    return v.matching(
        key("target.zookeeperConnect"),
        raw,
        rf"{HOST_PORT}(,{HOST_PORT})*(/[A-Za-z0-9._/-]+)?",
        "a ZooKeeper connect string host:port[,host:port…][/chroot] of an existing ensemble",
    )
