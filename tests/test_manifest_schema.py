"""Every Kubernetes object the stack declares is valid against the official schema."""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest

from infra.config.settings import DEFAULT_KUBERNETES_VERSION
from tests.rendering import VARIANTS, variant_objects


def schema_version(kubernetes_version: str) -> str:
    major_minor = ".".join(kubernetes_version.split(".")[:2])
    return f"{major_minor}.0"


def validate(obj: dict[str, Any]) -> None:
    kubernetes_validate.validate(obj, schema_version(DEFAULT_KUBERNETES_VERSION), strict=True)


def objects(variant: str) -> list[dict[str, Any]]:
    return variant_objects(variant)


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
