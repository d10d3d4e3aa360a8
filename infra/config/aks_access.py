"""``flink-aks:aks`` access keys: Entra admin groups, authorized IP ranges, private cluster.

Prod-like stacks (``flink-aks:protect`` true, the default for stacks named ``prod*``)
must not expose the API server to the whole internet: they need authorized IP ranges
or a private cluster.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.aks_spec import AksAccess
from infra.config import validation as v
from infra.config.validation import ConfigError, key

GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def parse_access(obj: Mapping[str, Any], prod_like: bool) -> AksAccess:
    groups = v.string_list(key("aks.adminGroupObjectIds"), obj.get("adminGroupObjectIds", []))
    for group in groups:
        v.matching(key("aks.adminGroupObjectIds"), group, GUID, "Entra group object ids (GUIDs)")
    if prod_like and not groups:
        raise ConfigError(
            key("aks.adminGroupObjectIds"),
            obj.get("adminGroupObjectIds"),
            "one or more Entra group object ids (GUIDs) whose members administer the cluster; "
            "required for prod-like stacks (flink-aks:protect true): local accounts are off",
        )
    private = v.boolean(key("aks.privateCluster"), obj.get("privateCluster", False))
    ranges_key = key("aks.apiServerAuthorizedIpRanges")
    ranges = tuple(v.cidr(ranges_key, c) for c in v.string_list(ranges_key, obj.get("apiServerAuthorizedIpRanges", [])))
    if any(r.endswith("/0") for r in ranges):
        raise ConfigError(ranges_key, list(ranges), "CIDRs narrower than /0 (that would be the whole internet)")
    if private and ranges:
        raise ConfigError(ranges_key, list(ranges), "nothing when aks.privateCluster is true (AKS refuses both)")
    if prod_like and not private and not ranges:
        raise ConfigError(
            ranges_key,
            obj.get("apiServerAuthorizedIpRanges"),
            "one or more CIDRs that may reach the API server (your VPN or office egress, the CI runners), "
            "or aks.privateCluster: true; required for prod-like stacks (flink-aks:protect true)",
        )
    return AksAccess(admin_group_object_ids=groups, authorized_ip_ranges=ranges, private_cluster=private)
