"""Flink's memory sizes and durations, and the pods' CPU requests, as typed values: parsed once.

Flink's config file gets the text the user wrote (Flink parses it itself); the parsed
value sizes the containers and bounds the settings. One parser for both. CPU requests
are Kubernetes' alone: rendered from their millicores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_MEMORY_UNITS = {
    "": 1,
    "b": 1,
    "bytes": 1,
    "k": 1024,
    "kb": 1024,
    "kibibytes": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "mebibytes": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "gibibytes": 1024**3,
    "t": 1024**4,
    "tb": 1024**4,
    "tebibytes": 1024**4,
}


def parse_memory_size(value: object) -> int | None:
    """Bytes of a size in Flink's MemorySize syntax ("1600m", "2 gb"), or None."""
    match = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", value) if isinstance(value, str) else None
    if not match or match.group(2).lower() not in _MEMORY_UNITS:
        return None
    return int(match.group(1)) * _MEMORY_UNITS[match.group(2).lower()]


@dataclass(frozen=True)
class MemorySize:
    """A Flink MemorySize: the text for Flink's config, its bytes for everything else."""

    text: str  # as written, e.g. "1600m"
    bytes: int

    @property
    def kubernetes_quantity(self) -> str:
        """Whole MiB as a Kubernetes quantity ("1600Mi")."""
        return f"{self.bytes // 1024**2}Mi"


@dataclass(frozen=True)
class Duration:
    """A Flink Duration: the text for Flink's config, its milliseconds for checks."""

    text: str  # as written, e.g. "30s"
    millis: int


def parse_cpu_millis(value: object) -> int | None:
    """Whole millicores of a Kubernetes CPU quantity ("250m", "0.5", "2", 1.5), or None.

    None too for what Kubernetes would round: more precision than 1m.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    text = value.strip() if isinstance(value, str) else str(value)
    if match := re.fullmatch(r"(\d+)m", text):
        return int(match.group(1))
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        return None
    millis = Decimal(text) * 1000
    return int(millis) if millis == millis.to_integral_value() else None


@dataclass(frozen=True)
class CpuQuantity:
    """A container's CPU request in millicores."""

    millis: int

    @property
    def kubernetes_quantity(self) -> str:
        """Whole CPUs as an integer ("2"), else millicores ("1500m"): Kubernetes' canonical form."""
        return str(self.millis // 1000) if self.millis % 1000 == 0 else f"{self.millis}m"
