"""The Flink config renderer, called directly."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from components.flink.flink_config import (
    CONFIG_FILE_NAME,
    ZK_SESSION_TIMEOUT_MS,
    ZK_STANDBY_SESSION_TIMEOUT_MS,
    ZK_TICK_TIME_MS,
    FlinkConfig,
    render_flink_config,
    to_config_yaml,
)
from components.flink.spec import FlinkSpec
from components.flink.units import CpuQuantity, Duration, MemorySize
from components.zookeeper_values import MAX_SESSION_TIMEOUT_MS

SPEC = FlinkSpec(
    version="1.20",
    image="flink:1.20.5-scala_2.12-java17",
    job_class_name="a.Job",
    job_jar="/opt/flink/usrlib/job.jar",
    job_args=(),
    task_managers=2,
    slots_per_task_manager=2,
    job_manager_memory=MemorySize(text="1600m", bytes=1600 * 1024**2),
    task_manager_memory=MemorySize(text="4g", bytes=4 * 1024**3),
    job_manager_cpu=CpuQuantity(millis=500),
    task_manager_cpu=CpuQuantity(millis=2000),
    checkpoint_interval=Duration(text="30s", millis=30_000),
    checkpoint_timeout=Duration(text="10 min", millis=600_000),
    tolerable_checkpoint_failures=3,
    state_backend="hashmap",
    rpc_port_mode="sidecar",
    storage_size="100Gi",
    storage_class=None,
    max_parallelism=128,
    upgrade_mode="last-state",
    savepoint_fallback="refuse",
    unhealthy_after_s=3000,
)


def render(spec: FlinkSpec = SPEC) -> FlinkConfig:
    return render_flink_config(spec, "flink-aks-dev", "zk-0:2181,zk-1:2181,zk-2:2181")


# Keys Flink removed or renamed; none may appear in what we render.
REMOVED_KEYS = {
    "high-availability",
    "high-availability.zookeeper.storageDir",
    "jobmanager.heap.mb",
    "jobmanager.heap.size",
    "taskmanager.heap.mb",
    "taskmanager.heap.size",
    "state.backend",
    "state.checkpoints.dir",
    "state.savepoints.dir",
    "restart-strategy",
    "high-availability.cluster-id.legacy",
}


def test_config_file_name_is_the_one_flink_1_19_and_2_x_read() -> None:
    assert CONFIG_FILE_NAME == "config.yaml"


@pytest.mark.parametrize("version", ["1.20", "2.0", "2.1"])
def test_current_keys_only_for_each_supported_version(version: str) -> None:
    config = render(dataclasses.replace(SPEC, version=version))
    assert not REMOVED_KEYS & set(config)
    assert config["high-availability.type"] == "zookeeper"
    assert config["state.backend.type"] == "hashmap"


def test_unsupported_version_is_refused() -> None:
    with pytest.raises(ValueError, match="supported"):
        render(dataclasses.replace(SPEC, version="1.18"))


def test_zookeeper_ha_with_per_stack_cluster_id_and_shared_storage() -> None:
    config = render()
    assert config["high-availability.zookeeper.quorum"] == "zk-0:2181,zk-1:2181,zk-2:2181"
    assert config["high-availability.cluster-id"] == "flink-aks-dev"
    assert config["high-availability.storageDir"] == "file:///flink-data/ha"
    assert config["execution.checkpointing.dir"] == "file:///flink-data/checkpoints"
    assert config["execution.checkpointing.savepoint-dir"] == "file:///flink-data/savepoints"


def test_zookeeper_session_timeout_allows_fast_failover_and_fits_the_servers_range() -> None:
    config = render()
    timeout = config["high-availability.zookeeper.client.session-timeout"]
    assert isinstance(timeout, int) and timeout == ZK_SESSION_TIMEOUT_MS
    assert 2 * ZK_TICK_TIME_MS <= timeout <= MAX_SESSION_TIMEOUT_MS
    assert timeout < 60000  # Flink's default, capped at 40 s by ZooKeeper: a slow failover
    connection_timeout = config["high-availability.zookeeper.client.connection-timeout"]
    assert isinstance(connection_timeout, int) and connection_timeout < timeout


def test_sidecar_mode_binds_a_random_rpc_port_and_pinned_mode_binds_6123() -> None:
    assert render()["high-availability.jobmanager.port"] == 0
    pinned = render(dataclasses.replace(SPEC, rpc_port_mode="pinned"))
    assert pinned["high-availability.jobmanager.port"] == 6123


def test_unknown_rpc_port_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="'random': one of sidecar, pinned, podIp"):
        render(dataclasses.replace(SPEC, rpc_port_mode="random"))


def test_pod_ip_mode_pins_6123_and_sizes_the_session_for_stalls() -> None:
    pinned = render(dataclasses.replace(SPEC, rpc_port_mode="pinned"))
    standby = render(dataclasses.replace(SPEC, rpc_port_mode="podIp"))
    assert standby["high-availability.jobmanager.port"] == 6123
    session = standby["high-availability.zookeeper.client.session-timeout"]
    assert session == ZK_STANDBY_SESSION_TIMEOUT_MS
    assert isinstance(session, int) and 2 * ZK_TICK_TIME_MS <= session <= MAX_SESSION_TIMEOUT_MS
    # Survives a 3-s stall: the client pings every readTimeout / 2 = T / 3 when idle, so
    # the server may have last heard of it T / 3 before the stall began.
    assert session - session / 3 > 3000 + ZK_TICK_TIME_MS
    assert standby["high-availability.zookeeper.client.tolerate-suspended-connections"] is True
    differing = {k for k in pinned if pinned[k] != standby[k]}
    assert differing == {"high-availability.zookeeper.client.session-timeout"}, "podIp differs from pinned there only"


def test_ui_is_read_only() -> None:
    config = render()
    assert config["web.submit.enable"] is False
    assert config["web.cancel.enable"] is False


def test_checkpointing_restart_strategy_and_sizes_come_from_the_inputs() -> None:
    config = render()
    assert config["execution.checkpointing.interval"] == "30s"
    assert config["execution.checkpointing.mode"] == "EXACTLY_ONCE"
    assert config["restart-strategy.type"] == "exponential-delay"
    assert config["taskmanager.numberOfTaskSlots"] == 2
    assert config["parallelism.default"] == 4
    assert config["jobmanager.memory.process.size"] == "1600m"
    assert config["taskmanager.memory.process.size"] == "4g"


def test_file_is_standard_yaml_with_flat_keys_that_round_trips() -> None:
    config = render()
    text = to_config_yaml(config)
    assert yaml.safe_load(text) == config
    assert text.splitlines()[0].startswith("jobmanager.rpc.address: ")


def test_hashmap_state_gives_the_taskmanagers_memory_to_the_heap() -> None:
    config = render()
    assert config["state.backend.type"] == "hashmap"
    assert config["taskmanager.memory.managed.fraction"] == 0
    assert "execution.checkpointing.incremental" not in config


def test_rocksdb_state_checkpoints_incrementally_in_managed_memory() -> None:
    config = render(dataclasses.replace(SPEC, state_backend="rocksdb"))
    assert config["state.backend.type"] == "rocksdb"
    assert config["execution.checkpointing.incremental"] is True
    assert "taskmanager.memory.managed.fraction" not in config, "Flink's default fraction: RocksDB's memory"
    assert "taskmanager.memory.managed.size" not in config


def test_unknown_state_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="hashmap, rocksdb"):
        render(dataclasses.replace(SPEC, state_backend="forst"))


def test_checkpoint_timeout_and_tolerable_failures_are_explicit() -> None:
    config = render()
    assert config["execution.checkpointing.timeout"] == "10 min"
    assert config["execution.checkpointing.tolerable-failed-checkpoints"] == 3
    assert config["execution.checkpointing.num-retained"] == 3
    assert config["execution.checkpointing.externalized-checkpoint-retention"] == "RETAIN_ON_CANCELLATION"
