"""What the monitoring of one stack is asked to do: typed, validated values, parsed once.

The stack's config parser builds it from the ``monitoring`` setting; the composition
maps it to ``ManagedPrometheusArgs``. The Flink side (the Prometheus reporter and the
``metrics`` port) is always on and needs no spec.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from components.monitoring.alert_rules import AlertBounds


@dataclass(frozen=True)
class MonitoringSpec:
    enabled: bool  # managed Prometheus, the alerts and the action group (Azure only)
    emails: tuple[str, ...]  # the action group's receivers
    grafana: bool  # an Azure Managed Grafana reading the workspace
    checkpoint_alert_after: str  # a Prometheus duration (``15m``): FlinkCheckpointsStalled's bound

    def bounds(self) -> AlertBounds:
        return dataclasses.replace(AlertBounds(), checkpoint_age=self.checkpoint_alert_after)
