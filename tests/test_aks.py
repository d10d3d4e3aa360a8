"""AksCluster alone under Pulumi mocks, for the dev and prod stack files.

``preview`` plays a first ``pulumi preview`` (the cluster does not exist, so neither
does its kubeconfig); ``up`` plays a completed ``pulumi up`` (the mock answers
listManagedClusterUserCredentials with a made-up kubeconfig).
"""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml

from components import azure_names as names
from components.aks import AksCluster, AksClusterArgs, decode_kubeconfig
from infra.config.validation import PROJECT
from infra.render.mocks import AKS_SERVER_ID, fake_kubeconfig
from infra.render.offline import ROOT, SECRET, render_config
from infra.render.project_files import stack_config
from tests.rendering import ComponentRender as Render
from tests.rendering import one, settings_of

COMPONENT = "flink-aks:aks:AksCluster"
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
WORKSPACE = "azure-native:operationalinsights:Workspace"
CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
K8S_PROVIDER = "pulumi:providers:kubernetes"
RULE = "azure-native:monitor:DataCollectionRule"
ASSOCIATION = "azure-native:monitor:DataCollectionRuleAssociation"
MAINTENANCE = "azure-native:containerservice:MaintenanceConfiguration"
ROLE = "azure-native:authorization:RoleAssignment"


def render(stack: str, preview: bool) -> Render:
    settings = settings_of(stack)
    revealed: dict[str, Any] = {}

    def catch(value: str) -> str:
        revealed["kubeconfig"] = value
        return value

    def main() -> None:
        aks = AksCluster(
            "aks",
            AksClusterArgs(
                project=settings.project,
                stack=stack,
                location=settings.location,
                spec=settings.aks,
                protect=settings.protect,
                tags={"project": settings.project, "stack": stack},
            ),
        )
        revealed["provider"] = aks.provider
        pulumi.export("egressIp", aks.egress_ip)
        pulumi.export("resourceGroupName", aks.resource_group_name)
        pulumi.export("clusterName", aks.cluster_name)
        pulumi.export("kubeconfig", aks.kubeconfig.apply(catch))

    rendering = render_config(stack, stack_config(ROOT, stack), preview=preview, main=main)
    return Render(settings, rendering, revealed)


RENDERS: dict[tuple[str, bool], Render] = {}


def cached(stack: str, preview: bool) -> Render:
    if (stack, preview) not in RENDERS:
        RENDERS[(stack, preview)] = render(stack, preview)
    return RENDERS[(stack, preview)]


@pytest.fixture(
    params=[("dev", True), ("dev", False), ("prod", True), ("prod", False)],
    ids=["dev-preview", "dev-up", "prod-preview", "prod-up"],
)
def any_render(request: pytest.FixtureRequest) -> Render:
    return cached(*request.param)


@pytest.fixture(params=["dev", "prod"])
def up(request: pytest.FixtureRequest) -> Render:
    return cached(request.param, False)


@pytest.fixture(params=["dev", "prod"])
def preview(request: pytest.FixtureRequest) -> Render:
    return cached(request.param, True)


# --------------------------------------------------------------------------- resources


def test_exactly_these_resources(any_render: Render) -> None:
    counts: dict[str, int] = {}
    for resource in any_render.rendering.resources:
        counts[resource["type"]] = counts.get(resource["type"], 0) + 1
    admin_groups = len(any_render.settings.aks.access.admin_group_object_ids)
    assert counts == {
        MAINTENANCE: 2,
        **({ROLE: admin_groups} if admin_groups else {}),
        COMPONENT: 1,
        RESOURCE_GROUP: 1,
        WORKSPACE: 1,
        CLUSTER: 1,
        POOL: 1,
        RULE: 1,
        ASSOCIATION: 1,
        K8S_PROVIDER: 1,
    }


def test_every_child_belongs_to_the_component(any_render: Render) -> None:
    component = one(any_render.rendering, COMPONENT)
    assert component["name"] == "aks" and component["parent"] is None
    children = [r for r in any_render.rendering.resources if r["type"] != COMPONENT]
    assert {r["parent"] for r in children} == {"aks"}


