"""Every Kubernetes object of every stack variant, against a real kube-apiserver: a
server-side dry run, then a server-side apply (strict field validation), in a namespace
that enforces Pod Security ``restricted``; the pods of the templates admitted under it,
a non-compliant pod refused; the Deployments rolled out on kwok's simulated nodes.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest

from tests.controlplane.client import KubeClient, collection_path, object_path
from tests.controlplane.cluster import ControlPlane
from tests.controlplane.sidecar_access import PULUMI_FIELD_MANAGER
from tests.kube.stack_objects import apply_variant, namespace_name, of_kind, relocate
from tests.rendering import VARIANTS, variant_objects

DEPLOYMENTS = ("flink-jobmanager", "flink-taskmanager")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_object_passes_a_server_side_dry_run_then_apply(control_plane: ControlPlane, variant: str) -> None:
    admin = control_plane.admin
    namespace = f"apply-{namespace_name(variant)}"
    objects = relocate(variant_objects(variant), namespace)
    assert [o["kind"] for o in objects].count("Deployment") == 2
    namespace_object, *namespaced = objects

    def dry_run_then_apply(batch: list[dict[str, Any]]) -> None:
        for obj in batch:
            # A cluster-scoped object (the zonal StorageClass) may exist from another variant.
            before = admin.request("GET", object_path(obj)).status
            dry = admin.apply(obj, PULUMI_FIELD_MANAGER, dry_run=True)
            assert dry.ok, f"dry run of {obj['kind']} {obj['metadata']['name']}: {dry.status} {dry.message}"
            assert admin.request("GET", object_path(obj)).status == before, "a dry run must not create anything"
        for obj in batch:
            applied = admin.apply(obj, PULUMI_FIELD_MANAGER)
            assert applied.ok, f"apply of {obj['kind']} {obj['metadata']['name']}: {applied.status} {applied.message}"
            assert applied.body["metadata"]["managedFields"][0]["manager"] == PULUMI_FIELD_MANAGER

    dry_run_then_apply([namespace_object])  # namespaced dry runs need the namespace to exist
    dry_run_then_apply(namespaced)
    for obj in objects:  # applying the same objects again changes nothing and is accepted
        again = admin.apply(obj, PULUMI_FIELD_MANAGER)
        assert again.ok, again.message


def test_a_typo_in_a_manifest_is_refused_by_the_server(control_plane: ControlPlane) -> None:
    """The check above can fail: strict field validation refuses an unknown field."""
    admin = control_plane.admin
    objects = apply_variant(admin, "dev", "apply-typo")
    broken = copy.deepcopy(of_kind(objects, "Deployment", "flink-jobmanager"))
    broken["spec"]["template"]["spec"]["containers"][0]["imagePullPolice"] = "Always"

    answer = admin.apply(broken, PULUMI_FIELD_MANAGER, dry_run=True)

    # kube-apiserver 1.34 answers an unknown field in an apply patch with 500 (not 4xx).
    assert not answer.ok
    assert 'containers[name="flink"].imagePullPolice: field not declared in schema' in answer.message


def pod_from_template(deployment: dict[str, Any], name: str) -> dict[str, Any]:
    template = deployment["spec"]["template"]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": deployment["metadata"]["namespace"], "labels": {"test": name}},
        "spec": copy.deepcopy(template["spec"]),
    }


@pytest.mark.parametrize("variant", ["dev", "dev-pinned", "prod-flink-2.1", "dev-standby"])
def test_template_pods_are_admitted_under_restricted_and_a_noncompliant_pod_is_refused(
    control_plane: ControlPlane, variant: str
) -> None:
    admin = control_plane.admin
    namespace = f"pods-{namespace_name(variant)}"
    objects = apply_variant(admin, variant, namespace)
    pods_path = collection_path("v1", "Pod", namespace)

    for name in DEPLOYMENTS:
        pod = pod_from_template(of_kind(objects, "Deployment", name), f"{name}-pod")
        created = admin.request("POST", pods_path, pod)
        assert created.status == 201, f"{name}: {created.status} {created.message}"

    noncompliant = pod_from_template(of_kind(objects, "Deployment", "flink-jobmanager"), "escalating-pod")
    noncompliant["spec"]["containers"][0].setdefault("securityContext", {})["allowPrivilegeEscalation"] = True
    refused = admin.request("POST", pods_path, noncompliant)
    assert refused.status == 403, refused.message
    assert 'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false' in refused.message


def bound_volume(namespace: str, claim: dict[str, Any]) -> dict[str, Any]:
    """An Azure Files volume reserved for the stack's claim (the storage class provisions one on AKS)."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": f"{namespace}-data"},
        "spec": {
            "capacity": {"storage": claim["spec"]["resources"]["requests"]["storage"]},
            "accessModes": ["ReadWriteMany"],
            "storageClassName": claim["spec"]["storageClassName"],
            "persistentVolumeReclaimPolicy": "Delete",
            "csi": {"driver": "file.csi.azure.com", "volumeHandle": f"{namespace}-share"},
            "claimRef": {"namespace": namespace, "name": claim["metadata"]["name"]},
        },
    }


def available(client: KubeClient, deployment: dict[str, Any]) -> bool:
    status = client.get(object_path(deployment)).get("status", {})
    wanted = deployment["spec"].get("replicas", 1)
    return bool(status.get("availableReplicas") == wanted and status.get("updatedReplicas") == wanted)


@pytest.mark.parametrize("variant", ["dev", "dev-standby"])
def test_deployments_roll_out_and_pods_become_ready_on_simulated_nodes(
    control_plane: ControlPlane, variant: str
) -> None:
    admin = control_plane.admin
    namespace = f"rollout-{namespace_name(variant)}"
    objects = apply_variant(admin, variant, namespace)
    claim = of_kind(objects, "PersistentVolumeClaim", "flink-data")
    admin.must("POST", "/api/v1/persistentvolumes", bound_volume(namespace, claim))

    for name in DEPLOYMENTS:
        deployment = of_kind(objects, "Deployment", name)
        admin.wait_for(f"Deployment {name} available", functools.partial(available, admin, deployment), timeout_s=90)

    pods = admin.get(collection_path("v1", "Pod", namespace))["items"]
    assert len(pods) == sum(of_kind(objects, "Deployment", name)["spec"]["replicas"] for name in DEPLOYMENTS)
    jobmanager_nodes = [
        p["spec"]["nodeName"] for p in pods if p["metadata"]["labels"]["app.kubernetes.io/component"] == "jobmanager"
    ]
    assert len(set(jobmanager_nodes)) == len(jobmanager_nodes), "standby JobManagers on different nodes"
    for pod in pods:
        assert pod["spec"]["nodeName"].startswith("kwok-node-")
        conditions = {c["type"]: c["status"] for c in pod["status"]["conditions"]}
        assert conditions["Ready"] == "True", pod["metadata"]["name"]
    assert admin.get(object_path(claim))["status"]["phase"] == "Bound"
