"""The plumbing of the HTTP stand-ins: a server on 127.0.0.1 (an ephemeral port by
default) serving from a background thread until ``close()`` (or the end of a ``with``
block), JSON answers, and a queue of injected errors.
"""

from __future__ import annotations

import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

Json = Any  # a decoded JSON document


class Failures:
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


class QuietServer(ThreadingHTTPServer):
    """Clients that hang up or fail the TLS handshake are expected here, not errors."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class StandIn:
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
        server = QuietServer(("127.0.0.1", port), self._handler_class())
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


class JsonHandler(BaseHTTPRequestHandler):
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
