"""Local stand-ins for the two HTTP APIs the port-patcher sidecar talks to.

Both bind 127.0.0.1 on an ephemeral port, serve from a background thread and must be
closed (use them as context managers or call ``close()``).

- ``FakeFlinkRest``: ``GET /jobmanager/config`` answering Flink's ``[{"key", "value"}]``
  list with ``jobmanager.rpc.port = .rpc_port``. ``.down = True`` closes the listening
  socket (connection refused) and ``False`` reopens it on the same port; ``.delay_s``
  delays every answer; ``.fail_next(status, times)`` answers errors.
- ``FakeServiceApi``: the one Kubernetes endpoint
  ``/api/v1/namespaces/{ns}/services/{name}`` with GET and PATCH
  (``application/json-patch+json``, RFC 6902 through ``jsonpatch``; a failed ``test``
  op answers 422 like the API server; query parameters such as ``fieldManager`` are
  recorded in the request path and otherwise ignored). Records every request; ``.fail_next(status,
  times, method=None)`` answers a Kubernetes ``Status`` error instead;
  ``.before_next_patch(fn)`` changes the stored Service just before the next PATCH is
  applied (to simulate a concurrent writer); ``token=`` demands a bearer token (401
  otherwise); ``tls=`` (a server-side ``ssl.SSLContext``) serves https.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import ssl
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

import jsonpatch

JSON_PATCH_CONTENT_TYPE = "application/json-patch+json"
Json = Any  # a decoded JSON document


def default_service(namespace: str, name: str, rpc_port: int | None = 6123) -> dict[str, Json]:
    """A JobManager Service as the API server returns it: rpc, blob, rest (no rpc for ``None``)."""
    ports: list[dict[str, Json]] = [
        {"name": "blob", "port": 6124, "targetPort": 6124, "protocol": "TCP"},
        {"name": "rest", "port": 8081, "targetPort": 8081, "protocol": "TCP"},
    ]
    if rpc_port is not None:
        ports.insert(0, {"name": "rpc", "port": rpc_port, "targetPort": rpc_port, "protocol": "TCP"})
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "resourceVersion": "1"},
        "spec": {"type": "ClusterIP", "selector": {"app": "flink", "component": "jobmanager"}, "ports": ports},
    }


def status_body(code: int, message: str) -> dict[str, Json]:
    """A Kubernetes ``Status`` object, the body of every API error."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": message,
        "reason": HTTPStatus(code).phrase.replace(" ", ""),
        "code": code,
    }


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Json:
        return json.loads(self.body)


