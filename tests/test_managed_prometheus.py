"""ManagedPrometheus alone under Pulumi mocks (the offline render's machinery)."""

from __future__ import annotations

from typing import Any

import pytest

from components.monitoring.alert_rules import AlertBounds, flink_alert_rules
from components.monitoring.managed_prometheus import ManagedPrometheus, ManagedPrometheusArgs, short_name
from infra.render.offline import ROOT, Rendering, render_config
from infra.render.project_files import stack_config
from tests.rendering import one

CLUSTER_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"
NAMESPACE_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/ns"
WORKSPACE = "azure-native:monitor:AzureMonitorWorkspace"
RULE_GROUP = "azure-native:alertsmanagement:PrometheusRuleGroup"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
METRIC_ALERT = "azure-native:monitor:MetricAlert"
DCR = "azure-native:monitor:DataCollectionRule"
DCE = "azure-native:monitor:DataCollectionEndpoint"
DCRA = "azure-native:monitor:DataCollectionRuleAssociation"
GRAFANA = "azure-native:dashboard:Grafana"
ROLE = "azure-native:authorization:RoleAssignment"


def render(**overrides: Any) -> Rendering:
    fields: dict[str, Any] = {
        "name_prefix": "flink-aks-dev",
        "resource_group_name": "rg",
        "location": "westeurope",
        "cluster_id": CLUSTER_ID,
        "cluster_name": "aks",
        "emails": ["oncall@example.com", "team@example.com"],
        "event_hubs_namespace_id": NAMESPACE_ID,
        "tags": {"stack": "dev"},
    }
    args = ManagedPrometheusArgs(**(fields | overrides))

    def main() -> None:
        ManagedPrometheus("monitoring", args)

    return render_config("dev", stack_config(ROOT, "dev"), main=main)


@pytest.fixture(scope="module")
def rendering() -> Rendering:
    return render()


def test_workspace_and_data_collection(rendering: Rendering) -> None:
    workspace = one(rendering, WORKSPACE)["inputs"]
    assert workspace["azureMonitorWorkspaceName"] == "flink-aks-dev-prometheus"
    rule = one(rendering, DCR)["inputs"]
    assert rule["dataSources"]["prometheusForwarder"][0]["streams"] == ["Microsoft-PrometheusMetrics"]
    [account] = rule["destinations"]["monitoringAccounts"]
    assert rule["dataFlows"] == [{"streams": ["Microsoft-PrometheusMetrics"], "destinations": [account["name"]]}]
    assert one(rendering, DCE)["inputs"]["kind"] == "Linux"
    associations = {a["inputs"]["associationName"]: a["inputs"] for a in rendering.of_type(DCRA)}
    assert set(associations) == {rule["dataCollectionRuleName"], "configurationAccessEndpoint"}
    assert all(a["resourceUri"] == CLUSTER_ID for a in associations.values())
    children = {r["parent"] for r in rendering.resources if r["type"].startswith("azure-native:")}
    assert len(children) == 1, "every Azure resource is a child of the component"


def test_rule_group_holds_every_rule_and_notifies_the_action_group(rendering: Rendering) -> None:
    group = one(rendering, RULE_GROUP)["inputs"]
    assert CLUSTER_ID in group["scopes"] and len(group["scopes"]) == 2
    assert group["clusterName"] == "aks" and group["interval"] == "PT1M"
    names = [r["alert"] for r in group["rules"]]
    assert names == [r.name for r in flink_alert_rules(AlertBounds())]
    assert all(len(r["actions"]) == 1 for r in group["rules"])
    assert all(r["expression"] for r in group["rules"])


def test_action_group_emails(rendering: Rendering) -> None:
    group = one(rendering, ACTION_GROUP)["inputs"]
    assert [r["emailAddress"] for r in group["emailReceivers"]] == ["oncall@example.com", "team@example.com"]
    assert group["location"] == "global" and len(group["groupShortName"]) <= 12


def test_event_hubs_metric_alerts(rendering: Rendering) -> None:
    alerts = {a["inputs"]["criteria"]["allOf"][0]["metricName"]: a["inputs"] for a in rendering.of_type(METRIC_ALERT)}
    assert set(alerts) == {"ThrottledRequests", "ServerErrors"}
    for alert in alerts.values():
        assert alert["scopes"] == [NAMESPACE_ID]
        assert alert["criteria"]["allOf"][0]["metricNamespace"] == "Microsoft.EventHub/namespaces"
        assert len(alert["actions"]) == 1


def test_no_grafana_unless_enabled(rendering: Rendering) -> None:
    assert rendering.of_type(GRAFANA) == [] and rendering.of_type(ROLE) == []


def test_grafana_reads_the_workspace() -> None:
    rendering = render(enable_grafana=True)
    grafana = one(rendering, GRAFANA)["inputs"]
    [integration] = grafana["properties"]["grafanaIntegrations"]["azureMonitorWorkspaceIntegrations"]
    assert "azureMonitorWorkspaceResourceId" in integration
    role = one(rendering, ROLE)["inputs"]
    assert role["roleDefinitionId"].endswith("b0d8363b-8ddd-447d-831f-62ca05bff136")


def test_without_event_hubs_no_metric_alerts() -> None:
    rendering = render(event_hubs_namespace_id=None)
    assert rendering.of_type(METRIC_ALERT) == []
    assert len(rendering.of_type(RULE_GROUP)) == 1


def test_short_name() -> None:
    assert short_name("flink-aks-production") == "flinkaksprod"
