"""What ``rpcPortMode: podIp`` adds to the JobManager: its pod IP as its address, the
leader watch beside it, and (``flink.jobManagers`` > 1) standbys kept apart.

Each JobManager advertises its pod IP through ZooKeeper (``JOB_MANAGER_RPC_ADDRESS`` from
``status.podIP``; the RPC port is 6123), so TaskManagers and standbys reach the leader
itself, never a Service that picks one JobManager at random; no port needs patching. The
leader watch (``leader_watch``: its interface and program) runs in its own container from
the Flink image and writes the JobManager's role to ``ROLE_FILE`` on an emptyDir the Flink
container reads (read-only): the probes and the pre-stop savepoint act on it (see
``job_health``). Its program files come from a ConfigMap, compiled in memory at start (``run.sh``).

With standbys, the pods must not share a node (required anti-affinity on the hostname) and
should not share a zone (preferred): one node or zone lost takes one JobManager.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.flink import leader_watch
from components.flink.names import LEADER_WATCH_CONFIG_MAP, RPC_PORT, labels, meta
from components.flink.pods import Pod, PodContext, container
from components.flink.upgrade_scripts import ha_zookeeper_path
from components.flink.zones import ZONE_KEY

PROGRAM_MOUNT = "/opt/leader-watch"  # the ConfigMap's files, read-only
FLINK_LIB_DIR = "/opt/flink/lib"  # the image's: Janino, the shaded ZooKeeper client
HOSTNAME_KEY = "kubernetes.io/hostname"
PROGRAM_PATTERNS = ("*.java", "*.sh")
# A JVM with a small heap plus Janino compiling one class at start. No CPU limit, as the
# Flink containers: a CFS quota would throttle its ZooKeeper session and its probes of the
# leader in bursts, the timing its role and fencing depend on.
RESOURCES = {"requests": {"cpu": "20m", "memory": "96Mi"}, "limits": {"memory": "160Mi"}}


def program_files() -> dict[str, str]:
    """The leader watch's program by file name: the ConfigMap's data."""
    paths = sorted(p for pattern in PROGRAM_PATTERNS for p in leader_watch.PROGRAM_DIR.glob(pattern))
    return {path.name: path.read_text() for path in paths}


def declare(name: str, namespace: str, parent: pulumi.Resource) -> None:
    """The program's ConfigMap, a child of ``parent``."""
    k8s.core.v1.ConfigMap(
        f"{name}-leader-watch",
        metadata=meta(namespace, LEADER_WATCH_CONFIG_MAP),
        data=program_files(),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def with_pod_ip(pod: Pod, ctx: PodContext) -> Pod:
    """The JobManager advertises its pod IP; the leader watch writes its role beside it."""
    flink = container(pod, "flink")
    for variable in flink["env"]:
        if variable["name"] == "JOB_MANAGER_RPC_ADDRESS":
            variable.pop("value")
            variable["valueFrom"] = {"fieldRef": {"fieldPath": "status.podIP"}}
    flink["env"].append({"name": "ROLE_FILE", "value": leader_watch.ROLE_FILE})
    flink["volumeMounts"].append({"name": "role", "mountPath": leader_watch.ROLE_DIR, "readOnly": True})
    spec = pod["spec"]
    spec["volumes"] += [
        {"name": "role", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}},
        {"name": "leader-watch", "configMap": {"name": LEADER_WATCH_CONFIG_MAP, "defaultMode": 0o444}},
        {"name": "leader-watch-tmp", "emptyDir": {"sizeLimit": "64Mi"}},
    ]
    spec["containers"].append(_leader_watch(ctx))
    if ctx.spec.job_managers > 1:
        spec["affinity"] = {"podAntiAffinity": anti_affinity(labels("jobmanager"))}
    return pod


def _leader_watch(ctx: PodContext) -> dict[str, Any]:
    env = leader_watch.environment(ha_zookeeper_path(ctx.cluster_id), "$(POD_IP)", RPC_PORT)
    return {
        "name": leader_watch.CONTAINER,
        "image": ctx.spec.image,
        "command": ["bash", f"{PROGRAM_MOUNT}/run.sh"],
        "env": [
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            {"name": "PROGRAM_DIR", "value": PROGRAM_MOUNT},
            {"name": "FLINK_LIB_DIR", "value": FLINK_LIB_DIR},
            {"name": "ZOOKEEPER_QUORUM", "value": ctx.zookeeper_quorum},
            *({"name": name, "value": value} for name, value in env.items()),
        ],
        "volumeMounts": [
            {"name": "leader-watch", "mountPath": PROGRAM_MOUNT, "readOnly": True},
            {"name": "leader-watch-tmp", "mountPath": "/tmp"},
            {"name": "role", "mountPath": leader_watch.ROLE_DIR},
        ],
        "resources": RESOURCES,
    }


def anti_affinity(selected: dict[str, str]) -> dict[str, Any]:
    """JobManagers on different nodes (required) and in different zones (preferred)."""
    selector = {"labelSelector": {"matchLabels": selected}}
    return {
        "requiredDuringSchedulingIgnoredDuringExecution": [{**selector, "topologyKey": HOSTNAME_KEY}],
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {**selector, "topologyKey": ZONE_KEY}}
        ],
    }