class _Failures:
    """A queue of error answers: ``(status, remaining times, method or None)``."""

    def __init__(self) -> None:
        self._pending: list[list[Any]] = []

    def add(self, status: int, times: int, method: str | None) -> None:
        self._pending.append([status, times, method])

    def take(self, method: str) -> int | None:
        for item in self._pending:
            if item[2] is None or item[2] == method:
                item[1] -= 1
                if item[1] <= 0:
                    self._pending.remove(item)
                return int(item[0])
        return None


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up or fail the TLS handshake are expected here, not errors."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _StandIn:
    """A ThreadingHTTPServer on 127.0.0.1 in a thread, with ``Handler`` bound to ``self``."""

    def __init__(self, port: int = 0, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._start(port)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def _start(self, port: int) -> None:
        server = _QuietServer(("127.0.0.1", port), self._handler_class())
        if self.tls is not None:  # the handshake then happens in the handler thread
            server.socket = self.tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def _stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def url(self) -> str:
        scheme = "http" if self.tls is None else "https"
        return f"{scheme}://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.closing.set()  # wakes handlers sleeping in a delay
        self._stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _JsonHandler(BaseHTTPRequestHandler):
    """Shared plumbing: quiet logs, JSON answers, request bodies."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def answer(self, status: int, document: Json) -> None:
        body = json.dumps(document).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout); nothing to answer


class FakeFlinkRest(_StandIn):
    """Flink's REST API, just ``GET /jobmanager/config``."""

    def __init__(self, rpc_port: int = 6123) -> None:
        self.rpc_port = rpc_port
        self.delay_s = 0.0
        self.requests = 0
        self._failures = _Failures()
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

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(_JsonHandler):
            def do_GET(self) -> None:
                with fake.lock:
                    fake.requests += 1
                    failure = fake._failures.take("GET")
                if fake.delay_s > 0 and fake.closing.wait(fake.delay_s):
                    return
                if failure is not None:
                    self.answer(failure, {"errors": [HTTPStatus(failure).phrase]})
                elif self.path.split("?")[0] == "/jobmanager/config":
                    self.answer(200, fake.config_entries())
                else:
                    self.answer(404, {"errors": ["Not found: " + self.path]})

        return Handler


class FakeServiceApi(_StandIn):
    """The Kubernetes API server, reduced to GET and PATCH of one Service."""

    def __init__(
        self,
        namespace: str = "flink",
        name: str = "flink-jobmanager",
        service: dict[str, Json] | None = None,
        token: str | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.namespace = namespace
        self.name = name
        self.token = token
        self.path = f"/api/v1/namespaces/{namespace}/services/{name}"
        self._service = copy.deepcopy(service) if service else default_service(namespace, name)
        self._requests: list[RecordedRequest] = []
        self._failures = _Failures()
        self._before_patch: Callable[[dict[str, Json]], None] | None = None
        super().__init__(tls=tls)

    @property
    def service(self) -> dict[str, Json]:
        """A copy of the stored Service."""
        with self.lock:
            return copy.deepcopy(self._service)

    @service.setter
    def service(self, value: dict[str, Json]) -> None:
        with self.lock:
            self._service = copy.deepcopy(value)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.lock:
            return list(self._requests)

    def requests_of(self, method: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method]

    def port_named(self, name: str = "rpc") -> dict[str, Json]:
        return next(p for p in self.service["spec"]["ports"] if p.get("name") == name)

    def fail_next(self, status: int, times: int = 1, method: str | None = None) -> None:
        """Answer the next ``times`` requests (of ``method``, or any) with ``status``."""
        with self.lock:
            self._failures.add(status, times, method)

    def before_next_patch(self, change: Callable[[dict[str, Json]], None]) -> None:
        """Call ``change(service)`` on the stored Service just before the next PATCH."""
        with self.lock:
            self._before_patch = change

    def _record(self, handler: BaseHTTPRequestHandler, body: bytes) -> int | None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            self._requests.append(RecordedRequest(handler.command, handler.path, headers, body))
            return self._failures.take(handler.command)

    def _authorized(self, handler: BaseHTTPRequestHandler) -> bool:
        return self.token is None or handler.headers.get("Authorization") == f"Bearer {self.token}"

    def _patch(self, content_type: str, body: bytes) -> tuple[int, Json]:
        if content_type.split(";")[0].strip() != JSON_PATCH_CONTENT_TYPE:
            return 415, status_body(415, f"unsupported media type {content_type!r}")
        try:
            patch = json.loads(body)
        except ValueError:
            return 400, status_body(400, "patch body is not JSON")
        with self.lock:
            if self._before_patch is not None:
                self._before_patch(self._service)
                self._before_patch = None
            try:
                patched = jsonpatch.apply_patch(self._service, patch)
            except (
                jsonpatch.JsonPatchException,
                jsonpatch.JsonPointerException,
            ) as exc:
                return 422, status_body(422, f"the server rejected our request: {exc}")
            patched["metadata"]["resourceVersion"] = str(int(self._service["metadata"]["resourceVersion"]) + 1)
            self._service = patched
            return 200, copy.deepcopy(patched)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(_JsonHandler):
            def handle_any(self) -> None:
                body = self.read_body()
                failure = fake._record(self, body)
                if not fake._authorized(self):
                    self.answer(401, status_body(401, "Unauthorized"))
                elif failure is not None:
                    self.answer(failure, status_body(failure, f"injected {failure}"))
                elif self.path.split("?")[0] != fake.path:
                    self.answer(404, status_body(404, f"{self.path} not found"))
                elif self.command == "GET":
                    self.answer(200, fake.service)
                else:
                    self.answer(*fake._patch(self.headers.get("Content-Type", ""), body))

            def do_GET(self) -> None:
                self.handle_any()

            def do_PATCH(self) -> None:
                self.handle_any()

        return Handler
