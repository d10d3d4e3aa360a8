"""The JobManager Service and the sidecar's RBAC in a real API server, as the stack
declares them (same pure functions as the Flink component), plus a token for the sidecar
minted through the TokenRequest API and the environment the sidecar program runs with.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from components.flink.names import JOBMANAGER_SERVICE, PORT_PATCHER_SERVICE_ACCOUNT
from components.flink.sidecar import port_patcher_rules
from tests.controlplane.client import KubeClient
from tests.controlplane.cluster import ControlPlane

# pulumi-kubernetes applies server-side with the field manager `pulumi-kubernetes-<8 hex>`
# (a random suffix per resource, kept in the state); this is one such name.
PULUMI_FIELD_MANAGER = "pulumi-kubernetes-5f0c2a9e"
RESTRICTED = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
}


def namespace_object(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": RESTRICTED}}


def jobmanager_service(namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": JOBMANAGER_SERVICE, "namespace": namespace},
        "spec": spec,
    }


def sidecar_rbac(namespace: str) -> list[dict[str, Any]]:
    """ServiceAccount, Role (get and patch of the one Service) and RoleBinding."""
    meta = {"name": PORT_PATCHER_SERVICE_ACCOUNT, "namespace": namespace}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta, "automountServiceAccountToken": False},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": meta,
            "rules": port_patcher_rules(JOBMANAGER_SERVICE),
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": PORT_PATCHER_SERVICE_ACCOUNT},
            "subjects": [{"kind": "ServiceAccount", "name": PORT_PATCHER_SERVICE_ACCOUNT, "namespace": namespace}],
        },
    ]


def apply_all(client: KubeClient, objects: list[dict[str, Any]], field_manager: str = PULUMI_FIELD_MANAGER) -> None:
    for obj in objects:
        answer = client.apply(obj, field_manager)
        if not answer.ok:
            kind, name = obj["kind"], obj["metadata"]["name"]
            raise AssertionError(f"apply of {kind} {name}: {answer.status} {answer.message}")


def mint_token(client: KubeClient, namespace: str, account: str = PORT_PATCHER_SERVICE_ACCOUNT) -> str:
    """A token for ``account`` from the TokenRequest API (what the kubelet projects into the pod)."""
    request = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": 3600}}
    path = f"/api/v1/namespaces/{namespace}/serviceaccounts/{account}/token"
    return str(client.must("POST", path, request)["status"]["token"])


def service_path(namespace: str, name: str = JOBMANAGER_SERVICE) -> str:
    return f"/api/v1/namespaces/{namespace}/services/{name}"


def rpc_port(service: dict[str, Any], name: str = "rpc") -> int | None:
    for entry in service["spec"]["ports"]:
        if entry.get("name") == name:
            return int(entry["port"])
    return None


@dataclasses.dataclass(frozen=True)
class SidecarAccess:
    """Where the sidecar finds the API server and its credentials."""

    plane: ControlPlane
    namespace: str
    token_file: Path

    def env(self, flink_rest_url: str) -> dict[str, str]:
        return {
            "SERVICE_NAME": JOBMANAGER_SERVICE,
            "POD_NAMESPACE": self.namespace,
            "FLINK_REST_URL": flink_rest_url,
            "KUBERNETES_API_URL": self.plane.server,
            "KUBERNETES_TOKEN_FILE": str(self.token_file),
            "KUBERNETES_CA_FILE": str(self.plane.ca_file),
        }

    def service(self) -> dict[str, Any]:
        return dict(self.plane.admin.get(service_path(self.namespace)))

    def rpc_port(self) -> int | None:
        return rpc_port(self.service())


def provision(plane: ControlPlane, namespace: str, service_spec: dict[str, Any], work_dir: Path) -> SidecarAccess:
    """Namespace, the sidecar's RBAC and the Service (applied as Pulumi does), and a token file."""
    admin = plane.admin
    apply_all(
        admin, [namespace_object(namespace), *sidecar_rbac(namespace), jobmanager_service(namespace, service_spec)]
    )
    work_dir.mkdir(parents=True, exist_ok=True)
    token_file = work_dir / f"{namespace}.token"
    token_file.write_text(mint_token(admin, namespace), encoding="utf-8")
    token_file.chmod(0o600)
    return SidecarAccess(plane, namespace, token_file)


def delete_namespace(plane: ControlPlane, namespace: str) -> None:
    plane.admin.request("DELETE", f"/api/v1/namespaces/{namespace}")
