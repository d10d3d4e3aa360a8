"""Render Flink's configuration file from plain inputs: a pure function, tested directly.

Flink 1.19+ and 2.x read ``config.yaml`` (standard YAML; 2.x no longer reads
``flink-conf.yaml``). Keys are the current ones: ``high-availability.type``,
``execution.checkpointing.dir``; none of the removed ones (``jobmanager.heap.mb``,
``state.backend: filesystem``, ``high-availability: zookeeper``).
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

CONFIG_FILE_NAME = "config.yaml"
SUPPORTED_VERSIONS = ("1.20", "2.0", "2.1")

RPC_PORT = 6123
BLOB_PORT = 6124
REST_PORT = 8081
TASKMANAGER_RPC_PORT = 6122

# ZooKeeper client timeouts, chosen for fast failover. A killed JobManager's leader
# node is ephemeral: it disappears only when its session expires. Flink's default
# (60 s, capped by ZooKeeper's maxSessionTimeout = 20 × tickTime = 40 s) keeps a dead
# leader for ~40 s; 6 s is within ZooKeeper's floor (2 × tickTime = 4 s) with room for
# a slow network round trip, so a new JobManager can take over a few seconds after a crash.
ZK_SESSION_TIMEOUT_MS = 6000
ZK_CONNECTION_TIMEOUT_MS = 3000
ZK_RETRY_WAIT_MS = 500
ZK_MAX_RETRY_ATTEMPTS = 5
# The ZooKeeper server tick the session timeout above is sized for (see ZooKeeperEnsemble).
ZK_TICK_TIME_MS = 2000


@dataclass(frozen=True)
class FlinkConfigInputs:
    version: str  # Flink minor version, one of SUPPORTED_VERSIONS
    cluster_id: str  # per stack: separates HA metadata of stacks sharing a ZooKeeper
    zookeeper_quorum: str  # "host:port,host:port"
    jobmanager_address: str  # DNS name of the internal JobManager Service
    storage_dir: str  # mount path of the shared volume (HA data, checkpoints, savepoints)
    slots_per_task_manager: int
    parallelism: int
    jobmanager_memory: str  # Flink MemorySize, e.g. "1600m"
    taskmanager_memory: str
    checkpoint_interval: str  # Flink Duration, e.g. "30s"
    rpc_port_mode: str  # "sidecar" (random RPC port, patched into the Service) or "pinned"


def render_flink_config(inputs: FlinkConfigInputs) -> dict[str, str | int | float | bool]:
    """Flink's configuration for one application cluster, as flat keys."""
    if inputs.version not in SUPPORTED_VERSIONS:
        raise ValueError(f"Flink {inputs.version}: supported are {', '.join(SUPPORTED_VERSIONS)}")
    if inputs.rpc_port_mode not in ("sidecar", "pinned"):
        raise ValueError(f"rpc_port_mode {inputs.rpc_port_mode!r}: sidecar or pinned")
    storage = "file://" + inputs.storage_dir.rstrip("/")
    return {
        # Addresses and ports. In ZooKeeper HA the JobManager binds
        # high-availability.jobmanager.port (jobmanager.rpc.port is then ignored) and
        # advertises <jobmanager.rpc.address>:<bound port> through ZooKeeper.
        "jobmanager.rpc.address": inputs.jobmanager_address,
        "jobmanager.rpc.port": RPC_PORT,
        "jobmanager.bind-host": "0.0.0.0",
        "high-availability.jobmanager.port": RPC_PORT if inputs.rpc_port_mode == "pinned" else 0,
        "blob.server.port": BLOB_PORT,
        "rest.address": inputs.jobmanager_address,
        "rest.bind-address": "0.0.0.0",
        "rest.port": REST_PORT,
        "taskmanager.bind-host": "0.0.0.0",
        "taskmanager.rpc.port": TASKMANAGER_RPC_PORT,
        # Resources
        "jobmanager.memory.process.size": inputs.jobmanager_memory,
        "taskmanager.memory.process.size": inputs.taskmanager_memory,
        "taskmanager.numberOfTaskSlots": inputs.slots_per_task_manager,
        "parallelism.default": inputs.parallelism,
        # High availability through ZooKeeper
        "high-availability.type": "zookeeper",
        "high-availability.zookeeper.quorum": inputs.zookeeper_quorum,
        "high-availability.zookeeper.path.root": "/flink",
        "high-availability.cluster-id": inputs.cluster_id,
        "high-availability.storageDir": f"{storage}/ha",
        "high-availability.zookeeper.client.session-timeout": ZK_SESSION_TIMEOUT_MS,
        "high-availability.zookeeper.client.connection-timeout": ZK_CONNECTION_TIMEOUT_MS,
        "high-availability.zookeeper.client.retry-wait": ZK_RETRY_WAIT_MS,
        "high-availability.zookeeper.client.max-retry-attempts": ZK_MAX_RETRY_ATTEMPTS,
        # Detect a lost JobManager or TaskManager well before Flink's 50 s default.
        "heartbeat.interval": 2000,
        "heartbeat.timeout": 15000,
        # State and checkpoints: exactly-once inside Flink; retained on cancellation.
        "state.backend.type": "hashmap",
        "execution.checkpointing.interval": inputs.checkpoint_interval,
        "execution.checkpointing.mode": "EXACTLY_ONCE",
        "execution.checkpointing.dir": f"{storage}/checkpoints",
        "execution.checkpointing.savepoint-dir": f"{storage}/savepoints",
        "execution.checkpointing.externalized-checkpoint-retention": "RETAIN_ON_CANCELLATION",
        "execution.checkpointing.num-retained": 3,
        "execution.checkpointing.timeout": "10 min",
        # Restarts after task failures: back off exponentially, forever.
        "restart-strategy.type": "exponential-delay",
        "restart-strategy.exponential-delay.initial-backoff": "1 s",
        "restart-strategy.exponential-delay.max-backoff": "1 min",
        "restart-strategy.exponential-delay.backoff-multiplier": 2.0,
        "restart-strategy.exponential-delay.reset-backoff-threshold": "10 min",
        "restart-strategy.exponential-delay.jitter-factor": 0.1,
        "jobmanager.execution.failover-strategy": "region",
        # The UI is read-only: no job upload, no cancel button.
        "web.submit.enable": False,
        "web.cancel.enable": False,
    }


def to_config_yaml(config: dict[str, str | int | float | bool]) -> str:
    """The file body: standard YAML, flat keys in a stable order."""
    return yaml.safe_dump(config, sort_keys=False, default_flow_style=False)
