"""Azure Monitor metric alerts on the Event Hubs namespace, as data.

Throttled requests mean the namespace is out of throughput units (the job or the
producers are slowed down); server errors are Event Hubs' own failures. Both metrics are
platform metrics of ``Microsoft.EventHub/namespaces``, summed over the window.
"""

from __future__ import annotations

import dataclasses

METRIC_NAMESPACE = "Microsoft.EventHub/namespaces"


@dataclasses.dataclass(frozen=True)
class MetricAlertSpec:
    name: str
    metric: str
    threshold: float
    severity: int  # Azure: 0 (critical) .. 4 (verbose)
    description: str
    operator: str = "GreaterThan"
    aggregation: str = "Total"
    window: str = "PT5M"
    frequency: str = "PT1M"


def event_hubs_alerts(throttled_per_5m: int = 0, server_errors_per_5m: int = 0) -> list[MetricAlertSpec]:
    return [
        MetricAlertSpec(
            "eventhubs-throttled-requests",
            "ThrottledRequests",
            throttled_per_5m,
            2,
            "Event Hubs throttles requests: the namespace is out of throughput units (raise them or "
            "enable auto-inflate); the Flink source and sink slow down and lag grows.",
        ),
        MetricAlertSpec(
            "eventhubs-server-errors",
            "ServerErrors",
            server_errors_per_5m,
            1,
            "Event Hubs answers with server errors: check Azure status and the namespace's health; "
            "the Kafka clients retry, sustained errors stall the job.",
        ),
    ]
