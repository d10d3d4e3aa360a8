"""``flink-aks:aks``: the cluster's Kubernetes version and support plan, user pool,
autoscaling, tier, zones, access and maintenance windows."""

from __future__ import annotations

from datetime import date
from typing import Any

from components.aks_spec import AksSpec
from infra.config import validation as v
from infra.config.aks_access import parse_access
from infra.config.aks_maintenance import DEFAULT_NODE_OS_WINDOW, DEFAULT_UPGRADE_WINDOW, parse_window
from infra.config.aks_versions import DEFAULT_KUBERNETES_VERSION as DEFAULT_KUBERNETES_VERSION
from infra.config.aks_versions import LONG_TERM, OFFICIAL, SUPPORT_PLANS, check_kubernetes_version
from infra.config.profiles import Profile
from infra.config.validation import ConfigError, key

AKS_KEYS = (
    "kubernetesVersion",
    "supportPlan",
    "vmSize",
    "nodeCount",
    "autoscale",
    "tier",
    "zones",
    "adminGroupObjectIds",
    "apiServerAuthorizedIpRanges",
    "privateCluster",
    "upgradeWindow",
    "nodeOsWindow",
)
AUTOSCALE_KEYS = ("min", "max")
AKS_TIERS = ("Free", "Standard", "Premium")


def parse_aks(profile: Profile, raw: Any, prod_like: bool, today: date) -> AksSpec:
    """``prod_like``: the stack protects its resources; ``today``: the date support is checked on."""
    obj = v.check_keys(key("aks"), raw, AKS_KEYS)
    node_count = v.integer(key("aks.nodeCount"), obj.get("nodeCount", profile.nodes), 1, 100)
    scale = v.check_keys(key("aks.autoscale"), obj.get("autoscale"), AUTOSCALE_KEYS)
    low = v.integer(key("aks.autoscale.min"), scale.get("min", node_count), 1, 1000)
    high = v.integer(key("aks.autoscale.max"), scale.get("max", max(low, node_count) * 2), 1, 1000)
    if low > high:
        raise ConfigError(key("aks.autoscale.min"), low, f"at most aks.autoscale.max ({high})")
    if not low <= node_count <= high:
        raise ConfigError(key("aks.nodeCount"), node_count, f"between autoscale.min ({low}) and autoscale.max ({high})")
    zones = v.string_list(key("aks.zones"), obj.get("zones", []))
    for zone in zones:
        v.choice(key("aks.zones"), zone, ("1", "2", "3"))
    if len(set(zones)) != len(zones):
        raise ConfigError(key("aks.zones"), list(zones), "each of 1, 2, 3 at most once")
    tier = v.choice(key("aks.tier"), obj.get("tier", "Free"), AKS_TIERS)
    plan = v.choice(key("aks.supportPlan"), obj.get("supportPlan", OFFICIAL), SUPPORT_PLANS)
    if plan == LONG_TERM and tier != "Premium":
        raise ConfigError(key("aks.supportPlan"), plan, f"{OFFICIAL} unless aks.tier is Premium (it is {tier})")
    return AksSpec(
        kubernetes_version=check_kubernetes_version(
            obj.get("kubernetesVersion", DEFAULT_KUBERNETES_VERSION), plan, today
        ),
        vm_size=v.matching(
            key("aks.vmSize"),
            obj.get("vmSize", profile.vm_size),
            r"Standard_[A-Za-z0-9_]+",
            "an Azure VM size such as Standard_D4s_v5",
        ),
        node_count=node_count,
        autoscale_min=low,
        autoscale_max=high,
        tier=tier,
        support_plan=plan,
        zones=zones,
        # Zonal stacks: a system node in every zone, so a zone outage leaves system add-ons running.
        system_node_count=max(profile.system_nodes, len(zones)),
        system_vm_size=profile.system_vm_size,
        access=parse_access(obj, prod_like),
        upgrade_window=parse_window("aks.upgradeWindow", obj.get("upgradeWindow"), DEFAULT_UPGRADE_WINDOW),
        node_os_window=parse_window("aks.nodeOsWindow", obj.get("nodeOsWindow"), DEFAULT_NODE_OS_WINDOW),
    )
