"""The sidecar's RBAC for real: a token from the TokenRequest API for the ServiceAccount
the stack renders; ``get`` and ``patch`` of the JobManager Service allowed, every other
request in the matrix refused by the API server's authorizer (403 naming the account).
"""

from __future__ import annotations

from typing import Any

import pytest

from components.flink.names import PORT_PATCHER_SERVICE_ACCOUNT
from tests.controlplane.client import JSON_PATCH, MERGE_PATCH, KubeClient
from tests.controlplane.cluster import ControlPlane
from tests.controlplane.sidecar_access import apply_all, jobmanager_service, mint_token, namespace_object
from tests.kube.stack_objects import apply_variant

NS = "rbac-dev"
OTHER_NS = "rbac-other"
SVC = f"/api/v1/namespaces/{NS}/services"
JM = f"{SVC}/flink-jobmanager"
APPS = f"/apis/apps/v1/namespaces/{NS}/deployments"
RBAC = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{NS}"
DRY = {"dryRun": "All"}  # a wrongly allowed write would still change nothing
OTHER_JM = f"/api/v1/namespaces/{OTHER_NS}/services/flink-jobmanager"
ACCOUNT = f"/api/v1/namespaces/{NS}/serviceaccounts/{PORT_PATCHER_SERVICE_ACCOUNT}"
TOKEN_REQUEST = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}}
SCALE = f"{APPS}/flink-jobmanager/scale"
NOOP_PATCH = [{"op": "test", "path": "/metadata/name", "value": "flink-jobmanager"}]
REPLICAS_2 = {"spec": {"replicas": 2}}
LABEL_PATCH = {"metadata": {"labels": {"touched": "yes"}}}

# (what, method, path, body, content type, query)
Request = tuple[str, str, str, Any, str, dict[str, str]]
REFUSED: list[Request] = [
    ("update the Service", "PUT", JM, "SERVICE", "application/json", DRY),
    ("delete the Service", "DELETE", JM, None, "application/json", DRY),
    ("read the Service's status", "GET", f"{JM}/status", None, "", {}),
    ("patch the Service's status", "PATCH", f"{JM}/status", LABEL_PATCH, MERGE_PATCH, DRY),
    ("get another Service", "GET", f"{SVC}/flink-ui", None, "", {}),
    ("patch another Service", "PATCH", f"{SVC}/flink-ui", LABEL_PATCH, MERGE_PATCH, DRY),
    ("create a Service", "POST", SVC, "SERVICE", "application/json", DRY),
    ("list Services", "GET", SVC, None, "", {}),
    ("watch Services", "GET", SVC, None, "", {"watch": "true", "timeoutSeconds": "1"}),
    ("watch the Service", "GET", SVC, None, "", {"watch": "true", "fieldSelector": "metadata.name=flink-jobmanager"}),
    ("list Services of all namespaces", "GET", "/api/v1/services", None, "", {}),
    ("get the same Service in another namespace", "GET", OTHER_JM, None, "", {}),
    ("patch the same Service in another namespace", "PATCH", OTHER_JM, LABEL_PATCH, MERGE_PATCH, DRY),
    ("get the Kafka Secret", "GET", f"/api/v1/namespaces/{NS}/secrets/flink-kafka", None, "", {}),
    ("list Secrets", "GET", f"/api/v1/namespaces/{NS}/secrets", None, "", {}),
    ("get the Flink ConfigMap", "GET", f"/api/v1/namespaces/{NS}/configmaps/flink-config", None, "", {}),
    ("list ConfigMaps", "GET", f"/api/v1/namespaces/{NS}/configmaps", None, "", {}),
    ("get the JobManager Deployment", "GET", f"{APPS}/flink-jobmanager", None, "", {}),
    ("patch the JobManager Deployment", "PATCH", f"{APPS}/flink-jobmanager", LABEL_PATCH, MERGE_PATCH, DRY),
    ("get the Deployment's scale", "GET", SCALE, None, "", {}),
    ("patch the Deployment's scale", "PATCH", SCALE, REPLICAS_2, MERGE_PATCH, DRY),
    ("list Pods", "GET", f"/api/v1/namespaces/{NS}/pods", None, "", {}),
    ("get Endpoints", "GET", f"/api/v1/namespaces/{NS}/endpoints/flink-jobmanager", None, "", {}),
    ("list EndpointSlices", "GET", f"/apis/discovery.k8s.io/v1/namespaces/{NS}/endpointslices", None, "", {}),
    ("mint a token", "POST", f"{ACCOUNT}/token", TOKEN_REQUEST, "application/json", {}),
    ("get ServiceAccounts", "GET", ACCOUNT, None, "", {}),
    ("get its Role", "GET", f"{RBAC}/roles/{PORT_PATCHER_SERVICE_ACCOUNT}", None, "", {}),
    ("patch its Role", "PATCH", f"{RBAC}/roles/{PORT_PATCHER_SERVICE_ACCOUNT}", LABEL_PATCH, MERGE_PATCH, DRY),
    ("list Roles", "GET", f"{RBAC}/roles", None, "", {}),
    ("list RoleBindings", "GET", f"{RBAC}/rolebindings", None, "", {}),
]  # fmt: skip


@pytest.fixture(scope="module")
def sidecar(control_plane: ControlPlane) -> KubeClient:
    """A client with the sidecar's token, after the dev stack's objects are applied."""
    admin = control_plane.admin
    apply_variant(admin, "dev", NS)
    other = jobmanager_service(OTHER_NS, {"ports": [{"name": "rest", "port": 8081}]})
    apply_all(admin, [namespace_object(OTHER_NS), other])
    return admin.with_token(mint_token(admin, NS))


def test_the_sidecar_may_get_and_patch_the_jobmanager_service(sidecar: KubeClient) -> None:
    got = sidecar.request("GET", JM)
    assert got.status == 200, got.message
    patched = sidecar.request("PATCH", JM, NOOP_PATCH, content_type=JSON_PATCH)
    assert patched.status == 200, patched.message
    assert patched.body["metadata"]["uid"] == got.body["metadata"]["uid"]


@pytest.mark.parametrize("request_", REFUSED, ids=[r[0] for r in REFUSED])
def test_every_other_request_is_refused(control_plane: ControlPlane, sidecar: KubeClient, request_: Request) -> None:
    _what, method, path, body, content_type, query = request_
    if body == "SERVICE":
        body = control_plane.admin.get(JM)
        if method == "POST":
            body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"ports": [{"port": 1}]}}
    answer = sidecar.request(method, path, body, content_type=content_type or "application/json", params=query)
    assert answer.status == 403, f"{method} {path}: {answer.status} {answer.message}"
    assert f"system:serviceaccount:{NS}:{PORT_PATCHER_SERVICE_ACCOUNT}" in answer.message


def test_without_the_role_binding_even_get_is_refused(control_plane: ControlPlane, sidecar: KubeClient) -> None:
    """The allowed requests above are allowed by the stack's Role, not by some default."""
    admin = control_plane.admin
    binding = f"{RBAC}/rolebindings/{PORT_PATCHER_SERVICE_ACCOUNT}"
    saved = admin.get(binding)
    admin.must("DELETE", binding)
    try:
        admin.wait_for("the binding to be gone", lambda: sidecar.request("GET", JM).status == 403, timeout_s=10)
    finally:
        for key in ("resourceVersion", "uid", "creationTimestamp", "managedFields"):
            saved["metadata"].pop(key, None)
        admin.must("POST", f"{RBAC}/rolebindings", saved)
    admin.wait_for("the binding to be back", lambda: sidecar.request("GET", JM).status == 200, timeout_s=10)
