"""Settings: profiles, overrides and every validation rule, called directly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.config.profiles import PROFILES
from infra.config.settings import parse_settings
from infra.config.validation import ConfigError
from infra.render.project_files import stack_config

ROOT = Path(__file__).resolve().parent.parent


def config(**objects: Any) -> dict[str, Any]:
    """A minimal valid config plus overrides: keyword `aks={...}` -> `flink-aks:aks`."""
    values: dict[str, Any] = {"azure-native:location": "westeurope"}
    for name, value in objects.items():
        values[f"flink-aks:{name}"] = value
    return values


# What a prod-like stack needs besides the defaults (infra/config/aks_access.py).
PROD_ACCESS = {
    "adminGroupObjectIds": ["11111111-2222-3333-4444-555555555555"],
    "apiServerAuthorizedIpRanges": ["198.51.100.0/24"],
}


def rejected(stack: str = "dev", **objects: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_settings(stack, config(**objects))
    return caught.value


def test_dev_stack_file_is_the_1k_profile() -> None:
    s = parse_settings("dev", stack_config(ROOT, "dev"))
    assert s.profile == "1k"
    assert (s.event_hubs.throughput_units, s.event_hubs.partitions) == (3, 3)
    assert (s.aks.node_count, s.aks.vm_size) == (3, "Standard_D2s_v5")
    assert s.flink.task_managers == 1 and s.flink.parallelism == 1
    assert s.protect is False
    assert s.ui.exposure == "portForward"


def test_prod_stack_file_is_the_10k_profile_protected_and_not_public() -> None:
    s = parse_settings("prod", stack_config(ROOT, "prod"))
    assert s.profile == "10k"
    assert (s.event_hubs.throughput_units, s.event_hubs.partitions) == (24, 24)
    assert (s.aks.node_count, s.aks.vm_size) == (4, "Standard_D4s_v5")
    assert (s.aks.system_node_count, s.aks.system_vm_size) == (3, "Standard_D4s_v5")
    assert s.aks.access.admin_group_object_ids and s.aks.access.authorized_ip_ranges
    assert s.flink.task_managers == 8
    assert s.protect is True
    assert s.ui.exposure != "public" or s.ui.allowed_cidrs


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_each_profile_is_valid_as_is(name: str) -> None:
    s = parse_settings("test", config(throughputProfile=name))
    p = PROFILES[name]
    assert s.event_hubs.partitions == p.partitions
    assert s.flink.parallelism <= s.event_hubs.partitions


def test_overrides_apply_key_by_key_on_top_of_the_profile() -> None:
    s = parse_settings("test", config(throughputProfile="5k", eventHubs={"partitions": 16}, aks={"nodeCount": 6}))
    assert s.event_hubs.partitions == 16
    assert s.event_hubs.throughput_units == PROFILES["5k"].throughput_units
    assert s.aks.node_count == 6 and s.aks.vm_size == PROFILES["5k"].vm_size


def test_objects_given_as_json_text_like_the_engine_passes_them() -> None:
    s = parse_settings("test", config(eventHubs='{"retentionHours": 48}'))
    assert s.event_hubs.retention_hours == 48


def test_protect_defaults_on_for_prod_stacks_only() -> None:
    assert (
        parse_settings("prod-eu", config(aks=PROD_ACCESS, monitoring={"emails": ["oncall@example.com"]})).protect
        is True
    )
    assert parse_settings("dev", config()).protect is False
    assert parse_settings("dev", config(protect="true", aks=PROD_ACCESS)).protect is True


# (config objects, the key the error must name, a fragment of what is allowed)
REJECTED: list[tuple[dict[str, Any], str, str]] = [
    ({"throughputProfile": "2k"}, "flink-aks:throughputProfile", "one of 1k, 5k, 10k"),
    ({"eventHubs": {"sku": "Basic"}}, "flink-aks:eventHubs.sku", "Kafka endpoint needs Standard"),
    ({"eventHubs": {"sku": "Gold"}}, "flink-aks:eventHubs.sku", "Standard, Premium"),
    ({"eventHubs": {"partitions": 33}}, "flink-aks:eventHubs.partitions", "from 1 to 32"),
    ({"eventHubs": {"partitions": 0}}, "flink-aks:eventHubs.partitions", "from 1 to 32"),
    ({"eventHubs": {"throughputUnits": 41}}, "flink-aks:eventHubs.throughputUnits", "from 1 to 40"),
    ({"eventHubs": {"sku": "Premium", "throughputUnits": 3}}, "flink-aks:eventHubs.throughputUnits", "1, 2, 4, 8, 16"),
    ({"eventHubs": {"retentionHours": 169}}, "flink-aks:eventHubs.retentionHours", "from 1 to 168"),
    ({"eventHubs": {"inputHub": "-bad"}}, "flink-aks:eventHubs.inputHub", "starting and ending"),
    ({"eventHubs": {"outputHub": "has space"}}, "flink-aks:eventHubs.outputHub", "letters, digits"),
    ({"eventHubs": {"outputHub": "input"}}, "flink-aks:eventHubs.outputHub", "different from"),
    ({"eventHubs": {"consumerGroup": "x" * 51}}, "flink-aks:eventHubs.consumerGroup", "1-50"),
    ({"eventHubs": {"partition": 4}}, "flink-aks:eventHubs.partition", "known keys"),
    ({"flink": {"taskManagers": 4}}, "flink-aks:flink.taskManagers", "at most the input partitions (3)"),
    ({"flink": {"slotsPerTaskManager": 4}}, "flink-aks:flink.taskManagers", "at most the input partitions"),
    ({"flink": {"taskManagers": 0}}, "flink-aks:flink.taskManagers", "from 1 to"),
    ({"flink": {"taskManagers": -1}}, "flink-aks:flink.taskManagers", "from 1 to"),
    ({"flink": {"rpcPortMode": "random"}}, "flink-aks:flink.rpcPortMode", "sidecar, pinned, podIp"),
    ({"flink": {"jobManagers": 2}}, "flink-aks:flink.jobManagers", "only with rpcPortMode podIp"),
    ({"flink": {"rpcPortMode": "podIp", "jobManagers": 4}}, "flink-aks:flink.jobManagers", "from 1 to 3"),
    ({"flink": {"rpcPortMode": "podIp", "jobManagers": 0}}, "flink-aks:flink.jobManagers", "from 1 to 3"),
    ({"flink": {"version": "1.17"}}, "flink-aks:flink.version", "1.20"),
    ({"flink": {"taskManagerMemory": "2 parsecs"}}, "flink-aks:flink.taskManagerMemory", "memory size"),
    ({"flink": {"jobManagerMemory": "100m"}}, "flink-aks:flink.jobManagerMemory", "at least 768m"),
    ({"flink": {"checkpointInterval": "soon"}}, "flink-aks:flink.checkpointInterval", "duration"),
    ({"flink": {"jobClassName": "not a class"}}, "flink-aks:flink.jobClassName", "Java class"),
    ({"flink": {"jobJar": "job.jar"}}, "flink-aks:flink.jobJar", "absolute path"),
    ({"flink": {"jobArgs": ["--password", "x"]}}, "flink-aks:flink.jobArgs", "without credentials"),
    ({"flink": {"storageSize": "100GB"}}, "flink-aks:flink.storageSize", "8Gi"),
    ({"flink": {"parallelism": 2}}, "flink-aks:flink.parallelism", "known keys"),
    ({"aks": {"autoscale": {"min": 5, "max": 3}}}, "flink-aks:aks.autoscale.min", "at most aks.autoscale.max"),
    ({"aks": {"autoscale": {"min": 4, "max": 9}, "nodeCount": 3}}, "flink-aks:aks.nodeCount", "between"),
    ({"aks": {"nodeCount": 0}}, "flink-aks:aks.nodeCount", "from 1 to 100"),
    ({"aks": {"tier": "Gold"}}, "flink-aks:aks.tier", "Free, Standard"),
    ({"aks": {"zones": ["4"]}}, "flink-aks:aks.zones", "1, 2, 3"),
    ({"aks": {"vmSize": "D4s_v3"}}, "flink-aks:aks.vmSize", "VM size"),
    ({"aks": {"kubernetesVersion": "1.9"}}, "flink-aks:aks.kubernetesVersion", "a minor AKS supports"),
    ({"aks": {"nodecount": 3}}, "flink-aks:aks.nodecount", "known keys"),
    ({"zookeeper": {"replicas": 2}}, "flink-aks:zookeeper.replicas", "odd number"),
    ({"zookeeper": {"chartVersion": "latest"}}, "flink-aks:zookeeper.chartVersion", "pinned"),
    ({"zookeeper": {"image": {"tags": "x"}}}, "flink-aks:zookeeper.image.tags", "known keys"),
    ({"ui": {"exposure": "open"}}, "flink-aks:ui.exposure", "public, internal, portForward"),
    ({"ui": {"exposure": "public"}}, "flink-aks:ui.allowedCidrs", "non-empty"),
    ({"ui": {"exposure": "public", "allowedCidrs": []}}, "flink-aks:ui.allowedCidrs", "non-empty"),
    ({"ui": {"exposure": "public", "allowedCidrs": ["10.0.0.1/33"]}}, "flink-aks:ui.allowedCidrs", "CIDR"),
    ({"ui": {"exposure": "public", "allowedCidrs": ["203.0.113.7/24"]}}, "flink-aks:ui.allowedCidrs", "host bits"),
    ({"ui": {"exposure": "public", "allowedCidrs": ["0.0.0.0/0"]}}, "flink-aks:ui.allowedCidrs", "whole internet"),
    ({"ui": {"exposure": "internal", "allowedCidrs": []}}, "flink-aks:ui.allowedCidrs", "is internal"),
    ({"ui": {"exposure": "internal", "allowedCidrs": ["0.0.0.0/0"]}}, "flink-aks:ui.allowedCidrs", "whole internet"),
    ({"ui": {"allowedCidrs": ["not-a-cidr"]}}, "flink-aks:ui.allowedCidrs", "CIDR"),
    ({"protect": "yes"}, "flink-aks:protect", "true or false"),
    ({"throughputprofile": "1k"}, "flink-aks:throughputprofile", "no such key"),
]


@pytest.mark.parametrize(("objects", "key", "allowed"), REJECTED, ids=[r[1] + "=" + str(r[0]) for r in REJECTED])
def test_bad_value_is_rejected_naming_key_value_and_what_is_allowed(
    objects: dict[str, Any], key: str, allowed: str
) -> None:
    error = rejected(**objects)
    assert error.key == key
    message = str(error)
    assert message.startswith(f"{key}: got ")
    assert allowed in message


def test_missing_location_is_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings("dev", {})
    assert caught.value.key == "azure-native:location"
    assert "pulumi config set azure-native:location" in str(caught.value)


@pytest.mark.parametrize("stack", ["Prod_EU", "dev-", "9dev", "a" * 21])
def test_stack_name_that_cannot_be_part_of_azure_names_is_rejected(stack: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(stack, config())
    assert caught.value.key == "stack name"


def test_public_ui_with_narrow_cidrs_is_accepted() -> None:
    s = parse_settings("dev", config(ui={"exposure": "public", "allowedCidrs": ["203.0.113.0/24", "2001:db8::/48"]}))
    assert s.ui.allowed_cidrs == ("203.0.113.0/24", "2001:db8::/48")


def test_a_secret_in_job_args_is_not_echoed_in_the_error() -> None:
    error = rejected(flink={"jobArgs": ["Endpoint=sb://x/;SharedAccessKey=abc123"]})
    assert "abc123" not in str(error)
