"""Day two on the node's pods: the scenarios of ``python -m tests.node.bench`` and of
``test_stack_day_two``, one after the other on one deployed stack, while a generator on the host
writes 100 events/s to the input topic the whole time.

- ``first-up``: the deployment's ``pulumi up`` (``up_s``) and the job running after it;
- ``pod-delete``: the JobManager pod deleted (the Deployment makes a new one);
- ``container-kill``: the JobManager container's main process killed (SIGKILL, its host PID
  from containerd): the kubelet restarts the container;
- ``stuck-job``: the JobManager's liveness probe, run as the pod renders it, passes; then the
  running job's checkpoint directory on the shared volume's host path loses its write
  permission (``chmod a-w``: the pods' user owns it, so ``chk-N`` cannot be made): the job
  runs on (or fails over) and completes no checkpoint, the liveness probe fails after
  ``unhealthyAfter`` (a Warning ``Unhealthy`` event with its message), the kubelet restarts
  the container in the same pod (``restartCount`` + 1); the permission comes back once that
  restart is seen, and the job recovers from the latest checkpoint through HA;
- ``up-scale``: ``up`` with taskManagers 1 -> 2 (last-state): the JobManager restarts, the
  TaskManagers roll (the rolling update adds one before it removes one), the new job graph
  starts from the latest checkpoint at parallelism 2 and runs there for the rest of the
  chain (the node stack requests 250m per TaskManager: ``stack.TASK_MANAGER_CPU``);
- ``to-savepoint-mode``: ``up`` with upgradeMode savepoint alone (the stack's own advice:
  the running JobManager takes a savepoint only if it already runs in savepoint mode): the
  JobManager pod rolls, the job graph is unchanged (HA recovery);
- ``up-savepoint``: ``up`` with a job change (the checkpoint interval) in savepoint mode: the
  old pod's real pre-stop hook takes a savepoint within the grace period, the new job graph
  starts from it;
- ``ops-start-from``: the operations commands (``python -m infra.flink_ops``) through real
  ``kubectl port-forward`` and ``kubectl exec``: ``status``, ``savepoint``, ``savepoints``,
  then ``start-from`` that savepoint (the command restarts the JobManager's Deployment; the
  old pod's pre-stop hook takes one more savepoint, which the requested start overrides):
  the job must restore exactly the savepoint asked for.

Each after the first must restore (REST ``/checkpoints`` of the new job: ``restored``) at
least the newest snapshot completed before that restore (``snapshots.SnapshotWatch``: the
REST API of every JobManager pod and the host path), the savepoint when one was taken, and
every (device, second) on the output topic must hold the input's count
(``window_counts``): the job's keyed window state and source offsets came back together.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from tests.integration.flink_rest import FlinkRest
from tests.integration.kafka_accounting import window_of
from tests.integration.kafka_pipeline import OutputRecord
from tests.integration.local_config import REPO_ROOT
from tests.integration.processes import ManagedProcess
from tests.log import Log
from tests.node import containerd, flink_pods, liveness
from tests.node.deployment import Deployment
from tests.node.scenario_result import ScenarioResult, named
from tests.node.snapshots import Snapshot, SnapshotWatch
from tests.node.stack import NS
from tests.node.window_counts import behind, window_mismatches
from tests.waiting import wait_until

RUNNING_TIMEOUT_S = 300.0
RESTORE_TIMEOUT_S = 120.0
CATCH_UP_TIMEOUT_S = 180.0
CHECKPOINTS_BEFORE = 2  # completed by the running job before a scenario disturbs it
LOOKBACK_MS = 15_000  # seconds of event time before a scenario whose counts are checked with it
SETTLED_MS = 3_000  # the newest seconds not checked yet (their windows may still be open)
GENERATOR_RATE = 100
GENERATOR_SECONDS = 3600  # longer than any chain: stopped when the chain ends
DEVICES = 20
OPS_TIMEOUT_S = 600.0
# stuck-job: unhealthyAfter (60 s on the node's stack), then three failed probes 10 s apart, with room
STUCK_TIMEOUT_S = 300.0
STUCK_MESSAGE = "no checkpoint completed or in progress for"  # the liveness probe's, on a stuck job


def _flink_status(pod: dict[str, Any]) -> dict[str, Any]:
    status: dict[str, Any] = next(s for s in pod["status"]["containerStatuses"] if s["name"] == "flink")
    return status


def now_ms() -> int:
    return int(time.time() * 1000)


class DayTwo:
    """The chain on one deployment; ``close`` stops the generator and the snapshot watch."""

    def __init__(self, deployment: Deployment, log: Log = print) -> None:
        self.deployment = deployment
        self.kube = deployment.node.admin
        self.log = log
        self.parallelism = int(deployment.flink.get("taskManagers", 1))
        self.watch = SnapshotWatch(lambda: flink_pods.all_rests(self.kube), deployment.volume_dir)
        self.watch.start()
        self.generator: ManagedProcess | None = None
        self.generator_started_ms = 0

    def close(self) -> None:
        self.watch.close()
        if self.generator is not None:
            self.generator.stop()

    # --- waiting --------------------------------------------------------------------
    def running(self) -> tuple[FlinkRest, str]:
        return wait_until(
            f"the job running at parallelism {self.parallelism} on the current JobManager pod",
            lambda: flink_pods.running_job(self.kube, self.parallelism),
            RUNNING_TIMEOUT_S,
            0.1,
        )

    def ready_for_next(self) -> None:
        """The job runs and has completed a few checkpoints since it (re)started."""
        rest, job = self.running()
        wait_until(
            f"{CHECKPOINTS_BEFORE} completed checkpoints",
            lambda: rest.completed_count(job) >= CHECKPOINTS_BEFORE,
            RUNNING_TIMEOUT_S,
            0.5,
        )

    def restored_since(self, began_ms: int) -> Snapshot:
        def restored() -> Snapshot | None:
            found = flink_pods.running_job(self.kube, self.parallelism)
            if found is None:
                return None
            rest, job = found
            latest = rest.latest(job, "restored")
            if not latest or int(latest.get("restore_timestamp", 0)) < began_ms:
                return None
            return Snapshot(int(latest["id"]), int(latest["restore_timestamp"]), bool(latest.get("is_savepoint")))

        return wait_until("the job's restore (REST /checkpoints)", restored, RESTORE_TIMEOUT_S, 0.2)

    def state_since(self, since_ms: int) -> tuple[str, ...]:
        """Wrong counts of the seconds from ``since_ms`` up to a few seconds ago, once written."""
        pipeline = self.deployment.pipeline
        until = window_of(now_ms() - SETTLED_MS)

        waited_for = pipeline.input_events()  # read once: the input topic only grows

        def caught_up() -> list[OutputRecord] | None:
            records = pipeline.output_records()
            return None if behind(waited_for, records, until) else records

        records = wait_until("every device's output to reach the checked seconds", caught_up, CATCH_UP_TIMEOUT_S, 1.0)
        since = max(window_of(since_ms), window_of(self.generator_started_ms) + 1000)
        return tuple(window_mismatches(pipeline.input_events(), records, since, until))

    # --- the scenarios -----------------------------------------------------------------
    def first_up(self) -> ScenarioResult:
        """The deployment's own up; the generator starts once the job runs."""
        began = time.monotonic()
        self.running()
        to_running = self.deployment.first_up_s + (time.monotonic() - began)
        self.generator_started_ms = now_ms()
        self.generator = self.deployment.pipeline.start_generator([(GENERATOR_RATE, GENERATOR_SECONDS)], DEVICES)
        self.ready_for_next()
        restored = self._restored_now()
        mismatches = self.state_since(self.generator_started_ms)
        return ScenarioResult(
            "first-up",
            to_running,
            restored,
            None,
            mismatches,
            up_s=self.deployment.first_up_s,
            expect_restore=False,
        )

    def _restored_now(self) -> Snapshot | None:
        rest, job = self.running()
        latest = rest.latest(job, "restored")
        return Snapshot(int(latest["id"]), 0, bool(latest.get("is_savepoint"))) if latest else None

    def pod_delete(self) -> ScenarioResult:
        def delete() -> None:
            name = self._jobmanager()["metadata"]["name"]
            self.kube.must("DELETE", f"/api/v1/namespaces/{NS}/pods/{name}")

        return self._disturbed("pod-delete", delete)

    def container_kill(self) -> ScenarioResult:
        before: dict[str, Any] = {}

        def kill() -> None:  # the process of this moment: a probe may have restarted the container before
            pod = self._jobmanager()
            status = _flink_status(pod)
            before.update(uid=pod["metadata"]["uid"], restarts=status["restartCount"])
            container_id = status["containerID"].removeprefix("containerd://")
            os.kill(containerd.task_pid(self.deployment.node.containerd_home, container_id), signal.SIGKILL)

        result = self._disturbed("container-kill", kill)
        problems = _restarted_in_place(before["uid"], before["restarts"], self._jobmanager())
        return dataclasses.replace(result, problems=(*result.problems, *problems))

    def stuck_job(self) -> ScenarioResult:
        """The job's checkpoint directory unwritable: the liveness probe, passing before, fails;
        the kubelet restarts the JobManager container; made writable again, the job restores."""
        self.ready_for_next()
        healthy = self._jobmanager()
        problems = self._liveness_passes(healthy)
        marks: dict[str, Any] = {}

        def stick() -> None:  # the job keeps running, completes no checkpoint
            _, job = self.running()
            directory = self.deployment.volume_dir / "checkpoints" / job
            if not directory.is_dir():
                raise AssertionError(f"no checkpoint directory of job {job} at {directory}")
            pod = self._jobmanager()
            marks.update(uid=pod["metadata"]["uid"], restarts=_flink_status(pod)["restartCount"])
            mode = stat.S_IMODE(directory.stat().st_mode)
            marks["stuck"] = time.time()
            directory.chmod(mode & ~0o222)
            try:
                marks["after"] = wait_until(
                    "the kubelet to restart the stuck JobManager's container",
                    lambda: self._restarted(marks["uid"], marks["restarts"]),
                    STUCK_TIMEOUT_S,
                    0.5,
                )
                marks["restarted"] = time.time()
            finally:
                directory.chmod(mode)

        result = self._disturbed("stuck-job", stick)
        after: dict[str, Any] = marks["after"]
        problems += _restarted_in_place(marks["uid"], marks["restarts"], after)
        failed = [f for f in liveness.failures(self.kube, after) if f.first_s >= int(marks["stuck"])]
        stuck = [f for f in failed if STUCK_MESSAGE in f.message and f.type == "Warning"]
        if not stuck:
            problems.append(f"no Warning 'Unhealthy' event saying {STUCK_MESSAGE!r}: {failed}")
        for failure in failed:
            self.log(f"stuck-job: event Unhealthy x{failure.count}: {failure.message.strip()}")
        figures = [("restarted_after_s", marks["restarted"] - marks["stuck"])]
        if stuck:
            figures.insert(0, ("liveness_failed_after_s", stuck[0].first_s - marks["stuck"]))
        return dataclasses.replace(result, problems=(*result.problems, *problems), figures=tuple(figures))

    def _liveness_passes(self, pod: dict[str, Any]) -> list[str]:
        """Problems: the liveness probe, run as the pod renders it, does not pass; it failed before."""
        run = liveness.run(self.deployment.node, pod)
        probe = liveness.command(pod)
        shown = " ".join([*probe[:2], "<job_probe.sh>", *probe[3:]])
        self.log(f"stuck-job: the liveness probe ({shown}) exits {run.returncode} {run.stdout.strip()}")
        problems = [] if run.returncode == 0 else [f"liveness probe exits {run.returncode}: {run.stdout}{run.stderr}"]
        if earlier := liveness.failures(self.kube, pod):
            problems.append(f"liveness failed before the job was stuck: {earlier}")
        return problems

    def _restarted(self, uid: str, restarts: int) -> dict[str, Any] | None:
        """The JobManager pod once its flink container restarted (or once it is another pod)."""
        pod = flink_pods.current_jobmanager(self.kube)
        if pod is None:
            return None
        changed = pod["metadata"]["uid"] != uid or _flink_status(pod)["restartCount"] > restarts
        return pod if changed else None

    def up(self, scenario: str, savepoint: bool = False, **flink: Any) -> ScenarioResult:
        """``pulumi up`` with these flink keys; the job must restore (from the savepoint: ``savepoint``)."""
        timing: dict[str, float] = {}

        def run_up() -> None:
            run, timing["up_s"] = self.deployment.up(**flink)
            if not run.ok:
                raise AssertionError(f"pulumi up ({scenario}) failed:\n{run.stderr[-3000:]}")
            self.parallelism = int(flink.get("taskManagers", self.parallelism))  # one slot each

        result = self._disturbed(scenario, run_up, savepoint)
        return dataclasses.replace(result, up_s=timing["up_s"])

    def _jobmanager(self) -> dict[str, Any]:
        return wait_until("one JobManager pod", lambda: flink_pods.current_jobmanager(self.kube), RUNNING_TIMEOUT_S)

    def ops_start_from(self) -> ScenarioResult:
        """``status``, ``savepoint``, ``savepoints``, ``start-from`` through real kubectl."""
        self.ready_for_next()
        status = json.loads(self.ops("status"))
        path = self.ops("savepoint").strip()
        taken = self.watch.latest_before(now_ms() + 1, savepoint_only=True)
        listed = [line.strip() for line in self.ops("savepoints").splitlines()]
        problems = [] if status.get("state") == "RUNNING" else [f"`status` says {status.get('state')}"]
        if path not in listed:
            problems.append(f"`savepoints` does not list {path}: {listed}")
        self.log(f"ops: status {status.get('state')} x{status.get('parallelism')}; savepoint {path}")

        def start_from() -> None:  # the command also restarts the JobManager's Deployment
            self.ops("start-from", path)

        result = self._disturbed("ops-start-from", start_from, True, taken)
        if result.restored is None or taken is None or result.restored.id != taken.id:
            problems.append(f"restored {named(result.restored)}, asked for {named(taken)} ({path})")
        return dataclasses.replace(result, problems=tuple(problems))

    def ops(self, *command: str) -> str:
        """``python -m infra.flink_ops`` against the stack, as a user runs it (kubectl of the node)."""
        result = subprocess.run(
            [sys.executable, "-m", "infra.flink_ops", "--namespace", NS, *command],
            cwd=REPO_ROOT,
            env={**os.environ, "KUBECONFIG": str(self.deployment.node.kubeconfig)},
            capture_output=True,
            text=True,
            timeout=OPS_TIMEOUT_S,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"flink_ops {' '.join(command)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def _disturbed(
        self,
        scenario: str,
        disturb: Callable[[], None],
        savepoint: bool = False,
        expected: Snapshot | None = None,
    ) -> ScenarioResult:
        """``disturb`` the running job; the result once it runs again. ``expected``: the snapshot
        it must restore (default: the newest completed before its restore)."""
        self.ready_for_next()
        began, began_ms = time.monotonic(), now_ms()
        self.log(f"{scenario}: begins")
        disturb()
        restored = self.restored_since(began_ms)
        to_running = time.monotonic() - began
        before = expected or self.watch.latest_before(restored.completed_ms, savepoint_only=savepoint)
        mismatches = self.state_since(began_ms - LOOKBACK_MS)
        return ScenarioResult(scenario, to_running, restored, before, mismatches, expect_savepoint=savepoint)


