"""Pulumi's official mock engine, set up to record what the program declares.

``OfflineMocks`` answers the engine's two questions (a new resource's state, an
invoke's result) the way a first ``pulumi preview`` would: a resource's state is its
inputs and anything computed by the cloud stays unknown. With ``preview=False`` it
plays a completed ``pulumi up`` instead: Azure names, ids and random suffixes get
stable made-up values, so tests can check the values derived from them.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

import yaml
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

# A made-up credential: tests assert it never appears in plain text anywhere.
FAKE_SHARED_ACCESS_KEY = "MockSharedAccessKey0123456789abcdefABCDEF="

# The input that carries the Azure name of each resource type (its output is `name`).
AZURE_NAME_INPUTS = {
    "azure-native:resources:ResourceGroup": "resourceGroupName",
    "azure-native:containerservice:ManagedCluster": "resourceName",
    "azure-native:containerservice:AgentPool": "agentPoolName",
    "azure-native:operationalinsights:Workspace": "workspaceName",
    "azure-native:eventhub:Namespace": "namespaceName",
    "azure-native:eventhub:EventHub": "eventHubName",
    "azure-native:eventhub:ConsumerGroup": "consumerGroupName",
    "azure-native:eventhub:EventHubAuthorizationRule": "authorizationRuleName",
    "azure-native:containerregistry:Registry": "registryName",
    "azure-native:managedidentity:UserAssignedIdentity": "resourceName",
}
# Made-up Azure ids a completed `pulumi up` would know.
FAKE_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000001"
FAKE_KUBELET_OBJECT_ID = "00000000-0000-0000-0000-00000000c0de"
FAKE_EGRESS_IP = "203.0.113.45"
FAKE_EGRESS_IP_ID = (
    f"/subscriptions/{FAKE_SUBSCRIPTION_ID}/resourceGroups/rg-nodes"
    "/providers/Microsoft.Network/publicIPAddresses/egress"
)
FAKE_OIDC_ISSUER_URL = "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/mock/"
FAKE_IDENTITY_CLIENT_ID = "00000000-0000-0000-0000-00000000c11e"
FAKE_IDENTITY_PRINCIPAL_ID = "00000000-0000-0000-0000-00000000f10c"
# The server id of the AKS Entra application, the same in every tenant.
AKS_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"


@dataclass
class Declared:
    """One resource as the engine saw it."""

    type: str
    name: str
    parent: str | None
    inputs: dict[str, Any]
    provider: str | None = None
    protect: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)  # logical names


@dataclass
class Recording:
    resources: list[Declared] = field(default_factory=list)


def _stable_token(seed: str, length: int, alphabet: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in (digest * (length // len(digest) + 1))[:length])


def fake_kubeconfig(cluster: str) -> str:
    """What AKS returns for an Entra-only cluster with ``format=exec``: kubelogin, device code."""
    kubelogin = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "kubelogin",
        "args": ["get-token", "--login", "devicecode", "--server-id", AKS_SERVER_ID]
        + ["--client-id", "80faf920-1908-4b52-b5ef-a8e7bedfc67a", "--tenant-id", FAKE_SUBSCRIPTION_ID]
        + ["--environment", "AzurePublicCloud"],
    }
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": cluster, "cluster": {"server": f"https://{cluster}.hcp.example.azmk8s.io:443"}}],
            "users": [{"name": "clusterUser", "user": {"exec": kubelogin}}],
            "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": "clusterUser"}}],
            "current-context": cluster,
        }
    )


class OfflineMocks(Mocks):
    def __init__(self, preview: bool) -> None:
        self.preview = preview

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        state = dict(args.inputs)
        if args.typ == "pulumi:pulumi:StackReference":
            # The stack reads its own last outputs: a stack never deployed has none.
            return args.resource_id, {**state, "outputs": {}, "secretOutputNames": []}
        if self.preview:
            return "", state
        name_input = AZURE_NAME_INPUTS.get(args.typ)
        if name_input is not None:
            state["name"] = args.inputs.get(name_input, args.name)
        if args.typ == "azure-native:containerservice:ManagedCluster":
            state["identityProfile"] = {"kubeletidentity": {"objectId": FAKE_KUBELET_OBJECT_ID}}
            balancer = {"effectiveOutboundIPs": [{"id": FAKE_EGRESS_IP_ID}]}
            state["networkProfile"] = {**state.get("networkProfile", {}), "loadBalancerProfile": balancer}
            state["oidcIssuerProfile"] = {"enabled": True, "issuerURL": FAKE_OIDC_ISSUER_URL}
        if args.typ == "azure-native:managedidentity:UserAssignedIdentity":
            state["clientId"] = FAKE_IDENTITY_CLIENT_ID
            state["principalId"] = FAKE_IDENTITY_PRINCIPAL_ID
        if args.typ == "azure-native:containerregistry:Registry":
            state["loginServer"] = f"{state['name']}.azurecr.io"
        if args.typ == "random:index/randomString:RandomString":
            alphabet = "abcdefghijklmnopqrstuvwxyz" + ("0123456789" if args.inputs.get("numeric", True) else "")
            state["result"] = _stable_token(args.name, int(args.inputs.get("length", 8)), alphabet)
        return f"{args.name}-id", state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == "azure-native:authorization:getClientConfig":
            return {"subscriptionId": FAKE_SUBSCRIPTION_ID, "tenantId": FAKE_SUBSCRIPTION_ID}, []
        if args.token == "azure-native:network:getPublicIPAddress":
            return {"ipAddress": FAKE_EGRESS_IP, "name": args.args.get("publicIpAddressName")}, []
        if args.token == "azure-native:containerservice:listManagedClusterUserCredentials":
            cluster = str(args.args.get("resourceName", "cluster"))
            encoded = base64.b64encode(fake_kubeconfig(cluster).encode()).decode()
            return {"kubeconfigs": [{"name": "clusterUser", "value": encoded}]}, []
        if args.token in (
            "azure-native:eventhub:listEventHubKeys",
            "azure-native:eventhub:listNamespaceKeys",
        ):
            rule = args.args.get("authorizationRuleName", "rule")
            namespace = args.args.get("namespaceName", "namespace")
            hub = args.args.get("eventHubName", "")
            conn = (
                f"Endpoint=sb://{namespace}.servicebus.windows.net/;SharedAccessKeyName={rule};"
                f"SharedAccessKey={FAKE_SHARED_ACCESS_KEY}" + (f";EntityPath={hub}" if hub else "")
            )
            return {
                "keyName": rule,
                "primaryConnectionString": conn,
                "secondaryConnectionString": conn,
                "primaryKey": FAKE_SHARED_ACCESS_KEY,
                "secondaryKey": FAKE_SHARED_ACCESS_KEY,
            }, []
        return {}, []


class RecordingMonitor(MockMonitor):
    """The official mock monitor, also noting each resource's parent, provider and options.

    ``MockResourceArgs`` carries neither ``protect`` nor ``ignore_changes``: they are read
    from the registration request itself.
    """

    def __init__(self, mocks: Mocks, recording: Recording) -> None:
        super().__init__(mocks)
        self.recording = recording

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            from pulumi.runtime import rpc

            parent = request.parent.split("::")[-1] if request.parent else None
            if parent is not None and request.parent.split("::")[-2].endswith("pulumi:pulumi:Stack"):
                parent = None
            # A provider reference reads "<urn>::<id>"; keep the provider's logical name.
            provider = request.provider.split("::")[-2] if request.provider else None
            self.recording.resources.append(
                Declared(
                    type=request.type,
                    name=request.name,
                    parent=parent,
                    inputs=rpc.deserialize_properties(request.object, keep_unknowns=True),
                    provider=provider,
                    protect=bool(request.protect),
                    ignore_changes=list(request.ignoreChanges),
                    dependencies=[urn.split("::")[-1] for urn in request.dependencies],
                )
            )
        return response
