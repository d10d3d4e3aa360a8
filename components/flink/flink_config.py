"""Render Flink's configuration file from the component's spec: a pure function, tested directly.

Flink 1.19+ and 2.x read ``config.yaml`` (standard YAML; 2.x no longer reads
``flink-conf.yaml``). Keys are the current ones: ``high-availability.type``,
``execution.checkpointing.dir``; none of the removed ones (``jobmanager.heap.mb``,
``state.backend: filesystem``, ``high-availability: zookeeper``).
"""

from __future__ import annotations

from typing import TypeVar

import yaml

from components.flink.checkpointing import state_config
from components.flink.names import (
    BLOB_PORT,
    DATA_MOUNT,
    JOBMANAGER_SERVICE,
    REST_PORT,
    RPC_PORT,
    TASKMANAGER_DATA_PORT,
    TASKMANAGER_RPC_PORT,
)
from components.flink.spec import FlinkSpec
from components.monitoring.flink_reporter import reporter_config

FlinkConfig = dict[str, str | int | float | bool]
Quorum = TypeVar("Quorum")  # a str, or a Pulumi output of one in the component

CONFIG_FILE_NAME = "config.yaml"
# sidecar: one JobManager, random RPC port patched into the Service; pinned: one, port
# 6123; podIp: standby JobManagers, each advertising its pod IP with port 6123.
RPC_PORT_MODES = ("sidecar", "pinned", "podIp")
SUPPORTED_VERSIONS = ("1.20", "2.0", "2.1")
# Root of every stack's HA nodes in ZooKeeper: <root>/<cluster-id>/{jobgraphs,jobs,leader}.
ZOOKEEPER_PATH_ROOT = "/flink"

# ZooKeeper client timeouts, chosen for fast failover. A killed JobManager's leader
# node is ephemeral: it disappears only when its session expires, and only then can a
# restarted JobManager take over. Flink's default (60 s, capped by ZooKeeper's
# maxSessionTimeout = 20 × tickTime = 40 s) keeps a dead leader for ~40 s. The server
# expires sessions per tick, so a dead session goes T to T + tickTime after its last
# ping. 4 s is ZooKeeper's floor (2 × tickTime). Measured with real processes
# (tests/integration/failover_bench.py, 2 vCPUs): the restarted JobManager reaches
# ZooKeeper ~3 s after a kill -9, then waits for the old session: expiry at 4.0-5.8 s and
# job RUNNING at 5.3-7.8 s with 4 s; 6.4-7.4 s and 8.2-9.0 s with 6 s; 41 s and 43 s with
# Flink's default. The cost: a client whose server is silent for 2/3 of it (~2.7 s)
# reconnects, and Flink then gives up leadership (the job restarts from its checkpoint).
ZK_SESSION_TIMEOUT_MS = 4000
ZK_CONNECTION_TIMEOUT_MS = 3000
# Standby JobManagers (rpcPortMode podIp): a crash no longer waits for the session to
# expire (the leader watch fences the dead leader's session at once, see
# components/flink/leader_watch), so the session timeout is sized for stalls instead: a
# 3-s pause of the JobManager's JVM or of the ZooKeeper server must not end the session.
# The client pings after T/3 idle, so a stall must fit in T - T/3 (and the expiry comes up
# to one tick late). Measured (failover_bench --mode standby --stalls 4 --crash stop
# --session-timeout-ms T; 2 vCPUs, load1 5-20): T = 4 s lost the session in a 3-s JobManager
# stall; 6 s survived 8 of 8 stalls (a connection SUSPENDED once); 8 s survived 8 of 8
# without, and 27 of 27 more in the bench (--runs 3 --stalls 3, three times). Node loss (no
# fencing: the leader's address times out) costs T to T + tickTime: the session expired
# 8.6-9.6 s after the leader stopped at 8 s (7.3-7.8 s at 6 s). See docs/ha-and-rpc-port.md.
ZK_STANDBY_SESSION_TIMEOUT_MS = 8000
ZK_RETRY_WAIT_MS = 500
ZK_MAX_RETRY_ATTEMPTS = 5
# The ZooKeeper server tick the session timeout above is sized for (see ZooKeeperEnsemble).
ZK_TICK_TIME_MS = 2000


# Java 17 needs these module opens for Flink (the list of Flink 1.20's own default
# config.yaml, which our file replaces). Rendered as the administrator's default options,
# so `env.java.opts.all` stays free for a job's own JVM flags.
JAVA_17_OPTIONS = " ".join(
    [
        f"--add-exports={m}=ALL-UNNAMED"
        for m in (
            "java.base/sun.net.util",
            "java.rmi/sun.rmi.registry",
            "jdk.compiler/com.sun.tools.javac.api",
            "jdk.compiler/com.sun.tools.javac.file",
            "jdk.compiler/com.sun.tools.javac.parser",
            "jdk.compiler/com.sun.tools.javac.tree",
            "jdk.compiler/com.sun.tools.javac.util",
            "java.security.jgss/sun.security.krb5",
        )
    ]
    + [
        f"--add-opens=java.base/{p}=ALL-UNNAMED"
        for p in (
            "java.lang",
            "java.net",
            "java.io",
            "java.nio",
            "sun.nio.ch",
            "java.lang.reflect",
            "java.text",
            "java.time",
            "java.util",
            "java.util.concurrent",
            "java.util.concurrent.atomic",
            "java.util.concurrent.locks",
        )
    ]
)


