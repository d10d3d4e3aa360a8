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
from infra.config.kafka_broker import BROKER_SECRET_KEYS, IN_CLUSTER_KEYS, InClusterBroker, parse_in_cluster
from infra.config.validation import ConfigError, key

CLUSTERS = ("aks", "existing")
KUBECONFIG_SOURCES = ("ambient", "secret")
TARGET_KEYS = ("cluster", "kubeconfig", "context", "kafka", "zookeeperConnect")
KAFKA_KEYS = ("bootstrapServers", "inputTopic", "outputTopic", "consumerGroup", "partitions", *IN_CLUSTER_KEYS)
KUBECONFIG_SECRET = "kubeconfig"
INPUT_JAAS_SECRET = "kafkaInputJaasConfig"
OUTPUT_JAAS_SECRET = "kafkaOutputJaasConfig"
SECRET_KEYS = (KUBECONFIG_SECRET, INPUT_JAAS_SECRET, OUTPUT_JAAS_SECRET, *BROKER_SECRET_KEYS)

HOST_PORT = r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5}"
KAFKA_TOPIC = r"[A-Za-z0-9._-]{1,249}"
KAFKA_GROUP = r"[A-Za-z0-9._-]{1,255}"
KUBE_CONTEXT = r"[A-Za-z0-9._@:/-]{1,253}"


@dataclass(frozen=True)
class JaasKeys:
    """An existing Kafka's logins: the config keys of the two JAAS lines (secrets)."""

    input_jaas_key: str
    output_jaas_key: str


@dataclass(frozen=True)
class KafkaTarget:
    bootstrap_servers: str | None  # None: the stack's own broker (``in_cluster``)
    input_topic: str
    output_topic: str
    consumer_group: str
    partitions: int
    login: JaasKeys | InClusterBroker  # an existing Kafka's JAAS lines, or the broker the stack runs


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
            kubeconfig_key=v.secret(config, secret_keys, KUBECONFIG_SECRET) if source == "secret" else None,
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
            key("target.kafka"),
            None,
            "an object with " + ", ".join(KAFKA_KEYS) + " (an existing Kafka endpoint, or inCluster: the stack's own)",
        )
    obj = v.check_keys(key("target.kafka"), raw, KAFKA_KEYS)
    in_cluster = v.boolean(key("target.kafka.inCluster"), obj.get("inCluster", False))
    servers = None if in_cluster else _bootstrap_servers(obj)
    _refuse_other_mode(obj, config, in_cluster)
    topic_rule = "a Kafka topic name: 1-249 letters, digits, periods, hyphens and underscores"
    input_topic = v.matching(key("target.kafka.inputTopic"), obj.get("inputTopic"), KAFKA_TOPIC, topic_rule)
    output_topic = v.matching(key("target.kafka.outputTopic"), obj.get("outputTopic"), KAFKA_TOPIC, topic_rule)
    if input_topic == output_topic:
        raise ConfigError(
            key("target.kafka.outputTopic"), output_topic, "a topic different from target.kafka.inputTopic"
        )
    partitions = v.integer(key("target.kafka.partitions"), obj.get("partitions"), 1, 10_000, " (the input topic's)")
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
        partitions=partitions,
        login=parse_in_cluster(obj, config, secret_keys, (input_topic, output_topic, partitions))
        if in_cluster
        else JaasKeys(
            input_jaas_key=v.secret(config, secret_keys, INPUT_JAAS_SECRET),
            output_jaas_key=v.secret(config, secret_keys, OUTPUT_JAAS_SECRET),
        ),
    )


def _bootstrap_servers(obj: Mapping[str, Any]) -> str:
    return v.matching(
        key("target.kafka.bootstrapServers"),
        obj.get("bootstrapServers"),
        rf"{HOST_PORT}(,{HOST_PORT})*",
        "host:port[,host:port…] of the Kafka brokers",
    )


def _refuse_other_mode(obj: Mapping[str, Any], config: Mapping[str, Any], in_cluster: bool) -> None:
    """Keys of the other Kafka mode: an existing endpoint's with inCluster, the broker's without."""
    if in_cluster:
        given = [n for n in ("bootstrapServers",) if n in obj]
        secrets = [n for n in (INPUT_JAAS_SECRET, OUTPUT_JAAS_SECRET) if key(n) in config]
        allowed = "nothing when target.kafka.inCluster is true: the stack's broker has its own address and users"
    else:
        given = [n for n in IN_CLUSTER_KEYS if n != "inCluster" and n in obj]
        secrets = [n for n in BROKER_SECRET_KEYS if key(n) in config]
        allowed = "nothing unless target.kafka.inCluster is true (the stack runs the broker)"
    if given:
        raise ConfigError(key(f"target.kafka.{given[0]}"), obj[given[0]], allowed)
    if secrets:
        raise ConfigError(key(secrets[0]), "[not shown]", allowed)


def _zookeeper_connect(raw: Any) -> str | None:
    if raw is None:
        return None
    return v.matching(
        key("target.zookeeperConnect"),
        raw,
        rf"{HOST_PORT}(,{HOST_PORT})*(/[A-Za-z0-9._/-]+)?",
        "a ZooKeeper connect string host:port[,host:port…][/chroot] of an existing ensemble",
    )
