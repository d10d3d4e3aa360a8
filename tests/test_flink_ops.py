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


def test_start_from_refuses_a_path_without_a_savepoint_and_records_a_real_one(tmp_path: Path) -> None:
    state = tmp_path / "state"
    savepoint = tmp_path / "savepoints" / "savepoint-1"
    savepoint.mkdir(parents=True)
    flink = flink_ops.Flink("http://127.0.0.1:9", flink_ops.local_shell({"UPGRADE_STATE_DIR": str(state)}))
    with pytest.raises(flink_ops.OpsError, match="no savepoint at"):
        flink_ops.request_start_from(flink, f"file:{tmp_path}/nothing")
    (savepoint / "_metadata").write_bytes(b"\x00")
    flink_ops.request_start_from(flink, f"file:{savepoint}")
    assert (state / "requested").read_text() == f"file:{savepoint}\n"


def test_no_rest_api_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    env = json.dumps({"UPGRADE_STATE_DIR": "/nonexistent"})
    assert flink_ops.main(["--rest", "http://127.0.0.1:9", "--local-env", env, "status"]) == 1
    assert capsys.readouterr().err.startswith("error: http://127.0.0.1:9/jobs/overview")
