"""A ServiceAccount token projected into a file, as the kubelet does for a pod with workload
identity: requested from the real API server (TokenRequest, audience
``api://AzureADTokenExchange``), written atomically where ``AZURE_FEDERATED_TOKEN_FILE``
points, and renewed at 80 % of its lifetime (the kubelet's rule).
"""

from __future__ import annotations

import json
import os
import ssl
import threading
import urllib.request
from pathlib import Path
from typing import Any

from tests.controlplane.client import KubeClient
from tests.integration.entra_standin import EXCHANGE_AUDIENCE
from tests.integration.server import Server

MIN_EXPIRATION_S = 600  # the API server refuses shorter TokenRequests
RENEW_AT = 0.8
JWK_SET = "application/jwk-set+json"


def ensure_service_account(client: KubeClient, namespace: str, name: str) -> None:
    namespace_object = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
    for obj in (
        namespace_object,
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace}},
    ):
        answer = client.apply(obj, "flink-aks-tests")
        if not answer.ok:
            raise RuntimeError(f"applying {obj['kind']} {name}: {answer.status} {answer.message}")


def request_token(
    client: KubeClient, namespace: str, name: str, audience: str = EXCHANGE_AUDIENCE, seconds: int = MIN_EXPIRATION_S
) -> str:
    """A token of ServiceAccount ``namespace/name`` for ``audience``, signed by the API server."""
    body: dict[str, Any] = {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"audiences": [audience], "expirationSeconds": seconds},
    }
    answer = client.must("POST", f"/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token", body)
    return str(answer["status"]["token"])


def issuer_jwks(client: KubeClient) -> dict[str, Any]:
    """The service-account issuer's public keys (OIDC discovery, as Entra ID reads them).

    The API server serves them only as ``application/jwk-set+json``, which ``KubeClient``
    does not ask for.
    """
    context = ssl.create_default_context(cafile=str(client.ca_file))
    if client.cert_file is not None and client.key_file is not None:
        context.load_cert_chain(str(client.cert_file), str(client.key_file))
    request = urllib.request.Request(f"{client.server}/openid/v1/jwks", headers={"Accept": JWK_SET})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    with opener.open(request, timeout=client.timeout_s) as response:
        keys = json.loads(response.read())
    if not isinstance(keys, dict):
        raise RuntimeError(f"/openid/v1/jwks answered {keys!r}")
    return keys


def issuer(client: KubeClient) -> str:
    return str(client.get("/.well-known/openid-configuration")["issuer"])


class ProjectedToken(Server):
    """``with ProjectedToken(client, ns, sa, path): …``: the file exists and stays fresh."""

    def __init__(
        self, client: KubeClient, namespace: str, name: str, path: Path, seconds: int = MIN_EXPIRATION_S
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.name = name
        self.path = path
        self.seconds = seconds
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        ensure_service_account(self.client, self.namespace, self.name)
        self._write()
        self._thread = threading.Thread(target=self._renew, name=f"projected-token-{self.name}", daemon=True)
        self._thread.start()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(f".{self.path.name}.tmp")
        staged.write_text(request_token(self.client, self.namespace, self.name, seconds=self.seconds))
        staged.chmod(0o600)
        os.replace(staged, self.path)

    def _renew(self) -> None:
        while not self._stopped.wait(self.seconds * RENEW_AT):
            self._write()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
