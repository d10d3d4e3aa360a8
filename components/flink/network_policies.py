"""NetworkPolicies of the Flink pods, as pure functions: deny by default, then allow what
the cluster needs and nothing else.

Flink's RPC, blob and REST ports have no authentication: whoever reaches the RPC port
can run code as the Flink user, who reads the Kafka credentials. So the Flink pods talk
to each other, and out only to ZooKeeper, Kafka, DNS, (the sidecar) the Kubernetes API
and (workload identity) Entra ID; the REST port is open only to the networks the UI is
served to, the metrics port only to Azure Monitor's Prometheus collector.

``rpcPortMode: podIp`` needs nothing beyond ``pinned``: NetworkPolicy matches pods by their
IPs whatever address a client dialled, so TaskManagers reaching the leader at its pod IP
use the rules that admit them through the Service; the JobManagers reach each other on
RPC (6123: the leader watch probes the leader's RPC port from the other pod, a standby's
REST API calls the leader's dispatcher) by the JobManager-to-JobManager rules; the leader
watch talks to ZooKeeper only; no API-server egress (no sidecar).

What NetworkPolicy cannot say, and what the policies therefore allow:
- The JobManager's RPC port in ``rpcPortMode: sidecar`` is random (ephemeral), so the
  Flink pods may reach the JobManager on any port; only the Flink pods may.
- Destinations outside the cluster are matched by IP, never by name: the Kubernetes API
  server (AKS runs it outside the cluster, behind an address the stack does not know at
  deploy time), Event Hubs and an existing ZooKeeper get their ports only, to any
  address. A policy selects pods, not containers: the JobManager's Flink container may
  reach port 443 too, and the sidecar's Role, not the network, limits what its token can do.
- Entra ID (``login.microsoftonline.com``, with workload identity: the Kafka clients
  exchange the pod's federated token for an Event Hubs token there) is a name with
  Microsoft's changing addresses: HTTPS (443) to any address.
- Port-forward (``ui.exposure: portForward``, the operations commands) and the kubelet's
  probes come from the node, which NetworkPolicy always admits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.flink.names import (
    BLOB_PORT,
    METRICS_PORT,
    REST_PORT,
    RPC_PORT,
    TASKMANAGER_DATA_PORT,
    TASKMANAGER_RPC_PORT,
    labels,
    meta,
)

DEFAULT_DENY = "flink-default-deny"
JOBMANAGER_POLICY = "flink-jobmanager"
TASKMANAGER_POLICY = "flink-taskmanager"

FLINK_PODS = {"app.kubernetes.io/name": "flink"}  # the JobManager and the TaskManagers
SYSTEM_NAMESPACE = {"kubernetes.io/metadata.name": "kube-system"}
DNS_PODS = {"k8s-app": "kube-dns"}  # CoreDNS on AKS (and kubeadm, kind)
# Azure Monitor managed Prometheus: the ama-metrics ReplicaSet scrapes pods (annotations, PodMonitors).
METRICS_COLLECTOR_PODS = {"rsName": "ama-metrics"}
API_SERVER_PORTS = (443, 6443)  # the kubernetes Service's port, and kube-apiserver's own
HTTPS_PORT = 443  # Entra ID's token endpoint (workload identity)


@dataclass(frozen=True)
class Destination:
    """Where one kind of outbound traffic goes: TCP ports, on the pods of the stack's
    namespace with ``pod_labels``, or (None) on any address."""

    ports: tuple[int, ...]
    pod_labels: dict[str, str] | None = None


@dataclass(frozen=True)
class PolicyInputs:
    sidecar: bool  # rpcPortMode sidecar: random RPC port, the sidecar calls the API server
    zookeeper: Destination
    kafka: Destination
    ui_cidrs: tuple[str, ...]  # networks the UI's load balancer admits; () for port-forward
    entra_id: bool = False  # workload identity: the Kafka clients get tokens from Entra ID


def ports_of(endpoints: str) -> tuple[int, ...]:
    """The distinct ports of ``host:port,host:port[/chroot]`` (a ZooKeeper connect string, Kafka bootstrap servers)."""
    ports = {int(item.rsplit(":", 1)[1]) for item in endpoints.split("/", 1)[0].split(",")}
    return tuple(sorted(ports))


def _tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": port} for port in ports]


def _pods(selector: dict[str, str]) -> dict[str, Any]:
    return {"podSelector": {"matchLabels": selector}}


def _rule(peers: list[dict[str, Any]] | None, ports: list[dict[str, Any]] | None, direction: str) -> dict[str, Any]:
    """An ingress (``from``) or egress (``to``) rule; None: any peer, or any port."""
    rule: dict[str, Any] = {}
    if peers is not None:
        rule[direction] = peers
    if ports is not None:
        rule["ports"] = ports
    return rule


def _egress_to(destination: Destination) -> dict[str, Any]:
    peers = None if destination.pod_labels is None else [_pods(destination.pod_labels)]
    return _rule(peers, _tcp(*destination.ports), "to")


def _jobmanager_rpc(sidecar: bool) -> list[dict[str, Any]] | None:
    """The JobManager's RPC port: pinned at 6123, or random (any port) with the sidecar."""
    return None if sidecar else _tcp(RPC_PORT)


