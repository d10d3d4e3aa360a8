"""The monitoring of the rendered stacks: the Flink side always, the Azure side when enabled.

dev with monitoring switched off declares only the Prometheus reporter and the ``metrics``
ports; prod (on by default) also declares the workspace, managed Prometheus on the
cluster, data collection, every alert rule, the action group, the Event Hubs metric
alerts, the PodMonitor and Grafana.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components.flink.names import FLINK_LABEL
from components.monitoring.alert_rules import flink_alert_rules
from components.monitoring.flink_reporter import FACTORY_CLASS, PORT, PORT_NAME
from components.monitoring.pod_monitor import API_VERSION
from infra.render.offline import Rendering
from tests.rendering import k8s_object, kubernetes_objects, one, render, settings_of

CLUSTER = "azure-native:containerservice:ManagedCluster"
WORKSPACE = "azure-native:monitor:AzureMonitorWorkspace"
DCE = "azure-native:monitor:DataCollectionEndpoint"
DCR = "azure-native:monitor:DataCollectionRule"
DCRA = "azure-native:monitor:DataCollectionRuleAssociation"
RULE_GROUP = "azure-native:alertsmanagement:PrometheusRuleGroup"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
METRIC_ALERT = "azure-native:monitor:MetricAlert"
GRAFANA = "azure-native:dashboard:Grafana"
POD_MONITOR = f"kubernetes:{API_VERSION}:PodMonitor"
AZURE_MONITORING = (
    WORKSPACE,
    DCE,
    RULE_GROUP,
    ACTION_GROUP,
    METRIC_ALERT,
    GRAFANA,
    "flink-aks:monitoring:ManagedPrometheus",
)
# Mock ids of the offline render (infra/render/mocks.py): <resource name>-id.
CLUSTER_ID = "aks-cluster-id"
NAMESPACE_ID = "event-hubs-namespace-id"
ACTION_GROUP_ID = "monitoring-action-group-id"


@pytest.fixture(scope="module")
def dev() -> Rendering:
    """The dev stack with monitoring switched off (its stack file switches it on)."""
    return render("dev", preview=False, monitoring={"enabled": False})


@pytest.fixture(scope="module")
def prod() -> Rendering:
    return render("prod", preview=False)


def flink_containers(rendering: Rendering) -> list[dict[str, Any]]:
    return [
        next(
            c
            for c in k8s_object(rendering, "Deployment", name)["spec"]["template"]["spec"]["containers"]
            if c["name"] == "flink"
        )
        for name in ("flink-jobmanager", "flink-taskmanager")
    ]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_flink_process_serves_prometheus_metrics(stack: str) -> None:
    rendering = render(stack, preview=False)
    config = yaml.safe_load(k8s_object(rendering, "ConfigMap", "flink-config")["data"]["config.yaml"])
    assert config["metrics.reporter.prom.factory.class"] == FACTORY_CLASS
    assert config["metrics.reporter.prom.port"] == str(PORT)
    for container in flink_containers(rendering):
        assert {"name": PORT_NAME, "containerPort": PORT} in container["ports"]


def test_dev_declares_no_azure_monitoring(dev: Rendering) -> None:
    for type_token in (*AZURE_MONITORING, POD_MONITOR):
        assert dev.of_type(type_token) == [], type_token
    assert "azureMonitorProfile" not in one(dev, CLUSTER)["inputs"]
    # Container Insights (logs) has its own rule and association, nothing of Prometheus.
    assert not [r for r in dev.of_type(DCR) if "Prometheus" in str(r["inputs"])]
    assert "prometheusQueryEndpoint" not in dev.outputs and "grafanaUrl" not in dev.outputs


def test_prod_turns_on_managed_prometheus_on_the_cluster(prod: Rendering) -> None:
    assert one(prod, CLUSTER)["inputs"]["azureMonitorProfile"] == {"metrics": {"enabled": True}}
    workspace = one(prod, WORKSPACE)["inputs"]
    assert workspace["azureMonitorWorkspaceName"] == "flink-aks-prod-prometheus"
    assert workspace["resourceGroupName"] == "rg-flink-aks-prod" and workspace["location"] == "westeurope"
    assert workspace["tags"]["stack"] == "prod"


def test_prod_collects_the_clusters_metrics_into_the_workspace(prod: Rendering) -> None:
    endpoint = one(prod, DCE)["inputs"]
    [rule] = [r["inputs"] for r in prod.of_type(DCR) if "prometheusForwarder" in r["inputs"].get("dataSources", {})]
    assert (
        rule["dataCollectionRuleName"] == endpoint["dataCollectionEndpointName"] == "MSProm-westeurope-flink-aks-prod"
    )
    associations = [r["inputs"] for r in prod.of_type(DCRA) if r["name"].startswith("monitoring-")]
    assert len(associations) == 2 and all(a["resourceUri"] == CLUSTER_ID for a in associations)


def test_prod_rule_group_holds_every_rule_with_the_stacks_checkpoint_bound(prod: Rendering) -> None:
    group = one(prod, RULE_GROUP)["inputs"]
    bounds = settings_of("prod").monitoring.bounds()
    assert [r["alert"] for r in group["rules"]] == [r.name for r in flink_alert_rules(bounds)]
    assert group["clusterName"] == "aks-flink-aks-prod" and CLUSTER_ID in group["scopes"]
    stalled = next(r for r in group["rules"] if r["alert"] == "FlinkCheckpointsStalled")
    assert "[15m]" in stalled["expression"]  # max(15 min, 3 × 60 s)
    assert all(r["actions"] == [{"actionGroupId": ACTION_GROUP_ID}] for r in group["rules"])


def test_prod_tells_the_configured_address(prod: Rendering) -> None:
    group = one(prod, ACTION_GROUP)["inputs"]
    assert [r["emailAddress"] for r in group["emailReceivers"]] == ["flink-oncall@example.com"]
    assert group["actionGroupName"] == "flink-aks-prod-alerts"


def test_prod_alerts_on_event_hubs(prod: Rendering) -> None:
    alerts = prod.of_type(METRIC_ALERT)
    assert {a["inputs"]["criteria"]["allOf"][0]["metricName"] for a in alerts} == {"ThrottledRequests", "ServerErrors"}
    assert all(a["inputs"]["scopes"] == [NAMESPACE_ID] for a in alerts)
    assert all(a["inputs"]["actions"] == [{"actionGroupId": ACTION_GROUP_ID}] for a in alerts)


def test_prod_pod_monitor_scrapes_every_flink_pod_by_port_name(prod: Rendering) -> None:
    [monitor] = [o for o in kubernetes_objects(prod) if o["kind"] == "PodMonitor"]
    assert monitor["apiVersion"] == "azmonitoring.coreos.com/v1"
    assert monitor["metadata"] == {"name": "flink", "namespace": "flink"}
    spec = monitor["spec"]
    assert set(spec) == {"selector", "namespaceSelector", "podMetricsEndpoints"}
    assert spec["namespaceSelector"] == {"matchNames": ["flink"]}
    assert spec["selector"] == {"matchLabels": FLINK_LABEL}
    [endpoint] = spec["podMetricsEndpoints"]
    assert endpoint["port"] == PORT_NAME and endpoint["path"] == "/metrics"
    assert {r["targetLabel"] for r in endpoint["relabelings"]} == {"namespace", "pod", "component"}
    for name in ("flink-jobmanager", "flink-taskmanager"):
        pod_labels = k8s_object(prod, "Deployment", name)["spec"]["template"]["metadata"]["labels"]
        assert FLINK_LABEL.items() <= pod_labels.items(), name
    pod_monitor = one(prod, POD_MONITOR)
    assert pod_monitor["provider"] == "aks-k8s"


def test_prod_has_grafana_and_both_outputs() -> None:
    rendering = render("prod")  # a preview: outputs unknown, but declared
    assert one(rendering, GRAFANA)["inputs"]["workspaceName"] == "flink-aks-prod-grafana"
    assert {"prometheusQueryEndpoint", "grafanaUrl"} <= set(rendering.outputs)


def test_without_grafana_no_workspace_for_it_and_no_url() -> None:
    rendering = render("prod", monitoring={"grafana": False})
    assert rendering.of_type(GRAFANA) == [] and len(rendering.of_type(RULE_GROUP)) == 1
    assert "prometheusQueryEndpoint" in rendering.outputs and "grafanaUrl" not in rendering.outputs


def test_switched_off_prod_declares_no_azure_monitoring() -> None:
    rendering = render("prod", monitoring={"enabled": False})
    for type_token in (*AZURE_MONITORING, POD_MONITOR):
        assert rendering.of_type(type_token) == [], type_token
    assert "azureMonitorProfile" not in one(rendering, CLUSTER)["inputs"]
