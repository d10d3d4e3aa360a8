"""Planned maintenance of an AKS cluster: when AKS may apply Kubernetes patches (the
``patch`` auto-upgrade channel) and new node images (the ``NodeImage`` channel).

AKS reads the two windows from maintenance configurations with fixed names; without them
it upgrades whenever it likes. Each window is weekly and at least 4 hours long.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import containerservice

from components.aks_spec import MaintenanceWindow

AUTO_UPGRADE = "aksManagedAutoUpgradeSchedule"
NODE_OS_UPGRADE = "aksManagedNodeOSUpgradeSchedule"
UTC = "+00:00"


def window_args(window: MaintenanceWindow) -> containerservice.MaintenanceWindowArgs:
    return containerservice.MaintenanceWindowArgs(
        schedule=containerservice.ScheduleArgs(
            weekly=containerservice.WeeklyScheduleArgs(day_of_week=window.day, interval_weeks=1)
        ),
        start_time=window.start_time,
        duration_hours=window.duration_hours,
        utc_offset=UTC,
    )


def maintenance_windows(
    name: str,
    resource_group_name: pulumi.Input[str],
    cluster_name: pulumi.Input[str],
    upgrade: MaintenanceWindow,
    node_os: MaintenanceWindow,
    opts: pulumi.ResourceOptions,
) -> None:
    for logical, config_name, window in (
        (f"{name}-upgrade-window", AUTO_UPGRADE, upgrade),
        (f"{name}-node-os-window", NODE_OS_UPGRADE, node_os),
    ):
        containerservice.MaintenanceConfiguration(
            logical,
            config_name=config_name,
            resource_group_name=resource_group_name,
            resource_name_=cluster_name,
            maintenance_window=window_args(window),
            opts=opts,
        )
