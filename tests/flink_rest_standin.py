"""A stand-in for the few Flink REST calls the JobManager's bash steps make.

The real Flink REST API answers the same calls in ``tests/integration/test_upgrades``;
this one lets the tests choose the answers (job state, savepoint outcome, checkpoint
counts) and records what was asked.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JOB = "0000000053ef16640000000000000000"


class FakeFlink(ThreadingHTTPServer):
    def __init__(self, state: str = "RUNNING", outcome: dict[str, Any] | None = None, polls: int = 2) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state
        self.outcome = outcome if outcome is not None else {"location": "file:/flink-data/savepoints/savepoint-1"}
        self.polls = polls  # IN_PROGRESS answers before the outcome
        self.requests: list[tuple[str, str, str]] = []
        self.completed = 3  # completed checkpoints in /jobs/:id/checkpoints
        self.in_progress = 0  # checkpoints and savepoints in progress there


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
            counts = {
                "restored": 0,
                "total": 4,
                "in_progress": self.server.in_progress,
                "completed": self.server.completed,
                "failed": 1,
            }
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


@contextmanager
def serving() -> Iterator[FakeFlink]:
    """A stand-in answering on a free port until the block ends."""
    server = FakeFlink()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
