"""Checks for single config values: each returns the parsed value or raises ConfigError.

Every error names the full config key (``flink-aks:eventHubs.partitions``), the value
given and what is allowed, so a user can fix the stack file without reading code.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from components.flink.units import CpuQuantity, MemorySize, parse_cpu_millis, parse_memory_size

PROJECT = "flink-aks"


def key(name: str) -> str:
    """The full config key of one of the project's settings (``flink-aks:flink.image``)."""
    return f"{PROJECT}:{name}"


def name_of(full_key: str) -> str:
    """The setting's name in a full key (``flink-aks:kubeconfig`` → ``kubeconfig``): what ``pulumi.Config`` takes."""
    return full_key.split(":", 1)[1]


class ConfigError(ValueError):
    """A config value that the program refuses, raised before any resource exists."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        self.key = key
        self.value = value
        self.allowed = allowed
        super().__init__(f"{key}: got {show(value)}; allowed: {allowed}")


def show(value: Any) -> str:
    """A value as the user wrote it (JSON-ish), for error messages."""
    if value is None:
        return "nothing (the key is not set)"
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def check_keys(key: str, obj: Any, allowed: Iterable[str]) -> Mapping[str, Any]:
    """An object value whose keys are all known: typos must not pass silently."""
    names = sorted(allowed)
    if obj is None:
        return {}
    if not isinstance(obj, Mapping):
        raise ConfigError(key, obj, f"an object with keys {', '.join(names)}")
    unknown = sorted(set(obj) - set(names))
    if unknown:
        raise ConfigError(f"{key}.{unknown[0]}", obj[unknown[0]], f"no such key; known keys: {', '.join(names)}")
    return obj


def integer(key: str, value: Any, low: int, high: int, what: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value)
        else:
            raise ConfigError(key, value, f"an integer from {low} to {high}{what}")
    if not low <= value <= high:
        raise ConfigError(key, value, f"an integer from {low} to {high}{what}")
    return int(value)


def boolean(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ConfigError(key, value, "true or false")


def choice(key: str, value: Any, allowed: Iterable[str]) -> str:
    options = list(allowed)
    if not isinstance(value, str) or value not in options:
        raise ConfigError(key, value, "one of " + ", ".join(options))
    return value


def matching(key: str, value: Any, pattern: str, description: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise ConfigError(key, value, description)
    return value


def string_list(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(key, value, "a list of strings")
    return tuple(value)


def cidr(key: str, value: Any) -> str:
    """An IPv4 or IPv6 network in CIDR notation with no host bits set."""
    allowed = "a CIDR such as 203.0.113.0/24 or 2001:db8::/48, without host bits"
    if not isinstance(value, str) or "/" not in value:
        raise ConfigError(key, value, allowed)
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError:
        raise ConfigError(key, value, allowed) from None


def memory_size(key: str, value: Any, minimum: int) -> MemorySize:
    """A size in Flink's MemorySize syntax, at least ``minimum`` bytes."""
    size = parse_memory_size(value)
    if size is None or size < minimum:
        raise ConfigError(
            key,
            value,
            f"a Flink memory size such as 1600m or 4g (units b, k/kb, m/mb, g/gb, t/tb), "
            f"at least {minimum // 1024**2}m",
        )
    return MemorySize(text=value, bytes=size)


def cpu(key: str, value: Any, low_millis: int, high_millis: int) -> CpuQuantity:
    """A Kubernetes CPU quantity in whole millicores, from ``low_millis`` to ``high_millis``."""
    millis = parse_cpu_millis(value)
    if millis is None or not low_millis <= millis <= high_millis:
        raise ConfigError(
            key,
            value,
            f"a CPU quantity such as 250m, 0.5 or 2 in whole millicores, "
            f"from {CpuQuantity(low_millis).kubernetes_quantity} to {CpuQuantity(high_millis).kubernetes_quantity}",
        )
    return CpuQuantity(millis)


_DURATION_UNITS = {
    "ms": 1,
    "milli": 1,
    "millis": 1,
    "s": 1000,
    "sec": 1000,
    "secs": 1000,
    "second": 1000,
    "seconds": 1000,
    "min": 60_000,
    "mins": 60_000,
    "minute": 60_000,
    "minutes": 60_000,
    "h": 3_600_000,
    "hour": 3_600_000,
    "hours": 3_600_000,
}


def duration_ms(key: str, value: Any, low_ms: int, high_ms: int) -> int:
    """A duration in Flink's syntax ("30 s", "2 min", "500 ms")."""
    allowed = f"a duration such as 30s, 2min or 500ms, from {low_ms} ms to {high_ms // 60_000} min"
    match = re.fullmatch(r"\s*(\d+)\s*([a-z]+)\s*", value) if isinstance(value, str) else None
    if not match or match.group(2) not in _DURATION_UNITS:
        raise ConfigError(key, value, allowed)
    millis = int(match.group(1)) * _DURATION_UNITS[match.group(2)]
    if not low_ms <= millis <= high_ms:
        raise ConfigError(key, value, allowed)
    return millis


def quantity(key: str, value: Any) -> str:
    """A Kubernetes storage quantity in binary units ("8Gi", "100Gi")."""
    return matching(key, value, r"[1-9]\d*(Mi|Gi|Ti)", "a storage size such as 8Gi or 100Gi")


STORAGE_CLASS = r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?"


def storage_class(key: str, value: Any) -> str:
    """A StorageClass name (ZooKeeper's disks, Flink's shared volume)."""
    return matching(key, value, STORAGE_CLASS, "a StorageClass name of the cluster, such as azurefile-csi")


def secret(config: Mapping[str, Any], secret_keys: frozenset[str], name: str) -> str:
    """The full key of a required secret setting (``flink-aks:<name>``), checked to be set and encrypted."""
    full = key(name)
    if config.get(full) in (None, ""):
        raise ConfigError(full, None, f"a secret value: `pulumi config set --secret {full} '…'`")
    if full not in secret_keys:
        raise ConfigError(
            full, "[plain text, not shown]", f"a secret value: `pulumi config set --secret {full} '…'` encrypts it"
        )
    return full
