"""What the in-cluster broker is: its topics, its disk, its certificate; names and ports.

Clients reach it as they reach Event Hubs: SASL_SSL with PLAIN, on one name, the Service's
(``bootstrap_servers``), which the broker's certificate must name. Each client has its own
user and password (``USERS``). Inside its pod the broker also listens, without TLS or
login, on loopback only: the controller and the topic set-up talk to it there.
"""

from __future__ import annotations

from dataclasses import dataclass

NAME = "kafka"  # the StatefulSet, the Service, the pod's name prefix
CLIENT_PORT = 9093  # SASL_SSL, PLAIN: the clients' listener
LOCAL_PORT = 9092  # PLAINTEXT on 127.0.0.1: the inter-broker listener, the topic set-up
CONTROLLER_PORT = 9094  # PLAINTEXT on 127.0.0.1: KRaft's controller (one node, both roles)
LABELS = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/component": "broker"}
INPUT_USER = "input"  # reads the input topic
OUTPUT_USER = "output"  # writes the output topic


@dataclass(frozen=True)
class KafkaBrokerSpec:
    input_topic: str
    output_topic: str
    partitions: int  # of each topic
    certificate: str  # PEM: the broker's certificate, naming bootstrap_servers' host; clients trust it
    storage_size: str  # the broker's data volume
    storage_class: str | None  # None: the cluster's default class


def service_host(namespace: str) -> str:
    return f"{NAME}.{namespace}.svc.cluster.local"


def bootstrap_servers(namespace: str) -> str:
    """Where clients connect: the Service's name (the certificate names it), the TLS port."""
    return f"{service_host(namespace)}:{CLIENT_PORT}"