def _common_egress(inputs: PolicyInputs) -> list[dict[str, Any]]:
    """Every Flink pod: DNS, ZooKeeper (HA), Kafka (the job's sources and sinks), Entra ID."""
    dns = {"namespaceSelector": {"matchLabels": SYSTEM_NAMESPACE}, "podSelector": {"matchLabels": DNS_PODS}}
    dns_ports = [{"protocol": protocol, "port": 53} for protocol in ("UDP", "TCP")]
    rules = [_rule([dns], dns_ports, "to"), _egress_to(inputs.zookeeper), _egress_to(inputs.kafka)]
    if inputs.entra_id:
        rules.append(_rule(None, _tcp(HTTPS_PORT), "to"))
    return rules


def _metrics_ingress() -> dict[str, Any]:
    collector = {
        "namespaceSelector": {"matchLabels": SYSTEM_NAMESPACE},
        "podSelector": {"matchLabels": METRICS_COLLECTOR_PODS},
    }
    return _rule([collector], _tcp(METRICS_PORT), "from")


def default_deny_spec() -> dict[str, Any]:
    """Every Flink pod isolated both ways: what the other policies do not allow is refused."""
    return {"podSelector": {"matchLabels": FLINK_PODS}, "policyTypes": ["Ingress", "Egress"]}


def jobmanager_spec(inputs: PolicyInputs) -> dict[str, Any]:
    rpc = _jobmanager_rpc(inputs.sidecar)
    ingress = [
        # TaskManagers, the JobManager itself (through its Service) and (podIp) the other
        # JobManagers (the leader watch's probe, a standby's REST calls): RPC and blob.
        _rule([_pods(FLINK_PODS)], None if rpc is None else [*rpc, *_tcp(BLOB_PORT)], "from"),
        _metrics_ingress(),
    ]
    if inputs.ui_cidrs:
        ingress.append(_rule([{"ipBlock": {"cidr": cidr}} for cidr in inputs.ui_cidrs], _tcp(REST_PORT), "from"))
    egress = [
        _rule([_pods(labels("taskmanager"))], _tcp(TASKMANAGER_RPC_PORT), "to"),
        _rule([_pods(labels("jobmanager"))], rpc, "to"),  # itself, and the leader from a standby
        *_common_egress(inputs),
    ]
    if inputs.sidecar:
        egress.append(_rule(None, _tcp(*API_SERVER_PORTS), "to"))
    return {
        "podSelector": {"matchLabels": labels("jobmanager")},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": ingress,
        "egress": egress,
    }


def taskmanager_spec(inputs: PolicyInputs) -> dict[str, Any]:
    rpc = _jobmanager_rpc(inputs.sidecar)
    return {
        "podSelector": {"matchLabels": labels("taskmanager")},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [
            # The JobManager calls TaskManagers' RPC; TaskManagers fetch each other's results.
            _rule([_pods(FLINK_PODS)], _tcp(TASKMANAGER_RPC_PORT, TASKMANAGER_DATA_PORT), "from"),
            _metrics_ingress(),
        ],
        "egress": [
            _rule([_pods(labels("jobmanager"))], None if rpc is None else [*rpc, *_tcp(BLOB_PORT)], "to"),
            _rule([_pods(labels("taskmanager"))], _tcp(TASKMANAGER_DATA_PORT), "to"),
            *_common_egress(inputs),
        ],
    }


def policy_specs(inputs: PolicyInputs) -> dict[str, dict[str, Any]]:
    """The policies by name."""
    return {
        DEFAULT_DENY: default_deny_spec(),
        JOBMANAGER_POLICY: jobmanager_spec(inputs),
        TASKMANAGER_POLICY: taskmanager_spec(inputs),
    }


def declare(name: str, namespace: str, inputs: PolicyInputs, parent: pulumi.Resource) -> None:
    """The policies, children of ``parent``."""
    for policy, spec in policy_specs(inputs).items():
        k8s.networking.v1.NetworkPolicy(
            f"{name}-{policy.removeprefix('flink-')}-policy",
            metadata=meta(namespace, policy),
            spec=spec,
            opts=pulumi.ResourceOptions(parent=parent),
        )
