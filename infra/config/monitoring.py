"""The ``flink-aks:monitoring`` setting: validated once into ``MonitoringSpec``.

Managed Prometheus, the alert rules, the action group and Managed Grafana are Azure
resources: on by default for stacks named ``prod*`` (like ``protect``), off otherwise,
and refused on an existing cluster. The checkpoint alert's bound follows the Flink
checkpoint interval: no completed checkpoint for max(15 min, 3 × checkpointInterval),
unless ``checkpointAlertAfter`` says otherwise.
"""

from __future__ import annotations

from typing import Any

from components.monitoring.spec import MonitoringSpec
from infra.config import validation as v
from infra.config.validation import ConfigError, key

MONITORING_KEYS = ("enabled", "emails", "grafana", "checkpointAlertAfter")
MIN_CHECKPOINT_ALERT_MS = 15 * 60_000
CHECKPOINT_INTERVALS_BEFORE_ALERT = 3
MAX_CHECKPOINT_ALERT_MS = 24 * 3_600_000
# What Azure's action groups and most mail systems accept: one @, a dotted domain, no spaces.
EMAIL = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"


def parse_monitoring(stack: str, raw: Any, checkpoint_interval_ms: int, existing_cluster: bool) -> MonitoringSpec:
    obj = v.check_keys(key("monitoring"), raw, MONITORING_KEYS)
    # An existing cluster has no Azure side of ours: off unless asked, and then refused below.
    default = stack.startswith("prod") and not existing_cluster
    enabled = v.boolean(key("monitoring.enabled"), obj.get("enabled", default))
    if enabled and existing_cluster:
        raise ConfigError(
            key("monitoring.enabled"),
            True,
            "false on an existing cluster: managed Prometheus, its alerts and Grafana are Azure resources of a "
            "new AKS cluster; the Flink pods still serve Prometheus metrics on their port named metrics "
            "(scrape them with your own Prometheus, see docs/observability.md)",
        )
    emails = tuple(
        v.matching(key("monitoring.emails"), e, EMAIL, "an email address such as flink-oncall@example.com")
        for e in v.string_list(key("monitoring.emails"), obj.get("emails", []))
    )
    if enabled and not emails:
        raise ConfigError(
            key("monitoring.emails"),
            list(emails),
            "at least one email address when monitoring is enabled (an alert nobody receives is useless); "
            "or set flink-aks:monitoring.enabled: false",
        )
    grafana = v.boolean(key("monitoring.grafana"), obj.get("grafana", enabled))
    if grafana and not enabled:
        raise ConfigError(
            key("monitoring.grafana"), True, "false unless monitoring.enabled is true (Grafana reads its workspace)"
        )
    return MonitoringSpec(
        enabled=enabled,
        emails=emails,
        grafana=grafana,
        checkpoint_alert_after=_checkpoint_alert_after(obj.get("checkpointAlertAfter"), checkpoint_interval_ms),
    )


def _checkpoint_alert_after(value: Any, interval_ms: int) -> str:
    """A Prometheus duration: given (at least 2 × checkpointInterval), or max(15 min, 3 × checkpointInterval)."""
    if value is None:
        return prometheus_duration(max(MIN_CHECKPOINT_ALERT_MS, CHECKPOINT_INTERVALS_BEFORE_ALERT * interval_ms))
    name = key("monitoring.checkpointAlertAfter")
    after_ms = v.duration_ms(name, value, 60_000, MAX_CHECKPOINT_ALERT_MS)
    if after_ms < 2 * interval_ms or after_ms % 1000:
        raise ConfigError(
            name,
            value,
            "whole seconds, at least 2 × flink.checkpointInterval: the alert must not fire between checkpoints",
        )
    return prometheus_duration(after_ms)


def prometheus_duration(millis: int) -> str:
    """Whole seconds as Prometheus writes them: ``15m`` when whole minutes, else ``90s``."""
    seconds = millis // 1000
    return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"
