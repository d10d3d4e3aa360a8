"""KafkaBroker: one Kafka broker in the cluster, for stacks that have no Event Hubs.

Reads top to bottom as what it creates: the Secret (the users' passwords, the key store),
the ConfigMap (the broker's configuration), the Service clients bootstrap from, the
NetworkPolicy, the StatefulSet. Clients reach it as they reach Event Hubs (SASL_SSL,
PLAIN) and trust exactly its certificate (``spec.certificate``).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.kafka_broker import pod, scripts
from components.kafka_broker.properties import JAAS_FILE, KEY_STORE_FILE, jaas_config, server_properties
from components.kafka_broker.spec import CLIENT_PORT, INPUT_USER, LABELS, NAME, OUTPUT_USER, KafkaBrokerSpec
from components.kafka_broker.spec import bootstrap_servers as service_bootstrap_servers


@dataclass
class KafkaBrokerArgs:
    namespace: str
    spec: KafkaBrokerSpec
    private_key: pulumi.Input[str]  # PEM, PKCS #8, unencrypted: the certificate's key (a secret)
    input_password: pulumi.Input[str]  # the input user's (a secret)
    output_password: pulumi.Input[str]  # the output user's (a secret)
    cluster_name: str  # seeds Kafka's cluster id: the same for every up of a stack
    client_pods: dict[str, str]  # the labels of the pods that may connect (the job's)
    protect: bool


def kafka_cluster_id(seed: str) -> str:
    """Kafka's cluster id (a UUID in URL-safe base64, 22 characters), the same for one seed."""
    raw = uuid.uuid5(uuid.NAMESPACE_URL, f"flink-aks/kafka/{seed}").bytes
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _item(key: str) -> Callable[[dict[str, str]], str]:
    return lambda files: files[key]


def _sha256(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part.encode()).digest())
    return digest.hexdigest()


class KafkaBroker(pulumi.ComponentResource):
    bootstrap_servers: pulumi.Output[str]

    def __init__(self, name: str, args: KafkaBrokerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("flink-aks:kafka:KafkaBroker", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        meta = {"name": pod.SECRET, "namespace": args.namespace, "labels": LABELS}
        secret_files = pulumi.Output.all(args.private_key, args.input_password, args.output_password).apply(
            lambda v: {
                JAAS_FILE: jaas_config({INPUT_USER: v[1], OUTPUT_USER: v[2]}),
                KEY_STORE_FILE: v[0].strip() + "\n" + args.spec.certificate.strip() + "\n",
            }
        )
        secret_data: dict[str, pulumi.Output[str]] = {
            k: pulumi.Output.secret(secret_files.apply(_item(k))) for k in (JAAS_FILE, KEY_STORE_FILE)
        }
        secret = k8s.core.v1.Secret(
            f"{name}-secret",
            metadata=meta,
            type="Opaque",
            string_data=secret_data,
            opts=child,
        )
        config_files = {
            "server.properties": server_properties(args.namespace, args.spec.partitions),
            "log4j2.properties": scripts.LOG4J2,
        }
        config_map = k8s.core.v1.ConfigMap(
            f"{name}-config", metadata={**meta, "name": pod.CONFIG_MAP}, data=config_files, opts=child
        )
        k8s.core.v1.Service(
            f"{name}-service",
            metadata={**meta, "name": NAME},
            spec=pod.service_spec(),
            opts=child,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-network-policy",
            metadata={**meta, "name": NAME},
            spec=pod.network_policy_spec(args.client_pods),
            opts=child,
        )
        # The pod rolls when the configuration or a secret changes. The checksum is a SHA-256
        # of SHA-256s (of the files, the secret ones of high-entropy keys and passwords), not
        # their content, so it may stay plain: the StatefulSet's diffs stay readable.
        checksum: pulumi.Output[str] = pulumi.Output.unsecret(
            secret_files.apply(lambda f: _sha256(*config_files.values(), *(f[k] for k in sorted(f))))
        )
        k8s.apps.v1.StatefulSet(
            f"{name}-statefulset",
            metadata={**meta, "name": NAME},
            spec=checksum.apply(lambda c: pod.statefulset_spec(args.spec, kafka_cluster_id(args.cluster_name), c)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[secret, config_map], protect=args.protect),
        )
        self.bootstrap_servers = pulumi.Output.from_input(service_bootstrap_servers(args.namespace))
        self.register_outputs({"bootstrap_servers": self.bootstrap_servers, "port": CLIENT_PORT})
