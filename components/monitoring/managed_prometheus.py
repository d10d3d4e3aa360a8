"""ManagedPrometheus: Azure Monitor managed Prometheus for the cluster, the alert rules,
who is told, and (optionally) Azure Managed Grafana.

- an Azure Monitor workspace (the Prometheus store);
- a data collection endpoint and rule (stream ``Microsoft-PrometheusMetrics`` → the
  workspace) associated with the cluster, plus the endpoint's association
  (``configurationAccessEndpoint``), as Azure's managed Prometheus onboarding does; the
  cluster itself must have ``azureMonitorProfile.metrics.enabled`` (the ``ama-metrics``
  add-on), which the AKS component owns;
- a ``PrometheusRuleGroup`` with the Flink alert rules, scoped to the workspace and cluster;
- an action group with the email receivers; the rule group and the Event Hubs metric
  alerts (when a namespace id is given) notify it;
- optionally Azure Managed Grafana with the workspace integration and the "Monitoring
  Data Reader" role on the workspace for its identity.

The in-cluster ``PodMonitor`` (``pod_monitor.py``) is a Kubernetes object the Flink side
declares; this component is Azure-only.
"""

from __future__ import annotations

import dataclasses

import pulumi
from pulumi_azure_native import alertsmanagement, authorization, dashboard, monitor

from components.monitoring.alert_rules import AlertBounds, azure_rules, flink_alert_rules
from components.monitoring.durations import to_iso8601
from components.monitoring.event_hubs_alerts import METRIC_NAMESPACE, MetricAlertSpec, event_hubs_alerts

STREAM = "Microsoft-PrometheusMetrics"
DATA_SOURCE = "PrometheusDataSource"
DESTINATION = "MonitoringAccount1"
ENDPOINT_ASSOCIATION = "configurationAccessEndpoint"
# Azure's built-in role "Monitoring Data Reader" (the same id in every tenant).
MONITORING_DATA_READER = "b0d8363b-8ddd-447d-831f-62ca05bff136"
GRAFANA_SKU = "Standard"
SHORT_NAME_LIMIT = 12  # an action group's short name (shown in SMS and emails)


@dataclasses.dataclass
class ManagedPrometheusArgs:
    name_prefix: str  # e.g. "flink-aks-dev": names of the workspace, rules, group
    resource_group_name: pulumi.Input[str]
    location: str
    cluster_id: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    emails: list[str]
    bounds: AlertBounds = dataclasses.field(default_factory=AlertBounds)
    event_hubs_namespace_id: pulumi.Input[str] | None = None
    enable_grafana: bool = False
    tags: dict[str, str] = dataclasses.field(default_factory=dict)


def role_definition_id(subscription_id: str, role: str = MONITORING_DATA_READER) -> str:
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{role}"


def short_name(prefix: str) -> str:
    return prefix.replace("-", "")[:SHORT_NAME_LIMIT]


