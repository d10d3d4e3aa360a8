"""Flink's Prometheus reporter: the config keys that turn it on and the port it serves.

Every Flink process (JobManager, TaskManager) serves its metrics at
``http://<pod>:<port>/metrics``; the pods name that container port ``metrics`` so a
``PodMonitor`` can select it by name. The reporter's jar ships in Flink's ``opt/``
(``flink-metrics-prometheus``) and must be in ``plugins/`` (or ``lib/``) of the image.
"""

from __future__ import annotations

REPORTER = "prom"
FACTORY_CLASS = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"
PORT = 9249
PORT_NAME = "metrics"
METRICS_PATH = "/metrics"
PLUGIN_DIR = "metrics-prometheus"  # the folder under plugins/ the official image uses
JAR_ARTIFACT = "flink-metrics-prometheus"


def reporter_config(port: int | str = PORT) -> dict[str, str]:
    """The Flink config keys of the reporter. ``port`` may be a range (``9250-9260``) when
    several Flink processes share one host (each binds the first free port of it)."""
    prefix = f"metrics.reporter.{REPORTER}"
    return {f"{prefix}.factory.class": FACTORY_CLASS, f"{prefix}.port": str(port)}
