"""What KafkaEventHubs builds: the namespace's SKU and size, the hubs and the consumer group.

Plain data with no Pulumi inside, so settings can be parsed straight into it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventHubsSpec:
    sku: str  # Standard or Premium
    throughput_units: int  # processing units for Premium
    partitions: int
    retention_hours: int
    input_hub: str
    output_hub: str
    consumer_group: str
    # Besides the cluster's egress address, who may reach the namespace (a load generator,
    # an operator's network). Everything else is denied.
    allowed_ip_ranges: tuple[str, ...] = ()
