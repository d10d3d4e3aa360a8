"""A minimal Kubernetes API client for the engine tests, from a kubeconfig file.

Only what the tests need: GET, create (POST), JSON patch (as the port-patcher sends it)
and DELETE, with the kubeconfig's current context (client certificate or bearer token).
"""

from __future__ import annotations

import base64
import json
import ssl
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class ApiError(Exception):
    status: int
    body: str


class Kube:
    def __init__(self, kubeconfig: Path) -> None:
        config = yaml.safe_load(kubeconfig.read_text())
        context_name = config["current-context"]
        context = next(c["context"] for c in config["contexts"] if c["name"] == context_name)
        cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
        user = next(u["user"] for u in config["users"] if u["name"] == context["user"])
        self.server = cluster["server"].rstrip("/")
        self._files = tempfile.TemporaryDirectory(prefix="kube-")
        self.ssl = ssl.create_default_context(cafile=self._file(cluster, "certificate-authority", kubeconfig))
        self.token = user.get("token")
        if "client-certificate" in user or "client-certificate-data" in user:
            self.ssl.load_cert_chain(
                self._file(user, "client-certificate", kubeconfig), self._file(user, "client-key", kubeconfig)
            )

    def _file(self, section: dict[str, Any], name: str, kubeconfig: Path) -> str:
        if f"{name}-data" in section:
            path = Path(self._files.name) / name
            path.write_bytes(base64.b64decode(section[f"{name}-data"]))
            return str(path)
        return str((kubeconfig.parent / section[name]).resolve())

    def request(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> Any:
        headers = {"Accept": "application/json", "Content-Type": content_type}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.server + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, context=self.ssl, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, error.read().decode(errors="replace")) from None

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def exists(self, path: str) -> bool:
        try:
            self.get(path)
        except ApiError as error:
            if error.status == 404:
                return False
            raise
        return True

    def create(self, path: str, body: Any) -> Any:
        return self.request("POST", path, body)

    def json_patch(self, path: str, ops: list[dict[str, Any]], field_manager: str) -> Any:
        return self.request(
            "PATCH", f"{path}?fieldManager={field_manager}", ops, content_type="application/json-patch+json"
        )
