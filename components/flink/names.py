"""Names, labels and ports of the Flink cluster's objects: what other objects refer to.

RBAC ``resourceNames``, DNS, volume and env references depend on these, and so do the
stack's operations commands and the tests.
"""

from __future__ import annotations

from typing import Any

# Kubernetes objects
CONFIG_MAP = "flink-config"
DATA_CLAIM = "flink-data"
JOBMANAGER_DEPLOYMENT = "flink-jobmanager"
TASKMANAGER_DEPLOYMENT = "flink-taskmanager"
JOBMANAGER_SERVICE = "flink-jobmanager"  # internal: rpc, blob, rest; Flink's jobmanager.rpc.address
UI_SERVICE = "flink-ui"  # the REST port only
PORT_PATCHER_CONFIG_MAP = "flink-port-patcher"  # the sidecar's program
PORT_PATCHER_SERVICE_ACCOUNT = "flink-port-patcher"  # also its Role and RoleBinding
LEADER_WATCH_CONFIG_MAP = "flink-leader-watch"  # the leader watch's program (rpcPortMode podIp)
FLINK_SERVICE_ACCOUNT = "flink"  # workload identity: the Flink pods' (components/flink/workload_identity.py)

# Paths inside the pods
DATA_MOUNT = "/flink-data"  # the shared volume: HA data, checkpoints, savepoints

# Flink's ports
RPC_PORT = 6123
BLOB_PORT = 6124
REST_PORT = 8081
TASKMANAGER_RPC_PORT = 6122
TASKMANAGER_DATA_PORT = 6121  # the shuffle between TaskManagers (Flink's default 0: random)
METRICS_PORT = 9249  # Flink's Prometheus reporter, the container port named `metrics`

# Pods that may reach ZooKeeper (its network policy admits this label).
ZOOKEEPER_CLIENT_LABEL = {"zookeeper-client": "true"}


# Every Flink object's label; on pods it selects the JobManager and the TaskManagers (the PodMonitor).
FLINK_LABEL = {"app.kubernetes.io/name": "flink"}


def labels(component: str) -> dict[str, str]:
    """The labels of one part of the cluster: jobmanager, taskmanager, cluster (shared objects)."""
    return {**FLINK_LABEL, "app.kubernetes.io/component": component}


def meta(namespace: str, name: str, **extra: Any) -> dict[str, Any]:
    """Metadata of an object that others name: explicit name, namespace, labels."""
    return {"name": name, "namespace": namespace, "labels": labels("cluster"), **extra}
