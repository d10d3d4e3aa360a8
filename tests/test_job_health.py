"""The JobManager's probes (``job_health.JOB_PROBE``) with bash against a stand-in REST API."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.flink.job_health import JOB_PROBE
from tests.standins.flink_rest import FakeFlinkRest


@pytest.fixture
def flink() -> Iterator[FakeFlinkRest]:
    with FakeFlinkRest() as server:
        yield server


LIMIT_S = 600
REST_DOWN_S = 60


def run(name: str, tmp_path: Path, port: int, role: str | None = None) -> subprocess.CompletedProcess[str]:
    """One probe as the kubelet runs it: ``bash -c PROGRAM NAME`` with the container's env.

    ``role``: as in rpcPortMode podIp, the leader watch's ROLE_FILE holds it ("": no file yet)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HEALTH_STATE_DIR": str(tmp_path / "health"),
        "UPGRADE_STATE_DIR": str(tmp_path / "upgrades"),
        "FLINK_REST_PORT": str(port),
        "UNHEALTHY_AFTER_SECONDS": str(LIMIT_S),
        "REST_DOWN_AFTER_SECONDS": str(REST_DOWN_S),
    }
    if role is not None:
        role_file = tmp_path / "role"
        env["ROLE_FILE"] = str(role_file)
        role_file.unlink(missing_ok=True)
        if role:
            role_file.write_text(f"{role}\n")
    (tmp_path / "health").mkdir(exist_ok=True)
    (tmp_path / "upgrades").mkdir(exist_ok=True)
    return subprocess.run(["bash", "-c", JOB_PROBE, name], env=env, capture_output=True, text=True, timeout=60)


def probe(tmp_path: Path, port: int) -> subprocess.CompletedProcess[str]:
    return run("liveness", tmp_path, port)


def state_file(tmp_path: Path, kind: str) -> Path:
    files = list((tmp_path / "health").glob(f"{kind}-*"))
    assert len(files) == 1, files
    return files[0]


def backdate(tmp_path: Path, seconds: int) -> None:
    """Pretend the last progress was ``seconds`` ago (instead of waiting that long)."""
    path = state_file(tmp_path, "job-progress")
    seen = path.read_text().split()[0]
    path.write_text(f"{seen} {int(time.time()) - seconds}\n")


def stop(flink: FakeFlinkRest) -> None:
    flink.down = True


def test_a_job_completing_checkpoints_is_alive(tmp_path: Path, flink: FakeFlinkRest) -> None:
    port = flink.port
    assert probe(tmp_path, port).returncode == 0
    assert state_file(tmp_path, "job-progress").read_text().split()[0] == "3"
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
    assert "RUNNING: no checkpoint completed or in progress for" in result.stdout


def test_a_checkpoint_or_savepoint_in_progress_is_progress(tmp_path: Path, flink: FakeFlinkRest) -> None:
    port = flink.port
    assert probe(tmp_path, port).returncode == 0
    backdate(tmp_path, LIMIT_S + 100)
    flink.in_progress = 1  # a long checkpoint or savepoint, no new completed one
    assert probe(tmp_path, port).returncode == 0
    flink.in_progress = 0
    assert probe(tmp_path, port).returncode == 0, "the limit counts from the last one seen in progress"
    backdate(tmp_path, LIMIT_S + 100)
    assert probe(tmp_path, port).returncode == 1


def test_a_job_stuck_restarting_fails_once_the_limit_passed(tmp_path: Path, flink: FakeFlinkRest) -> None:
    flink.state = "RESTARTING"
    port = flink.port
    assert probe(tmp_path, port).returncode == 0
    flink.completed = 9  # counts of a job that does not run are not progress
    flink.in_progress = 1
    backdate(tmp_path, LIMIT_S - 100)
    assert probe(tmp_path, port).returncode == 0, "not RUNNING is no failure by itself"
    backdate(tmp_path, LIMIT_S + 100)
    result = probe(tmp_path, port)
    assert result.returncode == 1 and "RESTARTING" in result.stdout


def test_rest_down_briefly_passes_down_for_long_fails(tmp_path: Path, flink: FakeFlinkRest) -> None:
    port = flink.port
    assert probe(tmp_path, port).returncode == 0
    stop(flink)
    brief = probe(tmp_path, port)
    assert brief.returncode == 0 and "not answering for 0s" in brief.stdout
    down = state_file(tmp_path, "rest-down")
    down.write_text(f"{int(time.time()) - REST_DOWN_S - 10}\n")
    result = probe(tmp_path, port)
    assert result.returncode == 1 and "not answering for" in result.stdout


