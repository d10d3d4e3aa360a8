"""``flink-aks:zookeeper``: the pinned chart, its image, the servers and their disks."""

from __future__ import annotations

from typing import Any

from components.zookeeper_spec import ImageRef, ZooKeeperSpec
from infra.config import validation as v
from infra.config.validation import ConfigError, key

ZOOKEEPER_KEYS = ("chart", "chartVersion", "replicas", "storageSize", "storageClass", "image")
IMAGE_KEYS = ("registry", "repository", "tag", "digest")

DEFAULT_ZOOKEEPER_CHART = "oci://registry-1.docker.io/bitnamicharts/zookeeper"
DEFAULT_ZOOKEEPER_CHART_VERSION = "13.8.7"
DEFAULT_ZOOKEEPER_IMAGE = ("docker.io", "bitnamilegacy/zookeeper", "3.9.3-debian-12-r22")


def parse_zookeeper(raw: Any) -> ZooKeeperSpec:
    obj = v.check_keys(key("zookeeper"), raw, ZOOKEEPER_KEYS)
    image = v.check_keys(key("zookeeper.image"), obj.get("image"), IMAGE_KEYS)
    registry, repository, tag = DEFAULT_ZOOKEEPER_IMAGE
    replicas = v.integer(key("zookeeper.replicas"), obj.get("replicas", 3), 1, 7)
    if replicas % 2 == 0:
        raise ConfigError(
            key("zookeeper.replicas"), replicas, "an odd number (1, 3, 5 or 7): a quorum needs a majority"
        )
    return ZooKeeperSpec(
        chart=v.matching(
            key("zookeeper.chart"),
            obj.get("chart", DEFAULT_ZOOKEEPER_CHART),
            r"(oci|https?)://\S+|\.{0,2}/\S*",
            "an OCI chart reference (oci://…), a chart repository URL (https://…) or a local chart directory",
        ),
        chart_version=v.matching(
            key("zookeeper.chartVersion"),
            obj.get("chartVersion", DEFAULT_ZOOKEEPER_CHART_VERSION),
            r"\d+\.\d+\.\d+",
            "an exact chart version such as 13.8.7 (charts are pinned, never floating)",
        ),
        replicas=replicas,
        storage_size=v.quantity(key("zookeeper.storageSize"), obj.get("storageSize", "8Gi")),
        # Unset: AKS's built-in managed-csi, or zone-redundant disks in zonal stacks
        # (components/zookeeper_storage.py).
        storage_class=None
        if obj.get("storageClass") is None
        else v.storage_class(key("zookeeper.storageClass"), obj["storageClass"]),
        image=ImageRef(
            registry=v.matching(
                key("zookeeper.image.registry"),
                image.get("registry", registry),
                r"[a-z0-9.-]+(:\d+)?(/[a-z0-9._-]+)*",
                "a registry host such as docker.io or myregistry.azurecr.io",
            ),
            repository=v.matching(
                key("zookeeper.image.repository"),
                image.get("repository", repository),
                r"[a-z0-9._/-]+",
                "an image repository such as bitnamilegacy/zookeeper",
            ),
            tag=v.matching(
                key("zookeeper.image.tag"),
                image.get("tag", tag),
                r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}",
                "an image tag such as 3.9.3-debian-12-r22",
            ),
            digest=None
            if image.get("digest") is None
            else v.matching(
                key("zookeeper.image.digest"),
                image["digest"],
                r"sha256:[0-9a-f]{64}",
                "an image digest sha256:<64 lowercase hex digits> (the chart then ignores the tag)",
            ),
        ),
    )
