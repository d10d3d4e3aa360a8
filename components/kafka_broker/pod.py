"""The broker's StatefulSet, Service and NetworkPolicy as plain manifests: pure.

One pod, as Pod Security's ``restricted`` profile wants it (the image's user, no
privilege, a read-only root), its data on a claim of its own that outlives the pod.
"""

from __future__ import annotations

from typing import Any

from components.kafka_broker import scripts
from components.kafka_broker.image import KAFKA_IMAGE, KAFKA_UID
from components.kafka_broker.properties import CONFIG_DIR, DATA_DIR, SECRETS_DIR
from components.kafka_broker.spec import CLIENT_PORT, LABELS, NAME, KafkaBrokerSpec

CONFIG_MAP = "kafka-broker"  # server.properties, log4j2.properties
SECRET = "kafka-broker"  # the JAAS file, the key store
DATA_VOLUME = "data"  # the claim template's name
DATA_CLAIM = f"{DATA_VOLUME}-{NAME}-0"  # the one pod's claim, as the StatefulSet names it
HEAP_OPTS = "-Xms256m -Xmx256m"
MEMORY = "768Mi"  # heap, metaspace, direct buffers and the page cache's share
CPU = "250m"


def statefulset_spec(spec: KafkaBrokerSpec, cluster_id: str, checksum: str) -> dict[str, Any]:
    """One broker; ``checksum`` (of its configuration and secrets) rolls it when they change."""
    claim: dict[str, Any] = {
        "metadata": {"name": DATA_VOLUME},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": spec.storage_size}}},
    }
    if spec.storage_class is not None:
        claim["spec"]["storageClassName"] = spec.storage_class
    return {
        "serviceName": NAME,
        "replicas": 1,
        "selector": {"matchLabels": LABELS},
        "template": {
            "metadata": {"labels": LABELS, "annotations": {"checksum/config": checksum}},
            "spec": {
                "automountServiceAccountToken": False,
                "securityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": KAFKA_UID,
                    "runAsGroup": KAFKA_UID,
                    "fsGroup": KAFKA_UID,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "containers": [_container(spec, cluster_id)],
                "volumes": [
                    {"name": "config", "configMap": {"name": CONFIG_MAP}},
                    {"name": "secrets", "secret": {"secretName": SECRET, "defaultMode": 0o400}},
                    {"name": "tmp", "emptyDir": {}},
                ],
            },
        },
        "volumeClaimTemplates": [claim],
    }


def _container(spec: KafkaBrokerSpec, cluster_id: str) -> dict[str, Any]:
    tcp = {"tcpSocket": {"port": CLIENT_PORT}}
    return {
        "name": "kafka",
        "image": KAFKA_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "command": ["bash", "-c", scripts.START],
        "env": [
            {"name": "KAFKA_CLUSTER_ID", "value": cluster_id},
            {"name": "KAFKA_HEAP_OPTS", "value": HEAP_OPTS},
            {"name": "KAFKA_TOPICS", "value": f"{spec.input_topic} {spec.output_topic}"},
            {"name": "KAFKA_PARTITIONS", "value": str(spec.partitions)},
        ],
        "ports": [{"name": "kafka", "containerPort": CLIENT_PORT}],
        "lifecycle": {"postStart": {"exec": {"command": ["bash", "-c", scripts.TOPICS]}}},
        "readinessProbe": {**tcp, "periodSeconds": 5},
        "livenessProbe": {**tcp, "initialDelaySeconds": 60, "periodSeconds": 20, "failureThreshold": 3},
        "resources": {"requests": {"cpu": CPU, "memory": MEMORY}, "limits": {"memory": MEMORY}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [
            {"name": DATA_VOLUME, "mountPath": DATA_DIR},
            {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
            {"name": "secrets", "mountPath": SECRETS_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }


def service_spec() -> dict[str, Any]:
    """The name clients bootstrap from (the certificate's), and the broker advertises."""
    return {"selector": LABELS, "ports": [{"name": "kafka", "port": CLIENT_PORT, "targetPort": CLIENT_PORT}]}


def network_policy_spec(client_pods: dict[str, str]) -> dict[str, Any]:
    """In: the pods with the labels ``client_pods``, on the client port. Out: nothing (the broker
    talks to itself on loopback)."""
    return {
        "podSelector": {"matchLabels": LABELS},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [
            {
                "from": [{"podSelector": {"matchLabels": client_pods}}],
                "ports": [{"protocol": "TCP", "port": CLIENT_PORT}],
            }
        ],
        "egress": [],
    }
