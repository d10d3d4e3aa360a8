"""A stand-in for the few Flink REST calls the sidecar, the JobManager's bash steps and
the operations commands make; the tests choose the answers and see what was asked.

- ``GET /jobmanager/config``: Flink's ``[{"key", "value"}]`` list with
  ``jobmanager.rpc.port = .rpc_port`` (the port-patcher sidecar's one call);
- ``GET /jobs/overview``: one job ``JOB`` in ``.state``;
- ``GET /jobs/JOB/checkpoints``: ``.completed`` completed and ``.in_progress`` running checkpoints;
- ``POST /jobs/JOB/savepoints`` and ``GET /jobs/JOB/savepoints/<id>``: ``.polls``
  answers ``IN_PROGRESS``, then ``COMPLETED`` with ``.outcome`` (a location or a failure).

Every request is recorded in ``.requests`` as ``(method, path, body)``. ``.down = True``
closes the listening socket (connection refused) and ``False`` reopens it on the same
port; ``.delay_s`` delays every answer; ``.fail_next(status, times)`` answers errors.
The real Flink REST API answers the same calls in ``tests/integration``.
"""

from __future__ import annotations

from http import HTTPStatus
from http.server import BaseHTTPRequestHandler

from tests.standins.server import Failures, Json, JsonHandler, StandIn

JOB = "0000000053ef16640000000000000000"
SAVEPOINT_REQUEST = "abc123"


class FakeFlinkRest(StandIn):
    """Flink's REST API: the JobManager's config, one job, its checkpoints and savepoints."""

    def __init__(self, rpc_port: int = 6123) -> None:
        self.rpc_port = rpc_port
        self.state = "RUNNING"
        self.completed = 3  # completed checkpoints of JOB
        self.in_progress = 0  # checkpoints and savepoints of JOB in progress
        self.polls = 2  # IN_PROGRESS answers before the savepoint's outcome
        self.outcome: dict[str, Json] = {"location": "file:/flink-data/savepoints/savepoint-1"}
        self.delay_s = 0.0
        self.requests: list[tuple[str, str, str]] = []
        self._failures = Failures()
        self._down = False
        super().__init__()

    def fail_next(self, status: int, times: int = 1) -> None:
        with self.lock:
            self._failures.add(status, times, None)

    @property
    def down(self) -> bool:
        return self._down

    @down.setter
    def down(self, value: bool) -> None:
        if value and not self._down:
            self._stop()
        elif not value and self._down:
            self._start(self.port)
        self._down = value

    def config_entries(self) -> list[dict[str, str]]:
        return [
            {"key": "jobmanager.rpc.address", "value": "flink-jobmanager"},
            {"key": "jobmanager.rpc.port", "value": str(self.rpc_port)},
            {"key": "rest.port", "value": "8081"},
        ]

    def get(self, path: str) -> tuple[int, Json]:
        if path == "/jobmanager/config":
            return 200, self.config_entries()
        if path == "/jobs/overview":
            job = {"jid": JOB, "name": "job", "start-time": 1, "state": self.state, "tasks": {"total": 2}}
            return 200, {"jobs": [job]}
        if path == f"/jobs/{JOB}/checkpoints":
            counts = {
                "restored": 0,
                "total": 4,
                "in_progress": self.in_progress,
                "completed": self.completed,
                "failed": 1,
            }
            return 200, {"counts": counts, "latest": {"completed": None}}
        if path == f"/jobs/{JOB}/savepoints/{SAVEPOINT_REQUEST}":
            self.polls -= 1
            if self.polls >= 0:
                return 200, {"status": {"id": "IN_PROGRESS"}, "operation": None}
            return 200, {"status": {"id": "COMPLETED"}, "operation": self.outcome}
        return 404, {"errors": [f"Not found: {path}"]}

    def post(self, path: str) -> tuple[int, Json]:
        return 200, {"request-id": SAVEPOINT_REQUEST} if path == f"/jobs/{JOB}/savepoints" else {}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(JsonHandler):
            def handle_any(self) -> None:
                body = self.read_body().decode()
                with fake.lock:
                    fake.requests.append((self.command, self.path, body))
                    failure = fake._failures.take(self.command)
                if fake.delay_s > 0 and fake.closing.wait(fake.delay_s):
                    return
                path = self.path.split("?")[0]
                if failure is not None:
                    self.answer(failure, {"errors": [HTTPStatus(failure).phrase]})
                elif self.command == "GET":
                    self.answer(*fake.get(path))
                else:
                    self.answer(*fake.post(path))

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self.handle_any()

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                self.handle_any()

        return Handler
