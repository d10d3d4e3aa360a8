"""Observability as code: the Flink Prometheus reporter, the PodMonitor that managed
Prometheus reads, the alert rules, the Grafana dashboard and the Azure side (workspace,
data collection, rule group, action group, Event Hubs metric alerts, Managed Grafana)."""
