"""HTTP for both APIs: one request, its 2xx body or a SyncError saying where and why."""

from __future__ import annotations

import http.client
import json
import ssl
import urllib.error
import urllib.request
from typing import Final

MAX_ERROR_DETAIL_CHARS: Final = 200


class SyncError(Exception):
    """One iteration failed; ``step`` says where, ``reason`` says why (never a secret)."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


def error_detail(error: urllib.error.HTTPError) -> str:
    """The ``message`` of a Kubernetes Status body, or the start of any other body."""
    try:
        body = error.read().decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        return ""
    finally:
        error.close()
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    message = document.get("message") if isinstance(document, dict) else None
    text = " ".join(str(message if message is not None else body).split())
    return text[:MAX_ERROR_DETAIL_CHARS]


def send(
    request: urllib.request.Request,
    step: str,
    timeout: float,
    tls: ssl.SSLContext | None,
) -> bytes:
    """Send one request, return the body of a 2xx answer, raise SyncError otherwise.

    Proxies from the environment are ignored: both APIs are in-cluster or local.
    """
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=tls))
    try:
        with opener.open(request, timeout=timeout) as response:
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as exc:
        detail = error_detail(exc)
        raise SyncError(step, f"http {exc.code}" + (f": {detail}" if detail else "")) from None
    except urllib.error.URLError as exc:
        raise SyncError(step, f"unreachable: {exc.reason}") from None
    except TimeoutError:
        raise SyncError(step, f"timed out after {timeout:g}s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise SyncError(step, f"{type(exc).__name__}: {exc}") from None


def parse_json(body: bytes, step: str) -> object:
    try:
        document: object = json.loads(body)
    except ValueError:
        raise SyncError(step, "answer is not valid JSON") from None
    return document
