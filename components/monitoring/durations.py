"""Prometheus durations (``90s``, ``15m``, ``2h``): to milliseconds and to ISO 8601 (Azure)."""

from __future__ import annotations

import re

UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000}
DURATION = re.compile(r"^([0-9]+)([smh])$")


def _parts(duration: str) -> tuple[int, str]:
    match = DURATION.match(duration)
    if match is None:
        raise ValueError(f"duration {duration!r}: a whole number of s, m or h (e.g. 90s, 15m, 2h)")
    return int(match.group(1)), match.group(2)


def to_ms(duration: str) -> int:
    amount, unit = _parts(duration)
    return amount * UNIT_MS[unit]


def to_iso8601(duration: str) -> str:
    """``15m`` → ``PT15M``: how Azure's Prometheus rule groups spell ``for``."""
    amount, unit = _parts(duration)
    return f"PT{amount}{unit.upper()}"