class ManagedPrometheus(pulumi.ComponentResource):
    workspace_id: pulumi.Output[str]
    query_endpoint: pulumi.Output[str]
    action_group_id: pulumi.Output[str]
    grafana_endpoint: pulumi.Output[str] | None

    def __init__(self, name: str, args: ManagedPrometheusArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("flink-aks:monitoring:ManagedPrometheus", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        prefix = args.name_prefix
        workspace = monitor.AzureMonitorWorkspace(
            f"{name}-workspace",
            azure_monitor_workspace_name=f"{prefix}-prometheus",
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=child,
        )
        self._data_collection(name, args, workspace, child)
        group = monitor.ActionGroup(
            f"{name}-action-group",
            action_group_name=f"{prefix}-alerts",
            resource_group_name=args.resource_group_name,
            location="global",
            group_short_name=short_name(prefix),
            enabled=True,
            email_receivers=[
                monitor.MicrosoftCommonEmailReceiverArgs(
                    name=f"email-{i}", email_address=email, use_common_alert_schema=True
                )
                for i, email in enumerate(args.emails)
            ],
            tags=args.tags,
            opts=child,
        )
        alertsmanagement.PrometheusRuleGroup(
            f"{name}-flink-rules",
            rule_group_name=f"{prefix}-flink",
            resource_group_name=args.resource_group_name,
            location=args.location,
            cluster_name=args.cluster_name,
            description="Flink job alerts (components/monitoring/alert_rules.py)",
            scopes=[workspace.id, args.cluster_id],
            enabled=True,
            interval=to_iso8601(args.bounds.evaluation_interval),
            rules=[
                {**rule, "actions": [{"action_group_id": group.id}]}
                for rule in azure_rules(flink_alert_rules(args.bounds))
            ],
            tags=args.tags,
            opts=child,
        )
        if args.event_hubs_namespace_id is not None:
            for spec in event_hubs_alerts():
                self._metric_alert(name, args, args.event_hubs_namespace_id, spec, group.id, child)
        self.grafana_endpoint = self._grafana(name, args, workspace.id, child) if args.enable_grafana else None
        self.workspace_id = workspace.id
        self.query_endpoint = workspace.metrics.apply(lambda m: m.prometheus_query_endpoint if m else "")
        self.action_group_id = group.id
        self.register_outputs(
            {
                "workspace_id": self.workspace_id,
                "query_endpoint": self.query_endpoint,
                "action_group_id": self.action_group_id,
                "grafana_endpoint": self.grafana_endpoint,
            }
        )

    def _data_collection(
        self,
        name: str,
        args: ManagedPrometheusArgs,
        workspace: monitor.AzureMonitorWorkspace,
        child: pulumi.ResourceOptions,
    ) -> None:
        collection_name = f"MSProm-{args.location}-{args.name_prefix}"
        endpoint = monitor.DataCollectionEndpoint(
            f"{name}-dce",
            data_collection_endpoint_name=collection_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind="Linux",
            tags=args.tags,
            opts=child,
        )
        rule = monitor.DataCollectionRule(
            f"{name}-dcr",
            data_collection_rule_name=collection_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind="Linux",
            description="Managed Prometheus metrics of the AKS cluster",
            data_collection_endpoint_id=endpoint.id,
            data_sources=monitor.DataCollectionRuleDataSourcesArgs(
                prometheus_forwarder=[
                    monitor.PrometheusForwarderDataSourceArgs(
                        name=DATA_SOURCE, streams=[STREAM], label_include_filter={}
                    )
                ]
            ),
            destinations=monitor.DataCollectionRuleDestinationsArgs(
                monitoring_accounts=[
                    monitor.MonitoringAccountDestinationArgs(name=DESTINATION, account_resource_id=workspace.id)
                ]
            ),
            data_flows=[monitor.DataFlowArgs(streams=[STREAM], destinations=[DESTINATION])],
            tags=args.tags,
            opts=child,
        )
        monitor.DataCollectionRuleAssociation(
            f"{name}-dcra",
            association_name=collection_name,
            resource_uri=args.cluster_id,
            data_collection_rule_id=rule.id,
            description="Sends the cluster's Prometheus metrics to the Azure Monitor workspace.",
            opts=child,
        )
        monitor.DataCollectionRuleAssociation(
            f"{name}-dce-association",
            association_name=ENDPOINT_ASSOCIATION,
            resource_uri=args.cluster_id,
            data_collection_endpoint_id=endpoint.id,
            opts=child,
        )

    def _metric_alert(
        self,
        name: str,
        args: ManagedPrometheusArgs,
        namespace_id: pulumi.Input[str],
        spec: MetricAlertSpec,
        group_id: pulumi.Input[str],
        child: pulumi.ResourceOptions,
    ) -> None:
        monitor.MetricAlert(
            f"{name}-{spec.name}",
            rule_name=f"{args.name_prefix}-{spec.name}",
            resource_group_name=args.resource_group_name,
            location="global",
            description=spec.description,
            severity=spec.severity,
            enabled=True,
            scopes=[namespace_id],
            evaluation_frequency=spec.frequency,
            window_size=spec.window,
            auto_mitigate=True,
            criteria=monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
                odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                all_of=[
                    monitor.MetricCriteriaArgs(
                        criterion_type="StaticThresholdCriterion",
                        name=spec.metric,
                        metric_name=spec.metric,
                        metric_namespace=METRIC_NAMESPACE,
                        operator=spec.operator,
                        threshold=spec.threshold,
                        time_aggregation=spec.aggregation,
                    )
                ],
            ),
            actions=[monitor.MetricAlertActionArgs(action_group_id=group_id)],
            tags=args.tags,
            opts=child,
        )

    def _grafana(
        self, name: str, args: ManagedPrometheusArgs, workspace_id: pulumi.Input[str], child: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        grafana = dashboard.Grafana(
            f"{name}-grafana",
            workspace_name=f"{args.name_prefix}-grafana"[:23],
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=dashboard.ResourceSkuArgs(name=GRAFANA_SKU),
            identity=dashboard.ManagedServiceIdentityArgs(type="SystemAssigned"),
            properties=dashboard.ManagedGrafanaPropertiesArgs(
                grafana_integrations=dashboard.GrafanaIntegrationsArgs(
                    azure_monitor_workspace_integrations=[
                        dashboard.AzureMonitorWorkspaceIntegrationArgs(azure_monitor_workspace_resource_id=workspace_id)
                    ]
                )
            ),
            tags=args.tags,
            opts=child,
        )
        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        authorization.RoleAssignment(
            f"{name}-grafana-reads-metrics",
            principal_id=grafana.identity.apply(lambda i: i.principal_id if i else ""),
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=client.subscription_id.apply(role_definition_id),
            scope=workspace_id,
            opts=child,
        )
        return grafana.properties.apply(lambda p: p.endpoint if p else "")
