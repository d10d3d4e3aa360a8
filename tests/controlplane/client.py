"""A small client of the Kubernetes REST API for tests: JSON over HTTPS, TLS client
certificate or bearer token, every answer returned (errors are data, not exceptions).
"""

from __future__ import annotations

import dataclasses
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tests.waiting import wait_until

JSON = "application/json"
APPLY = "application/apply-patch+yaml"  # the body may be JSON, a subset of YAML
JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def message(self) -> str:
        return str(self.body.get("message", "")) if isinstance(self.body, dict) else str(self.body)


class ApiError(AssertionError):
    def __init__(self, method: str, path: str, answer: Answer) -> None:
        super().__init__(f"{method} {path}: {answer.status} {answer.message}")
        self.answer = answer


@dataclasses.dataclass(frozen=True)
class KubeClient:
    server: str
    ca_file: Path
    cert_file: Path | None = None
    key_file: Path | None = None
    token: str | None = None
    timeout_s: float = 30.0

    def with_token(self, token: str) -> KubeClient:
        return KubeClient(self.server, self.ca_file, token=token, timeout_s=self.timeout_s)

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        if self.cert_file is not None and self.key_file is not None:
            context.load_cert_chain(str(self.cert_file), str(self.key_file))
        return context

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        content_type: str = JSON,
        params: Mapping[str, str] | None = None,
    ) -> Answer:
        url = self.server + path + (("?" + urllib.parse.urlencode(params)) if params else "")
        headers = {"Accept": JSON}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=self._context())
        )
        try:
            with opener.open(request, timeout=self.timeout_s) as response:
                return Answer(response.status, _decode(response.read()))
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, _decode(error.read()))

    def must(self, method: str, path: str, body: object = None, **kwargs: Any) -> Any:
        answer = self.request(method, path, body, **kwargs)
        if not answer.ok:
            raise ApiError(method, path, answer)
        return answer.body

    def get(self, path: str) -> Any:
        return self.must("GET", path)

    def apply(self, obj: Mapping[str, Any], field_manager: str, dry_run: bool = False, force: bool = False) -> Answer:
        """Server-side apply of one object (created when absent)."""
        params = {"fieldManager": field_manager, "fieldValidation": "Strict"}
        if dry_run:
            params["dryRun"] = "All"
        if force:
            params["force"] = "true"
        return self.request("PATCH", object_path(obj), obj, content_type=APPLY, params=params)

    def wait_for(self, what: str, condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
        wait_until(what, condition, timeout_s, 0.2)


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", errors="replace")


# Resource paths of the kinds the stack declares (plural names of the REST API).
PLURALS = {
    "Namespace": "namespaces",
    "Service": "services",
    "ServiceAccount": "serviceaccounts",
    "Secret": "secrets",
    "ConfigMap": "configmaps",
    "PersistentVolumeClaim": "persistentvolumeclaims",
    "PersistentVolume": "persistentvolumes",
    "Pod": "pods",
    "Node": "nodes",
    "Deployment": "deployments",
    "StatefulSet": "statefulsets",
    "Role": "roles",
    "RoleBinding": "rolebindings",
    "PodDisruptionBudget": "poddisruptionbudgets",
    "NetworkPolicy": "networkpolicies",
    "StorageClass": "storageclasses",
}
CLUSTER_SCOPED = {"Namespace", "PersistentVolume", "Node", "StorageClass"}


def collection_path(api_version: str, kind: str, namespace: str | None = None) -> str:
    prefix = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    plural = PLURALS[kind]
    if kind in CLUSTER_SCOPED or namespace is None:
        return f"{prefix}/{plural}"
    return f"{prefix}/namespaces/{namespace}/{plural}"


def object_path(obj: Mapping[str, Any]) -> str:
    metadata = obj["metadata"]
    collection = collection_path(obj["apiVersion"], obj["kind"], metadata.get("namespace", "default"))
    return f"{collection}/{metadata['name']}"
