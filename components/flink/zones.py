"""What a zonal cluster (``aks.zones`` set) changes for Flink: zone-redundant shared
storage and TaskManagers spread over the zones.

The built-in ``azurefile-csi`` class is Standard_LRS: its share lives in one zone, so a
zone outage takes HA metadata, checkpoints and savepoints with it. A zonal stack gets
its own class with ``Standard_ZRS`` (the share replicated across the region's zones),
otherwise the same as the built-in class.
"""

from __future__ import annotations

from typing import Any

BUILT_IN_CLASS = "azurefile-csi"
ZRS_CLASS = "flink-azurefile-zrs"
ZONE_KEY = "topology.kubernetes.io/zone"


# As the built-in class, with zone-redundant storage.
PROVISIONER = "file.csi.azure.com"
ZRS_PARAMETERS = {"skuName": "Standard_ZRS"}
MOUNT_OPTIONS = [
    "dir_mode=0777",
    "file_mode=0777",
    "uid=0",
    "gid=0",
    "mfsymlinks",
    "cache=strict",
    "actimeo=30",
    "nosharesock",
]


def storage_class_name(zonal: bool) -> str:
    return ZRS_CLASS if zonal else BUILT_IN_CLASS


def zone_spread(labels: dict[str, str], hard: bool) -> list[dict[str, Any]]:
    """Pods with ``labels`` spread evenly over the zones (``hard``: refuse to schedule otherwise)."""
    return [
        {
            "maxSkew": 1,
            "topologyKey": ZONE_KEY,
            "whenUnsatisfiable": "DoNotSchedule" if hard else "ScheduleAnyway",
            "labelSelector": {"matchLabels": labels},
        }
    ]


def spread_over_zones(template: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """A pod template whose pods spread over the zones (softly: a full zone must not stop scaling)."""
    spec = {**template["spec"], "topologySpreadConstraints": zone_spread(labels, hard=False)}
    return {**template, "spec": spec}
