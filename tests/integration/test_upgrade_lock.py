"""The start step's upgrade lock (``upgrade_start/lock.sh``) with standby JobManagers: two
start steps racing against a real ZooKeeper, and a holder killed in the middle of its step.

The same stand-in stack as ``test_upgrade_steps`` (ZooKeeper nodes laid out as Flink lays
them out, the ZooKeeper CLI shaded in flink-dist, a local "shared volume").
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.flink_dist import ensure_flink_dist
from tests.integration.test_upgrade_steps import CHECKPOINTS, CLUSTER, GRAPH, PROGRAM, Stack
from tests.integration.zookeeper_server import ZooKeeperServer

pytestmark = pytest.mark.integration

LOCK = f"/flink/{CLUSTER}/upgrade-lock"
SESSION_MS = 4000  # ZooKeeper's floor with the test server's tick (2 s)
WAIT_S = 120.0


class LockedStack(Stack):
    """Start steps as the JobManagers of a standby stack run them: with the lock."""

    def spawn(
        self,
        name: str,
        fingerprint: str,
        mode: str = "stateless",
        conf: Path | None = None,
        lock_timeout_s: int = 300,
    ) -> subprocess.Popen[str]:
        env = self.environment(fingerprint, mode, "refuse", None) | {
            "UPGRADE_LOCK": "zookeeper",
            "UPGRADE_LOCK_SESSION_MS": str(SESSION_MS),
            "UPGRADE_LOCK_TIMEOUT_SECONDS": str(lock_timeout_s),
            "HOSTNAME": name,
        }
        if conf is not None:
            env["FLINK_CONF_FILE"] = str(conf)
        argv = ["bash", "-c", PROGRAM, "jobmanager", "standalone-job", "--job-classname", "Job"]
        return subprocess.Popen(
            argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )

    def history(self) -> str:
        return (self.state / "history.log").read_text()


def finished(process: subprocess.Popen[str]) -> str:
    output = process.communicate(timeout=WAIT_S)[0]
    assert process.returncode == 0, output
    return output


def job_id_passed(output: str) -> str:
    args = [line.removeprefix("ARG ") for line in output.splitlines() if line.startswith("ARG ")]
    assert args[:2] == ["standalone-job", "--job-id"], output
    return args[2]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LockedStack]:
    with ZooKeeperServer(tmp_path / "zookeeper") as zookeeper:
        yield LockedStack(zookeeper, ensure_flink_dist(), tmp_path / "data")


def test_two_start_steps_racing_act_once(stack: LockedStack) -> None:
    first = [stack.spawn(name, "a" * 32) for name in ("jm-0", "jm-1")]
    outputs = [finished(p) for p in first]
    assert stack.history().count("first start of job") == 1, stack.history()
    assert stack.history().count("took the upgrade lock") == 2
    assert job_id_passed(outputs[0]) == job_id_passed(outputs[1]) == stack.job_id()
    assert not stack.exists(LOCK), "released before Flink starts"

    # The job ran; a stateless change rolls both JobManagers at once: one deletes and
    # rotates the JobID, the other waits for it, finds the change applied and only starts.
    stack.store_job()
    before = stack.job_id()
    racing = [stack.spawn(name, "b" * 32) for name in ("jm-0", "jm-1")]
    outputs = [finished(p) for p in racing]
    history = stack.history()
    assert history.count("stateless upgrade") == 1, history
    assert history.count(f"new JobID {stack.job_id()} (was {before})") == 1, history
    assert history.count("job unchanged (" + "b" * 32) == 1, history
    assert "waiting for the upgrade lock" in history, "one of them waited"
    assert job_id_passed(outputs[0]) == job_id_passed(outputs[1]) == stack.job_id() != before
    assert not stack.exists(GRAPH) and not stack.exists(CHECKPOINTS)
    assert stack.record("applied") == "b" * 32 and not stack.exists(LOCK)


def stuck_holder(stack: LockedStack, tmp_path: Path) -> subprocess.Popen[str]:
    """A start step holding the lock, stopped in its observe step: it reads a config file
    that never comes (a FIFO)."""
    fifo = tmp_path / "conf-never-written"
    os.mkfifo(fifo)
    holder = stack.spawn("jm-0", "c" * 32, conf=fifo)
    deadline = time.monotonic() + WAIT_S
    while not ((stack.state / "history.log").exists() and "took the upgrade lock" in stack.history()):
        assert holder.poll() is None and time.monotonic() < deadline, holder.communicate()[0]
        time.sleep(0.2)
    assert stack.exists(LOCK)
    return holder


def test_a_holder_killed_mid_step_loses_the_lock_when_its_session_ends(stack: LockedStack, tmp_path: Path) -> None:
    stack.store_job()
    before = stack.job_id()
    holder = stuck_holder(stack, tmp_path)
    deadline = time.monotonic() + WAIT_S
    waiter = stack.spawn("jm-1", "c" * 32)
    while "waiting for the upgrade lock" not in stack.history():
        assert waiter.poll() is None and time.monotonic() < deadline, waiter.communicate()[0]
        time.sleep(0.2)
    os.killpg(holder.pid, signal.SIGKILL)  # the holder's bash and its ZooKeeper CLI, as a killed container
    holder.wait(timeout=30)
    killed_at = time.monotonic()
    output = finished(waiter)
    waited_s = time.monotonic() - killed_at
    history = stack.history()
    assert history.count("stateless upgrade") == 1, history
    assert history.count("took the upgrade lock") == 2 and "released the upgrade lock" in history
    assert job_id_passed(output) == stack.job_id() != before
    assert stack.record("applied") == "c" * 32 and not stack.exists(LOCK)
    print(f"waiter acted {waited_s:.1f}s after the holder's kill (session timeout {SESSION_MS} ms)")


def test_a_waiter_gives_up_after_its_bound_and_changes_nothing(stack: LockedStack, tmp_path: Path) -> None:
    stack.store_job()
    applied = stack.record("applied")
    holder = stuck_holder(stack, tmp_path)
    try:
        waiter = stack.spawn("jm-1", "c" * 32, lock_timeout_s=3)
        output = waiter.communicate(timeout=WAIT_S)[0]
        assert waiter.returncode == 1, output
        assert "still held after 3s: not starting (the container restarts and tries again)" in output
        assert "ARG" not in output and stack.record("applied") == applied and stack.exists(GRAPH)
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)


def test_a_holder_that_refuses_releases_the_lock_before_it_waits_for_the_operator(stack: LockedStack) -> None:
    stack.start("d" * 32, mode="stateless")
    job = stack.job_id()
    results = stack.data / "ha" / "job-result-store" / CLUSTER
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{job}.json").write_text(f'{{"result":{{"id":"{job}","application-status":"CANCELED"}},"version":1}}')
    both = [stack.spawn(name, "d" * 32) for name in ("jm-0", "jm-1")]
    deadline = time.monotonic() + WAIT_S
    while stack.history().count("NOT starting the job") < 2:
        assert all(p.poll() is None for p in both) and time.monotonic() < deadline, stack.history()
        time.sleep(0.2)
    assert stack.history().count("released the upgrade lock") >= 2 and not stack.exists(LOCK)
    for process in both:  # both wait for the operator, without the lock; SIGTERM ends the wait
        process.send_signal(signal.SIGTERM)
        assert "ARG" not in finished(process)
