"""AksCluster: resource group, Log Analytics workspace, AKS cluster, its kubeconfig and provider.

Access is Entra-only (components/aks_access.py): no local accounts, Azure RBAC for
Kubernetes, a kubeconfig that runs ``kubelogin``; the API server limited to authorized IP
ranges, or private. AKS upgrades only inside weekly maintenance windows
(components/aks_maintenance.py). Nodes run Azure Linux.

The cluster keeps only a small System pool inline (AKS needs one at creation, and the
API cannot change inline pools afterwards); the workloads run in a separate ``AgentPool``
of mode User, autoscaled and sized by the throughput profile.

Networking is Azure CNI overlay powered by Cilium: pods get addresses from a private
overlay range (no VNet planning), and Cilium's eBPF dataplane enforces NetworkPolicy.
Azure Network Policy Manager is being retired with Cilium as its successor, and Calico
would add a third-party policy engine to upgrade and operate alongside AKS.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import containerservice, operationalinsights, resources

from components import azure_names as names
from components import container_insights
from components.aks_access import cluster_admins, kubelogin_kubeconfig
from components.aks_egress import egress_ip_address, egress_ip_id
from components.aks_maintenance import maintenance_windows
from components.aks_spec import SYSTEM_OS_DISK_GB, USER_OS_DISK_GB, AksAccess, AksSpec

# Kubernetes' own default; kubelet reservations on AKS are sized for it.
MAX_PODS = 110
POD_CIDR = "10.244.0.0/16"
SERVICE_CIDR = "10.0.0.0/16"
DNS_SERVICE_IP = "10.0.0.10"
LOG_RETENTION_DAYS = 30
# Keeps system add-ons (CoreDNS, metrics-server, …) alone on the System pool.
CRITICAL_ADDONS_ONLY = "CriticalAddonsOnly=true:NoSchedule"
# AKS applies patch releases of the chosen minor and fresh node images on its own.
UPGRADE_CHANNEL = "patch"
NODE_OS_UPGRADE_CHANNEL = "NodeImage"


@dataclass
class AksClusterArgs:
    project: str  # with the stack, part of every Azure name
    stack: str
    location: str
    spec: AksSpec
    protect: bool
    tags: dict[str, str]
    # The ama-metrics add-on (managed Prometheus); its workspace and rules are ManagedPrometheus'.
    managed_prometheus: bool = False


def decode_kubeconfig(encoded: str) -> str:
    """AKS returns kubeconfigs base64-encoded."""
    return base64.b64decode(encoded, validate=True).decode("utf-8")


def chosen_name(name: str, resource: pulumi.Resource) -> pulumi.Output[str]:
    """The Azure name the program gave ``resource``: known even in a first preview (so it
    shows the `az aks get-credentials` arguments), and still a dependency on ``resource``
    for every resource that takes it as an input (they wait until it exists)."""

    async def value() -> str:
        return name

    async def known() -> bool:
        return True

    return pulumi.Output({resource}, value(), known())


def api_server_access(access: AksAccess) -> containerservice.ManagedClusterAPIServerAccessProfileArgs:
    if access.private_cluster:
        return containerservice.ManagedClusterAPIServerAccessProfileArgs(enable_private_cluster=True)
    return containerservice.ManagedClusterAPIServerAccessProfileArgs(
        authorized_ip_ranges=list(access.authorized_ip_ranges) or None
    )


def kubelet_object_id(identity_profile: Mapping[str, Any] | None) -> str:
    """The object id of the kubelet identity AKS creates for a managed-identity cluster."""
    identity = (identity_profile or {}).get("kubeletidentity")
    object_id = getattr(identity, "object_id", None) or (identity or {}).get("objectId")
    if not object_id:
        raise ValueError("the cluster reports no kubelet identity (identityProfile.kubeletidentity.objectId)")
    return str(object_id)


class AksCluster(pulumi.ComponentResource):
    resource_group_name: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    cluster_id: pulumi.Output[str]  # the ARM id: scope of data collection and alert rules
    kubeconfig: pulumi.Output[str]  # secret
    kubelet_object_id: pulumi.Output[str]  # the nodes' identity (pulls images)
    egress_ip: pulumi.Output[str]  # the address the nodes reach Azure services from
    oidc_issuer_url: pulumi.Output[str]  # signs ServiceAccount tokens: federated credentials trust it
    provider: k8s.Provider

    def __init__(self, name: str, args: AksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("flink-aks:aks:AksCluster", name, None, opts)
        spec = args.spec
        # Stateful or slow to rebuild: protected in prod. The user pool is not: it holds
        # no data, and replacing it (a new VM size) must stay possible.
        kept = pulumi.ResourceOptions(parent=self, protect=args.protect)

        group_name = names.resource_group_name(args.stack, args.project)
        cluster_name = names.cluster_name(args.stack, args.project)
        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=group_name,
            location=args.location,
            tags=args.tags,
            opts=kept,
        )
        workspace = operationalinsights.Workspace(
            f"{name}-logs",
            workspace_name=names.log_analytics_workspace_name(args.stack, args.project),
            resource_group_name=group.name,
            location=args.location,
            sku=operationalinsights.WorkspaceSkuArgs(name=operationalinsights.WorkspaceSkuNameEnum.PER_GB2018),
            retention_in_days=LOG_RETENTION_DAYS,
            tags=args.tags,
            opts=kept,
        )
        zones = list(spec.zones) or None
        cluster = containerservice.ManagedCluster(
            f"{name}-cluster",
            resource_name_=cluster_name,
            resource_group_name=group.name,
            location=args.location,
            dns_prefix=names.dns_prefix(args.stack, args.project),
            node_resource_group=names.node_resource_group_name(args.stack, args.project),
            kubernetes_version=spec.kubernetes_version,
            sku=containerservice.ManagedClusterSKUArgs(
                name=containerservice.ManagedClusterSKUName.BASE, tier=spec.tier
            ),
            support_plan=spec.support_plan,
            identity=containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.SYSTEM_ASSIGNED
            ),
            enable_rbac=True,
            # Entra-only: every request carries an Entra token, Azure RBAC authorizes it.
            aad_profile=containerservice.ManagedClusterAADProfileArgs(managed=True, enable_azure_rbac=True),
            disable_local_accounts=True,
            api_server_access_profile=api_server_access(spec.access),
            agent_pool_profiles=[
                containerservice.ManagedClusterAgentPoolProfileArgs(
                    name=names.agent_pool_name(names.SYSTEM_POOL),
                    mode=containerservice.AgentPoolMode.SYSTEM,
                    count=spec.system_node_count,
                    vm_size=spec.system_vm_size,
                    availability_zones=zones,
                    node_taints=[CRITICAL_ADDONS_ONLY],
                    max_pods=MAX_PODS,
                    os_type=containerservice.OSType.LINUX,
                    os_sku=containerservice.OSSKU.AZURE_LINUX,
                    os_disk_type=containerservice.OSDiskType.MANAGED,
                    os_disk_size_gb=SYSTEM_OS_DISK_GB,
                    orchestrator_version=spec.kubernetes_version,
                    type=containerservice.AgentPoolType.VIRTUAL_MACHINE_SCALE_SETS,
                )
            ],
            network_profile=containerservice.ContainerServiceNetworkProfileArgs(
                network_plugin=containerservice.NetworkPlugin.AZURE,
                network_plugin_mode=containerservice.NetworkPluginMode.OVERLAY,
                network_dataplane=containerservice.NetworkDataplane.CILIUM,
                network_policy=containerservice.NetworkPolicy.CILIUM,
                pod_cidr=POD_CIDR,
                service_cidr=SERVICE_CIDR,
                dns_service_ip=DNS_SERVICE_IP,
                load_balancer_sku=containerservice.LoadBalancerSku.STANDARD,
                outbound_type=containerservice.OutboundType.LOAD_BALANCER,
            ),
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=containerservice.ManagedClusterSecurityProfileArgs(
                workload_identity=containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs(enabled=True),
            ),
            # The Flink HA/checkpoint volume is an azurefile-csi RWX claim: keep the driver on
            # explicitly rather than rely on today's default.
            storage_profile=containerservice.ManagedClusterStorageProfileArgs(
                file_csi_driver=containerservice.ManagedClusterStorageProfileFileCSIDriverArgs(enabled=True),
                disk_csi_driver=containerservice.ManagedClusterStorageProfileDiskCSIDriverArgs(enabled=True),
            ),
            addon_profiles={
                "omsagent": containerservice.ManagedClusterAddonProfileArgs(
                    enabled=True, config=container_insights.addon_config(workspace.id)
                ),
            },
            auto_upgrade_profile=containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel=UPGRADE_CHANNEL, node_os_upgrade_channel=NODE_OS_UPGRADE_CHANNEL
            ),
            azure_monitor_profile=containerservice.ManagedClusterAzureMonitorProfileArgs(
                metrics=containerservice.ManagedClusterAzureMonitorProfileMetricsArgs(enabled=True)
            )
            if args.managed_prometheus
            else None,
            tags=args.tags,
            opts=kept,
        )
        rule = container_insights.data_collection_rule(
            f"{name}-insights-rule",
            names.data_collection_rule_name(args.stack, args.location, args.project),
            resource_group_name=group.name,
            location=args.location,
            workspace_id=workspace.id,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        container_insights.association(
            f"{name}-insights", cluster.id, rule.id, opts=pulumi.ResourceOptions(parent=self)
        )
        containerservice.AgentPool(
            f"{name}-user-pool",
            agent_pool_name=names.agent_pool_name(names.USER_POOL),
            resource_group_name=group.name,
            resource_name_=cluster.name,
            mode=containerservice.AgentPoolMode.USER,
            vm_size=spec.vm_size,
            count=spec.node_count,
            enable_auto_scaling=True,
            min_count=spec.autoscale_min,
            max_count=spec.autoscale_max,
            availability_zones=zones,
            max_pods=MAX_PODS,
            os_type=containerservice.OSType.LINUX,
            os_sku=containerservice.OSSKU.AZURE_LINUX,
            os_disk_type=containerservice.OSDiskType.MANAGED,
            os_disk_size_gb=USER_OS_DISK_GB,
            orchestrator_version=spec.kubernetes_version,
            type=containerservice.AgentPoolType.VIRTUAL_MACHINE_SCALE_SETS,
            node_labels={"workload": "flink"},
            tags=args.tags,
            # The cluster autoscaler owns the node count once the pool exists: without
            # this, every `pulumi up` would reset the pool to the initial count.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["count"]),
        )

        maintenance_windows(
            name,
            group.name,
            cluster.name,
            spec.upgrade_window,
            spec.node_os_window,
            opts=pulumi.ResourceOptions(parent=self),
        )
        cluster_admins(name, cluster.id, spec.access.admin_group_object_ids, opts=pulumi.ResourceOptions(parent=self))

        # Read with the cluster's outputs, so during a first preview it is unknown (the
        # cluster does not exist yet) instead of failing. The exec format runs kubelogin:
        # it holds the server and its CA, no credential.
        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=group.name,
            resource_name=cluster.name,
            format="exec",
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        # Secret from the first value read out of the result (the SDK marks none of it),
        # so it is secret even while still unknown in a preview: it names the cluster's
        # endpoint, and kept secret it stays out of logs.
        encoded: pulumi.Output[str] = pulumi.Output.secret(credentials.kubeconfigs[0].value)
        self.kubeconfig = encoded.apply(decode_kubeconfig).apply(kubelogin_kubeconfig)
        self.resource_group_name = chosen_name(group_name, group)
        self.cluster_name = chosen_name(cluster_name, cluster)
        self.cluster_id = cluster.id
        self.kubelet_object_id = cluster.identity_profile.apply(kubelet_object_id)
        self.oidc_issuer_url = cluster.oidc_issuer_profile.apply(_issuer_url)
        self.egress_ip = cluster.network_profile.apply(lambda p: egress_ip_address(egress_ip_id(p), self))
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            # Flink's config changes in place (its pods roll on the config checksum), not by replacement.
            enable_config_map_mutable=True,
            # Acts as the deploying identity (kubelogin, azurecli), which holds Azure Kubernetes
            # Service RBAC Cluster Admin beforehand (docs/azure.md).
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["kubeconfig"]),
        )
        self.register_outputs(
            {
                "resource_group_name": self.resource_group_name,
                "cluster_name": self.cluster_name,
                "cluster_id": self.cluster_id,
                "kubeconfig": self.kubeconfig,
                "kubelet_object_id": self.kubelet_object_id,
                "egress_ip": self.egress_ip,
            }
        )


def _issuer_url(profile: containerservice.outputs.ManagedClusterOIDCIssuerProfileResponse | None) -> str:
    """The OIDC issuer's URL; the cluster always enables the issuer (workload identity)."""
    if profile is None:
        raise ValueError("the AKS cluster reports no OIDC issuer profile")
    return profile.issuer_url
