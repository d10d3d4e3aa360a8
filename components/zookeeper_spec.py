"""What ZooKeeperEnsemble builds: the chart, its version and image, the servers and their disks.

Plain data with no Pulumi inside, so settings can be parsed straight into it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageRef:
    registry: str
    repository: str
    tag: str
    digest: str | None = None  # sha256:…; when set, the chart pulls by digest and ignores the tag


@dataclass(frozen=True)
class ZooKeeperSpec:
    chart: str  # an OCI reference, a chart repository URL or a local chart directory
    chart_version: str
    replicas: int
    storage_size: str
    storage_class: str | None  # None: managed-csi, or a zone-redundant class in zonal stacks
    image: ImageRef


# AKS's built-in Azure Disk class (StandardSSD_LRS), and the zonal stacks' own
# zone-redundant one (components/zookeeper_storage.py).
BUILT_IN_CLASS = "managed-csi"
ZRS_CLASS = "zookeeper-disk-zrs"


def storage_class_name(configured: str | None, zonal: bool) -> str:
    """The class ZooKeeper's volumes use: the configured one, else by zonality."""
    return configured or (ZRS_CLASS if zonal else BUILT_IN_CLASS)
