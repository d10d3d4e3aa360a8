"""The workload posture against a real kube-apiserver: the namespace's own Pod Security
labels refuse a non-compliant pod; the NetworkPolicies and PodDisruptionBudgets are
stored as rendered; the budgets select the running pods.

The local control plane has no network plugin, so nothing here enforces the
NetworkPolicies: what they allow is tested on the rendered objects
(tests/test_workload_posture.py), their effect only on AKS (docs/verification.md).
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest

from tests.controlplane.client import KubeClient, collection_path, object_path
from tests.controlplane.cluster import ControlPlane
from tests.controlplane.sidecar_access import PULUMI_FIELD_MANAGER, apply_all
from tests.kube.stack_objects import apply_variant, of_kind
from tests.kube.test_apply import DEPLOYMENTS, available, bound_volume, pod_from_template
from tests.rendering import variant_objects


def test_the_rendered_namespace_labels_alone_enforce_restricted(control_plane: ControlPlane) -> None:
    admin = control_plane.admin
    namespace = copy.deepcopy(of_kind(variant_objects("dev"), "Namespace", "flink"))
    namespace["metadata"]["name"] = "posture-labels"  # the stack's labels, none added by the test
    apply_all(admin, [namespace], PULUMI_FIELD_MANAGER)
    stored = admin.get(object_path(namespace))["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert stored[f"pod-security.kubernetes.io/{mode}"] == "restricted"

    # The pod runs as the stack's ServiceAccount (workload identity): it must exist first.
    account = copy.deepcopy(of_kind(variant_objects("dev"), "ServiceAccount", "flink"))
    account["metadata"]["namespace"] = namespace["metadata"]["name"]
    apply_all(admin, [account], PULUMI_FIELD_MANAGER)
    deployment = copy.deepcopy(of_kind(variant_objects("dev"), "Deployment", "flink-taskmanager"))
    deployment["metadata"]["namespace"] = namespace["metadata"]["name"]
    pod = pod_from_template(deployment, "escalating-pod")
    pod["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = True
    refused = admin.request("POST", collection_path("v1", "Pod", namespace["metadata"]["name"]), pod)
    assert refused.status == 403, refused.message
    assert 'violates PodSecurity "restricted:latest"' in refused.message


@pytest.mark.parametrize("variant", ["dev", "prod", "dev-pinned", "dev-public-ui"])
def test_network_policies_and_budgets_are_stored_as_rendered(control_plane: ControlPlane, variant: str) -> None:
    admin = control_plane.admin
    objects = apply_variant(admin, variant, f"posture-{variant}")
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    budgets = [o for o in objects if o["kind"] == "PodDisruptionBudget"]
    assert {o["metadata"]["name"] for o in policies} == {"flink-default-deny", "flink-jobmanager", "flink-taskmanager"}
    assert {o["metadata"]["name"] for o in budgets} == {"flink-jobmanager", "flink-taskmanager"}
    for obj in policies + budgets:
        stored = admin.get(object_path(obj))["spec"]
        assert subset(obj["spec"], stored), f"{obj['kind']} {obj['metadata']['name']}: {stored}"


def subset(rendered: Any, stored: Any) -> bool:
    """Everything rendered is stored as rendered (the server may add defaults)."""
    if isinstance(rendered, dict):
        return isinstance(stored, dict) and all(k in stored and subset(v, stored[k]) for k, v in rendered.items())
    if isinstance(rendered, list):
        return isinstance(stored, list) and len(rendered) == len(stored) and all(map(subset, rendered, stored))
    return bool(rendered == stored)


def disruptions_allowed(client: KubeClient, budget: dict[str, Any]) -> bool:
    status = client.get(object_path(budget)).get("status", {})
    return bool(status.get("expectedPods") == 1 and status.get("disruptionsAllowed") == 1)


def test_budgets_select_the_running_pods_and_allow_one_eviction_each(control_plane: ControlPlane) -> None:
    admin = control_plane.admin
    namespace = "posture-budgets"
    objects = apply_variant(admin, "dev", namespace)
    claim = of_kind(objects, "PersistentVolumeClaim", "flink-data")
    admin.must("POST", "/api/v1/persistentvolumes", bound_volume(namespace, claim))
    for name in DEPLOYMENTS:
        deployment = of_kind(objects, "Deployment", name)
        admin.wait_for(f"Deployment {name} available", functools.partial(available, admin, deployment), timeout_s=90)
    for name in DEPLOYMENTS:
        budget = of_kind(objects, "PodDisruptionBudget", name)
        admin.wait_for(f"budget {name}", functools.partial(disruptions_allowed, admin, budget), timeout_s=60)
