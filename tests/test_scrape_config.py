"""The PodMonitor (``components.monitoring.pod_monitor``) and its translation into a
Prometheus scrape configuration for local processes (``tests.integration.scrape_config``)."""

from __future__ import annotations

from components.flink.pods import labels
from components.monitoring.flink_reporter import FACTORY_CLASS, PORT, PORT_NAME, reporter_config
from components.monitoring.pod_monitor import pod_monitor
from tests.integration.scrape_config import LocalPod, scrape_configs

SELECTOR = {"app.kubernetes.io/name": "flink"}


def test_pod_monitor_is_in_the_managed_prometheus_api_group() -> None:
    monitor = pod_monitor("flink", "flink-ns", SELECTOR)
    assert (monitor["apiVersion"], monitor["kind"]) == ("azmonitoring.coreos.com/v1", "PodMonitor")
    assert monitor["metadata"] == {"name": "flink", "namespace": "flink-ns"}
    assert monitor["spec"]["selector"] == {"matchLabels": SELECTOR}
    [endpoint] = monitor["spec"]["podMetricsEndpoints"]
    assert (endpoint["port"], endpoint["path"], endpoint["interval"]) == (PORT_NAME, "/metrics", "30s")


def test_reporter_config() -> None:
    assert reporter_config() == {
        "metrics.reporter.prom.factory.class": FACTORY_CLASS,
        "metrics.reporter.prom.port": str(PORT),
    }
    assert PORT == 9249 and FACTORY_CLASS.endswith("PrometheusReporterFactory")


def test_translation_selects_pods_by_labels_and_namespace() -> None:
    monitor = pod_monitor("flink", "flink-ns", SELECTOR, interval="5s")
    pods = [
        LocalPod("jm", "flink-ns", labels("jobmanager"), {PORT_NAME: 9001}),
        LocalPod("tm", "flink-ns", labels("taskmanager"), {PORT_NAME: 9002, "rpc": 6122}),
        LocalPod("zk", "flink-ns", {"app.kubernetes.io/name": "zookeeper"}, {PORT_NAME: 9003}),
        LocalPod("other-ns", "elsewhere", labels("taskmanager"), {PORT_NAME: 9004}),
        LocalPod("no-port", "flink-ns", labels("taskmanager"), {"rpc": 6122}),
    ]
    [job] = scrape_configs(monitor, pods)
    assert job["job_name"] == "podMonitor/flink-ns/flink/0"
    assert (job["metrics_path"], job["scrape_interval"]) == ("/metrics", "5s")
    assert [c["targets"] for c in job["static_configs"]] == [["127.0.0.1:9001"], ["127.0.0.1:9002"]]
    first = job["static_configs"][0]["labels"]
    assert first["__meta_kubernetes_pod_name"] == "jm"
    assert first["__meta_kubernetes_pod_label_app_kubernetes_io_component"] == "jobmanager"
    assert {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"} in job["relabel_configs"]
