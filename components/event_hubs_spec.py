"""What KafkaEventHubs builds: the namespace's SKU and size, the hubs, the consumer group, the auth.

Plain data with no Pulumi inside, so settings can be parsed straight into it.
"""

from __future__ import annotations

from dataclasses import dataclass

# How the job authenticates to Event Hubs (docs/workload-identity.md).
WORKLOAD_IDENTITY = "workloadIdentity"  # Entra ID tokens over OAUTHBEARER; no key exists
SAS = "sas"  # a Listen and a Send rule's connection strings over SASL PLAIN
AUTH_MODES = (WORKLOAD_IDENTITY, SAS)


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
    auth: str = WORKLOAD_IDENTITY  # one of AUTH_MODES

    @property
    def workload_identity(self) -> bool:
        return self.auth == WORKLOAD_IDENTITY
