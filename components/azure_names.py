"""Azure names of the stack's resources, derived from the project and stack names.

Pure functions, so tests check every rule directly. Each one checks its result against
Azure's naming rules (learn.microsoft.com, "Naming rules and restrictions for Azure
resources") and raises ``ValueError`` rather than let Azure refuse it mid-deployment.
Prefixes follow the Cloud Adoption Framework abbreviations (rg, log, aks, evhns).
"""

from __future__ import annotations

import re

# Stack names are validated by the settings; they also end names here, so a trailing hyphen
# (which AKS and DNS names refuse) is refused too.
STACK = re.compile(r"[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?")
# The random suffix of globally unique names (pulumi_random: lowercase and digits).
SUFFIX = re.compile(r"[a-z0-9]{4,8}")

RESOURCE_GROUP = re.compile(r"[A-Za-z0-9._()-]{0,89}[A-Za-z0-9_()-]")
LOG_ANALYTICS_WORKSPACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]")
MANAGED_CLUSTER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?")
DATA_COLLECTION_RULE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?")
DNS_PREFIX = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,52}[A-Za-z0-9])?")
# Linux agent pools: 1-12 lowercase letters and digits, starting with a letter.
AGENT_POOL = re.compile(r"[a-z][a-z0-9]{0,11}")
# Event Hubs namespaces: 6-50 letters, digits, hyphens; start with a letter, end with a
# letter or digit; globally unique (they become <name>.servicebus.windows.net).
EVENT_HUBS_NAMESPACE = re.compile(r"[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]")
# User-assigned managed identities: 3-128 letters, digits, hyphens and underscores,
# starting with a letter or digit.
MANAGED_IDENTITY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,127}")
# Container registries: 5-50 letters and digits, globally unique (<name>.azurecr.io).
CONTAINER_REGISTRY = re.compile(r"[A-Za-z0-9]{5,50}")
# Azure reserves these endings for Service Bus and Event Hubs namespaces.
RESERVED_NAMESPACE_ENDINGS = ("-sb", "-mgmt")

SYSTEM_POOL = "system"
USER_POOL = "flink"

# The Kafka endpoint of an Event Hubs namespace (Azure public cloud).
EVENT_HUBS_DOMAIN = "servicebus.windows.net"
KAFKA_PORT = 9093


def _checked(kind: str, name: str, rule: re.Pattern[str], allowed: str) -> str:
    if not rule.fullmatch(name):
        raise ValueError(f"{kind} name {name!r} breaks Azure's rules: {allowed}")
    return name


def _stack(stack: str) -> str:
    return _checked(
        "stack",
        stack,
        STACK,
        "1-20 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit",
    )


def resource_group_name(stack: str, project: str) -> str:
    """``rg-<project>-<stack>``: the resource group of every Azure resource of the stack."""
    name = f"rg-{project}-{_stack(stack)}"
    return _checked("resource group", name, RESOURCE_GROUP, "1-90 letters, digits, ._-(), not ending in a period")


def node_resource_group_name(stack: str, project: str) -> str:
    """``rg-<project>-<stack>-nodes``: the group AKS creates for the nodes (instead of ``MC_…``)."""
    name = f"{resource_group_name(stack, project)}-nodes"
    return _checked("resource group", name, RESOURCE_GROUP, "1-90 letters, digits, ._-(), not ending in a period")


def log_analytics_workspace_name(stack: str, project: str) -> str:
    name = f"log-{project}-{_stack(stack)}"
    return _checked(
        "Log Analytics workspace",
        name,
        LOG_ANALYTICS_WORKSPACE,
        "4-63 letters, digits and hyphens, starting and ending with a letter or digit",
    )


def cluster_name(stack: str, project: str) -> str:
    name = f"aks-{project}-{_stack(stack)}"
    return _checked(
        "AKS cluster",
        name,
        MANAGED_CLUSTER,
        "1-63 letters, digits, underscores and hyphens, starting and ending with a letter or digit",
    )


def job_identity_name(stack: str, project: str) -> str:
    """``id-<project>-<stack>-job``: the Flink job's identity for Event Hubs (workload identity)."""
    name = f"id-{project}-{_stack(stack)}-job"
    return _checked(
        "managed identity",
        name,
        MANAGED_IDENTITY,
        "3-128 letters, digits, hyphens and underscores, starting with a letter or digit",
    )


def data_collection_rule_name(stack: str, location: str, project: str) -> str:
    """``MSCI-<region>-<cluster>``: Container Insights' data collection rule, named as Azure's onboarding does."""
    name = f"MSCI-{location}-{cluster_name(stack, project)}"
    return _checked(
        "data collection rule",
        name,
        DATA_COLLECTION_RULE,
        "1-64 letters, digits, hyphens and underscores, starting and ending with a letter or digit",
    )


def dns_prefix(stack: str, project: str) -> str:
    """The cluster's DNS prefix (part of its API server FQDN; fixed after creation)."""
    name = f"{project}-{_stack(stack)}"
    return _checked(
        "AKS DNS prefix",
        name,
        DNS_PREFIX,
        "1-54 letters, digits and hyphens, starting and ending with a letter or digit",
    )


def agent_pool_name(name: str) -> str:
    return _checked("agent pool", name, AGENT_POOL, "1-12 lowercase letters and digits, starting with a letter")


def eventhubs_namespace_name(stack: str, suffix: str, project: str) -> str:
    """``evhns-<project>-<stack>-<suffix>``, globally unique through the random suffix.

    With the project flink-aks, the longest stack name (20) and suffix (8) give 45 characters,
    within the limit of 50.
    """
    _checked("random suffix", suffix, SUFFIX, "4-8 lowercase letters and digits")
    name = f"evhns-{project}-{_stack(stack)}-{suffix}"
    _checked(
        "Event Hubs namespace",
        name,
        EVENT_HUBS_NAMESPACE,
        "6-50 letters, digits and hyphens, starting with a letter and ending with a letter or digit",
    )
    if name.endswith(RESERVED_NAMESPACE_ENDINGS):
        raise ValueError(f"Event Hubs namespace name {name!r} ends with a reserved suffix (-sb, -mgmt)")
    return name


def kafka_bootstrap_servers(namespace: str) -> str:
    """``<namespace>.servicebus.windows.net:9093``: where Kafka clients connect."""
    _checked("Event Hubs namespace", namespace, EVENT_HUBS_NAMESPACE, "a valid Event Hubs namespace name")
    return f"{namespace}.{EVENT_HUBS_DOMAIN}:{KAFKA_PORT}"


def container_registry_name(stack: str, suffix: str, project: str) -> str:
    """``cr<project><stack><suffix>`` without hyphens, globally unique through the random suffix.

    With the project flink-aks, the longest stack name (20) and suffix (8) give 38 characters,
    within the limit of 50.
    """
    _checked("random suffix", suffix, SUFFIX, "4-8 lowercase letters and digits")
    name = f"cr{project}{_stack(stack)}{suffix}".replace("-", "")
    return _checked("container registry", name, CONTAINER_REGISTRY, "5-50 letters and digits")
