"""Every Kubernetes object the stack declares is valid against the official schema."""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest

from infra.config.settings import DEFAULT_KUBERNETES_VERSION
from tests.rendering import VARIANTS, variant_objects

# API groups of Kubernetes itself, which have official schemas. Anything else is a custom
# resource (the PodMonitor of Azure's managed Prometheus, tests/test_monitoring_stack.py
# checks its shape); the kinds allowed to skip the schema are listed, nothing else may.
KUBERNETES_GROUPS = frozenset(
    {"", "apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io"}
)
CUSTOM_KINDS = frozenset({"PodMonitor"})


def schema_version(kubernetes_version: str) -> str:
    major_minor = ".".join(kubernetes_version.split(".")[:2])
    return f"{major_minor}.0"


def validate(obj: dict[str, Any]) -> None:
    kubernetes_validate.validate(obj, schema_version(DEFAULT_KUBERNETES_VERSION), strict=True)


def api_group(obj: dict[str, Any]) -> str:
    """``apps/v1`` → ``apps``; the core group ``v1`` → ``""``."""
    api_version: str = obj["apiVersion"]
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


def is_custom(obj: dict[str, Any]) -> bool:
    return api_group(obj) not in KUBERNETES_GROUPS


def objects(variant: str) -> list[dict[str, Any]]:
    """The variant's objects of Kubernetes' own API groups."""
    found = variant_objects(variant)
    assert {o["kind"] for o in found if is_custom(o)} <= CUSTOM_KINDS
    return [o for o in found if not is_custom(o)]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_rendered_object_is_valid_for_the_target_kubernetes_version(variant: str) -> None:
    found = objects(variant)
    assert len(found) >= 8  # pinned mode: no sidecar program, account, role or binding
    for obj in found:
        validate(obj)


def test_the_schema_version_exists_offline() -> None:
    assert schema_version(DEFAULT_KUBERNETES_VERSION) in kubernetes_validate.utils.all_versions()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["spec"]["template"]["spec"]["containers"][0].update({"imagePullPolice": "Always"}),
        lambda d: d["spec"].update({"replicas": "one"}),
        lambda d: d["spec"]["template"]["spec"]["containers"][0].pop("name"),
    ],
    ids=["typo-field", "wrong-type", "missing-required"],
)
def test_strict_validation_catches_a_broken_manifest(mutate: Any) -> None:
    deployment = next(o for o in objects("dev") if o["kind"] == "Deployment")
    broken = copy.deepcopy(deployment)
    mutate(broken)
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(broken)


def test_only_the_listed_custom_resources_skip_the_schema() -> None:
    for variant in ("dev", "prod"):
        assert [o["kind"] for o in variant_objects(variant) if is_custom(o)] == ["PodMonitor"]
    assert not is_custom({"apiVersion": "v1"}) and not is_custom({"apiVersion": "apps/v1"})
