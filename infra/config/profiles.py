"""Throughput profiles: the defaults every stack starts from.

Sizes follow the Azure streaming-at-scale reference: one Event Hubs throughput unit
takes 1 MB/s or 1000 events/s in, and Flink runs one slot per input partition.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    throughput_units: int
    partitions: int
    task_managers: int
    slots_per_task_manager: int
    nodes: int
    vm_size: str
    system_nodes: int
    job_manager_memory: str
    task_manager_memory: str


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("1k", 2, 1, 1, 1, 3, "Standard_D2s_v3", 1, "1600m", "2048m"),
        Profile("5k", 6, 4, 4, 1, 5, "Standard_D2s_v3", 2, "1600m", "2048m"),
        Profile("10k", 12, 8, 8, 1, 4, "Standard_D4s_v3", 2, "1600m", "4096m"),
    )
}

DEFAULT_PROFILE = "1k"
