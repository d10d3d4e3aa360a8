"""What AksCluster builds: Kubernetes version, node pools and zones.

Plain data with no Pulumi inside, so settings can be parsed straight into it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AksSpec:
    kubernetes_version: str
    vm_size: str  # the user pool's
    node_count: int  # the user pool's initial count; the autoscaler owns it afterwards
    autoscale_min: int
    autoscale_max: int
    tier: str  # Free or Standard
    zones: tuple[str, ...]  # empty: no availability zones
    system_node_count: int