def _restarted_in_place(uid: str, restarts_before: int, after: dict[str, Any]) -> list[str]:
    """Problems, unless ``after`` is the same pod with its flink container restarted once."""
    problems = []
    if after["metadata"]["uid"] != uid:
        problems.append("the pod was replaced: the kubelet should have restarted its container")
    restarts = _flink_status(after)["restartCount"]
    if restarts != restarts_before + 1:
        problems.append(f"restartCount {restarts_before} -> {restarts}, expected one restart")
    return problems


def run_chain(deployment: Deployment, log: Log = print, runs: int = 1) -> list[ScenarioResult]:
    """first-up, then ``runs`` × (pod-delete, container-kill), stuck-job, up-scale,
    to-savepoint-mode, up-savepoint, ops-start-from."""
    chain = DayTwo(deployment, log)
    results: list[ScenarioResult] = []

    def record(result: ScenarioResult) -> None:
        log(result.line())
        for problem in [*result.problems, *result.mismatches[:5]]:
            log(f"  {result.scenario}: {problem}")
        results.append(result)

    try:
        record(chain.first_up())
        for _ in range(runs):
            record(chain.pod_delete())
            record(chain.container_kill())
        record(chain.stuck_job())
        record(chain.up("up-scale", taskManagers=2))
        record(chain.up("to-savepoint-mode", upgradeMode="savepoint"))
        record(chain.up("up-savepoint", savepoint=True, checkpointInterval="6s"))
        record(chain.ops_start_from())
    finally:
        chain.close()
    return results