def test_azure_names(any_render: Render) -> None:
    stack = any_render.rendering.stack
    assert one(any_render.rendering, RESOURCE_GROUP)["inputs"]["resourceGroupName"] == f"rg-flink-aks-{stack}"
    assert one(any_render.rendering, WORKSPACE)["inputs"]["workspaceName"] == f"log-flink-aks-{stack}"
    cluster = one(any_render.rendering, CLUSTER)["inputs"]
    assert cluster["resourceName"] == names.cluster_name(stack, PROJECT) == f"aks-flink-aks-{stack}"
    assert cluster["dnsPrefix"] == f"flink-aks-{stack}"
    assert cluster["nodeResourceGroup"] == f"rg-flink-aks-{stack}-nodes"


def test_children_are_wired_by_outputs(up: Render) -> None:
    stack = up.rendering.stack
    group = f"rg-flink-aks-{stack}"
    for type_token in (WORKSPACE, CLUSTER, POOL):
        assert one(up.rendering, type_token)["inputs"]["resourceGroupName"] == group
    assert one(up.rendering, POOL)["inputs"]["resourceName"] == f"aks-flink-aks-{stack}"
    # The monitoring add-on sends to the workspace (the mock's id of "aks-logs").
    addon = one(up.rendering, CLUSTER)["inputs"]["addonProfiles"]["omsagent"]
    assert addon == {
        "enabled": True,
        "config": {"logAnalyticsWorkspaceResourceID": "aks-logs-id", "useAADAuth": "true"},
    }


def test_container_insights_uses_managed_identity_with_a_collection_rule(up: Render) -> None:
    stack = up.rendering.stack
    rule = one(up.rendering, RULE)["inputs"]
    assert rule["dataCollectionRuleName"] == f"MSCI-westeurope-aks-flink-aks-{stack}"
    assert rule["resourceGroupName"] == f"rg-flink-aks-{stack}" and rule["location"] == "westeurope"
    (extension,) = rule["dataSources"]["extensions"]
    assert extension["extensionName"] == "ContainerInsights"
    assert extension["streams"] == ["Microsoft-ContainerInsights-Group-Default"]
    (destination,) = rule["destinations"]["logAnalytics"]
    assert destination["workspaceResourceId"] == "aks-logs-id"
    assert rule["dataFlows"] == [
        {"streams": ["Microsoft-ContainerInsights-Group-Default"], "destinations": [destination["name"]]}
    ]
    association = one(up.rendering, ASSOCIATION)["inputs"]
    assert association["resourceUri"] == "aks-cluster-id"
    assert association["dataCollectionRuleId"] == "aks-insights-rule-id"
    assert association["associationName"] == "ContainerInsightsExtension"


def test_workspace(any_render: Render) -> None:
    inputs = one(any_render.rendering, WORKSPACE)["inputs"]
    assert inputs["sku"] == {"name": "PerGB2018"}
    assert inputs["retentionInDays"] == 30


# --------------------------------------------------------------------------- cluster


def test_cluster_settings(any_render: Render) -> None:
    settings = any_render.settings.aks
    cluster = one(any_render.rendering, CLUSTER)["inputs"]
    assert cluster["kubernetesVersion"] == settings.kubernetes_version == "1.36"
    assert cluster["supportPlan"] == "KubernetesOfficial"
    assert cluster["sku"] == {"name": "Base", "tier": settings.tier}
    assert cluster["identity"] == {"type": "SystemAssigned"}
    assert cluster["enableRBAC"] is True
    assert cluster["oidcIssuerProfile"] == {"enabled": True}
    assert cluster["securityProfile"] == {"workloadIdentity": {"enabled": True}}
    assert cluster["storageProfile"]["fileCSIDriver"] == {"enabled": True}
    assert cluster["storageProfile"]["diskCSIDriver"] == {"enabled": True}
    assert cluster["autoUpgradeProfile"] == {"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"}
    assert cluster["addonProfiles"]["omsagent"]["enabled"] is True
    assert cluster["location"] == "westeurope"


def test_network_is_cni_overlay_with_cilium(any_render: Render) -> None:
    network = one(any_render.rendering, CLUSTER)["inputs"]["networkProfile"]
    assert network["networkPlugin"] == "azure"
    assert network["networkPluginMode"] == "overlay"
    assert network["networkDataplane"] == "cilium"
    assert network["networkPolicy"] == "cilium"
    assert network["podCidr"] == "10.244.0.0/16"
    assert network["serviceCidr"] == "10.0.0.0/16" and network["dnsServiceIP"] == "10.0.0.10"


