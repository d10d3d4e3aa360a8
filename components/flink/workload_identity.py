"""Workload identity for the Flink pods (``eventHubs.auth: workloadIdentity``).

The JobManager and TaskManagers run as the ``flink`` ServiceAccount, annotated with the
job identity's client id; with the port-patcher sidecar the JobManager's pod runs as the
sidecar's ServiceAccount (a pod has one), annotated too. Pods labelled
``azure.workload.identity/use`` are mutated by AKS's workload identity webhook: it adds
``AZURE_CLIENT_ID``, ``AZURE_TENANT_ID``, ``AZURE_AUTHORITY_HOST``,
``AZURE_FEDERATED_TOKEN_FILE`` and its own projected token volume (``azure-identity-token``,
audience ``api://AzureADTokenExchange``), which needs no automounted API token, so
``automountServiceAccountToken`` stays off. Only the ``flink`` containers get them: the
others are listed in ``azure.workload.identity/skip-containers``.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.flink.names import FLINK_SERVICE_ACCOUNT, PORT_PATCHER_SERVICE_ACCOUNT, meta

USE_LABEL = {"azure.workload.identity/use": "true"}
CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id"
SKIP_CONTAINERS_ANNOTATION = "azure.workload.identity/skip-containers"
FLINK_CONTAINER = "flink"


def service_accounts(sidecar: bool) -> tuple[str, ...]:
    """The ServiceAccounts the Flink pods run as: the federated credentials' subjects."""
    return (FLINK_SERVICE_ACCOUNT, PORT_PATCHER_SERVICE_ACCOUNT) if sidecar else (FLINK_SERVICE_ACCOUNT,)


def with_workload_identity(pod: dict[str, Any]) -> dict[str, Any]:
    """The pod label, the ServiceAccount (unless the sidecar's), and which containers the webhook skips."""
    pod["metadata"]["labels"].update(USE_LABEL)
    spec = pod["spec"]
    spec.setdefault("serviceAccountName", FLINK_SERVICE_ACCOUNT)
    containers = [*spec.get("initContainers", []), *spec["containers"]]
    skipped = [c["name"] for c in containers if c["name"] != FLINK_CONTAINER]
    if skipped:
        pod["metadata"]["annotations"][SKIP_CONTAINERS_ANNOTATION] = ";".join(skipped)
    return pod


def declare(name: str, namespace: str, client_id: pulumi.Input[str], parent: pulumi.Resource) -> None:
    """The ``flink`` ServiceAccount, annotated with the identity's client id; a child of ``parent``."""
    k8s.core.v1.ServiceAccount(
        f"{name}-account",
        metadata=meta(namespace, FLINK_SERVICE_ACCOUNT, annotations={CLIENT_ID_ANNOTATION: client_id}),
        automount_service_account_token=False,
        opts=pulumi.ResourceOptions(parent=parent),
    )
