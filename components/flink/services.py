"""The two Services of a Flink cluster, as pure functions.

The internal JobManager Service carries rpc, blob and rest, for TaskManagers and the
sidecar only. The UI Service carries port 8081 and nothing else, so the RPC and blob
ports are never on a load balancer.
"""

from __future__ import annotations

from typing import Any

from components.flink.flink_config import BLOB_PORT, REST_PORT, RPC_PORT
from components.flink.pods import labels

JOBMANAGER_SERVICE = "flink-jobmanager"
UI_SERVICE = "flink-ui"
AZURE_INTERNAL_LB = "service.beta.kubernetes.io/azure-load-balancer-internal"


def jobmanager_service_spec() -> dict[str, Any]:
    return {
        "type": "ClusterIP",
        "selector": labels("jobmanager"),
        "ports": [
            # In sidecar mode the port-patcher rewrites this entry to the bound port.
            {"name": "rpc", "port": RPC_PORT, "targetPort": RPC_PORT},
            {"name": "blob", "port": BLOB_PORT, "targetPort": BLOB_PORT},
            {"name": "rest", "port": REST_PORT, "targetPort": REST_PORT},
        ],
    }


def ui_service_annotations(exposure: str) -> dict[str, str]:
    return {AZURE_INTERNAL_LB: "true"} if exposure == "internal" else {}


def ui_service_spec(exposure: str, allowed_cidrs: tuple[str, ...]) -> dict[str, Any]:
    """public: LoadBalancer limited to the CIDRs; internal: Azure internal LB; portForward: ClusterIP."""
    spec: dict[str, Any] = {
        "type": "ClusterIP" if exposure == "portForward" else "LoadBalancer",
        "selector": labels("jobmanager"),
        "ports": [{"name": "http", "port": REST_PORT, "targetPort": REST_PORT}],
    }
    if exposure == "public":
        spec["loadBalancerSourceRanges"] = list(allowed_cidrs)
    return spec


def port_forward_command(namespace: str) -> str:
    return f"kubectl --namespace {namespace} port-forward service/{UI_SERVICE} {REST_PORT}:{REST_PORT}"
