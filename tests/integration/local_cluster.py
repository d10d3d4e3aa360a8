"""The processes of one local run: ZooKeeper, JobManager, TaskManager, sidecar, and the
JobManager Service in a real kube-apiserver (``tests.controlplane``).

``LocalCluster`` is a ``ProcessGroup``: leaving it ends every process it started, by PID,
and deletes its namespace (and stops the control plane if it started one), also when a
test fails.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from components.flink.services import jobmanager_service_spec
from components.flink.sidecar import PROGRAM_DIR
from tests.controlplane import ControlPlane
from tests.controlplane import start as start_control_plane
from tests.controlplane.sidecar_access import SidecarAccess, delete_namespace, provision
from tests.integration.flink_dist import ensure_flink_dist
from tests.integration.flink_processes import FlinkLayout, prepare_layout, start_jobmanager, start_taskmanager
from tests.integration.flink_rest import FlinkRest
from tests.integration.job_jar import JOB_CLASS, build_job_jar
from tests.integration.local_config import LocalFlinkConfig, LocalPorts, write_local_config
from tests.integration.process_group import ProcessGroup
from tests.integration.processes import ManagedProcess, start_process
from tests.integration.requirements import require_tool
from tests.integration.zookeeper_server import ZooKeeperServer
from tests.log import Log

MODES = ("sidecar", "pinned")
# The sidecar as the pod runs it: `python -m port_patcher`, the package's parent on PYTHONPATH.
SIDECAR = [sys.executable, "-m", PROGRAM_DIR.name]
JOB_RATE_PER_S = 200


class LocalCluster(ProcessGroup):
    """ZooKeeper + Service in a real API server + JobManager + TaskManager + sidecar; ends them all."""

    def __init__(self, mode: str, work_dir: Path, log: Log, control_plane: ControlPlane | None = None) -> None:
        super().__init__(work_dir, log)
        self.control_plane = control_plane
        if mode not in MODES:
            raise ValueError(f"mode {mode!r}: one of {', '.join(MODES)}")
        self.mode = mode
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
        self.service = self._provision_service()
        self.rest = FlinkRest(self.ports.rest)
        self.side_channel = self.work_dir / "side-channel.txt"
        self.start_jobmanager()
        self.taskmanager = self.track(start_taskmanager(self.layout, "taskmanager"))
        self.sidecar = self.track(self._start_sidecar())
        return self

    def _provision_service(self) -> SidecarAccess:
        """The Service as the stack declares it, applied to a real API server: blob and
        rest in sidecar mode (the sidecar adds rpc), or rpc on the pinned port too (6123 in
        the cluster, a free port here); the sidecar's ServiceAccount, Role and binding."""
        plane = self.control_plane
        if plane is None:
            plane = start_control_plane(self.work_dir / "controlplane", self.log)
            self.callback(plane.stop)
        spec = jobmanager_service_spec(sidecar=self.mode == "sidecar")
        if self.mode == "pinned":
            rpc = spec["ports"][0]
            rpc["port"] = rpc["targetPort"] = self.ports.pinned_rpc
        namespace = f"failover-{self.mode}-{secrets.token_hex(3)}"
        access = provision(plane, namespace, spec, self.work_dir)
        self.callback(delete_namespace, plane, namespace)
        return access

    def start_jobmanager(self) -> ManagedProcess:
        name = f"jobmanager-{len(self.jobmanagers) + 1}"
        args = ["--out", str(self.side_channel), "--rate", str(JOB_RATE_PER_S)]
        process = self.track(start_jobmanager(self.layout, name, JOB_CLASS, args))
        self.jobmanagers.append(process)
        return process

    def jobmanager_log(self, index: int = -1) -> Path:
        return self.layout.log_dir / f"{self.jobmanagers[index].name}.log"

    def _start_sidecar(self) -> ManagedProcess:
        env = {"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(PROGRAM_DIR.parent)}
        env |= self.service.env(self.rest.base)
        return start_process("sidecar", SIDECAR, self.layout.log_dir / "sidecar.log", env=env, cwd=self.work_dir)

    def service_rpc_port(self) -> int:
        """The Service's rpc port in the API server (0 while it has none)."""
        return self.service.rpc_port() or 0

    def patch_count(self) -> int:
        """The patches the sidecar made, as its log reports them."""
        log = self.sidecar.log_path
        lines = log.read_text(errors="replace").splitlines() if log.is_file() else []
        return sum(" action=patched " in line for line in lines)

    def vital(self) -> Sequence[ManagedProcess | None]:
        return [self.jobmanagers[-1], self.taskmanager, self.sidecar]

    def reported(self) -> Sequence[ManagedProcess | None]:
        return [*self.jobmanagers, getattr(self, "taskmanager", None), getattr(self, "sidecar", None)]
