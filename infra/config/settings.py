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
from typing import Any

from components.aks_spec import AksSpec
from components.event_hubs_spec import EventHubsSpec
from components.zookeeper_spec import ZooKeeperSpec
from infra.config import validation as v
from infra.config.aks import AKS_KEYS as AKS_KEYS
from infra.config.aks import AUTOSCALE_KEYS as AUTOSCALE_KEYS
from infra.config.aks import DEFAULT_KUBERNETES_VERSION as DEFAULT_KUBERNETES_VERSION
from infra.config.aks import parse_aks
from infra.config.azure_regions import AZURE_PUBLIC_REGIONS
from infra.config.event_hubs import EVENT_HUBS_KEYS as EVENT_HUBS_KEYS
from infra.config.event_hubs import parse_event_hubs
from infra.config.profiles import DEFAULT_PROFILE, PROFILES, Profile
from infra.config.target import SECRET_KEYS, TargetSettings, parse_target
from infra.config.validation import PROJECT, ConfigError, key
from infra.config.validation import storage_class as _storage_class
from infra.config.zookeeper import DEFAULT_ZOOKEEPER_CHART_VERSION as DEFAULT_ZOOKEEPER_CHART_VERSION
from infra.config.zookeeper import DEFAULT_ZOOKEEPER_IMAGE as DEFAULT_ZOOKEEPER_IMAGE
from infra.config.zookeeper import IMAGE_KEYS as IMAGE_KEYS
from infra.config.zookeeper import ZOOKEEPER_KEYS as ZOOKEEPER_KEYS
from infra.config.zookeeper import parse_zookeeper

LOCATION_KEY = "azure-native:location"

# The object keys of each top-level setting; anything else is a typo. The aks, eventHubs and
# zookeeper sections keep theirs beside their parsers (infra/config/aks.py, …), imported above.
FLINK_KEYS = (
    "version",
    "image",
    "jobClassName",
    "jobJar",
    "jobArgs",
    "taskManagers",
    "slotsPerTaskManager",
    "jobManagerMemory",
    "taskManagerMemory",
    "checkpointInterval",
    "rpcPortMode",
    "storageSize",
    "upgradeMode",
    "savepointFallback",
    "maxParallelism",
    "unhealthyAfter",
    "storageClass",
)
UI_KEYS = ("exposure", "allowedCidrs")
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

RPC_PORT_MODES = ("sidecar", "pinned")
UI_EXPOSURES = ("public", "internal", "portForward")
# How a change to the job takes effect (see components/flink/upgrade_scripts.py, README "Upgrades").
UPGRADE_MODES = ("last-state", "savepoint", "stateless")
# savepoint mode, when the old JobManager left no savepoint: keep the old job, or last-state.
SAVEPOINT_FALLBACKS = ("refuse", "last-state")
DEFAULT_MAX_PARALLELISM = 128
MAX_PARALLELISM_LIMIT = 32768  # Flink's upper bound for pipeline.max-parallelism

# Flink minor versions we render config for, and the official image each defaults to.
FLINK_IMAGES = {
    "1.20": "flink:1.20.3-scala_2.12-java17",
    "2.0": "flink:2.0.0-scala_2.12-java17",
    "2.1": "flink:2.1.0-scala_2.12-java17",
}
DEFAULT_FLINK_VERSION = "1.20"
# The example job every official Flink image ships: runs with no input, checkpoints.
DEFAULT_JOB_CLASS = "org.apache.flink.streaming.examples.statemachine.StateMachineExample"
DEFAULT_JOB_JAR = "/opt/flink/examples/streaming/StateMachineExample.jar"

JAVA_CLASS = r"(?:[A-Za-z_$][A-Za-z0-9_$]*\.)*[A-Za-z_$][A-Za-z0-9_$]*"

# Job arguments show in Flink's UI: refuse anything that looks like a credential.
SECRET_MARKERS = ("sharedaccesskey", "password", "sasl.jaas.config", "secret")


@dataclass(frozen=True)
class FlinkSettings:
    version: str
    image: str
    job_class_name: str
    job_jar: str
    job_args: tuple[str, ...]
    task_managers: int
    slots_per_task_manager: int
    job_manager_memory: str
    task_manager_memory: str
    checkpoint_interval: str
    rpc_port_mode: str
    storage_size: str
    storage_class: str | None  # None: AKS's azurefile-csi, or the stack's zone-redundant class when zonal
    max_parallelism: int
    upgrade_mode: str  # last-state, savepoint, stateless
    savepoint_fallback: str  # savepoint mode without a savepoint: refuse, last-state
    unhealthy_after_s: int  # liveness: no completed checkpoint for this long

    @property
    def parallelism(self) -> int:
        return self.task_managers * self.slots_per_task_manager


@dataclass(frozen=True)
class UiSettings:
    exposure: str
    allowed_cidrs: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    project: str
    stack: str
    location: str
    profile: str
    aks: AksSpec
    event_hubs: EventHubsSpec
    zookeeper: ZooKeeperSpec
    flink: FlinkSettings
    ui: UiSettings
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
    event_hubs = parse_event_hubs(profile, config.get(key("eventHubs")))
    flink = _flink(profile, config.get(key("flink")))
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
        aks=parse_aks(profile, config.get(key("aks"))),
        event_hubs=event_hubs,
        zookeeper=parse_zookeeper(config.get(key("zookeeper"))),
        flink=flink,
        ui=_ui(config.get(key("ui"))),
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