def render_flink_config(
    spec: FlinkSpec, cluster_id: str, zookeeper_quorum: Quorum
) -> dict[str, str | int | float | bool | Quorum]:
    """Flink's configuration for one application cluster, as flat keys.

    ``cluster_id`` separates the HA metadata of stacks sharing a ZooKeeper;
    ``zookeeper_quorum`` is "host:port,host:port", the one value that is not the job's
    (see ``fingerprint``).
    """
    if spec.version not in SUPPORTED_VERSIONS:
        raise ValueError(f"Flink {spec.version}: supported are {', '.join(SUPPORTED_VERSIONS)}")
    if spec.rpc_port_mode not in RPC_PORT_MODES:
        raise ValueError(f"rpc_port_mode {spec.rpc_port_mode!r}: one of {', '.join(RPC_PORT_MODES)}")
    standby = spec.rpc_port_mode == "podIp"
    storage = "file://" + DATA_MOUNT
    return {
        # Addresses and ports. In ZooKeeper HA the JobManager binds
        # high-availability.jobmanager.port (jobmanager.rpc.port is then ignored) and
        # advertises <jobmanager.rpc.address>:<bound port> through ZooKeeper. In podIp mode
        # the pod replaces the address with its own IP (the image's JOB_MANAGER_RPC_ADDRESS).
        "jobmanager.rpc.address": JOBMANAGER_SERVICE,
        "jobmanager.rpc.port": RPC_PORT,
        "jobmanager.bind-host": "0.0.0.0",
        "high-availability.jobmanager.port": 0 if spec.rpc_port_mode == "sidecar" else RPC_PORT,
        "blob.server.port": BLOB_PORT,
        "rest.address": JOBMANAGER_SERVICE,
        "rest.bind-address": "0.0.0.0",
        "rest.port": REST_PORT,
        "taskmanager.bind-host": "0.0.0.0",
        "taskmanager.rpc.port": TASKMANAGER_RPC_PORT,
        "taskmanager.data.port": TASKMANAGER_DATA_PORT,  # fixed, so network policy can name it
        # JVM and resources
        "env.java.default-opts.all": JAVA_17_OPTIONS,
        "jobmanager.memory.process.size": spec.job_manager_memory.text,
        "taskmanager.memory.process.size": spec.task_manager_memory.text,
        "taskmanager.numberOfTaskSlots": spec.slots_per_task_manager,
        "parallelism.default": spec.parallelism,
        "pipeline.max-parallelism": spec.max_parallelism,
        # High availability through ZooKeeper
        "high-availability.type": "zookeeper",
        "high-availability.zookeeper.quorum": zookeeper_quorum,
        "high-availability.zookeeper.path.root": ZOOKEEPER_PATH_ROOT,
        "high-availability.cluster-id": cluster_id,
        "high-availability.storageDir": f"{storage}/ha",
        "high-availability.zookeeper.client.session-timeout": (
            ZK_STANDBY_SESSION_TIMEOUT_MS if standby else ZK_SESSION_TIMEOUT_MS
        ),
        "high-availability.zookeeper.client.connection-timeout": ZK_CONNECTION_TIMEOUT_MS,
        "high-availability.zookeeper.client.retry-wait": ZK_RETRY_WAIT_MS,
        "high-availability.zookeeper.client.max-retry-attempts": ZK_MAX_RETRY_ATTEMPTS,
        # With a short session, keep leadership through a brief connection loss: it ends
        # only when the session expires (when ZooKeeper frees it for another JobManager).
        "high-availability.zookeeper.client.tolerate-suspended-connections": True,
        # Keep the job-result-store entry of a globally terminal job (cancelled, stopped,
        # finished, failed): the start step sees it and refuses to start the job again
        # from empty state (Flink's default deletes it with the rest of the HA data).
        "job-result-store.delete-on-commit": False,
        # Detect a lost JobManager or TaskManager well before Flink's 50 s default.
        "heartbeat.interval": 2000,
        "heartbeat.timeout": 15000,
        **state_config(spec, storage),
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
        # Metrics: every process serves Prometheus' /metrics on port 9249 (any Prometheus may scrape).
        **reporter_config(),
    }


def to_config_yaml(config: FlinkConfig) -> str:
    """The file body: standard YAML, flat keys in a stable order."""
    return yaml.safe_dump(config, sort_keys=False, default_flow_style=False)
