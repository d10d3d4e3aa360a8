"""The two Services of a Flink cluster, as pure functions.

The internal JobManager Service carries rpc, blob and rest, for TaskManagers and the
sidecar only (in sidecar mode the stack declares blob and rest, the sidecar adds rpc).
The UI Service carries port 8081 and nothing else, so the RPC and blob ports are never
on a load balancer.

Both select every JobManager. With one JobManager both publish it while it is not Ready
(its readiness is the job RUNNING, see ``job_health``): in sidecar and pinned modes
TaskManagers reach it through the Service before the job can run, and the UI shows why the
job does not run.

With standby JobManagers (``rpcPortMode: podIp``, ``flink.jobManagers`` > 1) they select
the leader and the standbys, and publish Ready ones only. Nobody needs the Service to reach
a JobManager that is not Ready: TaskManagers and standbys find the leader's pod IP through
ZooKeeper. Flink's REST API on a standby serves through the leader's dispatcher, so the UI
shows the leader's view whichever JobManager answers; a standby is Ready while its REST API
answers and it has a role, the leader while the job is RUNNING too. So while the leader's
job restarts, the standby answers and the UI shows why; a JobManager that does not answer
(starting, or between leaders) gets no traffic.
"""

from __future__ import annotations

from typing import Any

from components.flink.names import BLOB_PORT, REST_PORT, RPC_PORT, UI_SERVICE, labels

AZURE_INTERNAL_LB = "service.beta.kubernetes.io/azure-load-balancer-internal"


def publish_not_ready(job_managers: int) -> bool:
    """Publish JobManagers that are not Ready: with one JobManager; not with standbys."""
    return job_managers == 1


def jobmanager_service_spec(sidecar: bool, publish_not_ready: bool = True) -> dict[str, Any]:
    """rpc, blob and rest; in sidecar mode blob and rest only. In podIp mode the ``rpc``
    entry is unused (each JobManager's RPC is reached at its pod IP) and kept as in pinned.

    Field ownership: in sidecar mode the port-patcher adds the ``rpc`` entry at the port
    Flink bound and owns it (its own field manager). Server-side apply keys Service ports
    by port number and protocol, so if the stack declared ``rpc`` at 6123 too, re-applying
    it after the sidecar moved the port would make two ports named ``rpc``, which the API
    server refuses. So what the stack applies and what the sidecar changes never overlap.
    """
    ports = [
        {"name": "blob", "port": BLOB_PORT, "targetPort": BLOB_PORT},
        {"name": "rest", "port": REST_PORT, "targetPort": REST_PORT},
    ]
    if not sidecar:
        ports.insert(0, {"name": "rpc", "port": RPC_PORT, "targetPort": RPC_PORT})
    return {
        "type": "ClusterIP",
        "selector": labels("jobmanager"),
        "ports": ports,
        "publishNotReadyAddresses": publish_not_ready,
    }


def ui_service_annotations(exposure: str) -> dict[str, str]:
    return {AZURE_INTERNAL_LB: "true"} if exposure == "internal" else {}


def ui_service_spec(exposure: str, allowed_cidrs: tuple[str, ...], publish_not_ready: bool = True) -> dict[str, Any]:
    """public: LoadBalancer limited to the CIDRs; internal: Azure internal LB, limited too;
    portForward: ClusterIP.

    A load balancer keeps the client's address (``externalTrafficPolicy: Local``), so the
    JobManager's NetworkPolicy can admit the same CIDRs (with ``Cluster`` the node would
    hide it behind its own).
    """
    spec: dict[str, Any] = {
        "type": "ClusterIP" if exposure == "portForward" else "LoadBalancer",
        "selector": labels("jobmanager"),
        "ports": [{"name": "http", "port": REST_PORT, "targetPort": REST_PORT}],
        "publishNotReadyAddresses": publish_not_ready,
    }
    if exposure != "portForward":
        spec["loadBalancerSourceRanges"] = list(allowed_cidrs)
        spec["externalTrafficPolicy"] = "Local"
    return spec


def port_forward_command(namespace: str) -> str:
    return f"kubectl --namespace {namespace} port-forward service/{UI_SERVICE} {REST_PORT}:{REST_PORT}"
