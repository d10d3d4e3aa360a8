"""A Prometheus scrape configuration generated from a ``PodMonitor`` for local processes.

In the cluster, managed Prometheus discovers the monitored pods and their named port. Here
each "pod" is a local process: its labels and its named ports on 127.0.0.1 are given, and
the monitor is translated as the Prometheus operator translates one: a job
``podMonitor/<namespace>/<name>/<i>`` per endpoint with its path and interval, the pods
the selector matches as targets (the port its name resolves to), the discovery labels
(``__meta_kubernetes_*``) on each target and the endpoint's relabelings, which the real
Prometheus then applies.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from components.monitoring.pod_monitor import meta_label

RELABEL_KEYS = {
    "sourceLabels": "source_labels",
    "targetLabel": "target_label",
    "separator": "separator",
    "regex": "regex",
    "replacement": "replacement",
    "action": "action",
}


@dataclasses.dataclass(frozen=True)
class LocalPod:
    name: str
    namespace: str
    labels: dict[str, str]
    ports: dict[str, int]  # container port name → local port


def _matches(monitor: dict[str, Any], pod: LocalPod) -> bool:
    spec = monitor["spec"]
    namespaces = spec.get("namespaceSelector", {}).get("matchNames", [monitor["metadata"]["namespace"]])
    wanted = spec["selector"]["matchLabels"]
    return pod.namespace in namespaces and all(pod.labels.get(k) == v for k, v in wanted.items())


def _target(pod: LocalPod, port_name: str) -> dict[str, Any]:
    discovery = {
        "__meta_kubernetes_namespace": pod.namespace,
        "__meta_kubernetes_pod_name": pod.name,
        **{meta_label(k): v for k, v in pod.labels.items()},
    }
    return {"targets": [f"127.0.0.1:{pod.ports[port_name]}"], "labels": discovery}


def scrape_configs(monitor: dict[str, Any], pods: list[LocalPod]) -> list[dict[str, Any]]:
    meta = monitor["metadata"]
    jobs = []
    for index, endpoint in enumerate(monitor["spec"]["podMetricsEndpoints"]):
        port = endpoint["port"]
        selected = [p for p in pods if _matches(monitor, p) and port in p.ports]
        jobs.append(
            {
                "job_name": f"podMonitor/{meta['namespace']}/{meta['name']}/{index}",
                "metrics_path": endpoint.get("path", "/metrics"),
                "scrape_interval": endpoint["interval"],
                "static_configs": [_target(p, port) for p in selected],
                "relabel_configs": [
                    {RELABEL_KEYS[k]: v for k, v in r.items()} for r in endpoint.get("relabelings", [])
                ],
            }
        )
    return jobs
