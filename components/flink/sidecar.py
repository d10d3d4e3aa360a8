"""The port-patcher sidecar, all of it: its program's ConfigMap, its ServiceAccount,
Role and RoleBinding, and the pod step that runs it next to the JobManager.

Only in ``rpcPortMode: sidecar``. The program (``port_patcher/``, standard library
only) keeps the internal JobManager Service's ``rpc`` port on the port Flink bound; it
may ``get`` and ``patch`` that one Service and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.flink.names import (
    JOBMANAGER_SERVICE,
    PORT_PATCHER_CONFIG_MAP,
    PORT_PATCHER_SERVICE_ACCOUNT,
    REST_PORT,
    meta,
)
from components.flink.pods import Pod
from components.flink.workload_identity import CLIENT_ID_ANNOTATION

PROGRAM_DIR = Path(__file__).with_name("port_patcher")  # a package: shipped file by file
APP_DIR = "/app"  # PYTHONPATH of the container; the package is mounted under it
# The official image, pinned by the digest of its multi-platform index (Docker's
# official-images library: docker-library/repo-info, repos/python/remote/3.12-slim-bookworm.md).
PYTHON_IMAGE = "python:3.12-slim-bookworm@sha256:0f5b26b9518d002b6173fd61daad821fa340635ebfec5bba471013f9ca114579"
SIDECAR_UID = 65534  # nobody
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def program_files() -> dict[str, str]:
    """The program's modules by file name: the ConfigMap's data."""
    return {path.name: path.read_text() for path in sorted(PROGRAM_DIR.glob("*.py"))}


def port_patcher_rules(service_name: str) -> list[dict[str, Any]]:
    """What the sidecar may do: get and patch one Service, nothing else."""
    return [{"apiGroups": [""], "resources": ["services"], "resourceNames": [service_name], "verbs": ["get", "patch"]}]


def declare(name: str, namespace: str, parent: pulumi.Resource, identity_client_id: pulumi.Input[str] | None) -> None:
    """The program's ConfigMap and the sidecar's RBAC, children of ``parent``.

    With workload identity the JobManager's pod runs as this ServiceAccount, so it carries
    the identity's client id too (components/flink/workload_identity.py).
    """
    child = pulumi.ResourceOptions(parent=parent)
    k8s.core.v1.ConfigMap(
        f"{name}-port-patcher",
        metadata=meta(namespace, PORT_PATCHER_CONFIG_MAP),
        data=program_files(),
        opts=child,
    )
    account = k8s.core.v1.ServiceAccount(
        f"{name}-port-patcher-account",
        metadata=meta(namespace, PORT_PATCHER_SERVICE_ACCOUNT, **_client_id(identity_client_id)),
        automount_service_account_token=False,
        opts=child,
    )
    role = k8s.rbac.v1.Role(
        f"{name}-port-patcher-role",
        metadata=meta(namespace, PORT_PATCHER_SERVICE_ACCOUNT),
        rules=port_patcher_rules(JOBMANAGER_SERVICE),
        opts=child,
    )
    k8s.rbac.v1.RoleBinding(
        f"{name}-port-patcher-binding",
        metadata=meta(namespace, PORT_PATCHER_SERVICE_ACCOUNT),
        role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": PORT_PATCHER_SERVICE_ACCOUNT},
        subjects=[{"kind": "ServiceAccount", "name": PORT_PATCHER_SERVICE_ACCOUNT, "namespace": namespace}],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[account, role]),
    )


def _client_id(identity_client_id: pulumi.Input[str] | None) -> dict[str, Any]:
    if identity_client_id is None:
        return {}
    return {"annotations": {CLIENT_ID_ANNOTATION: identity_client_id}}


def with_port_patcher(pod: Pod) -> Pod:
    """The sidecar that points the Service's `rpc` port at the JobManager's bound port.

    Only this container gets the ServiceAccount token (a projected volume): the
    Flink container runs without API credentials.
    """
    spec = pod["spec"]
    spec["serviceAccountName"] = PORT_PATCHER_SERVICE_ACCOUNT
    spec["volumes"] += [
        {"name": "port-patcher", "configMap": {"name": PORT_PATCHER_CONFIG_MAP, "defaultMode": 0o444}},
        {
            "name": "api-token",
            "projected": {
                "sources": [
                    {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {
                        "downwardAPI": {
                            "items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}}]
                        }
                    },
                ]
            },
        },
    ]
    spec["containers"].append(
        {
            "name": "port-patcher",
            "image": PYTHON_IMAGE,
            "command": ["python", "-m", PROGRAM_DIR.name],
            "env": [
                {"name": "SERVICE_NAME", "value": JOBMANAGER_SERVICE},
                {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                {"name": "FLINK_REST_URL", "value": f"http://127.0.0.1:{REST_PORT}"},
                {"name": "PYTHONPATH", "value": APP_DIR},
                {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"},
                {"name": "PYTHONUNBUFFERED", "value": "1"},
            ],
            "volumeMounts": [
                {"name": "port-patcher", "mountPath": f"{APP_DIR}/{PROGRAM_DIR.name}", "readOnly": True},
                {"name": "api-token", "mountPath": SERVICE_ACCOUNT_DIR, "readOnly": True},
            ],
            "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}},
            "securityContext": {"runAsUser": SIDECAR_UID, "runAsGroup": SIDECAR_UID},
        }
    )
    return pod
