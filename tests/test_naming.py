"""Azure names derived from the stack: exact values and Azure's naming rules."""

from __future__ import annotations

import re

import pytest

from components import azure_names as names
from infra.config.azure_regions import AZURE_PUBLIC_REGIONS
from infra.config.validation import PROJECT

# Azure's rules, written out again here rather than imported, so a wrong rule in
# components/azure_names.py cannot make its own test pass.
NAMESPACE_RULE = re.compile(r"[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]")
CLUSTER_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,61}[A-Za-z0-9]")
WORKSPACE_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]")
DNS_PREFIX_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,52}[A-Za-z0-9]")
RESOURCE_GROUP_RULE = re.compile(r"[A-Za-z0-9._()-]{1,90}")

LONGEST_STACK = "p" + "r0d-" * 4 + "x" * 3  # 20 characters
STACKS = ["a", "dev", "prod", "prod-eu2", "x1", LONGEST_STACK]


def test_longest_stack_is_twenty_characters() -> None:
    assert len(LONGEST_STACK) == 20


def test_exact_names_for_dev() -> None:
    assert names.resource_group_name("dev", PROJECT) == "rg-flink-aks-dev"
    assert names.node_resource_group_name("dev", PROJECT) == "rg-flink-aks-dev-nodes"
    assert names.log_analytics_workspace_name("dev", PROJECT) == "log-flink-aks-dev"
    assert names.cluster_name("dev", PROJECT) == "aks-flink-aks-dev"
    assert names.dns_prefix("dev", PROJECT) == "flink-aks-dev"
    assert names.eventhubs_namespace_name("dev", "ab12cd", PROJECT) == "evhns-flink-aks-dev-ab12cd"


def test_project_is_part_of_the_names() -> None:
    assert names.resource_group_name("prod", "other") == "rg-other-prod"
    assert names.cluster_name("prod", "other") == "aks-other-prod"


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("suffix", ["abcd", "a1b2c3", "12345678", "zzzzzzzz"])
def test_namespace_names_follow_azure_rules(stack: str, suffix: str) -> None:
    name = names.eventhubs_namespace_name(stack, suffix, PROJECT)
    assert 6 <= len(name) <= 50
    assert NAMESPACE_RULE.fullmatch(name)
    assert name.endswith(suffix)
    assert not name.endswith(("-sb", "-mgmt"))


@pytest.mark.parametrize("stack", STACKS)
def test_cluster_names_follow_azure_rules(stack: str) -> None:
    assert CLUSTER_RULE.fullmatch(names.cluster_name(stack, PROJECT))
    assert WORKSPACE_RULE.fullmatch(names.log_analytics_workspace_name(stack, PROJECT))
    assert DNS_PREFIX_RULE.fullmatch(names.dns_prefix(stack, PROJECT))
    assert RESOURCE_GROUP_RULE.fullmatch(names.resource_group_name(stack, PROJECT))
    assert RESOURCE_GROUP_RULE.fullmatch(names.node_resource_group_name(stack, PROJECT))


@pytest.mark.parametrize("stack", ["", "Dev", "1dev", "dev-", "dev_1", "a" * 21, "dév"])
def test_bad_stack_names_are_refused(stack: str) -> None:
    with pytest.raises(ValueError, match="stack name"):
        names.cluster_name(stack, PROJECT)
    with pytest.raises(ValueError, match="stack name"):
        names.eventhubs_namespace_name(stack, "abcdef", PROJECT)


@pytest.mark.parametrize("suffix", ["", "abc", "ABCDEF", "ab-cd", "abcdefghi", "ab_cd1"])
def test_bad_suffixes_are_refused(suffix: str) -> None:
    with pytest.raises(ValueError, match="random suffix"):
        names.eventhubs_namespace_name("dev", suffix, PROJECT)


def test_too_long_project_is_refused_not_truncated() -> None:
    with pytest.raises(ValueError, match="Event Hubs namespace"):
        names.eventhubs_namespace_name(LONGEST_STACK, "abcdefgh", "a-much-longer-project")


@pytest.mark.parametrize("pool", [names.SYSTEM_POOL, names.USER_POOL])
def test_agent_pool_names(pool: str) -> None:
    assert names.agent_pool_name(pool) == pool
    assert re.fullmatch(r"[a-z][a-z0-9]{0,11}", pool)


@pytest.mark.parametrize("pool", ["", "System", "1pool", "user-pool", "abcdefghijklm"])
def test_bad_agent_pool_names_are_refused(pool: str) -> None:
    with pytest.raises(ValueError, match="agent pool"):
        names.agent_pool_name(pool)


def test_kafka_bootstrap_servers() -> None:
    assert (
        names.kafka_bootstrap_servers("evhns-flink-aks-dev-ab12cd")
        == "evhns-flink-aks-dev-ab12cd.servicebus.windows.net:9093"
    )


@pytest.mark.parametrize("namespace", ["", "ns", "evhns-dev-", "x" * 51, "evhns dev"])
def test_bootstrap_servers_refuse_bad_namespaces(namespace: str) -> None:
    with pytest.raises(ValueError):
        names.kafka_bootstrap_servers(namespace)


def test_the_collection_rule_name_fits_for_the_longest_stack_and_region() -> None:
    longest = max(AZURE_PUBLIC_REGIONS, key=len)
    assert len(names.data_collection_rule_name("a" * 20, longest, PROJECT)) <= 64
