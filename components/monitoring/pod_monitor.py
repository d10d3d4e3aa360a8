"""The ``PodMonitor`` managed Prometheus reads for the Flink pods.

Azure's ``ama-metrics`` add-on reads pod and service monitors only in its own API group
``azmonitoring.coreos.com/v1`` (not the operator's ``monitoring.coreos.com``). The
monitor selects pods by labels and scrapes their container port named ``metrics``.
"""

from __future__ import annotations

from typing import Any

from components.monitoring.flink_reporter import METRICS_PATH, PORT_NAME

API_VERSION = "azmonitoring.coreos.com/v1"
KIND = "PodMonitor"
DEFAULT_INTERVAL = "30s"
# The pod's own labels kept on every series (as the Prometheus operator's relabelings do).
COMPONENT_LABEL = "app.kubernetes.io/component"


def meta_label(pod_label: str) -> str:
    """The service discovery label of a pod label (``app.kubernetes.io/x`` → ``..._app_kubernetes_io_x``)."""
    sanitized = "".join(c if c.isalnum() else "_" for c in pod_label)
    return f"__meta_kubernetes_pod_label_{sanitized}"


def pod_monitor(
    name: str, namespace: str, match_labels: dict[str, str], interval: str = DEFAULT_INTERVAL
) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": dict(match_labels)},
            "namespaceSelector": {"matchNames": [namespace]},
            "podMetricsEndpoints": [
                {
                    "port": PORT_NAME,
                    "path": METRICS_PATH,
                    "interval": interval,
                    "relabelings": [
                        {"sourceLabels": ["__meta_kubernetes_namespace"], "targetLabel": "namespace"},
                        {"sourceLabels": ["__meta_kubernetes_pod_name"], "targetLabel": "pod"},
                        {"sourceLabels": [meta_label(COMPONENT_LABEL)], "targetLabel": "component"},
                    ],
                }
            ],
        },
    }
