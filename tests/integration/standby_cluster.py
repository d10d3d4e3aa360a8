"""The processes of one standby run: ZooKeeper, two JobManagers with a leader watch each, a
TaskManager (``rpcPortMode: podIp``, ``flink.jobManagers: 2``).

Both JobManagers run the config the stack renders for podIp mode, each with its own
ports and scratch directories (in the cluster: the same ports on two pod IPs); each
advertises 127.0.0.1 and its own RPC port. Each leader watch runs through the real
``run.sh`` (Janino compile included) with the environment the pod gives it. Leaving the
group ends every process it started, by PID.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

from components.flink.leader_watch import LEADER, PROGRAM_DIR, environment
from tests.integration.flink_dist import ensure_flink_dist
from tests.integration.flink_processes import FlinkLayout, prepare_layout, start_jobmanager, start_taskmanager
from tests.integration.flink_rest import FlinkRest
from tests.integration.job_jar import JOB_CLASS, build_job_jar
from tests.integration.local_config import FlinkConfig, LocalFlinkConfig, LocalPorts, write_local_config
from tests.integration.process_group import ProcessGroup
from tests.integration.processes import ManagedProcess, start_process
from tests.integration.requirements import require_tool
from tests.integration.zookeeper_server import ZooKeeperServer
from tests.log import Log

RPC_PORT_MODE = "podIp"
JOBMANAGERS = 2
JOB_RATE_PER_S = 200
RUN_SH = PROGRAM_DIR / "run.sh"


@dataclasses.dataclass
class StandbyJobManager:
    """One JobManager of the pair: its config, ports, process and leader watch."""

    name: str
    ports: LocalPorts
    config: LocalFlinkConfig
    layout: FlinkLayout
    role_file: Path
    process: ManagedProcess | None = None
    watch: ManagedProcess | None = None

    @property
    def rest(self) -> FlinkRest:
        return FlinkRest(self.ports.rest)

    @property
    def log_file(self) -> Path:
        return self.layout.log_dir / f"{self.name}.log"

    @property
    def watch_log(self) -> Path:
        return self.layout.log_dir / f"leader-watch-{self.name}.log"

    def role(self) -> str:
        try:
            return self.role_file.read_text().strip()
        except OSError:
            return ""


class StandbyCluster(ProcessGroup):
    """ZooKeeper + two JobManagers (each with its leader watch) + TaskManager; ends them all."""

    def __init__(self, work_dir: Path, log: Log, experiment: FlinkConfig | None = None) -> None:
        super().__init__(work_dir, log)
        self.experiment = experiment
        self.jobmanagers: list[StandbyJobManager] = []
        self.taskmanager: ManagedProcess | None = None

    def start(self) -> StandbyCluster:
        require_tool("java")
        dist = ensure_flink_dist()
        job_jar = build_job_jar(dist)
        self.zookeeper = self.enter_context(ZooKeeperServer(self.work_dir / "zookeeper"))
        self.side_channel = self.work_dir / "side-channel.txt"
        for index in range(1, JOBMANAGERS + 1):
            name = f"jobmanager-{index}"
            ports = LocalPorts.pick()
            config = write_local_config(
                RPC_PORT_MODE, self.zookeeper.connect_string, ports, self.work_dir, name, self.experiment
            )
            layout = prepare_layout(dist, self.work_dir, config.config_dir, job_jar, config.effective)
            self.jobmanagers.append(StandbyJobManager(name, ports, config, layout, self.work_dir / name / "role"))
        self.log(f"  logs in {self.jobmanagers[0].layout.log_dir}")
        for jobmanager in self.jobmanagers:
            self.start_watch(jobmanager)
            self.start_jobmanager(jobmanager)
        self.taskmanager = self.track(start_taskmanager(self.jobmanagers[0].layout, "taskmanager"))
        return self

    @property
    def ha_path(self) -> str:
        config = self.jobmanagers[0].config.effective
        return f"{config['high-availability.zookeeper.path.root']}/{config['high-availability.cluster-id']}"

    @property
    def effective(self) -> FlinkConfig:
        return self.jobmanagers[0].config.effective

    def start_jobmanager(self, jobmanager: StandbyJobManager) -> ManagedProcess:
        args = ["--out", str(self.side_channel), "--rate", str(JOB_RATE_PER_S)]
        jobmanager.process = self.track(start_jobmanager(jobmanager.layout, jobmanager.name, JOB_CLASS, args))
        return jobmanager.process

    def start_watch(self, jobmanager: StandbyJobManager) -> ManagedProcess:
        """``run.sh`` with the environment the pod gives the leader-watch container."""
        jobmanager.role_file.parent.mkdir(parents=True, exist_ok=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PROGRAM_DIR": str(PROGRAM_DIR),
            "FLINK_LIB_DIR": str(jobmanager.layout.dist.lib_dir),
            "ZOOKEEPER_QUORUM": self.zookeeper.connect_string,
            **environment(self.ha_path, "127.0.0.1", jobmanager.ports.pinned_rpc, str(jobmanager.role_file)),
        }
        argv = ["bash", str(RUN_SH)]
        jobmanager.watch = self.track(start_process(f"watch-{jobmanager.name}", argv, jobmanager.watch_log, env))
        return jobmanager.watch

    def leader(self) -> StandbyJobManager | None:
        """The JobManager whose leader watch says ``leader`` (exactly one), else None."""
        leaders = [jm for jm in self.jobmanagers if jm.role() == LEADER]
        return leaders[0] if len(leaders) == 1 else None

    def other(self, jobmanager: StandbyJobManager) -> StandbyJobManager:
        return next(jm for jm in self.jobmanagers if jm is not jobmanager)

    def vital(self) -> Sequence[ManagedProcess | None]:
        return [self.taskmanager, *(jm.watch for jm in self.jobmanagers)]

    def reported(self) -> Sequence[ManagedProcess | None]:
        return [p for jm in self.jobmanagers for p in (jm.process, jm.watch)] + [self.taskmanager]
