"""Throughput profiles: the defaults every stack starts from.

Event Hubs' throughput units and partitions follow from the event rate (infra/config/
sizing.py, docs/sizing.md). VM sizes are current-generation general purpose (Dsv5); a
region's zones for a size are checked with ``az vm list-skus`` (docs/azure.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.config.sizing import size


@dataclass(frozen=True)
class Profile:
    name: str
    events_per_second: int
    task_managers: int
    slots_per_task_manager: int
    nodes: int
    vm_size: str
    system_nodes: int  # at least one per zone in zonal stacks (infra/config/aks.py)
    system_vm_size: str
    job_manager_memory: str
    task_manager_memory: str

    @property
    def throughput_units(self) -> int:
        return size(self.events_per_second).throughput_units

    @property
    def partitions(self) -> int:
        return size(self.events_per_second).partitions


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("1k", 1000, 1, 1, 3, "Standard_D2s_v5", 1, "Standard_D2s_v5", "1600m", "2048m"),
        Profile("5k", 5000, 4, 1, 5, "Standard_D2s_v5", 2, "Standard_D2s_v5", "1600m", "2048m"),
        # The docs ask production system pools for at least 3 nodes of at least 4 vCPUs.
        Profile("10k", 10000, 8, 1, 4, "Standard_D4s_v5", 3, "Standard_D4s_v5", "1600m", "4096m"),
    )
}

DEFAULT_PROFILE = "1k"
