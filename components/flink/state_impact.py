"""What ``pulumi up`` will do to the running job, told before it runs: a pure function.

A deployed stack records, as its non-secret output ``flinkJob``, what decides the job's
fate on the next ``up`` (a ``DeployedJob``): the job fingerprint that the JobManager's
start step compares (``JOB_FINGERPRINT``), digests of the JobManager's and the
TaskManagers' pod templates (a change rolls that Deployment), the TaskManager count,
parallelism, max parallelism, upgrade mode and savepoint fallback. ``state_impact``
compares that record with the one the program is about to deploy, by the rules of the
start step (``scripts/upgrade_start/decide.sh``):

- same pods: nothing happens to the job;
- only the TaskManagers' pods or count change: the JobManager keeps running, the job
  restarts its tasks from the latest checkpoint;
- the JobManager's pod changes, the fingerprint does not: the start step recovers the
  stored job graph from its latest checkpoint;
- the fingerprint changes: an upgrade by the new ``upgradeMode``. A savepoint upgrade
  needs the savepoint the *old* JobManager takes in its pre-stop step, which it only does
  when it already runs in savepoint mode: otherwise ``savepointFallback`` decides;
- refused: a max parallelism change while state is kept (Flink cannot restore keyed
  state into another number of key groups), which the program refuses at preview; and a
  savepoint upgrade with no savepoint and ``savepointFallback: refuse``, which the start
  step refuses (the old job graph keeps running).

What no stack can know before the job starts: the operator uids inside the jar. Flink
refuses to restore state that the new job graph has no operator for; every upgrade that
keeps state says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

UIDS_NOTE = (
    "operator uids are not visible before start: if the new job graph lacks an operator that has state, "
    "Flink refuses to restore and the job does not run"
)


@dataclass(frozen=True)
class DeployedJob:
    """What decides the job's fate on ``up``; the stack output ``flinkJob`` (camelCase keys)."""

    fingerprint: str  # components.flink.fingerprint.job_fingerprint: the start step's JOB_FINGERPRINT
    job_manager_pod: str  # digest of the JobManager's pod template: a change restarts it
    task_manager_pod: str  # digest of the TaskManagers' pod template: a change restarts them
    task_managers: int
    parallelism: int
    max_parallelism: int
    upgrade_mode: str  # last-state, savepoint, stateless
    savepoint_fallback: str  # refuse, last-state

    def to_output(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "jobManagerPod": self.job_manager_pod,
            "taskManagerPod": self.task_manager_pod,
            "taskManagers": self.task_managers,
            "parallelism": self.parallelism,
            "maxParallelism": self.max_parallelism,
            "upgradeMode": self.upgrade_mode,
            "savepointFallback": self.savepoint_fallback,
        }

    @staticmethod
    def from_output(value: Mapping[str, Any]) -> DeployedJob:
        """The record back from a stack output; KeyError or ValueError when it is not one."""
        return DeployedJob(
            fingerprint=str(value["fingerprint"]),
            job_manager_pod=str(value["jobManagerPod"]),
            task_manager_pod=str(value["taskManagerPod"]),
            task_managers=int(value["taskManagers"]),
            parallelism=int(value["parallelism"]),
            max_parallelism=int(value["maxParallelism"]),
            upgrade_mode=str(value["upgradeMode"]),
            savepoint_fallback=str(value["savepointFallback"]),
        )


class Kind(Enum):
    FIRST = "first deployment"
    UNRECORDED = "cannot tell"
    NOTHING = "nothing"
    TASK_MANAGERS = "TaskManagers only"
    RECOVER = "JobManager restart with recovery"
    LAST_STATE = "last-state upgrade"
    SAVEPOINT = "savepoint upgrade"
    STATELESS = "stateless upgrade"
    REFUSED = "refused"


@dataclass(frozen=True)
class Impact:
    kind: Kind
    detail: str
    refused_at_preview: bool = False  # the program stops: `up` must not run with this change

    @property
    def statement(self) -> str:
        return f"{self.kind.value}: {self.detail}"

    @property
    def needs_attention(self) -> bool:
        """State dropped, an upgrade refused, or no way to tell: a warning, not a note."""
        return self.kind in (Kind.STATELESS, Kind.REFUSED, Kind.UNRECORDED)


