"""The Flink config of the local run: the stack's rendered config, addresses/ports/paths moved.

The config file is what ``render_flink_config`` produces for the dev stack; the only
changes are listed in ``LOCAL_OVERRIDE_KEYS``: addresses become 127.0.0.1, ports become
free local ports, paths move into the test's temporary directory, the ZooKeeper quorum
is the local server. No other key is written by hand.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from components.flink.flink_config import CONFIG_FILE_NAME, render_flink_config, to_config_yaml
from infra.config.settings import parse_settings
from infra.render.project_files import stack_config
from tests.ports import free_ports

FlinkConfig = dict[str, str | int | float | bool]

REPO_ROOT = Path(__file__).resolve().parents[2]
STACK = "dev"
# Keys the local run may change: addresses, ports and paths, nothing else.
LOCAL_OVERRIDE_KEYS = frozenset(
    {
        # addresses
        "jobmanager.rpc.address",
        "jobmanager.bind-host",
        "rest.address",
        "rest.bind-address",
        "taskmanager.host",
        "taskmanager.bind-host",
        "high-availability.zookeeper.quorum",
        # ports
        "high-availability.jobmanager.port",
        "jobmanager.rpc.port",
        "blob.server.port",
        "rest.port",
        "taskmanager.rpc.port",
        "taskmanager.data.port",
        # paths
        "high-availability.storageDir",
        "execution.checkpointing.dir",
        "execution.checkpointing.savepoint-dir",
        "io.tmp.dirs",
        "web.tmpdir",
        "blob.storage.directory",
    }
)
LOCALHOST = "127.0.0.1"
# Keys a measurement may set to other values than the stack's (``--session-timeout-ms`` of
# failover_bench: the curve the stack's values were chosen from); tests never do.
EXPERIMENT_KEYS = frozenset(
    {
        "high-availability.zookeeper.client.session-timeout",
        "high-availability.zookeeper.client.connection-timeout",
    }
)


def stack_rendered(rpc_port_mode: str) -> FlinkConfig:
    """The config exactly as the dev stack renders it (only the RPC port mode varies).
    Names that only matter in the cluster (addresses, quorum, storage mount) are
    replaced by ``local_overrides``."""
    settings = parse_settings(STACK, stack_config(REPO_ROOT, STACK))
    flink = dataclasses.replace(settings.flink, rpc_port_mode=rpc_port_mode)
    return render_flink_config(flink, f"{settings.project}-{settings.stack}", "zookeeper:2181")


@dataclasses.dataclass(frozen=True)
class LocalPorts:
    rest: int
    blob: int
    taskmanager_rpc: int
    pinned_rpc: int  # the JobManager's RPC port in pinned and podIp modes
    taskmanager_data: int  # the stack's fixed 6121 would clash with other runs on the host

    @staticmethod
    def pick() -> LocalPorts:
        rest, blob, taskmanager_rpc, pinned_rpc, taskmanager_data = free_ports(5)
        return LocalPorts(rest, blob, taskmanager_rpc, pinned_rpc, taskmanager_data)


def local_overrides(
    rendered: FlinkConfig, zookeeper_quorum: str, ports: LocalPorts, work_dir: Path, scratch: Path | None = None
) -> FlinkConfig:
    """Addresses, ports and paths of the local run, for a config ``rendered`` by the stack.

    Shared storage (HA data, checkpoints) lives in ``work_dir``; a process's own scratch
    directories in ``scratch`` (``work_dir`` unless told: standby JobManagers have one each)."""
    storage = "file://" + str(work_dir / "flink-data")
    scratch = scratch or work_dir
    overrides: FlinkConfig = {
        "jobmanager.rpc.address": LOCALHOST,
        "jobmanager.bind-host": LOCALHOST,
        "rest.address": LOCALHOST,
        "rest.bind-address": LOCALHOST,
        "rest.port": ports.rest,
        "blob.server.port": ports.blob,
        "taskmanager.host": LOCALHOST,
        "taskmanager.bind-host": LOCALHOST,
        "taskmanager.rpc.port": ports.taskmanager_rpc,
        "taskmanager.data.port": ports.taskmanager_data,
        "high-availability.zookeeper.quorum": zookeeper_quorum,
        "high-availability.storageDir": f"{storage}/ha",
        "execution.checkpointing.dir": f"{storage}/checkpoints",
        "execution.checkpointing.savepoint-dir": f"{storage}/savepoints",
        "io.tmp.dirs": str(scratch / "tmp"),
        "web.tmpdir": str(scratch / "web"),
        "blob.storage.directory": str(scratch / "blobs"),
    }
    # A pinned port (6123 in the cluster) becomes a free local one; 0 (random) stays 0.
    if rendered["high-availability.jobmanager.port"] != 0:
        overrides["high-availability.jobmanager.port"] = ports.pinned_rpc
        overrides["jobmanager.rpc.port"] = ports.pinned_rpc
    return overrides


@dataclasses.dataclass(frozen=True)
class LocalFlinkConfig:
    rendered: FlinkConfig  # what the stack would deploy
    overrides: FlinkConfig  # what the local run changes (addresses, ports, paths)
    config_dir: Path

    @property
    def effective(self) -> FlinkConfig:
        return {**self.rendered, **self.overrides}


def write_local_config(
    rpc_port_mode: str,
    zookeeper_quorum: str,
    ports: LocalPorts,
    work_dir: Path,
    instance: str = "",
    experiment: FlinkConfig | None = None,
) -> LocalFlinkConfig:
    """Render the stack's config, apply the local overrides, write ``conf/config.yaml``
    (``conf-<instance>/`` with scratch directories under ``<instance>/`` for one of several
    JobManagers). ``experiment``: values of ``EXPERIMENT_KEYS`` a measurement varies."""
    rendered = {**stack_rendered(rpc_port_mode), **(experiment or {})}
    beyond = set(experiment or {}) - EXPERIMENT_KEYS
    if beyond:
        raise ValueError(f"experiment keys beyond {sorted(EXPERIMENT_KEYS)}: {sorted(beyond)}")
    overrides = local_overrides(rendered, zookeeper_quorum, ports, work_dir, work_dir / instance if instance else None)
    unexpected = set(overrides) - LOCAL_OVERRIDE_KEYS
    if unexpected:
        raise ValueError(f"local overrides beyond addresses/ports/paths: {sorted(unexpected)}")
    config_dir = work_dir / (f"conf-{instance}" if instance else "conf")
    config_dir.mkdir(parents=True, exist_ok=True)
    local = LocalFlinkConfig(rendered, overrides, config_dir)
    (config_dir / CONFIG_FILE_NAME).write_text(to_config_yaml(local.effective))
    return local
