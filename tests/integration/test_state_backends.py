"""The rendered state backend and TaskManager memory with Flink's own code and real processes.

BashJavaUtils sizes the TaskManager as the image's scripts do; then a real ZooKeeper,
JobManager and TaskManager run the counting job with each backend, and the JobManager's
probes (``job_health``) are run against the real REST API.
"""

from __future__ import annotations

import dataclasses
import subprocess
from contextlib import ExitStack
from pathlib import Path

import pytest

from components.flink.flink_config import CONFIG_FILE_NAME, render_flink_config, to_config_yaml
from components.flink.job_health import JOB_PROBE
from components.flink.units import parse_memory_size
from infra.config.settings import parse_settings
from infra.render.project_files import stack_config
from tests.integration.flink_dist import ensure_flink_dist
from tests.integration.flink_processes import (
    FlinkLayout,
    prepare_layout,
    resource_params,
    start_jobmanager,
    start_taskmanager,
)
from tests.integration.flink_rest import FlinkRest
from tests.integration.job_jar import JOB_CLASS, build_job_jar
from tests.integration.local_config import REPO_ROOT, STACK, LocalFlinkConfig, LocalPorts, local_overrides
from tests.integration.zookeeper_server import ZooKeeperServer
from tests.waiting import wait_until

pytestmark = pytest.mark.integration

BACKENDS = {"hashmap": "HashMapStateBackend", "rocksdb": "EmbeddedRocksDBStateBackend"}


def local_config(backend: str, quorum: str, work_dir: Path) -> LocalFlinkConfig:
    """The dev stack's config with ``backend`` (pinned RPC port: no Service needed), made local."""
    settings = parse_settings(STACK, stack_config(REPO_ROOT, STACK))
    spec = dataclasses.replace(settings.flink, state_backend=backend, rpc_port_mode="pinned")
    rendered = render_flink_config(spec, f"{settings.project}-{settings.stack}-{backend}", quorum)
    local = LocalFlinkConfig(
        rendered, local_overrides(rendered, quorum, LocalPorts.pick(), work_dir), work_dir / "conf"
    )
    local.config_dir.mkdir(parents=True, exist_ok=True)
    (local.config_dir / CONFIG_FILE_NAME).write_text(to_config_yaml(local.effective))
    return local


def layout(local: LocalFlinkConfig, work_dir: Path) -> FlinkLayout:
    dist = ensure_flink_dist()
    return prepare_layout(dist, work_dir, local.config_dir, build_job_jar(dist), local.effective)


def managed_bytes(layout: FlinkLayout) -> int:
    _, dynamic = resource_params(layout, "GET_TM_RESOURCE_PARAMS")
    sizes = [arg.split("=", 1)[1] for arg in dynamic if arg.startswith("taskmanager.memory.managed.size=")]
    assert len(sizes) == 1, dynamic
    managed = parse_memory_size(sizes[0])
    assert managed is not None, sizes
    return managed


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_bash_java_utils_sizes_managed_memory_by_backend(backend: str, tmp_path: Path) -> None:
    managed = managed_bytes(layout(local_config(backend, "127.0.0.1:2181", tmp_path), tmp_path))
    if backend == "hashmap":
        assert managed == 0, "heap state: the TaskManager's memory goes to the heap"
    else:
        assert managed > 0, "RocksDB's block cache and write buffers"


def probe(name: str, rest: FlinkRest, work_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HEALTH_STATE_DIR": str(work_dir),
        "FLINK_REST_PORT": rest.base.rsplit(":", 1)[1],
        "UNHEALTHY_AFTER_SECONDS": "600",
    }
    return subprocess.run(["bash", "-c", JOB_PROBE, name], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_taskmanager_runs_the_job_with_the_rendered_backend(backend: str, tmp_path: Path) -> None:
    with ExitStack() as stack:
        run_and_check(backend, tmp_path, stack)


def run_and_check(backend: str, tmp_path: Path, stack: ExitStack) -> None:
    zookeeper = stack.enter_context(ZooKeeperServer(tmp_path / "zookeeper"))
    local = local_config(backend, zookeeper.connect_string, tmp_path)
    flink = layout(local, tmp_path)
    args = ["--out", str(tmp_path / "side-channel.txt"), "--rate", "200"]
    for process in (start_jobmanager(flink, "jobmanager", JOB_CLASS, args), start_taskmanager(flink, "taskmanager")):
        stack.callback(process.stop)
    rest = FlinkRest(int(local.effective["rest.port"]))
    job = wait_until("the job", rest.single_job_id, 120, 0.5)
    wait_until("a completed checkpoint", lambda: (rest.checkpoints(job) or {}).get("counts", {}).get("completed"), 120)
    config = rest.get(f"/jobs/{job}/checkpoints/config") or {}
    assert config.get("state_backend") == BACKENDS[backend]
    managed = (rest.get(f"/taskmanagers/{rest.taskmanager_ids()[0]}") or {})["memoryConfiguration"]["managedMemory"]
    assert (managed == 0) if backend == "hashmap" else (managed > 0), managed
    # The JobManager's probes read this REST API as the kubelet would run them.
    assert probe("startup", rest, tmp_path).returncode == 0
    assert probe("readiness", rest, tmp_path).returncode == 0
    assert probe("liveness", rest, tmp_path).returncode == 0
    seen = next(tmp_path.glob("job-progress-*")).read_text().split()[0]
    assert int(seen) >= 1, "the completed checkpoints, read from Flink's own answer"