def test_rest_back_clears_the_outage(tmp_path: Path) -> None:
    with FakeFlinkRest() as first:
        port = first.port
        assert probe(tmp_path, port).returncode == 0
    assert probe(tmp_path, port).returncode == 0, "down briefly"
    assert list((tmp_path / "health").glob("rest-down-*"))
    with FakeFlinkRest() as second:
        assert probe(tmp_path, second.port).returncode == 0
    assert not list((tmp_path / "health").glob("rest-down-*")), "the outage ended"


def test_a_refused_start_never_fails_liveness_or_startup_and_is_not_ready(tmp_path: Path, flink: FakeFlinkRest) -> None:
    port = flink.port
    assert probe(tmp_path, port).returncode == 0
    backdate(tmp_path, LIMIT_S + 100)
    stop(flink)  # the start step waits for the operator: no Flink, no REST API
    (tmp_path / "upgrades" / "refused").write_text("job CANCELED\n")
    for name in ("liveness", "startup"):
        result = run(name, tmp_path, port)
        assert result.returncode == 0 and "refused" in result.stdout, name
    result = run("readiness", tmp_path, port)
    assert result.returncode == 1 and "refused" in result.stdout


def test_readiness_is_the_job_running(tmp_path: Path, flink: FakeFlinkRest) -> None:
    port = flink.port
    assert run("readiness", tmp_path, port).returncode == 0
    flink.state = "RESTARTING"
    result = run("readiness", tmp_path, port)
    assert result.returncode == 1 and "job RESTARTING" in result.stdout
    stop(flink)
    result = run("readiness", tmp_path, port)
    assert result.returncode == 1 and "not answering" in result.stdout


def test_startup_waits_for_the_rest_api_only(tmp_path: Path, flink: FakeFlinkRest) -> None:
    port = flink.port
    flink.state = "INITIALIZING"
    assert run("startup", tmp_path, port).returncode == 0, "the job's restore runs after startup"
    stop(flink)
    result = run("startup", tmp_path, port)
    assert result.returncode == 1 and "not answering yet" in result.stdout


def test_an_unknown_probe_name_is_an_error(tmp_path: Path, flink: FakeFlinkRest) -> None:
    result = run("alive", tmp_path, flink.port)
    assert result.returncode == 2 and "startup, readiness or liveness" in result.stdout


# ------------------------------------------------------------------ standby JobManagers (podIp)


def test_with_a_leader_watch_readiness_is_a_role_and_the_leaders_job_running(
    tmp_path: Path, flink: FakeFlinkRest
) -> None:
    port = flink.port
    flink.state = "RESTARTING"  # the standby's REST API shows the leader's job
    assert run("readiness", tmp_path, port, role="standby").returncode == 0, "a standby is Ready while healthy"
    result = run("readiness", tmp_path, port, role="leader")
    assert result.returncode == 1 and "job RESTARTING" in result.stdout
    flink.state = "RUNNING"
    assert run("readiness", tmp_path, port, role="leader").returncode == 0
    result = run("readiness", tmp_path, port, role="")
    assert result.returncode == 1 and "no role from the leader watch yet" in result.stdout
    stop(flink)
    result = run("readiness", tmp_path, port, role="standby")
    assert result.returncode == 1 and "not answering" in result.stdout


def test_a_standby_is_never_restarted_for_the_leaders_stuck_job(tmp_path: Path, flink: FakeFlinkRest) -> None:
    port = flink.port
    assert run("liveness", tmp_path, port, role="leader").returncode == 0
    backdate(tmp_path, LIMIT_S + 100)
    assert run("liveness", tmp_path, port, role="leader").returncode == 1, "the leader restarts"
    assert run("liveness", tmp_path, port, role="standby").returncode == 0, "the standby does not"
    assert not list((tmp_path / "health").glob("job-progress-*")), "forgotten while not leading"
    # Leading later, its window starts then (not at an old leadership's last progress).
    assert run("liveness", tmp_path, port, role="leader").returncode == 0
    assert int(state_file(tmp_path, "job-progress").read_text().split()[1]) >= int(time.time()) - 5
    assert run("liveness", tmp_path, port, role="").returncode == 0, "no role yet: the REST rule only"


def test_a_standby_whose_rest_api_stays_down_is_restarted(tmp_path: Path, flink: FakeFlinkRest) -> None:
    port = flink.port
    stop(flink)
    assert run("liveness", tmp_path, port, role="standby").returncode == 0, "down briefly"
    state_file(tmp_path, "rest-down").write_text(f"{int(time.time()) - REST_DOWN_S - 10}\n")
    result = run("liveness", tmp_path, port, role="standby")
    assert result.returncode == 1 and "not answering for" in result.stdout
