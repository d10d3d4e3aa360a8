"""The JobManager's start step (``upgrade_scripts.UPGRADE_AT_START``) against a real ZooKeeper.

ZooKeeper nodes laid out as Flink 1.20.3 lays them out (``/flink/<cluster-id>/jobgraphs/<job>``
for the job graph, ``/flink/<cluster-id>/jobs/<job>/...`` for its checkpoints; the
upgrade scenarios of ``test_upgrades`` run them with real Flink), the ZooKeeper CLI that
Flink ships shaded in flink-dist, the records on a local "shared volume". One sequence of
starts on one server, each decision checked.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.flink.upgrade_scripts import UPGRADE_AT_START, ZOOKEEPER_CLI_MAIN, upgrade_environment
from tests.integration.flink_dist import FlinkDist, ensure_flink_dist
from tests.integration.zookeeper_server import ZooKeeperServer
from tests.ports import free_port

pytestmark = pytest.mark.integration

CLUSTER = "flink-aks-test"
JOB = "0000000053ef16640000000000000000"
GRAPH = f"/flink/{CLUSTER}/jobgraphs/{JOB}"
CHECKPOINTS = f"/flink/{CLUSTER}/jobs/{JOB}/checkpoints"


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

    def store_job(self) -> None:
        """A job graph and a checkpoint, as a JobManager running the job leaves them."""
        nodes = [f"/flink/{CLUSTER}", *(GRAPH.rsplit("/", i)[0] for i in (1, 0))]
        nodes += [f"/flink/{CLUSTER}/jobs", f"/flink/{CLUSTER}/jobs/{JOB}", CHECKPOINTS, f"{CHECKPOINTS}/0000000042"]
        self.cli("create /flink\n" + "".join(f"create {n}\n" for n in nodes))

    def exists(self, path: str) -> bool:
        answer = self.cli(f"stat {path}\n")
        assert "Node does not exist" in answer or "ctime" in answer, answer
        return "ctime" in answer

    def start(
        self, fingerprint: str, mode: str = "last-state", fallback: str = "refuse", quorum: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        self.data.mkdir(parents=True, exist_ok=True)
        self.conf.write_text("parallelism.default: 1\nexecution.savepoint.path: file:/stale\n")
        env = upgrade_environment(
            cluster_id=CLUSTER,
            zookeeper_quorum=quorum or self.zookeeper.connect_string,
            data_dir=str(self.data),
            conf_file=str(self.conf),
            fingerprint=fingerprint,
            mode=mode,
            fallback=fallback,
        )
        env |= {"PATH": "/usr/bin:/bin", "FLINK_LIB_DIR": str(self.dist.lib_dir), "ZOOKEEPER_CLI_TIMEOUT": "15"}
        return subprocess.run(["bash", "-c", UPGRADE_AT_START], env=env, capture_output=True, text=True, timeout=300)

    def record(self, name: str) -> str | None:
        path = self.state / name
        return path.read_text().strip() if path.exists() else None

    def savepoint_path_in_config(self) -> str | None:
        lines = [line for line in self.conf.read_text().splitlines() if line.startswith("execution.savepoint.path:")]
        assert len(lines) <= 1, lines
        return lines[0].split(": ", 1)[1] if lines else None


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    work = tmp_path_factory.mktemp("upgrade-steps")
    with ZooKeeperServer(work / "zookeeper") as zookeeper:
        yield Stack(zookeeper, ensure_flink_dist(), work / "data")


def test_start_step_decisions_in_sequence(stack: Stack) -> None:
    # First start of a stack: nothing stored, the fingerprint is recorded.
    first = stack.start("a" * 32)
    assert first.returncode == 0, first.stderr
    assert "first start" in first.stdout and stack.record("applied") == "a" * 32
    assert stack.savepoint_path_in_config() is None, "a stale savepoint path is dropped"

    # The job ran (job graph and checkpoints stored); a crash or reschedule, nothing changed.
    stack.store_job()
    same = stack.start("a" * 32)
    assert "job unchanged" in same.stdout, same.stdout + same.stderr
    assert stack.exists(GRAPH) and stack.exists(CHECKPOINTS)

    # last-state: the job graph goes, the checkpoints stay.
    changed = stack.start("b" * 32)
    assert "last-state upgrade" in changed.stdout, changed.stdout + changed.stderr
    assert not stack.exists(GRAPH) and stack.exists(CHECKPOINTS)
    assert stack.record("applied") == "b" * 32

    # savepoint mode, no savepoint left by the old JobManager, refuse: the old graph stays.
    stack.store_job()
    refused = stack.start("c" * 32, mode="savepoint", fallback="refuse")
    assert "upgrade REFUSED" in refused.stdout, refused.stdout + refused.stderr
    assert stack.exists(GRAPH) and stack.record("applied") == "b" * 32

    # savepoint mode with the pre-stop's savepoint: graph and checkpoints go, start from it.
    (stack.state / "savepoint").write_text("file:/data/savepoints/savepoint-1\n")
    upgraded = stack.start("c" * 32, mode="savepoint")
    assert "from savepoint file:/data/savepoints/savepoint-1" in upgraded.stdout, upgraded.stdout + upgraded.stderr
    assert not stack.exists(GRAPH) and not stack.exists(f"/flink/{CLUSTER}/jobs/{JOB}")
    assert stack.record("restore") == "file:/data/savepoints/savepoint-1"
    assert stack.record("savepoint") is None, "a savepoint is used for the next start only"
    assert stack.savepoint_path_in_config() == "file:/data/savepoints/savepoint-1"
    assert stack.record("applied") == "c" * 32

    # Killed after that and started again: the savepoint path is still passed (the new
    # job graph may not have been stored yet, and has no checkpoint of its own).
    again = stack.start("c" * 32, mode="savepoint")
    assert "job unchanged" in again.stdout and stack.savepoint_path_in_config() == "file:/data/savepoints/savepoint-1"

    # A requested start-from wins over an unchanged job.
    stack.store_job()
    (stack.state / "requested").write_text("file:/data/savepoints/savepoint-2\n")
    requested = stack.start("c" * 32)
    assert "from savepoint file:/data/savepoints/savepoint-2" in requested.stdout, requested.stdout
    assert not stack.exists(GRAPH) and stack.record("requested") is None
    assert stack.savepoint_path_in_config() == "file:/data/savepoints/savepoint-2"

    # stateless: everything goes, no savepoint path any more.
    stack.store_job()
    fresh = stack.start("d" * 32, mode="stateless")
    assert "stateless upgrade" in fresh.stdout, fresh.stdout + fresh.stderr
    assert not stack.exists(GRAPH) and not stack.exists(CHECKPOINTS)
    assert stack.record("restore") is None and stack.savepoint_path_in_config() is None
    assert "stateless upgrade" in (stack.state / "history.log").read_text()


def test_start_step_fails_and_records_nothing_while_zookeeper_is_unreachable(stack: Stack) -> None:
    before = stack.record("applied")
    result = stack.start("e" * 32, quorum=f"127.0.0.1:{free_port()}")
    assert result.returncode != 0
    assert stack.record("applied") == before
