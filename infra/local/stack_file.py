"""The local stack's file, ``Pulumi.local.yaml``: what a local cluster needs, pure.

An existing-cluster stack with the stack's own Kafka broker (``target.kafka.inCluster``),
one ZooKeeper server, one TaskManager and CPU requests that fit a laptop. ``settings``
(from the one-node cluster, or the job image a user names) are laid over it key by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.ops.job_image import REFERENCE_JOB_CLASS, REFERENCE_JOB_JAR

STACK = "local"
FILE = f"Pulumi.{STACK}.yaml"
INPUT_TOPIC = "events"
OUTPUT_TOPIC = "counts"
PARTITIONS = 2


def local_config(context: str, certificate_pem: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The stack file's ``config``: the defaults for a local cluster, then ``settings``."""
    config: dict[str, Any] = {
        "flink-aks:target": {
            "cluster": "existing",
            "kubeconfig": "ambient",
            "context": context,
            "kafka": {
                "inCluster": True,
                "inputTopic": INPUT_TOPIC,
                "outputTopic": OUTPUT_TOPIC,
                "partitions": PARTITIONS,
                "certificate": certificate_pem,
            },
        },
        "flink-aks:zookeeper": {"replicas": 1, "storageSize": "1Gi", "storageClass": "standard"},
        "flink-aks:flink": {
            "jobJar": REFERENCE_JOB_JAR,
            "jobClassName": REFERENCE_JOB_CLASS,
            "taskManagers": 1,
            "taskManagerCpu": "250m",
            "jobManagerCpu": "250m",
            "storageClass": "standard",
            "storageSize": "1Gi",
        },
    }
    return laid_over(config, settings)


def laid_over(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``top``'s values, objects merged key by key."""
    merged = dict(base)
    for name, value in top.items():
        below = merged.get(name)
        merged[name] = laid_over(below, value) if isinstance(below, Mapping) and isinstance(value, Mapping) else value
    return merged