@pytest.mark.parametrize(
    ("stack", "tier", "system_nodes", "vm_size"),
    [("dev", "Free", 1, "Standard_D2s_v5"), ("prod", "Standard", 3, "Standard_D4s_v5")],
)
def test_inline_pool_is_a_small_system_pool_only(stack: str, tier: str, system_nodes: int, vm_size: str) -> None:
    cluster = one(cached(stack, True).rendering, CLUSTER)["inputs"]
    assert cluster["sku"]["tier"] == tier
    (pool,) = cluster["agentPoolProfiles"]
    assert pool["name"] == "system"
    assert pool["mode"] == "System"
    assert pool["vmSize"] == vm_size
    assert pool["osSKU"] == "AzureLinux"
    assert pool["count"] == system_nodes
    assert pool["nodeTaints"] == ["CriticalAddonsOnly=true:NoSchedule"]
    assert "enableAutoScaling" not in pool


# --------------------------------------------------------------------------- user pool


@pytest.mark.parametrize(
    ("stack", "vm_size", "nodes", "low", "high", "zones"),
    [
        ("dev", "Standard_D2s_v5", 3, 3, 6, None),
        ("prod", "Standard_D4s_v5", 4, 4, 8, ["1", "2", "3"]),
    ],
)
def test_user_pool_is_sized_by_the_profile(
    stack: str, vm_size: str, nodes: int, low: int, high: int, zones: list[str] | None
) -> None:
    rendering = cached(stack, True).rendering
    pool = one(rendering, POOL)["inputs"]
    assert pool["agentPoolName"] == "flink"
    assert pool["mode"] == "User"
    assert pool["vmSize"] == vm_size
    assert pool["count"] == nodes
    assert pool["enableAutoScaling"] is True
    assert (pool["minCount"], pool["maxCount"]) == (low, high)
    assert pool.get("availabilityZones") == zones
    assert one(rendering, CLUSTER)["inputs"]["agentPoolProfiles"][0].get("availabilityZones") == zones
    assert pool["maxPods"] == 110
    assert pool["osDiskType"] == "Managed" and pool["osDiskSizeGB"] == 128
    assert pool["orchestratorVersion"] == "1.36"
    assert pool["osSKU"] == "AzureLinux"


def test_autoscaler_owns_the_node_count(any_render: Render) -> None:
    assert one(any_render.rendering, POOL)["ignoreChanges"] == ["count"]


# --------------------------------------------------------------------------- protect


def test_prod_protects_group_workspace_and_cluster() -> None:
    rendering = cached("prod", True).rendering
    protected = {r["type"] for r in rendering.resources if r.get("protect")}
    assert protected == {RESOURCE_GROUP, WORKSPACE, CLUSTER}


def test_dev_protects_nothing() -> None:
    rendering = cached("dev", True).rendering
    assert [r["name"] for r in rendering.resources if r.get("protect")] == []


# --------------------------------------------------------------------------- kubeconfig


def test_outputs_in_preview_are_the_chosen_names_or_secret(preview: Render) -> None:
    stack = preview.rendering.stack
    outputs = preview.rendering.outputs
    assert outputs["kubeconfig"] == SECRET
    assert outputs["clusterName"] == f"aks-flink-aks-{stack}"
    assert outputs["resourceGroupName"] == f"rg-flink-aks-{stack}"
    assert "kubeconfig" not in preview.revealed  # it does not exist before the cluster


def test_outputs_after_up(up: Render) -> None:
    stack = up.rendering.stack
    outputs = up.rendering.outputs
    assert outputs["kubeconfig"] == SECRET
    assert outputs["clusterName"] == f"aks-flink-aks-{stack}"
    assert outputs["resourceGroupName"] == f"rg-flink-aks-{stack}"


