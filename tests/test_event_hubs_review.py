"""Issue 18, the Event Hubs side: partitions and throughput units, network rules, the
Kafka client settings in Microsoft's allowed ranges."""

from __future__ import annotations

from typing import Any

import pytest

from components.event_hubs_network import ip_rules
from components.flink import kafka_secret
from infra.config.settings import parse_settings
from infra.config.validation import ConfigError


def settings(**event_hubs: Any) -> Any:
    return parse_settings("dev", {"azure-native:location": "westeurope", "flink-aks:eventHubs": event_hubs})


def test_partitions_below_throughput_units_are_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        settings(throughputUnits=6, partitions=4)
    assert caught.value.key == "flink-aks:eventHubs.partitions" and caught.value.value == 4
    assert "at least eventHubs.throughputUnits (6)" in caught.value.allowed


def test_partitions_equal_to_throughput_units_pass_and_premium_is_not_bound() -> None:
    assert settings(throughputUnits=6, partitions=6).event_hubs.partitions == 6
    assert settings(sku="Premium", throughputUnits=4, partitions=2).event_hubs.partitions == 2


def test_extra_ranges_are_validated() -> None:
    assert settings(allowedIpRanges=["198.51.100.0/24"]).event_hubs.allowed_ip_ranges == ("198.51.100.0/24",)
    for bad, allowed in ((["0.0.0.0/0"], "whole internet"), (["198.51.100.7/24"], "host bits"), ("x", "list")):
        with pytest.raises(ConfigError) as caught:
            settings(allowedIpRanges=bad)
        assert caught.value.key == "flink-aks:eventHubs.allowedIpRanges" and allowed in caught.value.allowed


def test_ip_rules_allow_the_egress_address_and_the_extra_ranges_only() -> None:
    rules = ip_rules("203.0.113.45", ["198.51.100.0/24"])
    assert [(r.ip_mask, r.action) for r in rules] == [("203.0.113.45", "Allow"), ("198.51.100.0/24", "Allow")]


def test_kafka_clients_stay_in_event_hubs_allowed_ranges() -> None:
    data = kafka_secret.property_files("ns.servicebus.windows.net:9093", "grp", "JAAS-IN", "JAAS-OUT")
    for name in ("input.properties", "output.properties"):
        props = dict(line.split("=", 1) for line in data[name].splitlines())
        for key in ("metadata.max.age.ms", "metadata.max.idle.ms", "connections.max.idle.ms"):
            assert int(props[key]) < 240000, key
        assert props["request.timeout.ms"] == "60000"
    producer = dict(line.split("=", 1) for line in data["output.properties"].splitlines())
    assert int(producer["max.request.size"]) == 1000000 < 1046528
