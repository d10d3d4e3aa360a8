"""Stalls that must not fail over: pause a process (SIGSTOP), resume it (SIGCONT), then
look for any sign of a leadership change or a job restart.

A stall counts as a spurious failover when, from its start until the job has completed a
checkpoint after it (and at least ``SETTLE_S`` after the resume), any of these shows:
another JobManager leads (role files), a leader watch saw the leader change, a JobManager
log says leadership was granted or revoked, the job left RUNNING (the JobManager logs),
or the job started a new execution (the side channel's START lines).
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import time

from tests.integration import state_check
from tests.integration.flink_logs import completed_checkpoints, log_milestones
from tests.integration.processes import ManagedProcess
from tests.integration.standby_cluster import StandbyCluster
from tests.waiting import wait_until

STALL_S = 3.0
SETTLE_S = 5.0  # after the resume: a session the stall expired is noticed within ~1 s
CHECKPOINT_TIMEOUT_S = 60.0
JOBMANAGER_SIGNS = {
    "leadership_changed": re.compile(r"(granted|revoked) (the )?leadership"),
    "job_left_running": re.compile(r"Job \S+ \(\w+\) switched from state RUNNING to"),
}
WATCH_SIGNS = {"leader_changed": re.compile(r" leader address=")}


@dataclasses.dataclass(frozen=True)
class StallOutcome:
    target: str  # zookeeper or jobmanager
    signs: tuple[str, ...]  # what showed a failover; empty: none

    @property
    def spurious(self) -> bool:
        return bool(self.signs)

    def text(self) -> str:
        return f"{self.target}:{'+'.join(self.signs) or 'ok'}"


def pause(process: ManagedProcess, seconds: float) -> None:
    """SIGSTOP, wait, SIGCONT: a process frozen as by a long GC pause or a throttled CPU."""
    os.kill(process.pid, signal.SIGSTOP)
    try:
        time.sleep(seconds)
    finally:
        os.kill(process.pid, signal.SIGCONT)


def _checkpoints(cluster: StandbyCluster) -> int:
    return sum(len(completed_checkpoints(jm.log_file)) for jm in cluster.jobmanagers)


def stall(cluster: StandbyCluster, target: str) -> StallOutcome:
    """Pause ZooKeeper or the leading JobManager for STALL_S, let the cluster settle,
    report any failover sign."""
    leader = cluster.leader()
    if leader is None or leader.process is None or cluster.zookeeper.process is None:
        raise RuntimeError("no single leader (or ZooKeeper) to stall")
    process = cluster.zookeeper.process if target == "zookeeper" else leader.process
    executions_before = len(state_check.parse(cluster.side_channel).executions)
    checkpoints_before = _checkpoints(cluster)
    started_wall = time.time()
    pause(process, STALL_S)
    resumed = time.monotonic()
    signs: list[str] = []
    try:  # on whichever JobManager leads by then
        wait_until(
            "a checkpoint after the stall", lambda: _checkpoints(cluster) > checkpoints_before, CHECKPOINT_TIMEOUT_S
        )
    except TimeoutError:
        signs.append("no_checkpoint_after")
    time.sleep(max(0.0, SETTLE_S - (time.monotonic() - resumed)))
    for jobmanager in cluster.jobmanagers:
        signs += log_milestones(jobmanager.log_file, JOBMANAGER_SIGNS, started_wall)
        signs += log_milestones(jobmanager.watch_log, WATCH_SIGNS, started_wall)
    if cluster.leader() is not leader:
        signs.append("role_files_changed")
    if len(state_check.parse(cluster.side_channel).executions) != executions_before:
        signs.append("job_restarted")
    return StallOutcome(target, tuple(sorted(set(signs))))
