"""The address an AKS cluster's nodes reach Azure services from: the public IP of its
load balancer's outbound rule (AKS creates and keeps it in the node resource group).

Known only after the cluster exists; Event Hubs allows it (components/event_hubs.py).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_azure_native import network


def unknown() -> pulumi.Output[str]:
    """A value known only after deployment (shown as such in a preview)."""

    async def value() -> str:
        return ""

    async def known() -> bool:
        return False

    return pulumi.Output(set(), value(), known())


def egress_ip_id(network_profile: Any) -> str | None:
    """The id of the public IP the cluster's load balancer sends outbound traffic from."""
    balancer = _field(network_profile, "load_balancer_profile", "loadBalancerProfile")
    ips = _field(balancer, "effective_outbound_ips", "effectiveOutboundIPs") or []
    return str(_field(ips[0], "id", "id")) if ips else None


def _field(obj: Any, attribute: str, key: str) -> Any:
    if obj is None:
        return None
    # Typed SDK results offer properties; plain dicts only keys.
    return obj.get(key) if type(obj) is dict else getattr(obj, attribute, None)


def egress_ip_address(ip_id: str | None, parent: pulumi.Resource) -> pulumi.Output[str]:
    if ip_id is None:
        return unknown()
    parts = ip_id.split("/")
    group, name = parts[parts.index("resourceGroups") + 1], parts[-1]
    address = network.get_public_ip_address_output(
        resource_group_name=group, public_ip_address_name=name, opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    return address.ip_address.apply(_required)


def _required(ip: str | None) -> str:
    if not ip:
        raise ValueError("the cluster's outbound public IP reports no address")
    return ip
