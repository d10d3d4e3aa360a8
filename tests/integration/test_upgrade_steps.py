"""The JobManager's start step (``upgrade_scripts.UPGRADE_AT_START``) against a real ZooKeeper.

ZooKeeper nodes laid out as Flink 1.20.5 lays them out (``/flink/<cluster-id>/jobgraphs/<job>``
for the job graph, ``/flink/<cluster-id>/jobs/<job>/...`` for its checkpoints; the
upgrade scenarios of ``test_upgrades`` run them with real Flink), the ZooKeeper CLI that
Flink ships shaded in flink-dist, the records on a local "shared volume". One sequence of
starts on one server, each decision checked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.flink.upgrade_scripts import ZOOKEEPER_CLI_MAIN, start_program, upgrade_environment
from tests.integration.flink_dist import FlinkDist, ensure_flink_dist
from tests.integration.zookeeper_server import ZooKeeperServer
from tests.ports import free_port

pytestmark = pytest.mark.integration

CLUSTER = "flink-aks-test"
JOB = "0000000053ef16640000000000000000"
GRAPH = f"/flink/{CLUSTER}/jobgraphs/{JOB}"
CHECKPOINTS = f"/flink/{CLUSTER}/jobs/{JOB}/checkpoints"
# The container's program with an entrypoint that prints the arguments it is given.
PROGRAM = start_program("printf 'ARG %s\\n'")
REFUSAL_TIMEOUT_S = 120.0


class Stack:
    def __init__(self, zookeeper: ZooKeeperServer, dist: FlinkDist, data: Path) -> None:
        self.zookeeper = zookeeper
        self.dist = dist
        self.data = data
        self.conf = data / "conf.yaml"
        self.state = data / "upgrades" / CLUSTER

    def cli(self, commands: str) -> str:
        """Run CLI commands in one JVM (read from stdin); stdout and stderr (a node that
        exists already, or not, is an answer, not a failure)."""
        argv = ["java", "-cp", str(self.dist.dist_jar), ZOOKEEPER_CLI_MAIN, "-server", self.zookeeper.connect_string]
        result = subprocess.run(argv, input=commands, capture_output=True, text=True, timeout=120, check=False)
        return result.stdout + result.stderr

    def store_job(self, job: str = JOB) -> None:
        """A job graph and a checkpoint, as a JobManager running the job leaves them."""
        graph, checkpoints = f"/flink/{CLUSTER}/jobgraphs/{job}", f"/flink/{CLUSTER}/jobs/{job}/checkpoints"
        nodes = [f"/flink/{CLUSTER}", *(graph.rsplit("/", i)[0] for i in (1, 0))]
        nodes += [f"/flink/{CLUSTER}/jobs", f"/flink/{CLUSTER}/jobs/{job}", checkpoints, f"{checkpoints}/0000000042"]
        self.cli("create /flink\n" + "".join(f"create {n}\n" for n in nodes))

    def exists(self, path: str) -> bool:
        answer = self.cli(f"stat {path}\n")
        assert "Node does not exist" in answer or "ctime" in answer, answer
        return "ctime" in answer

    def environment(self, fingerprint: str, mode: str, fallback: str, quorum: str | None) -> dict[str, str]:
        self.data.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(
            "parallelism.default: 1\n"
            f"high-availability.storageDir: file://{self.data}/ha\n"
            f"execution.checkpointing.dir: file://{self.data}/checkpoints\n"
            f"execution.checkpointing.savepoint-dir: file://{self.data}/savepoints\n"
        )
        env = upgrade_environment(
            cluster_id=CLUSTER,
            zookeeper_quorum=quorum or self.zookeeper.connect_string,
            data_dir=str(self.data),
            conf_file=str(self.conf),
            fingerprint=fingerprint,
            mode=mode,
            fallback=fallback,
            retained_runs=1,
            retained_savepoints=2,
        )
        return env | {"PATH": "/usr/bin:/bin", "FLINK_LIB_DIR": str(self.dist.lib_dir), "ZOOKEEPER_CLI_TIMEOUT": "15"}

    def start(
        self, fingerprint: str, mode: str = "last-state", fallback: str = "refuse", quorum: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = self.environment(fingerprint, mode, fallback, quorum)
        argv = ["bash", "-c", PROGRAM, "jobmanager", "standalone-job", "--job-classname", "Job"]
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)

    def refused_start(self, fingerprint: str) -> tuple[str, str]:
        """A start that must refuse: (the `refused` record, the step's output). It waits
        without starting Flink, and ends with status 0 on SIGTERM."""
        env = self.environment(fingerprint, "last-state", "refuse", None)
        argv = ["bash", "-c", PROGRAM, "jobmanager", "standalone-job"]
        process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + REFUSAL_TIMEOUT_S
        while self.record("refused") is None and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)
        still_waiting = process.poll() is None
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
        assert still_waiting and process.returncode == 0, (process.returncode, output)
        assert "ARG" not in output, output
        return self.record("refused") or "", output

    def record(self, name: str) -> str | None:
        path = self.state / name
        return path.read_text().strip() if path.exists() else None

    def job_id(self) -> str:
        return self.record("job-id") or ""


def flink_args(result: subprocess.CompletedProcess[str]) -> list[str]:
    """What the entrypoint got between the role and the job class."""
    args = [line.removeprefix("ARG ") for line in result.stdout.splitlines() if line.startswith("ARG ")]
    assert args[0] == "standalone-job" and args[-2:] == ["--job-classname", "Job"], result.stdout + result.stderr
    return args[1:-2]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    work = tmp_path_factory.mktemp("upgrade-steps")
    with ZooKeeperServer(work / "zookeeper") as zookeeper:
        yield Stack(zookeeper, ensure_flink_dist(), work / "data")


def test_start_step_decisions_in_sequence(stack: Stack) -> None:
    # First start of a stack: nothing stored, the fingerprint is recorded, a JobID chosen.
    first = stack.start("a" * 32)
    assert first.returncode == 0, first.stderr
    assert "first start" in first.stdout and stack.record("applied") == "a" * 32
    first_id = stack.job_id()
    assert len(first_id) == 32 and flink_args(first) == ["--job-id", first_id]

    # The job ran (job graph and checkpoints stored); a crash or reschedule, nothing changed.
    stack.store_job()
    (stack.data / "checkpoints" / first_id / "chk-3").mkdir(parents=True)  # being written: no _metadata
    same = stack.start("a" * 32)
    assert "job unchanged" in same.stdout, same.stdout + same.stderr
    assert stack.exists(GRAPH) and stack.exists(CHECKPOINTS)
    assert flink_args(same) == ["--job-id", first_id], "recovery keeps the JobID"

    # last-state: the job graph goes, the checkpoints stay, the JobID too.
    changed = stack.start("b" * 32)
    assert "last-state upgrade" in changed.stdout, changed.stdout + changed.stderr
    assert not stack.exists(GRAPH) and stack.exists(CHECKPOINTS)
    assert stack.record("applied") == "b" * 32 and stack.job_id() == first_id

    # savepoint mode, no savepoint left by the old JobManager, refuse: the old graph stays.
    stack.store_job()
    refused = stack.start("c" * 32, mode="savepoint", fallback="refuse")
    assert "upgrade REFUSED" in refused.stdout, refused.stdout + refused.stderr
    assert stack.exists(GRAPH) and stack.record("applied") == "b" * 32

    # savepoint mode with the pre-stop's savepoint: graph and checkpoints go, start from it
    # as Flink's argument (the config file is not edited), with a new JobID.
    (stack.state / "savepoint").write_text("file:/data/savepoints/savepoint-1\n")
    upgraded = stack.start("c" * 32, mode="savepoint")
    assert "from savepoint file:/data/savepoints/savepoint-1" in upgraded.stdout, upgraded.stdout + upgraded.stderr
    assert not stack.exists(GRAPH) and not stack.exists(f"/flink/{CLUSTER}/jobs/{JOB}")
    assert stack.record("restore") == "file:/data/savepoints/savepoint-1"
    assert stack.record("savepoint") is None, "a savepoint is used for the next start only"
    second_id = stack.job_id()
    assert second_id != first_id and stack.record("runs") == first_id
    assert flink_args(upgraded) == ["--job-id", second_id, "--fromSavepoint", "file:/data/savepoints/savepoint-1"]
    assert "execution.savepoint.path" not in stack.conf.read_text()

    # Killed after that and started again: the savepoint is still passed (the new job
    # has no checkpoint in the store yet).
    again = stack.start("c" * 32, mode="savepoint")
    assert "job unchanged" in again.stdout, again.stdout
    assert flink_args(again) == ["--job-id", second_id, "--fromSavepoint", "file:/data/savepoints/savepoint-1"]

    # Once the new job has a checkpoint in the store, the savepoint is cleared, and the
    # first run's checkpoints go (retainedRuns 1 keeps the run before this one only).
    stack.store_job(second_id)
    (stack.data / "checkpoints" / second_id / "chk-1").mkdir(parents=True)
    checkpointed = stack.start("c" * 32, mode="savepoint")
    assert "no longer needed" in checkpointed.stdout, checkpointed.stdout
    assert stack.record("restore") is None and flink_args(checkpointed) == ["--job-id", second_id]
    assert (stack.data / "checkpoints" / first_id).exists(), "retainedRuns 1: the run before is kept"

    # A requested start wins over an unchanged job, with a new JobID; savepoints beyond
    # retainedSavepoints (2) go, except the one to start from.
    for name in ("savepoint-2", "savepoint-3", "savepoint-4"):
        (stack.data / "savepoints" / name).mkdir(parents=True)
        (stack.data / "savepoints" / name / "_metadata").write_text("x")
        time.sleep(0.05)
    os_utime_oldest(stack.data / "savepoints" / "savepoint-2")
    (stack.state / "requested").write_text(f"file:{stack.data}/savepoints/savepoint-2\n")
    requested = stack.start("c" * 32)
    assert f"start from file:{stack.data}/savepoints/savepoint-2 requested" in requested.stdout, requested.stdout
    assert not stack.exists(f"/flink/{CLUSTER}/jobgraphs/{second_id}") and stack.record("requested") is None
    third_id = stack.job_id()
    assert flink_args(requested) == [
        "--job-id",
        third_id,
        "--fromSavepoint",
        f"file:{stack.data}/savepoints/savepoint-2",
    ]
    assert sorted(p.name for p in (stack.data / "savepoints").iterdir()) == [
        "savepoint-2",
        "savepoint-3",
        "savepoint-4",
    ]
    (stack.data / "savepoints" / "savepoint-5").mkdir()
    (stack.data / "savepoints" / "savepoint-5" / "_metadata").write_text("x")
    stack.start("c" * 32)
    assert sorted(p.name for p in (stack.data / "savepoints").iterdir()) == [
        "savepoint-2",
        "savepoint-4",
        "savepoint-5",
    ]

    # The new job checkpointed; the run before last (first_id) is now beyond retainedRuns.
    stack.store_job(third_id)
    stack.start("c" * 32)
    assert not (stack.data / "checkpoints" / first_id).exists()
    assert stack.record("runs") == second_id

    # stateless: everything goes, no savepoint any more, a new JobID.
    stack.store_job()
    fresh = stack.start("d" * 32, mode="stateless")
    assert "stateless upgrade" in fresh.stdout, fresh.stdout + fresh.stderr
    assert not stack.exists(GRAPH) and not stack.exists(CHECKPOINTS)
    assert stack.record("restore") is None and stack.job_id() not in (first_id, second_id, third_id)
    assert flink_args(fresh) == ["--job-id", stack.job_id()]
    assert "stateless upgrade" in (stack.state / "history.log").read_text()


def test_start_step_refuses_a_job_that_ended_and_one_whose_checkpoints_zookeeper_lost(stack: Stack) -> None:
    stack.start("f" * 32, mode="stateless")
    job = stack.job_id()
    # Cancelled: Flink dropped the HA data and kept the job-result-store entry.
    results = stack.data / "ha" / "job-result-store" / CLUSTER
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{job}.json").write_text(f'{{"result":{{"id":"{job}","application-status":"CANCELED"}},"version":1}}')
    refused, output = stack.refused_start("f" * 32)
    assert refused == f"job {job} is CANCELED (its job-result-store entry): it ended, Flink dropped its HA data"
    assert "resume --latest" in output and stack.job_id() == job

    # A fresh start: a new JobID, whose result store is empty.
    (stack.state / "requested").write_text("fresh\n")
    fresh = stack.start("f" * 32)
    assert "fresh start requested" in fresh.stdout and stack.record("refused") is None
    job = stack.job_id()

    # The volume shows completed checkpoints of the job, ZooKeeper none: refused.
    (stack.data / "checkpoints" / job / "chk-7").mkdir(parents=True)
    (stack.data / "checkpoints" / job / "chk-7" / "_metadata").write_text("x")
    refused, output = stack.refused_start("f" * 32)
    assert refused == f"job {job} completed checkpoint 7 (on the volume) but ZooKeeper holds none: HA metadata lost"
    assert "checkpoint 7 on the volume, none in ZooKeeper's store; asked again: none" in output
    stack.store_job(job)
    recovered = stack.start("f" * 32)
    assert "job unchanged" in recovered.stdout and stack.record("refused") is None


def os_utime_oldest(path: Path) -> None:
    """Make ``path`` the oldest entry of its directory (``ls -t`` order)."""
    os.utime(path, (1, 1))


def test_start_step_fails_and_records_nothing_while_zookeeper_is_unreachable(stack: Stack) -> None:
    before = stack.record("applied")
    result = stack.start("e" * 32, quorum=f"127.0.0.1:{free_port()}")
    assert result.returncode != 0
    assert stack.record("applied") == before
