"""Helm values for Bitnami's ZooKeeper chart: a pure function of the ensemble's spec.

The image is configurable: since August 2025 Bitnami's free images live in
``bitnamilegacy`` (no more updates), which the chart accepts only with
``global.security.allowInsecureImages``. Point ``image`` at a mirror you maintain, and
pin it with ``image.digest`` (the chart then pulls ``registry/repository@digest``).
"""

from __future__ import annotations

from typing import Any

from components.flink.flink_config import ZK_SESSION_TIMEOUT_MS, ZK_TICK_TIME_MS
from components.flink.zones import zone_spread
from components.zookeeper_spec import ZooKeeperSpec, storage_class_name

FULLNAME = "zookeeper"
CLIENT_PORT = 2181
# Pods carrying this label may reach the client port (the chart's network policy).
CLIENT_LABEL = {f"{FULLNAME}-client": "true"}
# ZooKeeper grants sessions between 2 and 20 ticks; Flink's timeout must fit.
MAX_SESSION_TIMEOUT_MS = 20 * ZK_TICK_TIME_MS
assert 2 * ZK_TICK_TIME_MS <= ZK_SESSION_TIMEOUT_MS <= MAX_SESSION_TIMEOUT_MS


def connect_string(namespace: str, replicas: int) -> str:
    """Every server's stable DNS name behind the chart's headless Service."""
    return ",".join(
        f"{FULLNAME}-{i}.{FULLNAME}-headless.{namespace}.svc.cluster.local:{CLIENT_PORT}" for i in range(replicas)
    )


# The chart's pod labels (its release is named FULLNAME).
POD_LABELS = {"app.kubernetes.io/name": "zookeeper", "app.kubernetes.io/instance": FULLNAME}
BITNAMI_UID = 1001  # the user of Bitnami's images
# Pod Security `restricted` (the namespace enforces it), stated rather than left to the
# chart's defaults; the chart's ``enabled`` switch drops the key before rendering.
POD_SECURITY_CONTEXT = {
    "enabled": True,
    "fsGroup": BITNAMI_UID,
    "fsGroupChangePolicy": "OnRootMismatch",
    "seccompProfile": {"type": "RuntimeDefault"},
}
CONTAINER_SECURITY_CONTEXT = {
    "enabled": True,
    "runAsUser": BITNAMI_UID,
    "runAsGroup": BITNAMI_UID,
    "runAsNonRoot": True,
    "privileged": False,
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def helm_values(spec: ZooKeeperSpec, zonal: bool = False) -> dict[str, Any]:
    """``zonal``: one server per zone at most more than in another, strictly (a quorum must
    survive the loss of a zone; each server's disk stays in its zone)."""
    return {
        "fullnameOverride": FULLNAME,
        "replicaCount": spec.replicas,
        "global": {"security": {"allowInsecureImages": True}},
        "image": {
            "registry": spec.image.registry,
            "repository": spec.image.repository,
            "tag": spec.image.tag,
            "digest": spec.image.digest or "",
            "pullPolicy": "IfNotPresent",
        },
        # ZooKeeper does not talk to the API server: no token in its pods.
        "automountServiceAccountToken": False,
        "tickTime": ZK_TICK_TIME_MS,
        "maxSessionTimeout": MAX_SESSION_TIMEOUT_MS,
        "fourlwCommandsWhitelist": "srvr, mntr, ruok",
        "heapSize": 512,
        "autopurge": {"snapRetainCount": 3, "purgeInterval": 1},
        "auth": {"client": {"enabled": False}},
        "persistence": {
            "enabled": True,
            "size": spec.storage_size,
            "storageClass": storage_class_name(spec.storage_class, zonal),
        },
        "pdb": {"create": True, "maxUnavailable": 1},
        "podAntiAffinityPreset": "soft",
        "resourcesPreset": "none",
        "resources": {
            "requests": {"cpu": "250m", "memory": "768Mi"},
            "limits": {"cpu": "1", "memory": "768Mi"},
        },
        "podSecurityContext": POD_SECURITY_CONTEXT,
        "containerSecurityContext": CONTAINER_SECURITY_CONTEXT,
        "volumePermissions": {"enabled": False},  # its init container runs as root
        "networkPolicy": {"enabled": True, "allowExternal": False},
        "metrics": {"enabled": False},
        "topologySpreadConstraints": _zone_spread() if zonal else [],
    }


def _zone_spread() -> list[dict[str, Any]]:
    """Strict, but counting only zones with nodes that take pods (``nodeTaintsPolicy:
    Honor``): a failed zone's nodes are tainted unreachable, so its server may move to a
    surviving zone, where its zone-redundant disk attaches."""
    return [{**c, "nodeTaintsPolicy": "Honor"} for c in zone_spread(POD_LABELS, hard=True)]
