"""Typed, frozen, validated settings for one environment (one Pulumi stack).

``parse_settings`` takes the stack's config as plain values (keys ``namespace:name``)
and either returns ``Settings`` or raises one ``ConfigError`` naming the key, the value
and what is allowed. It declares nothing: the stack is built only from its result.
Sections with a component parse into that component's own spec, each in its own module
(infra/config/aks.py, event_hubs.py, zookeeper.py; target.py); the top level is here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from components.aks_spec import AksSpec
from components.event_hubs_spec import EventHubsSpec
from components.flink.spec import FlinkSpec, UiSpec
from components.monitoring.spec import MonitoringSpec
from components.zookeeper_spec import ZooKeeperSpec
from infra.config import validation as v
from infra.config.aks import AKS_KEYS as AKS_KEYS
from infra.config.aks import AUTOSCALE_KEYS as AUTOSCALE_KEYS
from infra.config.aks import DEFAULT_KUBERNETES_VERSION as DEFAULT_KUBERNETES_VERSION
from infra.config.aks import parse_aks
from infra.config.azure_regions import AZURE_PUBLIC_REGIONS
from infra.config.event_hubs import EVENT_HUBS_KEYS as EVENT_HUBS_KEYS
from infra.config.event_hubs import parse_event_hubs
from infra.config.flink import FLINK_IMAGES as FLINK_IMAGES  # re-exported: the README's reference
from infra.config.flink import FLINK_KEYS as FLINK_KEYS
from infra.config.flink import parse_flink
from infra.config.monitoring import MONITORING_KEYS as MONITORING_KEYS
from infra.config.monitoring import parse_monitoring
from infra.config.profiles import DEFAULT_PROFILE, PROFILES
from infra.config.target import SECRET_KEYS, TargetSettings, parse_target
from infra.config.ui import UI_KEYS as UI_KEYS
from infra.config.ui import parse_ui
from infra.config.validation import PROJECT, ConfigError, key
from infra.config.zookeeper import DEFAULT_ZOOKEEPER_CHART_VERSION as DEFAULT_ZOOKEEPER_CHART_VERSION
from infra.config.zookeeper import DEFAULT_ZOOKEEPER_IMAGE as DEFAULT_ZOOKEEPER_IMAGE
from infra.config.zookeeper import IMAGE_KEYS as IMAGE_KEYS
from infra.config.zookeeper import ZOOKEEPER_KEYS as ZOOKEEPER_KEYS
from infra.config.zookeeper import parse_zookeeper

LOCATION_KEY = "azure-native:location"

TOP_LEVEL_KEYS = (
    "throughputProfile",
    "aks",
    "eventHubs",
    "zookeeper",
    "flink",
    "ui",
    "protect",
    "monitoring",  # managed Prometheus, alerts, Grafana (infra/config/monitoring.py)
    "allowUnlistedLocation",  # accept a region missing from infra/config/azure_regions.py
    "target",  # an existing cluster (infra/config/target.py), with its secret keys:
    *SECRET_KEYS,
)
# Config namespaces a stack file may use besides the project's: the providers' and the
# engine's. Anything else (`flink-ask:ui`) is a typo that would silently fall back to defaults.
PROVIDER_NAMESPACES = ("azure-native", "kubernetes", "random", "pulumi")


@dataclass(frozen=True)
class Settings:
    project: str
    stack: str
    location: str
    profile: str
    aks: AksSpec
    event_hubs: EventHubsSpec
    zookeeper: ZooKeeperSpec
    flink: FlinkSpec
    ui: UiSpec
    protect: bool
    target: TargetSettings
    monitoring: MonitoringSpec


def parse_settings(
    stack: str, config: Mapping[str, Any], secret_keys: frozenset[str] = frozenset(), today: date | None = None
) -> Settings:
    """Validate one stack's config (full keys -> parsed values) into ``Settings``.

    ``secret_keys`` are the keys whose values are Pulumi secrets (encrypted in the stack file);
    ``today`` is the date AKS support is checked on (default: the current date).
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
    event_hubs = parse_event_hubs(profile, config.get(key("eventHubs")), target.existing is not None)
    flink = parse_flink(profile, config.get(key("flink")))
    partitions = event_hubs.partitions if target.existing is None else target.existing.kafka.partitions
    if flink.parallelism > partitions:
        raise ConfigError(
            key("flink.taskManagers"),
            flink.task_managers,
            f"taskManagers × slotsPerTaskManager ({flink.task_managers} × {flink.slots_per_task_manager}) "
            f"at most the input partitions ({partitions}): idle slots read nothing",
        )
    protect = v.boolean(key("protect"), config.get(key("protect"), stack.startswith("prod")))
    return Settings(
        project=PROJECT,
        stack=stack,
        location=location,
        profile=profile.name,
        aks=parse_aks(
            profile, config.get(key("aks")), prod_like=protect and target.existing is None, today=today or date.today()
        ),
        event_hubs=event_hubs,
        zookeeper=parse_zookeeper(config.get(key("zookeeper"))),
        flink=flink,
        ui=parse_ui(config.get(key("ui"))),
        protect=protect,
        target=target,
        monitoring=parse_monitoring(
            stack, config.get(key("monitoring")), flink.checkpoint_interval.millis, target.existing is not None
        ),
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


def from_pulumi() -> Settings:
    """Settings of the running stack, from the config the Pulumi engine hands the program."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    env_secrets = set(runtime_config.get_config_secret_keys_env())
    secret_keys = frozenset(k for k in values if k in env_secrets or runtime_config.is_config_secret(k))
    return parse_settings(pulumi.get_stack(), values, secret_keys)
