"""``flink-aks:aks.upgradeWindow`` / ``aks.nodeOsWindow``: weekly maintenance windows (UTC)."""

from __future__ import annotations

from typing import Any

from components.aks_spec import MaintenanceWindow
from infra.config import validation as v

WINDOW_KEYS = ("day", "startTime", "durationHours")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Kubernetes patches on Sunday night, node images on Saturday night: never at once.
DEFAULT_UPGRADE_WINDOW = MaintenanceWindow("Sunday", "01:00", 4)
DEFAULT_NODE_OS_WINDOW = MaintenanceWindow("Saturday", "01:00", 4)


def parse_window(name: str, raw: Any, default: MaintenanceWindow) -> MaintenanceWindow:
    obj = v.check_keys(v.key(name), raw, WINDOW_KEYS)
    return MaintenanceWindow(
        day=v.choice(v.key(f"{name}.day"), obj.get("day", default.day), DAYS),
        start_time=v.matching(
            v.key(f"{name}.startTime"),
            obj.get("startTime", default.start_time),
            r"([01]\d|2[0-3]):[0-5]\d",
            "a UTC time HH:MM such as 01:00",
        ),
        duration_hours=v.integer(
            v.key(f"{name}.durationHours"),
            obj.get("durationHours", default.duration_hours),
            4,
            24,
            " (AKS needs at least 4 hours)",
        ),
    )
