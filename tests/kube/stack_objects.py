"""The stack's rendered Kubernetes objects, moved into a namespace of the test's choosing."""

from __future__ import annotations

import copy
from typing import Any

from tests.controlplane.client import CLUSTER_SCOPED, KubeClient
from tests.controlplane.sidecar_access import PULUMI_FIELD_MANAGER, RESTRICTED, apply_all
from tests.rendering import variant_objects


def relocate(objects: list[dict[str, Any]], namespace: str) -> list[dict[str, Any]]:
    """Deep copies with the stack's namespace replaced by ``namespace``, which enforces
    Pod Security ``restricted``; the Namespace object comes first."""
    moved: list[dict[str, Any]] = []
    for original in objects:
        obj = copy.deepcopy(original)
        if obj["kind"] == "Namespace":
            obj["metadata"]["name"] = namespace
            obj["metadata"].setdefault("labels", {}).update(RESTRICTED)
        elif obj["kind"] not in CLUSTER_SCOPED:
            obj["metadata"]["namespace"] = namespace
        for subject in obj.get("subjects", []):
            subject["namespace"] = namespace
        moved.append(obj)
    moved.sort(key=lambda o: o["kind"] != "Namespace")
    return moved


def namespace_name(variant: str) -> str:
    return variant.replace(".", "-")


def apply_variant(client: KubeClient, variant: str, namespace: str) -> list[dict[str, Any]]:
    """Apply every object of ``variant`` into ``namespace`` as Pulumi does; returns them."""
    objects = relocate(variant_objects(variant), namespace)
    apply_all(client, objects, PULUMI_FIELD_MANAGER)
    return objects


def of_kind(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)
