"""``flink-aks:aks``: the cluster's Kubernetes version, user pool, autoscaling, tier and zones."""

from __future__ import annotations

from typing import Any

from components.aks_spec import AksSpec
from infra.config import validation as v
from infra.config.profiles import Profile
from infra.config.validation import ConfigError, key

AKS_KEYS = ("kubernetesVersion", "vmSize", "nodeCount", "autoscale", "tier", "zones")
AUTOSCALE_KEYS = ("min", "max")
DEFAULT_KUBERNETES_VERSION = "1.34"
AKS_TIERS = ("Free", "Standard")


def parse_aks(profile: Profile, raw: Any) -> AksSpec:
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
    return AksSpec(
        kubernetes_version=v.matching(
            key("aks.kubernetesVersion"),
            obj.get("kubernetesVersion", DEFAULT_KUBERNETES_VERSION),
            r"1\.(2[89]|3\d)(\.\d+)?",
            "a Kubernetes version supported by AKS such as 1.34 or 1.34.2",
        ),
        vm_size=v.matching(
            key("aks.vmSize"),
            obj.get("vmSize", profile.vm_size),
            r"Standard_[A-Za-z0-9_]+",
            "an Azure VM size such as Standard_D4s_v3",
        ),
        node_count=node_count,
        autoscale_min=low,
        autoscale_max=high,
        tier=v.choice(key("aks.tier"), obj.get("tier", "Free"), AKS_TIERS),
        zones=zones,
        system_node_count=profile.system_nodes,
    )