def _flink(profile: Profile, raw: Any) -> FlinkSettings:
    obj = v.check_keys(key("flink"), raw, FLINK_KEYS)
    version = v.choice(key("flink.version"), obj.get("version", DEFAULT_FLINK_VERSION), FLINK_IMAGES)
    args = v.string_list(key("flink.jobArgs"), obj.get("jobArgs", []))
    for arg in args:
        if any(marker in arg.lower() for marker in SECRET_MARKERS):
            raise ConfigError(
                key("flink.jobArgs"),
                "[redacted]",
                "arguments without credentials: Flink's UI shows job arguments; "
                "the job reads Kafka credentials from the KAFKA_* environment variables",
            )
    v.memory_bytes(
        key("flink.jobManagerMemory"), obj.get("jobManagerMemory", profile.job_manager_memory), 768 * 1024**2
    )
    v.memory_bytes(key("flink.taskManagerMemory"), obj.get("taskManagerMemory", profile.task_manager_memory), 1024**3)
    interval_ms = v.duration_ms(
        key("flink.checkpointInterval"), obj.get("checkpointInterval", "30s"), 1000, 60 * 60_000
    )
    image = v.matching(
        key("flink.image"),
        obj.get("image", FLINK_IMAGES[version]),
        r"[A-Za-z0-9][A-Za-z0-9./:@_-]*",
        "a container image reference",
    )
    job_class_name = v.matching(
        key("flink.jobClassName"),
        obj.get("jobClassName", DEFAULT_JOB_CLASS),
        JAVA_CLASS,
        "a fully qualified Java class name",
    )
    job_jar = v.matching(
        key("flink.jobJar"),
        obj.get("jobJar", DEFAULT_JOB_JAR),
        r"/[A-Za-z0-9._/-]+\.jar",
        "an absolute path of a .jar inside the image",
    )
    task_managers = v.integer(key("flink.taskManagers"), obj.get("taskManagers", profile.task_managers), 1, 256)
    slots = v.integer(
        key("flink.slotsPerTaskManager"), obj.get("slotsPerTaskManager", profile.slots_per_task_manager), 1, 64
    )
    return FlinkSettings(
        version=version,
        image=image,
        job_class_name=job_class_name,
        job_jar=job_jar,
        job_args=args,
        task_managers=task_managers,
        slots_per_task_manager=slots,
        job_manager_memory=obj.get("jobManagerMemory", profile.job_manager_memory),
        task_manager_memory=obj.get("taskManagerMemory", profile.task_manager_memory),
        checkpoint_interval=obj.get("checkpointInterval", "30s"),
        rpc_port_mode=v.choice(key("flink.rpcPortMode"), obj.get("rpcPortMode", "sidecar"), RPC_PORT_MODES),
        storage_size=v.quantity(key("flink.storageSize"), obj.get("storageSize", "100Gi")),
        storage_class=None
        if "storageClass" not in obj
        else _storage_class(key("flink.storageClass"), obj["storageClass"]),
        max_parallelism=_max_parallelism(obj, task_managers * slots),
        upgrade_mode=v.choice(key("flink.upgradeMode"), obj.get("upgradeMode", "last-state"), UPGRADE_MODES),
        savepoint_fallback=v.choice(
            key("flink.savepointFallback"), obj.get("savepointFallback", "refuse"), SAVEPOINT_FALLBACKS
        ),
        unhealthy_after_s=_unhealthy_after(obj, interval_ms),
    )


def _max_parallelism(obj: Mapping[str, Any], parallelism: int) -> int:
    """The job's key groups: at least its parallelism, so keyed state can be redistributed."""
    max_parallelism = v.integer(
        key("flink.maxParallelism"), obj.get("maxParallelism", DEFAULT_MAX_PARALLELISM), 1, MAX_PARALLELISM_LIMIT
    )
    if max_parallelism < parallelism:
        raise ConfigError(
            key("flink.maxParallelism"),
            max_parallelism,
            f"at least the parallelism taskManagers × slotsPerTaskManager ({parallelism}): "
            "keyed state has maxParallelism key groups, and a task needs at least one",
        )
    return max_parallelism


def _unhealthy_after(obj: Mapping[str, Any], interval_ms: int) -> int:
    """Seconds without a completed checkpoint before the JobManager's liveness probe fails."""
    value = obj.get("unhealthyAfter", "10 min")
    after_ms = v.duration_ms(key("flink.unhealthyAfter"), value, 60_000, 24 * 3_600_000)
    if after_ms < 3 * interval_ms:
        raise ConfigError(
            key("flink.unhealthyAfter"), value, "at least 3 × checkpointInterval: a healthy job must not fail its probe"
        )
    return after_ms // 1000


def _ui(raw: Any) -> UiSettings:
    obj = v.check_keys(key("ui"), raw, UI_KEYS)
    exposure = v.choice(key("ui.exposure"), obj.get("exposure", "portForward"), UI_EXPOSURES)
    cidrs = tuple(
        v.cidr(key("ui.allowedCidrs"), c) for c in v.string_list(key("ui.allowedCidrs"), obj.get("allowedCidrs", []))
    )
    if exposure == "public":
        if not cidrs:
            raise ConfigError(
                key("ui.allowedCidrs"),
                list(cidrs),
                "a non-empty list of CIDRs when ui.exposure is public (the Flink UI has no authentication)",
            )
        open_to_all = [c for c in cidrs if c.endswith("/0")]
        if open_to_all:
            raise ConfigError(
                key("ui.allowedCidrs"),
                open_to_all[0],
                "networks narrower than the whole internet (the Flink UI has no authentication)",
            )
    return UiSettings(exposure=exposure, allowed_cidrs=cidrs)


def from_pulumi() -> Settings:
    """Settings of the running stack, from the config the Pulumi engine hands the program."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    env_secrets = set(runtime_config.get_config_secret_keys_env())
    secret_keys = frozenset(k for k in values if k in env_secrets or runtime_config.is_config_secret(k))
    return parse_settings(pulumi.get_stack(), values, secret_keys)