class Unrecorded:
    """The stack is deployed but has no ``flinkJob`` record (deployed before it had one)."""


UNRECORDED = Unrecorded()


def state_impact(previous: DeployedJob | Unrecorded | None, current: DeployedJob) -> Impact:
    """What ``up`` does to the running job when ``previous`` is deployed (None: nothing is)."""
    if previous is None:
        return Impact(Kind.FIRST, "the job starts without state")
    if isinstance(previous, Unrecorded):
        return Impact(
            Kind.UNRECORDED,
            "the deployed stack has no flinkJob record to compare with; "
            f"a changed job is applied by upgradeMode {current.upgrade_mode}",
        )
    if previous.fingerprint != current.fingerprint:
        return _upgrade(previous, current)
    if previous.job_manager_pod != current.job_manager_pod:
        also = " (the TaskManagers restart too)" if _task_managers_change(previous, current) else ""
        return Impact(
            Kind.RECOVER, f"same job graph, resumed from its latest checkpoint after the JobManager restarts{also}"
        )
    if _task_managers_change(previous, current):
        scale = (
            f"{previous.task_managers} -> {current.task_managers} TaskManagers"
            if previous.task_managers != current.task_managers
            else "TaskManager pods restart"
        )
        return Impact(
            Kind.TASK_MANAGERS, f"{scale}; the JobManager keeps running, tasks restart from the latest checkpoint"
        )
    return Impact(Kind.NOTHING, "the running job is not touched")


def _task_managers_change(previous: DeployedJob, current: DeployedJob) -> bool:
    return (previous.task_manager_pod, previous.task_managers) != (current.task_manager_pod, current.task_managers)


def _upgrade(previous: DeployedJob, current: DeployedJob) -> Impact:
    mode = current.upgrade_mode
    if mode == "stateless":
        return Impact(Kind.STATELESS, "the job changed; the new job graph starts WITHOUT state (checkpoints dropped)")
    if previous.max_parallelism != current.max_parallelism:
        return Impact(
            Kind.REFUSED,
            f"maxParallelism {previous.max_parallelism} -> {current.max_parallelism} with upgradeMode {mode}: "
            "Flink cannot restore keyed state into another number of key groups; keep "
            f"maxParallelism {previous.max_parallelism}, or start without state (upgradeMode stateless)",
            refused_at_preview=True,
        )
    rescale = (
        f", rescaled {previous.parallelism} -> {current.parallelism}"
        if previous.parallelism != current.parallelism
        else ""
    )
    if mode == "savepoint" and previous.upgrade_mode == "savepoint":
        return Impact(
            Kind.SAVEPOINT,
            "the running JobManager takes a savepoint before it stops and the new job graph starts from it"
            f"{rescale}; without a savepoint: {_fallback(current)}; {UIDS_NOTE}",
        )
    if mode == "savepoint":
        why = f"the running JobManager (upgradeMode {previous.upgrade_mode}) takes no savepoint before it stops"
        if current.savepoint_fallback == "last-state":
            return Impact(
                Kind.LAST_STATE,
                f"{why}: savepointFallback last-state; the new job graph starts from the latest completed "
                f"checkpoint{rescale}; {UIDS_NOTE}",
            )
        return Impact(
            Kind.REFUSED,
            f"{why}, and savepointFallback is refuse: the start step refuses the new job graph and keeps "
            "running the old one; deploy upgradeMode savepoint alone first, then the job change",
        )
    return Impact(
        Kind.LAST_STATE, f"the new job graph starts from the latest completed checkpoint{rescale}; {UIDS_NOTE}"
    )


def _fallback(current: DeployedJob) -> str:
    if current.savepoint_fallback == "last-state":
        return "from the latest completed checkpoint (savepointFallback last-state)"
    return "refused by the start step, the old job graph keeps running (savepointFallback refuse)"
