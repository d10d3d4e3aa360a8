"""Typed, frozen, validated settings for one environment (one Pulumi stack).

``parse_settings`` takes the stack's config as plain values (keys ``namespace:name``)
and either returns ``Settings`` or raises one ``ConfigError`` naming the key, the value
and what is allowed. It declares nothing: the stack is built only from its result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.flink.spec import FlinkSpec, UiSpec
from infra.config import validation as v
from infra.config.azure_regions import AZURE_PUBLIC_REGIONS
from infra.config.flink import FLINK_IMAGES as FLINK_IMAGES  # re-exported: the README's reference
from infra.config.flink import FLINK_KEYS as FLINK_KEYS
from infra.config.flink import parse_flink
from infra.config.profiles import DEFAULT_PROFILE, PROFILES, Profile
from infra.config.target import SECRET_KEYS, TargetSettings, parse_target
from infra.config.ui import UI_KEYS as UI_KEYS
from infra.config.ui import parse_ui
from infra.config.validation import PROJECT, ConfigError, key

LOCATION_KEY = "azure-native:location"

# The object keys of each top-level setting; anything else is a typo.
AKS_KEYS = ("kubernetesVersion", "vmSize", "nodeCount", "autoscale", "tier", "zones")
AUTOSCALE_KEYS = ("min", "max")
EVENT_HUBS_KEYS = (
    "sku",
    "throughputUnits",
    "partitions",
    "retentionHours",
    "inputHub",
    "outputHub",
    "consumerGroup",
)
ZOOKEEPER_KEYS = ("chart", "chartVersion", "replicas", "storageSize", "storageClass", "image")
IMAGE_KEYS = ("registry", "repository", "tag")
TOP_LEVEL_KEYS = (
    "throughputProfile",
    "aks",
    "eventHubs",
    "zookeeper",
    "flink",
    "ui",
    "protect",
    "allowUnlistedLocation",  # accept a region missing from infra/config/azure_regions.py
    "target",  # an existing cluster (infra/config/target.py), with its secret keys:
    *SECRET_KEYS,
)
# Config namespaces a stack file may use besides the project's: the providers' and the
# engine's. Anything else (`flink-ask:ui`) is a typo that would silently fall back to defaults.
PROVIDER_NAMESPACES = ("azure-native", "kubernetes", "random", "pulumi")

DEFAULT_KUBERNETES_VERSION = "1.34"
AKS_TIERS = ("Free", "Standard")
EVENT_HUBS_SKUS = ("Standard", "Premium")
DEFAULT_ZOOKEEPER_CHART = "oci://registry-1.docker.io/bitnamicharts/zookeeper"
DEFAULT_ZOOKEEPER_CHART_VERSION = "13.8.7"
DEFAULT_ZOOKEEPER_IMAGE = ("docker.io", "bitnamilegacy/zookeeper", "3.9.3-debian-12-r22")
# AKS's built-in Azure Disk class for ZooKeeper (Flink's shared data: components/flink/zones.py).
DEFAULT_ZOOKEEPER_STORAGE_CLASS = "managed-csi"
STORAGE_CLASS = r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?"

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


@dataclass(frozen=True)
class AksSettings:
    kubernetes_version: str
    vm_size: str
    node_count: int
    autoscale_min: int
    autoscale_max: int
    tier: str
    zones: tuple[str, ...]
    system_node_count: int


@dataclass(frozen=True)
class EventHubsSettings:
    sku: str
    throughput_units: int
    partitions: int
    retention_hours: int
    input_hub: str
    output_hub: str
    consumer_group: str


@dataclass(frozen=True)
class ImageRef:
    registry: str
    repository: str
    tag: str


@dataclass(frozen=True)
class ZooKeeperSettings:
    chart: str
    chart_version: str
    replicas: int
    storage_size: str
    storage_class: str
    image: ImageRef


@dataclass(frozen=True)
class Settings:
    project: str
    stack: str
    location: str
    profile: str
    aks: AksSettings
    event_hubs: EventHubsSettings
    zookeeper: ZooKeeperSettings
    flink: FlinkSpec
    ui: UiSpec
    protect: bool
    target: TargetSettings


def parse_settings(stack: str, config: Mapping[str, Any], secret_keys: frozenset[str] = frozenset()) -> Settings:
    """Validate one stack's config (full keys -> parsed values) into ``Settings``.

    ``secret_keys`` are the keys whose values are Pulumi secrets (encrypted in the stack file).
    """
    # Secret values are opaque text (offline, a placeholder): never parsed as JSON.
    config = {k: val if k in secret_keys else _parse_json(k, val) for k, val in config.items()}
    for name in config:
        if name.startswith(f"{PROJECT}:") and name.split(":", 1)[1] not in TOP_LEVEL_KEYS:
            raise ConfigError(name, config[name], "no such key; known keys: " + ", ".join(TOP_LEVEL_KEYS))
    _check_namespaces(config)
    target = parse_target(config, secret_keys)
    location = _location(config) if target.existing is None else ""  # an existing cluster needs no region
    _check_stack_name(stack)
    profile = PROFILES[
        v.choice(key("throughputProfile"), config.get(key("throughputProfile"), DEFAULT_PROFILE), PROFILES)
    ]
    event_hubs = _event_hubs(profile, config.get(key("eventHubs")))
    flink = parse_flink(profile, config.get(key("flink")))
    partitions = event_hubs.partitions if target.existing is None else target.existing.kafka.partitions
    if flink.parallelism > partitions:
        raise ConfigError(
            key("flink.taskManagers"),
            flink.task_managers,
            f"taskManagers × slotsPerTaskManager ({flink.task_managers} × {flink.slots_per_task_manager}) "
            f"at most the input partitions ({partitions}): idle slots read nothing",
        )
    protect_default = stack.startswith("prod")
    return Settings(
        project=PROJECT,
        stack=stack,
        location=location,
        profile=profile.name,
        aks=_aks(profile, config.get(key("aks"))),
        event_hubs=event_hubs,
        zookeeper=_zookeeper(config.get(key("zookeeper"))),
        flink=flink,
        ui=parse_ui(config.get(key("ui"))),
        protect=v.boolean(key("protect"), config.get(key("protect"), protect_default)),
        target=target,
    )


def _check_namespaces(config: Mapping[str, Any]) -> None:
    allowed = (PROJECT, *PROVIDER_NAMESPACES)
    for name in config:
        if name.split(":", 1)[0] not in allowed:
            raise ConfigError(name, config[name], "no such namespace; keys of " + ", ".join(allowed))


def _location(config: Mapping[str, Any]) -> str:
    """The Azure region, normalized (``West Europe`` -> ``westeurope``), from the list of public regions."""
    given = v.matching(
        LOCATION_KEY,
        config.get(LOCATION_KEY),
        r"[A-Za-z][A-Za-z0-9 ]{1,40}",
        "an Azure region such as westeurope (set it with `pulumi config set azure-native:location`)",
    )
    location = given.replace(" ", "").lower()
    if location in AZURE_PUBLIC_REGIONS or v.boolean(
        key("allowUnlistedLocation"), config.get(key("allowUnlistedLocation"), False)
    ):
        return location
    raise ConfigError(
        LOCATION_KEY,
        given,
        "an Azure public region (infra/config/azure_regions.py), e.g. westeurope; for a region not yet listed "
        "set flink-aks:allowUnlistedLocation: true",
    )


def _parse_json(name: str, value: Any) -> Any:
    """Pulumi hands objects, lists, numbers and booleans to programs as JSON text."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise ConfigError(name, value, "valid JSON for an object or list") from None
    return value


