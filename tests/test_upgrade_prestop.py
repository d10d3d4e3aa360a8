"""The JobManager's pre-stop savepoint (``upgrade_scripts.SAVEPOINT_BEFORE_STOP``) with bash.

Against a local stand-in of the few Flink REST calls it makes (the real Flink REST API
answers it in ``tests/integration/test_upgrades``): what it records, and that it never
records anything for a savepoint that did not complete.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from components.flink.upgrade_scripts import SAVEPOINT_BEFORE_STOP

JOB = "0000000053ef16640000000000000000"


class FakeFlink(ThreadingHTTPServer):
    def __init__(self, state: str = "RUNNING", outcome: dict[str, Any] | None = None, polls: int = 2) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state
        self.outcome = outcome if outcome is not None else {"location": "file:/flink-data/savepoints/savepoint-1"}
        self.polls = polls  # IN_PROGRESS answers before the outcome
        self.requests: list[tuple[str, str, str]] = []
        self.completed = 3  # completed checkpoints in /jobs/:id/checkpoints


class Handler(BaseHTTPRequestHandler):
    server: FakeFlink

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def answer(self, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.requests.append(("GET", self.path, ""))
        if self.path == "/jobs/overview":
            job = {"jid": JOB, "name": "job", "start-time": 1, "state": self.server.state, "tasks": {"total": 2}}
            self.answer({"jobs": [job]})
        elif self.path == f"/jobs/{JOB}/checkpoints":
            counts = {"restored": 0, "total": 4, "in_progress": 0, "completed": self.server.completed, "failed": 1}
            self.answer({"counts": counts, "latest": {"completed": None}})
        elif self.path == f"/jobs/{JOB}/savepoints/abc123":
            self.server.polls -= 1
            if self.server.polls >= 0:
                self.answer({"status": {"id": "IN_PROGRESS"}, "operation": None})
            else:
                self.answer({"status": {"id": "COMPLETED"}, "operation": self.server.outcome})
        else:
            self.send_error(404)

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.server.requests.append(("POST", self.path, body))
        self.answer({"request-id": "abc123"} if self.path == f"/jobs/{JOB}/savepoints" else {})


@pytest.fixture
def flink() -> Iterator[FakeFlink]:
    server = FakeFlink()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def pre_stop(tmp_path: Path, port: int, mode: str = "savepoint") -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "UPGRADE_MODE": mode,
        "UPGRADE_STATE_DIR": str(tmp_path / "state"),
        "FLINK_REST_PORT": str(port),
        "SAVEPOINT_TIMEOUT_SECONDS": "20",
    }
    return subprocess.run(["bash", "-c", SAVEPOINT_BEFORE_STOP], env=env, capture_output=True, text=True, timeout=60)


def recorded(tmp_path: Path) -> str | None:
    path = tmp_path / "state" / "savepoint"
    return path.read_text().strip() if path.exists() else None


def test_takes_a_savepoint_keeping_the_job_running_and_records_its_path(tmp_path: Path, flink: FakeFlink) -> None:
    result = pre_stop(tmp_path, flink.server_address[1])
    assert result.returncode == 0, result.stderr
    assert recorded(tmp_path) == "file:/flink-data/savepoints/savepoint-1"
    assert ("POST", f"/jobs/{JOB}/savepoints", '{"cancel-job":false}') in flink.requests
    assert "recorded for the next start" in (tmp_path / "state" / "history.log").read_text()


def test_a_failed_savepoint_records_nothing(tmp_path: Path, flink: FakeFlink) -> None:
    flink.outcome = {"failure-cause": {"class": "CheckpointException", "stack-trace": "declined"}}
    result = pre_stop(tmp_path, flink.server_address[1])
    assert result.returncode == 0
    assert recorded(tmp_path) is None
    assert "savepoint failed" in result.stdout


def test_no_running_job_or_no_rest_api_records_nothing(tmp_path: Path, flink: FakeFlink) -> None:
    flink.state = "RESTARTING"
    assert "no RUNNING job" in pre_stop(tmp_path, flink.server_address[1]).stdout
    port = flink.server_address[1]
    flink.shutdown()
    flink.server_close()
    assert "not answering" in pre_stop(tmp_path, port).stdout
    assert recorded(tmp_path) is None


def test_other_modes_do_nothing(tmp_path: Path, flink: FakeFlink) -> None:
    for mode in ("last-state", "stateless"):
        assert pre_stop(tmp_path, flink.server_address[1], mode=mode).returncode == 0
    assert flink.requests == [] and not (tmp_path / "state").exists()
