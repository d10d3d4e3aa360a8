"""``flink-aks:eventHubs``: the namespace's SKU and size, the hubs, the consumer group, the auth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.event_hubs_spec import AUTH_MODES, SAS, WORKLOAD_IDENTITY, EventHubsSpec
from infra.config import validation as v
from infra.config.profiles import Profile
from infra.config.validation import ConfigError, key

EVENT_HUBS_KEYS = (
    "sku",
    "throughputUnits",
    "partitions",
    "retentionHours",
    "inputHub",
    "outputHub",
    "consumerGroup",
    "allowedIpRanges",
    "auth",
)
EVENT_HUBS_SKUS = ("Standard", "Premium")

# Azure naming rules (learn.microsoft.com, "Naming rules for Azure resources").
EVENT_HUB_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,254}[A-Za-z0-9])?"
CONSUMER_GROUP_NAME = r"[A-Za-z0-9$](?:[A-Za-z0-9._-]{0,48}[A-Za-z0-9])?"


@dataclass(frozen=True)
class SkuLimits:
    """Throughput (Standard) or processing (Premium) units, partitions and retention hours."""

    units: tuple[int, ...]
    max_partitions: int
    max_retention_hours: int


SKU_LIMITS = {
    "Standard": SkuLimits(units=tuple(range(1, 41)), max_partitions=32, max_retention_hours=168),
    "Premium": SkuLimits(units=(1, 2, 4, 8, 16), max_partitions=100, max_retention_hours=2160),
}


def parse_event_hubs(profile: Profile, raw: Any, existing_cluster: bool = False) -> EventHubsSpec:
    obj = v.check_keys(key("eventHubs"), raw, EVENT_HUBS_KEYS)
    auth = _auth(obj.get("auth"), existing_cluster)
    sku = obj.get("sku", "Standard")
    if sku == "Basic":
        raise ConfigError(key("eventHubs.sku"), sku, "Standard or Premium (the Kafka endpoint needs Standard or above)")
    sku = v.choice(key("eventHubs.sku"), sku, EVENT_HUBS_SKUS)
    limits = SKU_LIMITS[sku]
    tus = obj.get("throughputUnits", profile.throughput_units)
    if isinstance(tus, bool) or tus not in limits.units:
        raise ConfigError(key("eventHubs.throughputUnits"), tus, f"for {sku}: " + _describe_units(limits.units))
    partitions = v.integer(
        key("eventHubs.partitions"),
        obj.get("partitions", profile.partitions),
        1,
        limits.max_partitions,
        f" for the {sku} SKU",
    )
    if sku == "Standard" and partitions < tus:
        raise ConfigError(
            key("eventHubs.partitions"),
            partitions,
            f"at least eventHubs.throughputUnits ({tus}): a partition carries about one throughput unit, "
            "so fewer partitions cap the hub below what the namespace pays for (docs/sizing.md)",
        )
    retention = v.integer(
        key("eventHubs.retentionHours"),
        obj.get("retentionHours", 24),
        1,
        limits.max_retention_hours,
        f" for the {sku} SKU",
    )
    hub_rule = "1-256 letters, digits, periods, hyphens and underscores, starting and ending with a letter or digit"
    input_hub = v.matching(key("eventHubs.inputHub"), obj.get("inputHub", "input"), EVENT_HUB_NAME, hub_rule)
    output_hub = v.matching(key("eventHubs.outputHub"), obj.get("outputHub", "output"), EVENT_HUB_NAME, hub_rule)
    if input_hub.lower() == output_hub.lower():
        raise ConfigError(key("eventHubs.outputHub"), output_hub, "a name different from eventHubs.inputHub")
    consumer_group = v.matching(
        key("eventHubs.consumerGroup"),
        obj.get("consumerGroup", "flink"),
        CONSUMER_GROUP_NAME,
        "1-50 letters, digits, periods, hyphens and underscores, starting and ending with a letter or digit",
    )
    ranges_key = key("eventHubs.allowedIpRanges")
    ranges = tuple(v.cidr(ranges_key, c) for c in v.string_list(ranges_key, obj.get("allowedIpRanges", [])))
    if any(r.endswith("/0") for r in ranges):
        raise ConfigError(ranges_key, list(ranges), "CIDRs narrower than /0 (that would be the whole internet)")
    return EventHubsSpec(sku, int(tus), partitions, retention, input_hub, output_hub, consumer_group, ranges, auth)


def _auth(raw: Any, existing_cluster: bool) -> str:
    """workloadIdentity unless set. An existing cluster takes no ``eventHubs`` setting
    (infra/config/target.py refuses it): its Kafka, maybe not Event Hubs, logs in with the
    JAAS lines of target's secret keys, so sas."""
    if existing_cluster:
        return SAS
    return v.choice(key("eventHubs.auth"), WORKLOAD_IDENTITY if raw is None else raw, AUTH_MODES)


def _describe_units(units: tuple[int, ...]) -> str:
    if units == tuple(range(units[0], units[-1] + 1)):
        return f"an integer from {units[0]} to {units[-1]}"
    return "one of " + ", ".join(str(u) for u in units)