def test_kubeconfig_runs_kubelogin_with_the_azure_cli_login(up: Render) -> None:
    config = yaml.safe_load(up.revealed["kubeconfig"])
    assert config["kind"] == "Config"
    assert config["clusters"][0]["name"] == f"aks-flink-aks-{up.rendering.stack}"
    (user,) = config["users"]
    assert set(user["user"]) == {"exec"}  # no token, no client certificate
    assert user["user"]["exec"]["command"] == "kubelogin"
    assert user["user"]["exec"]["args"] == ["get-token", "--login", "azurecli", "--server-id", AKS_SERVER_ID]


def test_provider_is_a_child_with_a_secret_kubeconfig(any_render: Render) -> None:
    provider = one(any_render.rendering, K8S_PROVIDER)
    assert provider["name"] == "aks-k8s" and provider["parent"] == "aks"
    assert provider["inputs"]["kubeconfig"] == SECRET
    assert isinstance(any_render.revealed["provider"], k8s.Provider)


def test_no_credential_in_plain_text_anywhere(any_render: Render) -> None:
    document = any_render.rendering.to_json()
    kubeconfig = fake_kubeconfig(f"aks-flink-aks-{any_render.rendering.stack}")
    assert "kubelogin" not in document
    assert base64.b64encode(kubeconfig.encode()).decode() not in document
    assert "clusterUser" not in document


def test_decode_kubeconfig() -> None:
    assert decode_kubeconfig(base64.b64encode(b"apiVersion: v1\n").decode()) == "apiVersion: v1\n"
    with pytest.raises(ValueError):
        decode_kubeconfig("not base64!")


def test_protect_never_applies_to_the_provider_or_pool(any_render: Render) -> None:
    for type_token in (POOL, K8S_PROVIDER):
        assert "protect" not in one(any_render.rendering, type_token)


# --------------------------------------------------------------------------- issue 18: access, upgrades


def test_cluster_is_entra_only(any_render: Render) -> None:
    cluster = one(any_render.rendering, CLUSTER)["inputs"]
    assert cluster["aadProfile"] == {"managed": True, "enableAzureRBAC": True}
    assert cluster["disableLocalAccounts"] is True


def test_prod_api_server_takes_only_its_authorized_ranges() -> None:
    cluster = one(cached("prod", True).rendering, CLUSTER)["inputs"]
    ranges = cluster["apiServerAccessProfile"]["authorizedIPRanges"]
    assert ranges == list(settings_of("prod").aks.access.authorized_ip_ranges) and ranges
    assert "enablePrivateCluster" not in cluster["apiServerAccessProfile"]


def test_prod_admin_groups_get_rbac_cluster_admin_on_the_cluster() -> None:
    rendering = cached("prod", False).rendering
    (assignment,) = rendering.of_type(ROLE)
    (group,) = settings_of("prod").aks.access.admin_group_object_ids
    assert assignment["parent"] == "aks"
    assert assignment["inputs"]["principalId"] == group
    assert assignment["inputs"]["principalType"] == "Group"
    assert assignment["inputs"]["scope"] == "aks-cluster-id"
    assert assignment["inputs"]["roleDefinitionId"].endswith("/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b")


def test_maintenance_windows_are_weekly_and_at_least_four_hours(up: Render) -> None:
    stack = up.rendering.stack
    windows = {r["inputs"]["configName"]: r["inputs"] for r in up.rendering.of_type(MAINTENANCE)}
    assert set(windows) == {"aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"}
    days = set()
    for window in windows.values():
        assert window["resourceName"] == f"aks-flink-aks-{stack}"
        assert window["resourceGroupName"] == f"rg-flink-aks-{stack}"
        spec = window["maintenanceWindow"]
        day = spec["schedule"]["weekly"]["dayOfWeek"]
        assert spec["schedule"] == {"weekly": {"intervalWeeks": 1, "dayOfWeek": day}}
        assert spec["durationHours"] >= 4 and spec["utcOffset"] == "+00:00"
        days.add(day)
    assert len(days) == 2  # Kubernetes patches and node images never in the same night


def test_egress_ip_is_the_load_balancer_outbound_address(up: Render) -> None:
    assert up.rendering.outputs["egressIp"] == "203.0.113.45"


def test_egress_ip_is_unknown_before_the_cluster_exists(preview: Render) -> None:
    assert preview.rendering.outputs["egressIp"] == "[unknown]"
