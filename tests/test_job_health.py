"""The JobManager's liveness probe (``job_health.JOB_LIVENESS``) with bash against a stand-in REST API."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.flink.job_health import JOB_LIVENESS
from tests.standins.flink_rest import FakeFlinkRest


@pytest.fixture
def flink() -> Iterator[FakeFlinkRest]:
    with FakeFlinkRest() as server:
        yield server


LIMIT_S = 600


def probe(tmp_path: Path, port: int) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HEALTH_STATE_DIR": str(tmp_path),
        "FLINK_REST_PORT": str(port),
        "UNHEALTHY_AFTER_SECONDS": str(LIMIT_S),
    }
    return subprocess.run(["bash", "-c", JOB_LIVENESS], env=env, capture_output=True, text=True, timeout=60)


def progress_file(tmp_path: Path) -> Path:
    files = list(tmp_path.glob("job-progress-*"))
    assert len(files) == 1, files
    return files[0]


def backdate(tmp_path: Path, seconds: int) -> None:
    """Pretend the last progress was ``seconds`` ago (instead of waiting that long)."""
    path = progress_file(tmp_path)
    seen = path.read_text().split()[0]
    path.write_text(f"{seen} {int(time.time()) - seconds}\n")


def test_a_job_completing_checkpoints_is_alive(tmp_path: Path, flink: FakeFlinkRest) -> None:
    port = flink.port
    assert probe(tmp_path, port).returncode == 0
    assert progress_file(tmp_path).read_text().split()[0] == "3"
    backdate(tmp_path, LIMIT_S + 100)
    flink.completed = 4  # a new checkpoint since: progress
    assert probe(tmp_path, port).returncode == 0


def test_no_checkpoint_progress_beyond_the_limit_fails_with_a_reason(tmp_path: Path, flink: FakeFlinkRest) -> None:
    port = flink.port
    assert probe(tmp_path, port).returncode == 0
    backdate(tmp_path, LIMIT_S - 100)
    assert probe(tmp_path, port).returncode == 0, "within the limit"
    backdate(tmp_path, LIMIT_S + 100)
    result = probe(tmp_path, port)
    assert result.returncode == 1
    assert "RUNNING: no completed checkpoint for" in result.stdout


def test_a_job_stuck_restarting_fails_once_the_limit_passed(tmp_path: Path, flink: FakeFlinkRest) -> None:
    flink.state = "RESTARTING"
    port = flink.port
    assert probe(tmp_path, port).returncode == 0
    flink.completed = 9  # counts of a job that does not run are not progress
    backdate(tmp_path, LIMIT_S + 100)
    result = probe(tmp_path, port)
    assert result.returncode == 1 and "RESTARTING" in result.stdout


def test_no_rest_api_fails(tmp_path: Path, flink: FakeFlinkRest) -> None:
    port = flink.port
    flink.down = True
    result = probe(tmp_path, port)
    assert result.returncode == 1 and "not answering" in result.stdout
