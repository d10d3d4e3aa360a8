"""What a failover scenario does up to the JobManager's end, and what it records then: the
job running with completed checkpoints, then the end right after a checkpoint completes
(the next one is an interval away, so the latest completed checkpoint at the end is known
without a race). Shared by the single-JobManager scenario (``scenario``) and the standby one
(``standby_scenario``); ``after_restore`` checks what follows."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path

from tests.integration.flink_logs import completed_checkpoints, wait_for_new_checkpoint
from tests.integration.flink_rest import FlinkRest
from tests.integration.process_group import Waits
from tests.log import Log

CHECKPOINTS_BEFORE_KILL = 2
START_TIMEOUT_S = 120.0
CHECKPOINTS_TIMEOUT_S = 60.0


@dataclasses.dataclass(frozen=True)
class AtKill:
    at: float  # time.monotonic() right before the end
    wall: float  # time.time() right before the end (the logs' clock)
    load: float  # the machine's 1-minute load average right after it (other work skews timings)
    checkpoints: int  # the checkpoints the ended JobManager completed
    latest_completed: int
    taskmanager_ids: tuple[str, ...]  # registered before the end


def run_to_checkpoints(wait: Waits, rest: FlinkRest, log: Log, started: float, where: str = "") -> str:
    """Wait for the job to run (every task) and complete ``CHECKPOINTS_BEFORE_KILL`` checkpoints; its id."""
    job_id = wait("the job to be submitted", rest.single_job_id, START_TIMEOUT_S)
    wait("the job to run", lambda: rest.job_fully_running(job_id), START_TIMEOUT_S)
    log(f"  job {job_id} RUNNING{where} {time.monotonic() - started:.1f}s after start")
    wait(
        f"{CHECKPOINTS_BEFORE_KILL} completed checkpoints",
        lambda: rest.completed_count(job_id) >= CHECKPOINTS_BEFORE_KILL,
        CHECKPOINTS_TIMEOUT_S,
        0.25,
    )
    return job_id


def end_after_checkpoint(log_file: Path, end: Callable[[], None], taskmanager_ids: tuple[str, ...]) -> AtKill:
    """Call ``end`` right after the JobManager logging to ``log_file`` completes a checkpoint."""
    wait_for_new_checkpoint(log_file, CHECKPOINTS_TIMEOUT_S)
    at, wall = time.monotonic(), time.time()
    end()
    load = os.getloadavg()[0]
    completed = completed_checkpoints(log_file)
    return AtKill(at, wall, load, len(set(completed)), max(completed), taskmanager_ids)