def _check_stack_name(stack: str) -> None:
    # The stack name becomes part of Azure names (Event Hubs namespace, resource group).
    v.matching(
        "stack name",
        stack,
        r"[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?",
        "1-20 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen "
        "(it becomes part of Azure resource names)",
    )


def _aks(profile: Profile, raw: Any) -> AksSettings:
    obj = v.check_keys(key("aks"), raw, AKS_KEYS)
    node_count = v.integer(key("aks.nodeCount"), obj.get("nodeCount", profile.nodes), 1, 100)
    scale = v.check_keys(key("aks.autoscale"), obj.get("autoscale"), AUTOSCALE_KEYS)
    low = v.integer(key("aks.autoscale.min"), scale.get("min", node_count), 1, 1000)
    high = v.integer(key("aks.autoscale.max"), scale.get("max", max(low, node_count) * 2), 1, 1000)
    if low > high:
        raise ConfigError(key("aks.autoscale.min"), low, f"at most aks.autoscale.max ({high})")
    if not low <= node_count <= high:
        raise ConfigError(key("aks.nodeCount"), node_count, f"between autoscale.min ({low}) and autoscale.max ({high})")
    zones = v.string_list(key("aks.zones"), obj.get("zones", []))
    for zone in zones:
        v.choice(key("aks.zones"), zone, ("1", "2", "3"))
    if len(set(zones)) != len(zones):
        raise ConfigError(key("aks.zones"), list(zones), "each of 1, 2, 3 at most once")
    return AksSettings(
        kubernetes_version=v.matching(
            key("aks.kubernetesVersion"),
            obj.get("kubernetesVersion", DEFAULT_KUBERNETES_VERSION),
            r"1\.(2[89]|3\d)(\.\d+)?",
            "a Kubernetes version supported by AKS such as 1.34 or 1.34.2",
        ),
        vm_size=v.matching(
            key("aks.vmSize"),
            obj.get("vmSize", profile.vm_size),
            r"Standard_[A-Za-z0-9_]+",
            "an Azure VM size such as Standard_D4s_v3",
        ),
        node_count=node_count,
        autoscale_min=low,
        autoscale_max=high,
        tier=v.choice(key("aks.tier"), obj.get("tier", "Free"), AKS_TIERS),
        zones=zones,
        system_node_count=profile.system_nodes,
    )


