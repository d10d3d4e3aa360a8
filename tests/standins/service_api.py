"""A stand-in for the Kubernetes API server, reduced to GET and PATCH of one Service
(``/api/v1/namespaces/{ns}/services/{name}``), as the port-patcher sidecar uses it.

PATCH takes ``application/json-patch+json`` (RFC 6902 through ``jsonpatch``; a failed
``test`` op answers 422 like the API server; query parameters such as ``fieldManager``
are recorded in the request path and otherwise ignored). ``FakeServiceApi`` records
every request; ``.fail_next(status, times, method=None)`` answers a Kubernetes ``Status``
error instead; ``.before_next_patch(fn)`` changes the stored Service just before the
next PATCH is applied (to simulate a concurrent writer); ``token=`` demands a bearer
token (401 otherwise); ``tls=`` (a server-side ``ssl.SSLContext``) serves https.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import ssl
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler

import jsonpatch

from tests.standins.server import Failures, Json, JsonHandler, StandIn

JSON_PATCH_CONTENT_TYPE = "application/json-patch+json"


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


class FakeServiceApi(StandIn):
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
        self._failures = Failures()
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

        class Handler(JsonHandler):
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

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self.handle_any()

            def do_PATCH(self) -> None:  # noqa: N802 - http.server's name
                self.handle_any()

        return Handler
