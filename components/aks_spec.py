"""What AksCluster builds: Kubernetes version and support, access, node pools, zones,
maintenance windows.

Plain data with no Pulumi inside, so settings can be parsed straight into it.
"""

from __future__ import annotations

from dataclasses import dataclass

# The nodes' OS disks (Premium SSD: P6 and P10), fixed by the component.
SYSTEM_OS_DISK_GB = 64
USER_OS_DISK_GB = 128


@dataclass(frozen=True)
class MaintenanceWindow:
    """A weekly window (UTC) in which AKS may upgrade: Kubernetes patches or node images."""

    day: str  # Monday … Sunday
    start_time: str  # HH:MM, UTC
    duration_hours: int  # 4–24 (AKS' minimum is 4)


@dataclass(frozen=True)
class AksAccess:
    """Entra-only access to the API server, and from where it is reachable."""

    admin_group_object_ids: tuple[str, ...]  # get Azure Kubernetes Service RBAC Cluster Admin
    authorized_ip_ranges: tuple[str, ...]  # empty: any address (with Entra authentication)
    private_cluster: bool  # the API server only on a private endpoint in the cluster's VNet


@dataclass(frozen=True)
class AksSpec:
    kubernetes_version: str
    vm_size: str  # the user pool's
    node_count: int  # the user pool's initial count; the autoscaler owns it afterwards
    autoscale_min: int
    autoscale_max: int
    tier: str  # Free, Standard or Premium
    support_plan: str  # KubernetesOfficial or AKSLongTermSupport (Premium only)
    zones: tuple[str, ...]  # empty: no availability zones
    system_node_count: int
    system_vm_size: str
    access: AksAccess
    upgrade_window: MaintenanceWindow  # aksManagedAutoUpgradeSchedule
    node_os_window: MaintenanceWindow  # aksManagedNodeOSUpgradeSchedule
