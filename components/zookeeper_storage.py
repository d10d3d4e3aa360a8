"""Where ZooKeeper's data lives: Azure Disks, zone-redundant in zonal stacks.

A locally redundant disk (the built-in ``managed-csi`` class, StandardSSD_LRS) lives in one
zone: when that zone fails, its server cannot start anywhere else. A zonal stack gets its
own class with ``Premium_ZRS`` disks (replicated over three zones, attachable from any
zone), so the server moves to a surviving zone with its data.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.zookeeper_spec import ZRS_CLASS

PROVISIONER = "disk.csi.azure.com"
ZRS_PARAMETERS = {"skuName": "Premium_ZRS"}


def zrs_storage_class(name: str, opts: pulumi.ResourceOptions) -> k8s.storage.v1.StorageClass:
    return k8s.storage.v1.StorageClass(
        name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=ZRS_CLASS),
        provisioner=PROVISIONER,
        parameters=ZRS_PARAMETERS,
        # Keep the disk when the claim goes: ZooKeeper's data outlives a mistaken delete.
        reclaim_policy="Retain",
        # Bind where the pod lands (any zone: the disk follows).
        volume_binding_mode="WaitForFirstConsumer",
        allow_volume_expansion=True,
        opts=opts,
    )
