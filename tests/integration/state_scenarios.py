"""State safety (issue 17): after the upgrade chain of ``upgrade_scenarios``, on the same
ZooKeeper, shared volume and job:

9. ``cancel-restart``: the job is cancelled through REST; the JobManager exits, as an
   application cluster does, and starts again: the start step refuses (the job-result-store
   says CANCELED); ``resume --latest`` (``infra.flink_ops``); it restores the latest checkpoint;
10. ``stop-restart``: stop-with-savepoint through REST; refused (SUCCEEDED); ``resume
    --savepoint`` that savepoint; it restores it;
11. ``metadata-lost``: the cluster's ZooKeeper nodes are deleted while the JobManager is
    down; refused (checkpoints on the volume, none in ZooKeeper); ``resume --latest``;
12. ``checkpoint-collision``: a savepoint upgrade, then a stateless one: the new job (a new
    JobID) completes ``num-retained + 2`` checkpoints with none failed and no restart.

A refused start step must wait (Flink not started, REST silent) and end with status 0 on
SIGTERM, as the kubelet stops it.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import yaml

from infra.ops import flink_ops
from tests.integration.flink_logs import completed_checkpoints
from tests.integration.upgrade_cluster import JobSpec, UpgradeCluster
from tests.integration.upgrade_scenarios import (
    SCENARIOS as CHAIN_SCENARIOS,
)
from tests.integration.upgrade_scenarios import (
    Before,
    UpgradeResult,
    ready_for_upgrade,
    restarted,
    run_chain,
    savepoint_ids,
    upgrade,
    upgrade_cluster,
)
from tests.log import Log
from tests.waiting import wait_until

STATE_SCENARIOS = ("cancel-restart", "stop-restart", "metadata-lost", "checkpoint-collision")
SCENARIOS = CHAIN_SCENARIOS + STATE_SCENARIOS
EXIT_TIMEOUT_S = 60.0  # an application cluster exits shortly after its job ends
STOP_TIMEOUT_S = 120.0
CHECKPOINTS_TIMEOUT_S = 120.0
# `resume --latest` passes a retained checkpoint as --fromSavepoint: Flink loads it as an
# unclaimed snapshot, and REST reports the restore with is_savepoint true (the id is the
# checkpoint's).
RETAINED_CHECKPOINT_SHOWS_AS_SAVEPOINT = True


def run_upgrades(work_dir: Path, log: Log = print) -> list[UpgradeResult]:
    """The upgrade chain, then the state scenarios; one result per scenario, in order."""
    with upgrade_cluster(work_dir, log) as cluster:
        results = run_chain(cluster, log)
        for scenario, run in (
            ("cancel-restart", cancel_restart),
            ("stop-restart", stop_restart),
            ("metadata-lost", metadata_lost),
            ("checkpoint-collision", checkpoint_collision),
        ):
            log(f"{scenario}: {cluster.current.spec}")
            result = run(cluster, log)
            log(f"  {result.line()} {result.note}")
            results.append(result)
    return results


def cancel_restart(cluster: UpgradeCluster, log: Log) -> UpgradeResult:
    job_id, parallelism = ready_for_upgrade(cluster)
    began = time.monotonic()
    cluster.rest.send("PATCH", f"/jobs/{job_id}?mode=cancel")
    _wait_for_exit(cluster)
    jm_log = cluster.jobmanager_log()
    latest = max(set(completed_checkpoints(jm_log)) - savepoint_ids(jm_log))
    note = _refused_then_resumed(cluster, log, "is CANCELED", "latest")
    before = Before(began, parallelism, latest, RETAINED_CHECKPOINT_SHOWS_AS_SAVEPOINT)
    return restarted(cluster, "cancel-restart", cluster.current.spec, before, note)


def stop_restart(cluster: UpgradeCluster, log: Log) -> UpgradeResult:
    job_id, parallelism = ready_for_upgrade(cluster)
    began = time.monotonic()
    request = (cluster.rest.send("POST", f"/jobs/{job_id}/stop", {"drain": False}) or {})["request-id"]

    def location() -> str | None:
        answer = cluster.rest.get(f"/jobs/{job_id}/savepoints/{request}") or {}
        return (answer.get("operation") or {}).get("location")

    path = wait_until("the stop-with-savepoint's location", location, STOP_TIMEOUT_S)
    _wait_for_exit(cluster)
    savepoint = max(savepoint_ids(cluster.jobmanager_log()))
    note = _refused_then_resumed(cluster, log, "is SUCCEEDED", "savepoint", path)
    return restarted(cluster, "stop-restart", cluster.current.spec, Before(began, parallelism, savepoint, True), note)


def metadata_lost(cluster: UpgradeCluster, log: Log) -> UpgradeResult:
    job_id, parallelism = ready_for_upgrade(cluster)
    began = time.monotonic()
    cluster.jobmanagers[-1].stop()  # SIGTERM: the job is suspended, its HA data stays
    latest = max(cluster.stored_checkpoints(job_id))
    cluster.delete_ha_nodes()
    note = _refused_then_resumed(cluster, log, "HA metadata lost", "latest")
    before = Before(began, parallelism, latest, RETAINED_CHECKPOINT_SHOWS_AS_SAVEPOINT)
    return restarted(cluster, "metadata-lost", cluster.current.spec, before, note)


def checkpoint_collision(cluster: UpgradeCluster, log: Log) -> UpgradeResult:
    """A savepoint upgrade (the running JobManager in savepoint mode first), then a
    stateless one: every start of them gives the job a new JobID."""
    spec = cluster.current.spec
    for name, step in (
        ("to savepoint mode", JobSpec(slots=spec.slots, out=spec.out, mode="savepoint")),
        ("savepoint upgrade", JobSpec(slots=1, out=spec.out, mode="savepoint")),
    ):
        result = upgrade(cluster, f"checkpoint-collision ({name})", step, None, log)
        log(f"  {result.line()} {result.note}")
        if not result.ok:
            raise AssertionError(f"checkpoint-collision, {name}: {result.line()} {result.state.mismatches[:3]}")
    job_id, parallelism = ready_for_upgrade(cluster)
    began = time.monotonic()
    pre_stop = cluster.start_pre_stop()  # savepoint mode: the old JobManager takes one anyway
    pre_stop.popen.wait(STOP_TIMEOUT_S)
    cluster.jobmanagers[-1].stop()
    new_spec = JobSpec(slots=1, out="side-3", mode="stateless")
    cluster.deploy(new_spec)
    earlier = _retained_checkpoints(cluster)
    cluster.start_jobmanager()
    new_job = cluster.wait("the new job to be submitted", cluster.rest.single_job_id, 240.0)
    wanted = _num_retained(cluster) + 2
    cluster.wait(
        f"{wanted} completed checkpoints of the new job",
        lambda: cluster.rest.completed_count(new_job) >= wanted,
        CHECKPOINTS_TIMEOUT_S,
    )
    status = flink_ops.status(
        flink_ops.Flink(cluster.rest.base, flink_ops.local_shell(cluster.environment(cluster.current)))
    )
    checkpoints = cluster.rest.checkpoints(new_job) or {}
    counts = checkpoints.get("counts") or {}
    # A trigger before every task runs fails before a checkpoint exists (counted in
    # counts.failed, absent from the history); a collision fails a checkpoint itself.
    failed = sorted(c.get("id") for c in checkpoints.get("history") or [] if c.get("status") == "FAILED")
    problems = []
    if new_job == job_id:
        problems.append(f"the stateless start kept JobID {job_id}")
    if failed:
        problems.append(f"failed checkpoints {failed}")
    if "already exists" in cluster.jobmanager_log().read_text(errors="replace"):
        problems.append("a checkpoint file of an earlier run was in the way")
    if status.get("restarts"):
        problems.append(f"{status['restarts']} restarts")
    collisions = sorted(n for n in earlier if n <= wanted)
    note = (
        f"(new JobID {new_job}, was {job_id}; {counts.get('completed')} checkpoints, failed {failed or 'none'} "
        f"({counts.get('failed')} triggers before every task ran), "
        f"{status.get('restarts')} restarts; earlier runs' retained chk ids it reached: {collisions or 'none'})"
    )
    result = restarted(cluster, "checkpoint-collision", new_spec, Before(began, parallelism, None, False), note)
    return dataclasses.replace(result, problems=tuple(problems))


def _refused_then_resumed(cluster: UpgradeCluster, log: Log, reason: str, *request: str) -> str:
    """The JobManager starts again and its start step refuses; the operations command
    records ``request``; the kubelet stops the waiting container; the JobManager starts."""
    waiting = cluster.start_refused()
    refusal = cluster.refusal() or ""
    if reason not in refusal:
        raise AssertionError(f"refused for {refusal!r}, expected {reason!r}")
    if cluster.rest.get("/config") is not None:
        raise AssertionError("the REST API answers while the start step refuses")
    answer = flink_ops.request_start(flink_ops.local_shell(cluster.environment(cluster.current)), *request)
    log(f"  refused: {refusal}; ops: {answer}")
    waiting.stop()
    if waiting.popen.returncode != 0:
        raise AssertionError(f"the refused start step ended with {waiting.popen.returncode} on SIGTERM")
    cluster.start_jobmanager()
    return f"(refused: {refusal}; {answer})"


def _wait_for_exit(cluster: UpgradeCluster) -> None:
    jobmanager = cluster.jobmanagers[-1]
    wait_until("the JobManager to exit after its job ended", lambda: not jobmanager.alive(), EXIT_TIMEOUT_S)


def _retained_checkpoints(cluster: UpgradeCluster) -> set[int]:
    """Ids of the retained checkpoints of every JobID on the volume."""
    root = cluster.data_dir / "checkpoints"
    return {int(d.name.removeprefix("chk-")) for d in root.glob("*/chk-*") if (d / "_metadata").exists()}


def _num_retained(cluster: UpgradeCluster) -> int:
    config = yaml.safe_load(cluster.current.config_file.read_text())
    return int(config["execution.checkpointing.num-retained"])
