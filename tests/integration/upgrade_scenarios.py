"""Upgrades of a running job, one after the other on one ZooKeeper and one shared volume.

Shared by ``test_upgrades`` and ``upgrade_bench`` (``state_scenarios`` continues the
chain: a job that ends, lost metadata, checkpoint collisions). The chain (each step is what a
``pulumi up`` with that change does to the pods):

0. start: savepoint mode, parallelism 1, side channel ``side-1``;
1. ``savepoint``: parallelism 1 -> 2; the old JobManager's pre-stop step takes a
   savepoint, the new one starts the new graph from it;
2. ``kill-during-savepoint``: parallelism 2 -> 1; the old JobManager is killed (-9)
   while its pre-stop savepoint is in flight, so no savepoint is recorded and the new
   one falls back to last-state (``savepointFallback: last-state``);
3. ``restart``: nothing of the job changes (the upgrade mode becomes last-state): plain
   HA recovery from the latest checkpoint, as a crash or a node drain;
4. ``scale-up`` 1 -> 2, 5. ``scale-down`` 2 -> 1 with fewer slots, 6. ``args`` (the job
   writes to ``side-2``): last-state upgrades;
7. ``kill-during-last-state``: 1 -> 2, the new JobManager is killed (-9) right after
   its start step replaced the job graph, before the new job's first checkpoint, and
   started again;
8. ``start-from``: the operations commands (``infra.flink_ops``) against the running
   job: ``status``, ``savepoint``, ``savepoints``, ``start-from`` that savepoint, then a
   JobManager restart with nothing changed: the job starts from that savepoint.

Each step ends with every task RUNNING at the new parallelism, and is checked: the
snapshot it restored (REST ``/checkpoints``), the job's own view of it and its keyed
state (``state_check`` over every side channel).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from collections.abc import Iterator
from pathlib import Path

from infra.ops import flink_ops
from tests.integration import state_check
from tests.integration.flink_logs import completed_checkpoints, wait_for_new_checkpoint
from tests.integration.upgrade_cluster import JobSpec, UpgradeCluster
from tests.integration.zookeeper_server import ZooKeeperServer
from tests.log import Log
from tests.waiting import wait_until

START_TIMEOUT_S = 240.0
CHECKPOINTS_TIMEOUT_S = 120.0
PRE_STOP_TIMEOUT_S = 120.0
AFTER_RESTORE_TIMEOUT_S = 60.0
CHECKPOINTS_BEFORE_UPGRADE = 2
# Flink logs savepoints as "Completed checkpoint N" too; their trigger line tells them apart.
SAVEPOINT_TRIGGERED = re.compile(r"Triggering checkpoint (\d+) \(type=SavepointType")
SCENARIOS = (
    "savepoint",
    "kill-during-savepoint",
    "restart",
    "scale-up",
    "scale-down",
    "args",
    "kill-during-last-state",
    "start-from",
)


@dataclasses.dataclass(frozen=True)
class UpgradeResult:
    scenario: str
    mode: str
    parallelism_before: int
    parallelism_after: int
    expected_parallelism: int
    restored_id: int | None
    restored_is_savepoint: bool | None
    latest_before: int | None  # the savepoint taken for the upgrade, else the latest checkpoint; None: start empty
    expect_savepoint: bool
    job_saw_restore_from: int | None
    state: state_check.StateReport
    to_running_s: float  # upgrade begins (pre-stop or SIGTERM) -> every task RUNNING at the new parallelism
    note: str = ""
    ops_status: dict[str, object] | None = None  # infra.flink_ops status before the upgrade
    problems: tuple[str, ...] = ()  # what the scenario checks beyond the restore

    @property
    def state_lost(self) -> bool:
        """The job ran again without the state it should have: not the named snapshot."""
        if self.latest_before is None:
            return self.restored_id is not None
        return self.restored_id != self.latest_before or self.job_saw_restore_from != self.latest_before

    @property
    def ok(self) -> bool:
        return (
            self.parallelism_after == self.expected_parallelism
            and not self.state_lost
            and (self.latest_before is None or self.restored_is_savepoint is self.expect_savepoint)
            and not self.state.mismatches
            and not self.problems
        )

    def line(self) -> str:
        restored = f"{self.restored_id}{' (savepoint)' if self.restored_is_savepoint else ''}"
        return (
            f"scenario={self.scenario} mode={self.mode} "
            f"parallelism={self.parallelism_before}->{self.parallelism_after} restored={restored} "
            f"latest_before={self.latest_before} state_mismatches={len(self.state.mismatches)} "
            f"to_running_s={self.to_running_s:.1f} state_lost={int(self.state_lost)}"
        )


@contextlib.contextmanager
def upgrade_cluster(work_dir: Path, log: Log) -> Iterator[UpgradeCluster]:
    with ZooKeeperServer(work_dir / "zookeeper") as zookeeper, UpgradeCluster(work_dir, zookeeper, log) as cluster:
        try:
            yield cluster
        except BaseException:
            with contextlib.suppress(Exception):
                log(cluster.describe())
            raise


def run_chain(cluster: UpgradeCluster, log: Log) -> list[UpgradeResult]:
    """Start the job and run the chain; one result per scenario, in order."""
    results: list[UpgradeResult] = []
    spec = JobSpec(slots=1, out="side-1", mode="savepoint")
    cluster.deploy(spec)
    cluster.start_taskmanager()
    cluster.start_jobmanager()
    steps: list[tuple[str, JobSpec, str | None]] = [
        ("savepoint", dataclasses.replace(spec, slots=2), None),
        ("kill-during-savepoint", dataclasses.replace(spec, slots=1), "savepoint"),
        ("restart", dataclasses.replace(spec, slots=1, mode="last-state"), None),
        ("scale-up", JobSpec(slots=2, out="side-1", mode="last-state"), None),
        ("scale-down", JobSpec(slots=1, out="side-1", mode="last-state"), None),
        ("args", JobSpec(slots=1, out="side-2", mode="last-state"), None),
        ("kill-during-last-state", JobSpec(slots=2, out="side-2", mode="last-state"), "restore"),
        ("start-from", JobSpec(slots=2, out="side-2", mode="last-state"), None),
    ]
    for scenario, new_spec, kill in steps:
        log(f"{scenario}: {cluster.current.spec} -> {new_spec}")
        result = upgrade(cluster, scenario, new_spec, kill, log)
        log(f"  {result.line()} {result.note}")
        results.append(result)
    return results


def ready_for_upgrade(cluster: UpgradeCluster) -> tuple[str, int]:
    """The job id and its parallelism, once it runs and has completed checkpoints."""
    rest = cluster.rest
    job_id = cluster.wait("the job to be submitted", rest.single_job_id, START_TIMEOUT_S)
    cluster.wait("the job to run", lambda: rest.job_fully_running(job_id), START_TIMEOUT_S)

    cluster.wait(
        f"{CHECKPOINTS_BEFORE_UPGRADE} completed checkpoints",
        lambda: rest.completed_count(job_id) >= CHECKPOINTS_BEFORE_UPGRADE,
        CHECKPOINTS_TIMEOUT_S,
    )
    parallelism = cluster.wait("the job's parallelism", lambda: cluster.job_parallelism(job_id), 30)
    # Right after a checkpoint completes: the next one is an interval away.
    wait_for_new_checkpoint(cluster.jobmanager_log(), CHECKPOINTS_TIMEOUT_S)
    return job_id, parallelism


def upgrade(cluster: UpgradeCluster, scenario: str, spec: JobSpec, kill: str | None, log: Log) -> UpgradeResult:
    job_id, parallelism_before = ready_for_upgrade(cluster)
    old = cluster.current
    old_jobmanager = cluster.jobmanagers[-1]
    recorded = cluster.state_dir / "savepoint"
    began = time.monotonic()
    savepoint_id: int | None = None
    note = ""
    ops_status = None
    requested = None
    if scenario == "start-from":
        flink = flink_ops.Flink(cluster.rest.base, flink_ops.local_shell(cluster.environment(old)))
        ops_status = flink_ops.status(flink)
        requested = flink_ops.trigger_savepoint(flink)
        if requested not in flink_ops.list_savepoints(flink):
            raise AssertionError(f"`savepoints` does not list {requested}: {flink_ops.list_savepoints(flink)}")
        flink_ops.request_start(flink.shell, "savepoint", requested)
        log(f"  ops: status {ops_status}; savepoint {requested}; start-from requested")
    if old.spec.mode == "savepoint":
        pre_stop = cluster.start_pre_stop()
        if kill == "savepoint":
            wait_until_logged(pre_stop.log_path, "savepoint triggered", PRE_STOP_TIMEOUT_S)
            old_jobmanager.kill9()
        pre_stop.popen.wait(PRE_STOP_TIMEOUT_S)
        log(f"  pre-stop: {pre_stop.log_tail(3)}")
    old_jobmanager.stop()  # SIGTERM, as the kubelet after the pre-stop hook
    savepoints = set(completed_checkpoints(cluster.jobmanager_log())) & savepoint_ids(cluster.jobmanager_log())
    latest_checkpoint = max(cluster.stored_checkpoints(job_id))
    if requested is not None:
        savepoint_id = max(savepoints)
        note = f"(start-from savepoint {savepoint_id} at {requested})"
    elif recorded.exists():
        savepoint_id = max(savepoints)
        note = f"(savepoint {savepoint_id} at {recorded.read_text().strip()})"
    elif kill == "savepoint":
        note = (
            f"(killed during the pre-stop savepoint: none recorded, fallback last-state; "
            f"savepoints completed in Flink before the kill: {sorted(savepoints) or 'none'})"
        )
    if cluster.deploy(spec).fingerprint == old.fingerprint and requested is None:
        if savepoint_id is not None:
            note = f"(nothing of the job changed: HA recovery; the pre-stop savepoint {savepoint_id} is not used)"
        savepoint_id = None
    if spec.slots != old.spec.slots:  # the TaskManager pods roll with the new slot count
        cluster.taskmanagers[-1].stop()
        cluster.start_taskmanager()
    cluster.start_jobmanager()
    if kill == "restore":
        cluster.wait("the new job graph to be submitted", cluster.rest.single_job_id, START_TIMEOUT_S, 0.05)
        checkpoints = completed_checkpoints(cluster.jobmanager_log())
        cluster.jobmanagers[-1].kill9()
        note = f"(killed after the job graph was replaced; checkpoints by the new job before the kill: {checkpoints})"
        cluster.start_jobmanager()
    latest_before = savepoint_id if savepoint_id is not None else latest_checkpoint
    return restarted(
        cluster,
        scenario,
        spec,
        Before(began, parallelism_before, latest_before, savepoint_id is not None),
        note,
        ops_status,
    )


@dataclasses.dataclass(frozen=True)
class Before:
    """What a scenario knows when the old JobManager stops: the time, the parallelism, the
    snapshot the new job must restore (None: it must start empty) and its kind."""

    began: float
    parallelism: int
    latest: int | None
    savepoint: bool


def restarted(
    cluster: UpgradeCluster,
    scenario: str,
    spec: JobSpec,
    before: Before,
    note: str = "",
    ops_status: dict[str, object] | None = None,
) -> UpgradeResult:
    """The result, once the new JobManager runs every task at ``spec``'s parallelism."""
    rest = cluster.rest
    new_job = cluster.wait("the job to be submitted", rest.single_job_id, START_TIMEOUT_S)
    cluster.wait(
        f"every task RUNNING at parallelism {spec.slots}",
        lambda: rest.job_fully_running(new_job) and cluster.job_parallelism(new_job) == spec.slots,
        START_TIMEOUT_S,
        0.1,
    )
    to_running_s = time.monotonic() - before.began
    restored: dict[str, object] = {}
    # A start without state begins a new history: its checkpoint ids start again at 1, so
    # only its own side channel is comparable with its snapshots.
    channels = cluster.side_channels() if before.latest is not None else [cluster.work_dir / spec.out]
    if before.latest is not None:
        restored = cluster.wait(
            "the restored snapshot in /checkpoints", lambda: rest.latest(new_job, "restored"), AFTER_RESTORE_TIMEOUT_S
        )
        cluster.wait(
            "a record of every key after the restore",
            lambda: state_check.keys_seen_after_restore(channels) >= state_check.KEYS,
            AFTER_RESTORE_TIMEOUT_S,
        )
    state = state_check.check(channels)
    restored_id = restored.get("id")
    return UpgradeResult(
        scenario=scenario,
        mode=spec.mode,
        parallelism_before=before.parallelism,
        parallelism_after=cluster.job_parallelism(new_job) or 0,
        expected_parallelism=spec.slots,
        restored_id=int(str(restored_id)) if restored_id is not None else None,
        restored_is_savepoint=is_savepoint if isinstance(is_savepoint := restored.get("is_savepoint"), bool) else None,
        latest_before=before.latest,
        expect_savepoint=before.savepoint,
        job_saw_restore_from=state.restored_from,
        state=state,
        to_running_s=to_running_s,
        note=note,
        ops_status=ops_status,
    )


def savepoint_ids(log_file: Path) -> set[int]:
    return {int(m.group(1)) for m in SAVEPOINT_TRIGGERED.finditer(log_file.read_text(errors="replace"))}


def wait_until_logged(path: Path, text: str, timeout_s: float) -> None:
    def logged() -> bool:
        return path.exists() and text in path.read_text(errors="replace")

    wait_until(f"{text!r} in {path}", logged, timeout_s, 0.01)
