"""The operations commands' CLI against a stand-in REST API and a local shell.

(All of them run against real Flink in ``tests/integration/test_upgrades``; kubectl
port-forward and exec need a cluster and are not exercised here.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.ops import flink_ops
from tests.standins.flink_rest import JOB, FakeFlinkRest


def test_savepoint_prints_the_path_of_the_completed_savepoint(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeFlinkRest() as flink:
        assert flink_ops.main(["--rest", flink.url, "--local-env", "{}", "savepoint"]) == 0
        assert ("POST", f"/jobs/{JOB}/savepoints", '{"cancel-job": false}') in flink.requests
    assert capsys.readouterr().out.strip() == "file:/flink-data/savepoints/savepoint-1"


def test_a_failed_savepoint_is_one_error_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeFlinkRest() as flink:
        flink.outcome = {"failure-cause": {"class": "CheckpointException", "stack-trace": "declined by task"}}
        assert flink_ops.main(["--rest", flink.url, "--local-env", "{}", "savepoint"]) == 1
    assert capsys.readouterr().err.strip() == "error: savepoint failed: declined by task"


def _volume(tmp_path: Path) -> dict[str, str]:
    """A shared volume and the JobManager's environment, as ``kubectl exec`` sees them."""
    conf = tmp_path / "config.yaml"
    conf.write_text(f"execution.checkpointing.dir: file://{tmp_path}/checkpoints\n")
    return {
        "UPGRADE_STATE_DIR": str(tmp_path / "state"),
        "FLINK_CONF_FILE": str(conf),
        "HA_ZOOKEEPER_PATH": "/flink/flink-aks-dev",
    }


def test_start_from_refuses_a_path_without_a_savepoint_and_records_a_real_one(tmp_path: Path) -> None:
    env = _volume(tmp_path)
    savepoint = tmp_path / "savepoints" / "savepoint-1"
    savepoint.mkdir(parents=True)
    assert flink_ops.main(["--local-env", json.dumps(env), "start-from", f"file:{tmp_path}/nothing"]) == 1
    (savepoint / "_metadata").write_bytes(b"\x00")
    assert flink_ops.main(["--local-env", json.dumps(env), "resume", "--savepoint", f"file:{savepoint}"]) == 0
    assert (tmp_path / "state" / "requested").read_text() == f"file:{savepoint}\n"
    assert f"ops: a start from file:{savepoint} requested" in (tmp_path / "state" / "history.log").read_text()


def test_resume_latest_picks_the_newest_retained_checkpoint_of_the_last_job_id(tmp_path: Path) -> None:
    env = _volume(tmp_path)
    run = flink_ops.local_shell(env)
    with pytest.raises(flink_ops.OpsError, match="no retained checkpoint of JobID 0000000053ef1664"):
        flink_ops.request_start(run, "latest")  # no job-id recorded: the JobID Flink derives
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "job-id").write_text("ab" * 16 + "\n")
    for job, checkpoint, complete in [
        ("ab" * 16, 9, True),
        ("ab" * 16, 11, True),
        ("ab" * 16, 12, False),
        ("cd" * 16, 30, True),
    ]:
        directory = tmp_path / "checkpoints" / job / f"chk-{checkpoint}"
        directory.mkdir(parents=True)
        if complete:
            (directory / "_metadata").write_bytes(b"\x00")
    answer = flink_ops.request_start(run, "latest")
    latest = f"file:{tmp_path}/checkpoints/{'ab' * 16}/chk-11"
    assert answer == f"the next JobManager start makes a start from {latest}"
    assert (tmp_path / "state" / "requested").read_text() == latest + "\n"


def test_fresh_start_needs_confirm_and_records_fresh(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = json.dumps(_volume(tmp_path))
    with pytest.raises(SystemExit):
        flink_ops.main(["--local-env", env, "fresh-start"])
    assert not (tmp_path / "state" / "requested").exists()
    assert flink_ops.main(["--local-env", env, "fresh-start", "--confirm"]) == 0
    assert (tmp_path / "state" / "requested").read_text() == "fresh\n"
    assert "a fresh start without state" in capsys.readouterr().out


def test_no_rest_api_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    env = json.dumps({"UPGRADE_STATE_DIR": "/nonexistent"})
    assert flink_ops.main(["--rest", "http://127.0.0.1:9", "--local-env", env, "status"]) == 1
    assert capsys.readouterr().err.startswith("error: http://127.0.0.1:9/jobs/overview")
