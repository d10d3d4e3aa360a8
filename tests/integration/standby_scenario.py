"""The standby failover scenario (``rpcPortMode: podIp``, two JobManagers), shared by
``test_failover`` and ``failover_bench --mode standby``.

Once the job runs on the leader and has completed checkpoints: ``stalls`` pauses of 3 s,
alternately of the ZooKeeper server and of the leading JobManager, none of which may
change the leader or restart the job (``stalls.py``); then the leader's end, right after
a checkpoint completes: ``kill`` (``kill -9``: its port refuses, the leader watch fences
its session) or ``stop`` (SIGSTOP for good: a leader that vanishes without refusing, as on
a lost node; only its session timeout ends its leadership). Measured: the end to the job
(every task) RUNNING on the other JobManager; checked: the checkpoint it restored, its
keyed state, the TaskManager's registration.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import time
from pathlib import Path

from tests.integration.after_restore import (
    AFTER_RESTORE_TIMEOUT_S,
    AfterRestore,
    RestoreVerdict,
    check_after_restore,
)
from tests.integration.before_kill import START_TIMEOUT_S, AtKill, end_after_checkpoint, run_to_checkpoints
from tests.integration.flink_logs import JOBMANAGER_MILESTONES, ZOOKEEPER_MILESTONES, log_milestones
from tests.integration.local_config import FlinkConfig
from tests.integration.scenario import FAILOVER_TIMEOUT_S, POLL_S
from tests.integration.stalls import StallOutcome, stall
from tests.integration.standby_cluster import StandbyCluster, StandbyJobManager
from tests.log import Log

CRASHES = ("kill", "stop")
STALL_TARGETS = ("zookeeper", "jobmanager")
SESSION_TIMEOUT_KEY = "high-availability.zookeeper.client.session-timeout"
WATCH_MILESTONES = {"fenced": re.compile(r" fence done ")}
NEW_LEADER_MILESTONES = {k: JOBMANAGER_MILESTONES[k] for k in ("leader", "restoring", "tasks_running")}


@dataclasses.dataclass(frozen=True)
class StandbyResult(RestoreVerdict):
    crash: str
    session_timeout_ms: int
    failover_s: float  # the leader's end -> job and all its tasks RUNNING on the other JobManager
    stalls: tuple[StallOutcome, ...]
    leader_before: str
    leader_after: str
    at_kill: AtKill
    after: AfterRestore
    phases: dict[str, float]  # seconds from the end to milestones in the logs
    work_dir: Path
    mode: str = "standby"
    patch_s: None = None  # nothing is patched in standby mode

    @property
    def spurious_failovers(self) -> int:
        return sum(s.spurious for s in self.stalls)

    def line(self) -> str:
        return (
            f"mode={self.mode} crash={self.crash} session_timeout_ms={self.session_timeout_ms} "
            f"failover_s={self.failover_s:.2f} leader={self.leader_before}->{self.leader_after} "
            f"stalls=[{' '.join(s.text() for s in self.stalls)}] spurious_failovers={self.spurious_failovers} "
            f"{self.restore_text()}"
        )


def run_standby(
    work_dir: Path, stalls: int, crash: str = "kill", log: Log = print, experiment: FlinkConfig | None = None
) -> StandbyResult:
    """Start everything, stall ``stalls`` times, end the leader (``crash``), measure and check."""
    if crash not in CRASHES:
        raise ValueError(f"crash {crash!r}: one of {', '.join(CRASHES)}")
    with StandbyCluster(work_dir, log, experiment) as cluster, cluster.described_on_failure():
        return _standby(cluster.start(), stalls, crash, log)


def _standby(cluster: StandbyCluster, stalls: int, crash: str, log: Log) -> StandbyResult:
    started = time.monotonic()
    leader = cluster.wait("one leading JobManager", cluster.leader, START_TIMEOUT_S)
    job_id = run_to_checkpoints(cluster.wait, leader.rest, log, started, f" on {leader.name}")
    # The Services publish both JobManagers: the standby's REST API must show the leader's job.
    standby = cluster.other(leader)
    cluster.wait(
        f"{standby.name}'s REST API (the standby) to show the job RUNNING",
        lambda: standby.rest.job_fully_running(job_id),
        START_TIMEOUT_S,
    )
    log(f"  {standby.name} (standby) serves the leader's job through its REST API")

    outcomes: list[StallOutcome] = []
    for index in range(stalls):
        outcome = stall(cluster, STALL_TARGETS[index % len(STALL_TARGETS)])
        log(f"  stall {index + 1}/{stalls} {outcome.text()} load1={os.getloadavg()[0]:.1f}")
        outcomes.append(outcome)
        if outcome.spurious:  # measure the kill on a running job still
            _wait_running(cluster, job_id)
    cluster.check_alive()

    leader = cluster.wait("one leading JobManager", cluster.leader, START_TIMEOUT_S)
    successor = cluster.other(leader)
    tms_before = tuple(sorted(leader.rest.taskmanager_ids()))
    at_kill = end_after_checkpoint(leader.log_file, lambda: _end(leader, crash), tms_before)
    after = successor.rest
    cluster.wait(
        "the job to run on the other JobManager", lambda: after.job_fully_running(job_id), FAILOVER_TIMEOUT_S, POLL_S
    )
    running_at = time.monotonic()
    log(f"  after {crash} of {leader.name}: RUNNING on {successor.name} {running_at - at_kill.at:.2f}s")
    cluster.wait(
        "the successor's role file to say leader", lambda: cluster.leader() is successor, AFTER_RESTORE_TIMEOUT_S
    )

    restored = check_after_restore(cluster.wait, after, job_id, cluster.side_channel)
    phases = log_milestones(successor.log_file, NEW_LEADER_MILESTONES, at_kill.wall)
    for jobmanager in cluster.jobmanagers:
        phases.update(log_milestones(jobmanager.watch_log, WATCH_MILESTONES, at_kill.wall))
    phases.update(log_milestones(cluster.zookeeper.log_file, ZOOKEEPER_MILESTONES, at_kill.wall))
    if leader.process is not None and crash == "stop":
        leader.process.kill9()  # SIGKILL ends a stopped process too
    return StandbyResult(
        crash=crash,
        session_timeout_ms=int(cluster.effective[SESSION_TIMEOUT_KEY]),
        failover_s=running_at - at_kill.at,
        stalls=tuple(outcomes),
        leader_before=leader.name,
        leader_after=successor.name,
        at_kill=at_kill,
        after=restored,
        phases=phases,
        work_dir=cluster.work_dir,
    )


def _wait_running(cluster: StandbyCluster, job_id: str) -> None:
    leader = cluster.wait("one leading JobManager", cluster.leader, START_TIMEOUT_S)
    cluster.wait("the job to run", lambda: leader.rest.job_fully_running(job_id), FAILOVER_TIMEOUT_S)


def _end(leader: StandbyJobManager, crash: str) -> None:
    if leader.process is None:
        raise RuntimeError(f"{leader.name} is not running")
    if crash == "kill":
        leader.process.kill9()
    else:
        os.kill(leader.process.pid, signal.SIGSTOP)
