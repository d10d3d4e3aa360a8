"""The Kafka of an existing-cluster stack: an endpoint that exists (its JAAS lines from
config), or the broker the stack runs in the cluster (``target.kafka.inCluster``).

Either way the job gets the same contract (``KafkaEndpoint``: SASL_SSL, PLAIN, a login per
topic); the stack's own broker adds the certificate the clients trust.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.flink.kafka_secret import KafkaEndpoint
from components.flink.names import FLINK_LABEL
from components.flink.network_policies import Destination, ports_of
from components.kafka_broker.broker import KafkaBrokerArgs
from components.kafka_broker.spec import CLIENT_PORT, INPUT_USER, LABELS, OUTPUT_USER, bootstrap_servers
from components.kafka_jaas import plain_jaas_config
from infra.config.kafka_broker import InClusterBroker
from infra.config.settings import PROJECT
from infra.config.target import KafkaTarget
from infra.config.validation import name_of


@dataclass(frozen=True)
class ExistingKafka:
    endpoint: KafkaEndpoint
    destination: Destination  # where the Flink pods' Kafka traffic goes
    broker: KafkaBrokerArgs | None  # the broker to run, or None: the endpoint exists


def existing_kafka(target: KafkaTarget, namespace: str, cluster_name: str, protect: bool) -> ExistingKafka:
    config = pulumi.Config(PROJECT)
    login = target.login
    if isinstance(login, InClusterBroker):
        input_password = config.require_secret(name_of(login.input_password_key))
        output_password = config.require_secret(name_of(login.output_password_key))
        endpoint = KafkaEndpoint(
            bootstrap_servers=bootstrap_servers(namespace),
            input_topic=target.input_topic,
            output_topic=target.output_topic,
            consumer_group=target.consumer_group,
            input_jaas_config=input_password.apply(lambda p: plain_jaas_config(INPUT_USER, p)),
            output_jaas_config=output_password.apply(lambda p: plain_jaas_config(OUTPUT_USER, p)),
            trusted_certificate=login.spec.certificate,
        )
        broker = KafkaBrokerArgs(
            namespace=namespace,
            spec=login.spec,
            private_key=config.require_secret(name_of(login.key_key)),
            input_password=input_password,
            output_password=output_password,
            cluster_name=cluster_name,
            client_pods=FLINK_LABEL,  # the job's source and sink run in the Flink pods
            protect=protect,
        )
        return ExistingKafka(endpoint, Destination(ports=(CLIENT_PORT,), pod_labels=LABELS), broker)
    assert target.bootstrap_servers is not None  # parse_target: set unless in-cluster
    endpoint = KafkaEndpoint(
        bootstrap_servers=target.bootstrap_servers,
        input_topic=target.input_topic,
        output_topic=target.output_topic,
        consumer_group=target.consumer_group,
        input_jaas_config=config.require_secret(name_of(login.input_jaas_key)),
        output_jaas_config=config.require_secret(name_of(login.output_jaas_key)),
    )
    return ExistingKafka(endpoint, Destination(ports=ports_of(target.bootstrap_servers)), None)
