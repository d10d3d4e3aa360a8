"""Container Insights with managed-identity authentication: the data collection rule.

The workspace-key ("legacy") authentication of the monitoring add-on is retired. With
``useAADAuth`` the add-on's agent authenticates with the cluster's managed identity and
sends what a data collection rule (DCR) names to its Log Analytics workspace; the rule is
tied to the cluster by a data collection rule association (DCRA). Shape and names follow
Microsoft's ARM template for Container Insights with managed identity.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import monitor

# The stream set of Container Insights' default cost preset, and its extension.
STREAM = "Microsoft-ContainerInsights-Group-Default"
EXTENSION = "ContainerInsights"
DATA_SOURCE = "ContainerInsightsExtension"
DESTINATION = "ciworkspace"
# The association's name that Azure's Container Insights onboarding uses.
ASSOCIATION = "ContainerInsightsExtension"
COLLECTION_INTERVAL = "1m"


def addon_config(workspace_id: pulumi.Input[str]) -> dict[str, pulumi.Input[str]]:
    """The ``omsagent`` add-on's config: managed-identity auth to the workspace."""
    return {"logAnalyticsWorkspaceResourceID": workspace_id, "useAADAuth": "true"}


def data_collection_rule(
    name: str,
    rule_name: str,
    resource_group_name: pulumi.Input[str],
    location: str,
    workspace_id: pulumi.Input[str],
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> monitor.DataCollectionRule:
    return monitor.DataCollectionRule(
        name,
        data_collection_rule_name=rule_name,
        resource_group_name=resource_group_name,
        location=location,
        kind="Linux",
        description="Container Insights of the AKS cluster (managed-identity authentication)",
        data_sources=monitor.DataCollectionRuleDataSourcesArgs(
            extensions=[
                monitor.ExtensionDataSourceArgs(
                    name=DATA_SOURCE,
                    extension_name=EXTENSION,
                    streams=[STREAM],
                    extension_settings={
                        "dataCollectionSettings": {
                            "interval": COLLECTION_INTERVAL,
                            "namespaceFilteringMode": "Off",
                            "enableContainerLogV2": True,
                        }
                    },
                )
            ]
        ),
        destinations=monitor.DataCollectionRuleDestinationsArgs(
            log_analytics=[monitor.LogAnalyticsDestinationArgs(name=DESTINATION, workspace_resource_id=workspace_id)]
        ),
        data_flows=[monitor.DataFlowArgs(streams=[STREAM], destinations=[DESTINATION])],
        tags=tags,
        opts=opts,
    )


def association(
    name: str, cluster_id: pulumi.Input[str], rule_id: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> monitor.DataCollectionRuleAssociation:
    return monitor.DataCollectionRuleAssociation(
        name,
        association_name=ASSOCIATION,
        resource_uri=cluster_id,
        data_collection_rule_id=rule_id,
        description="Association of data collection rule. Deleting this association will break the data "
        "collection for this AKS Cluster.",
        opts=opts,
    )
