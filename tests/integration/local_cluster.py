"""The processes of one local run: ZooKeeper, stand-in Service, JobManager, TaskManager, sidecar.

``LocalCluster`` is an ``ExitStack``: leaving it ends every process it started, by PID,
and closes the stand-in, also when a test fails.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from components.flink.flink_config import RPC_PORT
from tests.integration.flink_dist import ensure_flink_dist
from tests.integration.flink_processes import FlinkLayout, prepare_layout, start_jobmanager, start_taskmanager
from tests.integration.flink_rest import FlinkRest
from tests.integration.job_jar import JOB_CLASS, build_job_jar
from tests.integration.local_config import LocalFlinkConfig, LocalPorts, write_local_config
from tests.integration.processes import ManagedProcess, start_process, wait_until
from tests.integration.requirements import require_tool
from tests.integration.zookeeper_server import ZooKeeperServer
from tests.standins import FakeServiceApi, default_service

T = TypeVar("T")
Log = Callable[[str], None]

MODES = ("sidecar", "pinned")
REPO_ROOT = Path(__file__).resolve().parents[2]
SIDECAR = REPO_ROOT / "components" / "flink" / "port_patcher.py"
SERVICE_NAMESPACE = "flink"
SERVICE_NAME = "flink-jobmanager"
JOB_RATE_PER_S = 200


class LocalCluster(contextlib.ExitStack):
    """ZooKeeper + stand-in Service + JobManager + TaskManager + sidecar; ends them all."""

    def __init__(self, mode: str, work_dir: Path, log: Log) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode {mode!r}: one of {', '.join(MODES)}")
        self.mode = mode
        self.work_dir = work_dir
        self.log = log
        self.jobmanagers: list[ManagedProcess] = []

    def start(self) -> LocalCluster:
        require_tool("java")
        dist = ensure_flink_dist()
        job_jar = build_job_jar(dist)
        self.zookeeper = self.enter_context(ZooKeeperServer(self.work_dir / "zookeeper"))
        self.ports = LocalPorts.pick()
        self.config: LocalFlinkConfig = write_local_config(
            self.mode, self.zookeeper.connect_string, self.ports, self.work_dir
        )
        self.layout: FlinkLayout = prepare_layout(
            dist, self.work_dir, self.config.config_dir, job_jar, self.config.effective
        )
        self.log(f"  java options from the {self.layout.java_opts_source}; logs in {self.layout.log_dir}")
        # The Service as the stack declares it: rpc on 6123 (sidecar mode patches it), or
        # on the pinned port (static; 6123 in the cluster, a free port here).
        initial_port = RPC_PORT if self.mode == "sidecar" else self.ports.pinned_rpc
        self.service_api = self.enter_context(
            FakeServiceApi(
                SERVICE_NAMESPACE, SERVICE_NAME, service=default_service(SERVICE_NAMESPACE, SERVICE_NAME, initial_port)
            )
        )
        self.rest = FlinkRest(self.ports.rest)
        self.side_channel = self.work_dir / "side-channel.txt"
        self.start_jobmanager()
        self.taskmanager = self._track(start_taskmanager(self.layout, "taskmanager"))
        self.sidecar = self._track(self._start_sidecar())
        return self

    def _track(self, process: ManagedProcess) -> ManagedProcess:
        self.callback(process.stop)
        return process

    def start_jobmanager(self) -> ManagedProcess:
        name = f"jobmanager-{len(self.jobmanagers) + 1}"
        args = ["--out", str(self.side_channel), "--rate", str(JOB_RATE_PER_S)]
        process = self._track(start_jobmanager(self.layout, name, JOB_CLASS, args))
        self.jobmanagers.append(process)
        return process

    def jobmanager_log(self, index: int = -1) -> Path:
        return self.layout.log_dir / f"{self.jobmanagers[index].name}.log"

    def _start_sidecar(self) -> ManagedProcess:
        env = {
            "PATH": "/usr/bin:/bin",
            "SERVICE_NAME": SERVICE_NAME,
            "POD_NAMESPACE": SERVICE_NAMESPACE,
            "FLINK_REST_URL": self.rest.base,
            "KUBERNETES_API_URL": self.service_api.url,
            "KUBERNETES_TOKEN_FILE": str(self.work_dir / "no-token"),  # plain http: no token
            "PYTHONUNBUFFERED": "1",
        }
        argv = [sys.executable, str(SIDECAR)]
        return start_process("sidecar", argv, self.layout.log_dir / "sidecar.log", env=env, cwd=self.work_dir)

    def service_rpc_port(self) -> int:
        return int(self.service_api.port_named("rpc")["port"])

    def patch_count(self) -> int:
        return len(self.service_api.requests_of("PATCH"))

    def check_alive(self) -> None:
        for process in (self.jobmanagers[-1], self.taskmanager, self.sidecar):
            if not process.alive():
                raise RuntimeError(f"{process.name} exited ({process.popen.returncode}):\n{process.log_tail()}")

    def wait(self, what: str, check: Callable[[], T | None], timeout_s: float, interval_s: float = 0.1) -> T:
        def guarded() -> T | None:
            self.check_alive()
            return check()

        return wait_until(what, guarded, timeout_s, interval_s)

    def describe(self) -> str:
        parts = [f"work dir {self.work_dir}"]
        started = [*self.jobmanagers, getattr(self, "taskmanager", None), getattr(self, "sidecar", None)]
        for process in (p for p in started if p is not None):
            parts.append(f"--- {process.name} (pid {process.pid}) {process.log_path}\n{process.log_tail(15)}")
        return "\n".join(parts)
