"""Who may reach an Event Hubs namespace: selected networks only.

Default deny; allowed are the AKS cluster's egress address (its load balancer's outbound
public IP: the cluster uses an AKS-managed VNet, so a virtual network rule would need a
service endpoint on a subnet the stack does not own), any extra ranges from config, and
Azure's trusted services. Management calls (the stack reading keys through Azure
Resource Manager) are not affected by these rules.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
from pulumi_azure_native import eventhub


def ip_rules(egress_ip: str, extra: Sequence[str]) -> list[eventhub.NWRuleSetIpRulesArgs]:
    masks = ([egress_ip] if egress_ip else []) + list(extra)
    return [eventhub.NWRuleSetIpRulesArgs(ip_mask=m, action=eventhub.NetworkRuleIPAction.ALLOW) for m in masks]


def selected_networks(
    name: str,
    namespace: eventhub.Namespace,
    resource_group_name: pulumi.Input[str],
    egress_ip: pulumi.Input[str],
    extra: Sequence[str],
    opts: pulumi.ResourceOptions,
) -> eventhub.NamespaceNetworkRuleSet:
    return eventhub.NamespaceNetworkRuleSet(
        name,
        namespace_name=namespace.name,
        resource_group_name=resource_group_name,
        default_action=eventhub.DefaultAction.DENY,
        public_network_access=eventhub.PublicNetworkAccessFlag.ENABLED,
        trusted_service_access_enabled=True,
        ip_rules=pulumi.Output.from_input(egress_ip).apply(lambda ip: ip_rules(ip, extra)),
        opts=opts,
    )
