"""The Kubernetes API: GET and JSON-PATCH the one Service, with the pod's own credentials."""

from __future__ import annotations

import ssl
import urllib.request
from pathlib import Path
from typing import Final

from .config import Config
from .transport import SyncError, parse_json, send

JSON_PATCH_CONTENT_TYPE: Final = "application/json-patch+json"


def bearer_header(config: Config) -> dict[str, str]:
    """Read the token on every call: projected service-account tokens rotate."""
    try:
        token = Path(config.token_file).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if config.kubernetes_api_url.startswith("http://"):
            return {}
        raise SyncError("token", f"token file {config.token_file} not found") from None
    except OSError as exc:
        raise SyncError("token", f"cannot read {config.token_file}: {exc.strerror}") from None
    if not token:
        raise SyncError("token", f"token file {config.token_file} is empty")
    return {"Authorization": f"Bearer {token}"}


def tls_context(config: Config) -> ssl.SSLContext | None:
    """A context trusting only the cluster CA for https, none for plain http."""
    if not config.kubernetes_api_url.startswith("https://"):
        return None
    try:
        return ssl.create_default_context(cafile=config.ca_file)
    except OSError as exc:
        raise SyncError("ca", f"cannot load CA file {config.ca_file}: {exc}") from None


def kubernetes_request(config: Config, method: str, body: bytes | None = None) -> object:
    headers = {"Accept": "application/json", **bearer_header(config)}
    if body is not None:
        headers["Content-Type"] = JSON_PATCH_CONTENT_TYPE
    step = f"kubernetes_{method.lower()}"
    url = config.patch_url if method == "PATCH" else config.service_url
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    return parse_json(send(request, step, config.http_timeout_s, tls_context(config)), step)
