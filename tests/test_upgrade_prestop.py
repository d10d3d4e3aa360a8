"""The JobManager's pre-stop savepoint (``upgrade_scripts.SAVEPOINT_BEFORE_STOP``) with bash.

Against a local stand-in of the few Flink REST calls it makes (the real Flink REST API
answers it in ``tests/integration/test_upgrades``): what it records, and that it never
records anything for a savepoint that did not complete.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.flink.upgrade_scripts import SAVEPOINT_BEFORE_STOP
from tests.standins.flink_rest import JOB, FakeFlinkRest


@pytest.fixture
def flink() -> Iterator[FakeFlinkRest]:
    with FakeFlinkRest() as server:
        yield server


def pre_stop(
    tmp_path: Path, port: int, mode: str = "savepoint", role: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``role``: as in rpcPortMode podIp, the leader watch's ROLE_FILE holds it ("": no file)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "UPGRADE_MODE": mode,
        "UPGRADE_STATE_DIR": str(tmp_path / "state"),
        "FLINK_REST_PORT": str(port),
        "SAVEPOINT_TIMEOUT_SECONDS": "20",
    }
    if role is not None:
        env["ROLE_FILE"] = str(tmp_path / "role")
        (tmp_path / "role").unlink(missing_ok=True)
        if role:
            (tmp_path / "role").write_text(f"{role}\n")
    return subprocess.run(["bash", "-c", SAVEPOINT_BEFORE_STOP], env=env, capture_output=True, text=True, timeout=60)


def recorded(tmp_path: Path) -> str | None:
    path = tmp_path / "state" / "savepoint"
    return path.read_text().strip() if path.exists() else None


def test_takes_a_savepoint_keeping_the_job_running_and_records_its_path(tmp_path: Path, flink: FakeFlinkRest) -> None:
    result = pre_stop(tmp_path, flink.port)
    assert result.returncode == 0, result.stderr
    assert recorded(tmp_path) == "file:/flink-data/savepoints/savepoint-1"
    assert ("POST", f"/jobs/{JOB}/savepoints", '{"cancel-job":false}') in flink.requests
    assert "recorded for the next start" in (tmp_path / "state" / "history.log").read_text()


def test_a_failed_savepoint_records_nothing(tmp_path: Path, flink: FakeFlinkRest) -> None:
    flink.outcome = {"failure-cause": {"class": "CheckpointException", "stack-trace": "declined"}}
    result = pre_stop(tmp_path, flink.port)
    assert result.returncode == 0
    assert recorded(tmp_path) is None
    assert "savepoint failed" in result.stdout


def test_no_running_job_or_no_rest_api_records_nothing(tmp_path: Path, flink: FakeFlinkRest) -> None:
    flink.state = "RESTARTING"
    assert "no RUNNING job" in pre_stop(tmp_path, flink.port).stdout
    port = flink.port
    flink.down = True
    assert "not answering" in pre_stop(tmp_path, port).stdout
    assert recorded(tmp_path) is None


def test_other_modes_do_nothing(tmp_path: Path, flink: FakeFlinkRest) -> None:
    for mode in ("last-state", "stateless"):
        assert pre_stop(tmp_path, flink.port, mode=mode).returncode == 0
    assert flink.requests == [] and not (tmp_path / "state").exists()


def test_with_standbys_only_the_leader_takes_the_savepoint(tmp_path: Path, flink: FakeFlinkRest) -> None:
    # A standby's REST API reaches the leader's job: its hook must not trigger a savepoint.
    for role in ("standby", ""):
        result = pre_stop(tmp_path, flink.port, role=role)
        assert result.returncode == 0 and "not the leader: no savepoint taken" in result.stdout, role
    assert flink.requests == [] and recorded(tmp_path) is None
    assert pre_stop(tmp_path, flink.port, role="leader").returncode == 0
    assert recorded(tmp_path) == "file:/flink-data/savepoints/savepoint-1"
