"""The JobManager failover scenario, shared by ``test_failover`` and ``failover_bench``.

ZooKeeper, a JobManager (application mode) running the counting job, a TaskManager and
the real port-patcher sidecar against the Service in a real kube-apiserver (``LocalCluster``). Once the
job runs and has completed checkpoints, the JobManager is killed with SIGKILL right after
a checkpoint completes and started again at once. Measured and checked afterwards: time
to the job (every task) RUNNING again, the checkpoint it restored, its keyed state, the
TaskManager's registration, the Service's rpc port.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tests.controlplane import ControlPlane
from tests.integration.after_restore import (
    AFTER_RESTORE_TIMEOUT_S,
    AfterRestore,
    RestoreVerdict,
    check_after_restore,
)
from tests.integration.before_kill import AtKill, end_after_checkpoint, run_to_checkpoints
from tests.integration.flink_logs import JOBMANAGER_MILESTONES, ZOOKEEPER_MILESTONES, log_milestones
from tests.integration.flink_rest import FlinkRest
from tests.integration.local_cluster import MODES, LocalCluster
from tests.integration.processes import listening_ports
from tests.log import Log

__all__ = ["MODES", "FailoverResult", "run_failover"]

T = TypeVar("T")

SERVICE_SYNC_TIMEOUT_S = 30.0
FAILOVER_TIMEOUT_S = 90.0
POLL_S = 0.1  # REST polling while the new JobManager starts
# Pinned mode: how long after the job runs again the sidecar must have stayed quiet.
QUIET_AFTER_RESTORE_S = 2.0


@dataclasses.dataclass(frozen=True)
class FailoverResult(RestoreVerdict):
    mode: str
    failover_s: float  # SIGKILL -> job and all its tasks RUNNING on the new JobManager
    rest_s: float  # SIGKILL -> the new JobManager's REST answers /jobmanager/config
    patch_s: float | None  # new REST answering -> Service rpc port on the new port (sidecar)
    port_before: int
    port_after: int
    service_port_after: int
    port_bound_after: bool  # the new port is one the new JobManager process listens on
    patch_requests: int  # patches the sidecar made in the whole run (its log)
    patches_after_kill: int
    at_kill: AtKill
    after: AfterRestore
    phases: dict[str, float]  # seconds from the kill to milestones in the new JobManager's log
    work_dir: Path

    def line(self) -> str:
        patch = "na" if self.patch_s is None else f"{self.patch_s:.2f}"
        return (
            f"mode={self.mode} failover_s={self.failover_s:.2f} rest_s={self.rest_s:.2f} patch_s={patch} "
            f"rpc_port={self.port_before}->{self.port_after} service_rpc_port={self.service_port_after} "
            f"patches={self.patch_requests} (after kill {self.patches_after_kill}) {self.restore_text()}"
        )


class FirstSeen(threading.Thread):
    """Poll ``check`` until it returns something truthy; remember when and what."""

    def __init__(self, check: Callable[[], T | None], interval_s: float, timeout_s: float) -> None:
        super().__init__(daemon=True)
        self._check = check
        self._interval_s = interval_s
        self._deadline = time.monotonic() + timeout_s
        self._stop_event = threading.Event()
        self.at: float | None = None
        self.value: object = None
        self.start()

    def run(self) -> None:
        while not self._stop_event.is_set() and time.monotonic() < self._deadline:
            value = self._check()
            if value:
                self.at, self.value = time.monotonic(), value
                return
            self._stop_event.wait(self._interval_s)

    def result(self, timeout_s: float) -> tuple[float | None, object]:
        self.join(timeout_s)
        self._stop_event.set()
        return self.at, self.value


def run_failover(
    mode: str, work_dir: Path, log: Log = print, control_plane: ControlPlane | None = None
) -> FailoverResult:
    """Start everything, kill -9 the JobManager, start it again, measure and check.

    Without ``control_plane`` the run starts (and stops) its own."""
    with LocalCluster(mode, work_dir, log, control_plane) as cluster, cluster.described_on_failure():
        return _failover(cluster.start(), log)


def _failover(cluster: LocalCluster, log: Log) -> FailoverResult:
    rest = cluster.rest
    job_id = run_to_checkpoints(cluster.wait, rest, log, time.monotonic())
    port_before = cluster.wait("the bound RPC port", rest.rpc_port, SERVICE_SYNC_TIMEOUT_S)
    if port_before not in listening_ports(cluster.jobmanagers[-1].pid):
        raise AssertionError(f"REST reports rpc port {port_before}, the JobManager does not listen on it")
    cluster.wait(
        "the Service's rpc port to equal the bound port",
        lambda: cluster.service_rpc_port() == port_before,
        SERVICE_SYNC_TIMEOUT_S,
    )
    tms_before = tuple(sorted(rest.taskmanager_ids()))
    patches_before = cluster.patch_count()
    log(
        f"  before kill: rpc port {port_before} (Service {cluster.service_rpc_port()}, {patches_before} patches), "
        f"taskmanagers {list(tms_before)}"
    )

    # kill -9 right after a checkpoint completes, then start the JobManager again at once.
    at_kill = end_after_checkpoint(cluster.jobmanager_log(), cluster.jobmanagers[-1].kill9, tms_before)
    killed_at = at_kill.at
    # Watch for the new REST answering (a short client timeout, so a request stuck while
    # the server starts cannot hide the moment it answers; every 0.1 s, as finer polling
    # would load the starting JobManager) and for the Service's port changing.
    rest_seen = FirstSeen(FlinkRest(cluster.ports.rest, timeout_s=0.5).rpc_port, POLL_S, FAILOVER_TIMEOUT_S)
    patched_seen = FirstSeen(
        lambda: cluster.service_rpc_port() if cluster.service_rpc_port() != port_before else None,
        0.02,
        FAILOVER_TIMEOUT_S,  # in-process: costs the JobManager nothing
    )
    cluster.start_jobmanager()
    exec_at = time.monotonic()
    cluster.wait("the job to run again", lambda: rest.job_fully_running(job_id), FAILOVER_TIMEOUT_S, POLL_S)
    running_at = time.monotonic()
    rest_at, port_after_value = rest_seen.result(AFTER_RESTORE_TIMEOUT_S)
    if rest_at is None or not isinstance(port_after_value, int):
        raise AssertionError("the new JobManager's REST never reported its rpc port")
    port_after = port_after_value
    if mode_is_sidecar(cluster):
        patched_at, _ = patched_seen.result(SERVICE_SYNC_TIMEOUT_S)
        if port_after == port_before:
            patched_at = rest_at  # the same random port again: nothing to patch
    else:
        time.sleep(QUIET_AFTER_RESTORE_S)
        patched_at, _ = patched_seen.result(0)
    log(
        f"  after kill: REST {rest_at - killed_at:.2f}s, RUNNING {running_at - killed_at:.2f}s, "
        f"rpc port {port_after}, Service {cluster.service_rpc_port()}"
    )

    after = check_after_restore(cluster.wait, rest, job_id, cluster.side_channel)
    phases = log_milestones(cluster.jobmanager_log(), JOBMANAGER_MILESTONES, at_kill.wall)
    phases["jm_exec"] = exec_at - killed_at  # BashJavaUtils ran, the JobManager's JVM is starting
    phases.update(log_milestones(cluster.zookeeper.log_file, ZOOKEEPER_MILESTONES, at_kill.wall))
    return FailoverResult(
        mode=cluster.mode,
        failover_s=running_at - killed_at,
        rest_s=rest_at - killed_at,
        patch_s=_patch_s(patched_at, killed_at, phases) if mode_is_sidecar(cluster) else None,
        port_before=port_before,
        port_after=port_after,
        service_port_after=cluster.service_rpc_port(),
        port_bound_after=port_after in listening_ports(cluster.jobmanagers[-1].pid),
        patch_requests=cluster.patch_count(),
        patches_after_kill=cluster.patch_count() - patches_before,
        at_kill=at_kill,
        after=after,
        phases=phases,
        work_dir=cluster.work_dir,
    )


def _patch_s(patched_at: float | None, killed_at: float, phases: dict[str, float]) -> float | None:
    """Seconds from the new JobManager's leadership (from then on its REST API can report
    the port; the log's millisecond time) to the Service seen patched (polled every 0.02 s).

    Not from our own first REST answer: the sidecar polls REST too and often sees the new
    port before our poller does, which made the difference negative."""
    if patched_at is None or "leader" not in phases:
        return None
    return patched_at - killed_at - phases["leader"]


def mode_is_sidecar(cluster: LocalCluster) -> bool:
    return cluster.mode == "sidecar"
