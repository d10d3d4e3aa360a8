"""What a cluster's admin provides for an existing-cluster stack: storage classes and a
volume the Flink data claim can bind (no provisioner runs on the local clusters)."""

from __future__ import annotations

from typing import Any

from tests.controlplane.client import KubeClient

RWX_CLASS = "local-rwx"  # Flink's shared volume
RWO_CLASS = "local-rwo"  # ZooKeeper's disks


def ensure_storage_classes(kube: KubeClient) -> None:
    """Both classes, unless another test module of the session made them already."""
    for name in (RWX_CLASS, RWO_CLASS):
        if kube.request("GET", f"/apis/storage.k8s.io/v1/storageclasses/{name}").ok:
            continue
        kube.must(
            "POST",
            "/apis/storage.k8s.io/v1/storageclasses",
            {
                "apiVersion": "storage.k8s.io/v1",
                "kind": "StorageClass",
                "metadata": {"name": name},
                "provisioner": "kubernetes.io/no-provisioner",
                "volumeBindingMode": "Immediate",
            },
        )


def create_shared_volume(kube: KubeClient, name: str, host_path: dict[str, Any]) -> None:
    """A 1 Gi ReadWriteMany host-path volume of the RWX class, kept after its claim goes."""
    create_volume(kube, name, host_path, "ReadWriteMany", RWX_CLASS)


def create_volume(
    kube: KubeClient, name: str, host_path: dict[str, Any], mode: str, klass: str, claim: dict[str, str] | None = None
) -> None:
    """A 1 Gi host-path volume, kept after its claim goes; ``claim`` (namespace, name): bound to that claim only."""
    spec: dict[str, Any] = {
        "capacity": {"storage": "1Gi"},
        "accessModes": [mode],
        "storageClassName": klass,
        "persistentVolumeReclaimPolicy": "Retain",
        "hostPath": host_path,
    }
    if claim is not None:
        spec["claimRef"] = claim
    kube.must(
        "POST",
        "/api/v1/persistentvolumes",
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name}, "spec": spec},
    )
