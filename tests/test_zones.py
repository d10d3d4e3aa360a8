"""Zonal stacks (aks.zones set, like prod): zone-redundant shared data, pods spread over zones."""

from __future__ import annotations

from typing import Any

from components.flink import names
from components.zookeeper_values import POD_LABELS
from tests.rendering import kubernetes_objects, render

ZONE = "topology.kubernetes.io/zone"


def zookeeper_values(stack: str) -> dict[str, Any]:
    (release,) = render(stack).of_type("kubernetes:helm.sh/v3:Release")
    values: dict[str, Any] = release["inputs"]["values"]
    return values


def of_kind(stack: str, kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in kubernetes_objects(render(stack)) if o["kind"] == kind}


def test_prod_keeps_flink_data_on_zone_redundant_storage() -> None:
    storage_class = of_kind("prod", "StorageClass")["flink-azurefile-zrs"]
    assert storage_class["provisioner"] == "file.csi.azure.com"
    assert storage_class["parameters"] == {"skuName": "Standard_ZRS"}
    claim = of_kind("prod", "PersistentVolumeClaim")[names.DATA_CLAIM]
    assert claim["spec"]["storageClassName"] == storage_class["metadata"]["name"]


def test_prod_spreads_taskmanagers_over_zones() -> None:
    template = of_kind("prod", "Deployment")["flink-taskmanager"]["spec"]["template"]
    (spread,) = template["spec"]["topologySpreadConstraints"]
    assert spread["topologyKey"] == ZONE and spread["maxSkew"] == 1
    assert spread["labelSelector"]["matchLabels"].items() <= template["metadata"]["labels"].items()


def test_prod_spreads_zookeeper_servers_over_zones_strictly() -> None:
    (release,) = render("prod").of_type("kubernetes:helm.sh/v3:Release")
    (spread,) = release["inputs"]["values"]["topologySpreadConstraints"]
    assert spread["topologyKey"] == ZONE and spread["whenUnsatisfiable"] == "DoNotSchedule"
    assert spread["labelSelector"]["matchLabels"] == POD_LABELS


def test_a_stack_without_zones_uses_the_built_in_class_and_no_spread() -> None:
    assert of_kind("dev", "StorageClass") == {}
    assert of_kind("dev", "PersistentVolumeClaim")[names.DATA_CLAIM]["spec"]["storageClassName"] == "azurefile-csi"
    template = of_kind("dev", "Deployment")["flink-taskmanager"]["spec"]["template"]
    assert "topologySpreadConstraints" not in template["spec"]
    (release,) = render("dev").of_type("kubernetes:helm.sh/v3:Release")
    assert release["inputs"]["values"]["topologySpreadConstraints"] == []


def test_prod_keeps_zookeeper_on_zone_redundant_disks() -> None:
    storage_class = of_kind("prod", "StorageClass")["zookeeper-disk-zrs"]
    assert storage_class["provisioner"] == "disk.csi.azure.com"
    assert storage_class["parameters"] == {"skuName": "Premium_ZRS"}
    assert storage_class["volumeBindingMode"] == "WaitForFirstConsumer"
    values = zookeeper_values("prod")
    assert values["persistence"]["storageClass"] == "zookeeper-disk-zrs"
    # Strict spread, but a failed zone (its nodes tainted unreachable) does not count.
    (spread,) = values["topologySpreadConstraints"]
    assert spread["whenUnsatisfiable"] == "DoNotSchedule" and spread["nodeTaintsPolicy"] == "Honor"


def test_dev_keeps_zookeeper_on_the_built_in_disk_class() -> None:
    assert "zookeeper-disk-zrs" not in of_kind("dev", "StorageClass")
    assert zookeeper_values("dev")["persistence"]["storageClass"] == "managed-csi"