def _event_hubs(profile: Profile, raw: Any) -> EventHubsSettings:
    obj = v.check_keys(key("eventHubs"), raw, EVENT_HUBS_KEYS)
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
    return EventHubsSettings(sku, int(tus), partitions, retention, input_hub, output_hub, consumer_group)


def _describe_units(units: tuple[int, ...]) -> str:
    if units == tuple(range(units[0], units[-1] + 1)):
        return f"an integer from {units[0]} to {units[-1]}"
    return "one of " + ", ".join(str(u) for u in units)


def _zookeeper(raw: Any) -> ZooKeeperSettings:
    obj = v.check_keys(key("zookeeper"), raw, ZOOKEEPER_KEYS)
    image = v.check_keys(key("zookeeper.image"), obj.get("image"), IMAGE_KEYS)
    registry, repository, tag = DEFAULT_ZOOKEEPER_IMAGE
    replicas = v.integer(key("zookeeper.replicas"), obj.get("replicas", 3), 1, 7)
    if replicas % 2 == 0:
        raise ConfigError(
            key("zookeeper.replicas"), replicas, "an odd number (1, 3, 5 or 7): a quorum needs a majority"
        )
    return ZooKeeperSettings(
        chart=v.matching(
            key("zookeeper.chart"),
            obj.get("chart", DEFAULT_ZOOKEEPER_CHART),
            r"(oci|https?)://\S+|\.{0,2}/\S*",
            "an OCI chart reference (oci://…), a chart repository URL (https://…) or a local chart directory",
        ),
        chart_version=v.matching(
            key("zookeeper.chartVersion"),
            obj.get("chartVersion", DEFAULT_ZOOKEEPER_CHART_VERSION),
            r"\d+\.\d+\.\d+",
            "an exact chart version such as 13.8.7 (charts are pinned, never floating)",
        ),
        replicas=replicas,
        storage_size=v.quantity(key("zookeeper.storageSize"), obj.get("storageSize", "8Gi")),
        storage_class=_storage_class(
            key("zookeeper.storageClass"), obj.get("storageClass", DEFAULT_ZOOKEEPER_STORAGE_CLASS)
        ),
        image=ImageRef(
            registry=v.matching(
                key("zookeeper.image.registry"),
                image.get("registry", registry),
                r"[a-z0-9.-]+(:\d+)?(/[a-z0-9._-]+)*",
                "a registry host such as docker.io or myregistry.azurecr.io",
            ),
            repository=v.matching(
                key("zookeeper.image.repository"),
                image.get("repository", repository),
                r"[a-z0-9._/-]+",
                "an image repository such as bitnamilegacy/zookeeper",
            ),
            tag=v.matching(
                key("zookeeper.image.tag"),
                image.get("tag", tag),
                r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}",
                "an image tag such as 3.9.3-debian-12-r22",
            ),
        ),
    )


def _storage_class(name: str, value: Any) -> str:
    return v.matching(name, value, STORAGE_CLASS, "a StorageClass name of the cluster, such as azurefile-csi")


def from_pulumi() -> Settings:
    """Settings of the running stack, from the config the Pulumi engine hands the program."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    env_secrets = set(runtime_config.get_config_secret_keys_env())
    secret_keys = frozenset(k for k in values if k in env_secrets or runtime_config.is_config_secret(k))
    return parse_settings(pulumi.get_stack(), values, secret_keys)
