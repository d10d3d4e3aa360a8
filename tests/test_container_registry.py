"""The job image's registry and the cluster's pull right, under Pulumi mocks."""

from __future__ import annotations

import pytest

from components import azure_names as names
from components.aks import kubelet_object_id
from components.container_registry import ACR_PULL_ROLE, role_definition_id
from infra.config.validation import PROJECT
from infra.render.mocks import FAKE_KUBELET_OBJECT_ID, FAKE_SUBSCRIPTION_ID
from tests.rendering import one, render

REGISTRY = "azure-native:containerregistry:Registry"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"


def test_registry_has_no_admin_user_and_a_unique_name() -> None:
    registry = one(render("dev", preview=False), REGISTRY)
    inputs = registry["inputs"]
    assert inputs["adminUserEnabled"] is False
    assert inputs["sku"] == {"name": "Basic"}
    assert inputs["registryName"].startswith("crflinkaksdev")
    assert registry["parent"] == "registry"


def test_kubelet_identity_may_pull_from_the_registry_only() -> None:
    rendering = render("dev", preview=False)
    # The others are the job identity's (tests/test_event_hubs_identity.py).
    found = [r for r in rendering.of_type(ROLE_ASSIGNMENT) if r["parent"] == "registry"]
    assert len(found) == 1
    assignment = found[0]["inputs"]
    assert assignment["principalId"] == FAKE_KUBELET_OBJECT_ID
    assert assignment["principalType"] == "ServicePrincipal"
    assert assignment["roleDefinitionId"] == (
        f"/subscriptions/{FAKE_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/{ACR_PULL_ROLE}"
    )
    assert assignment["scope"] == "registry-registry-id", "scoped to the registry, not the group or subscription"


def test_login_server_is_a_stack_output() -> None:
    registry_name = one(render("dev", preview=False), REGISTRY)["inputs"]["registryName"]
    assert render("dev", preview=False).outputs["containerRegistryLoginServer"] == f"{registry_name}.azurecr.io"
    assert render("dev").outputs["containerRegistryLoginServer"] == "[unknown]"


def test_prod_protects_the_registry() -> None:
    assert one(render("prod"), REGISTRY).get("protect") is True
    assert not one(render("dev"), REGISTRY).get("protect")


def test_registry_name_follows_azure_rules() -> None:
    assert names.container_registry_name("dev", "ab12cd", PROJECT) == "crflinkaksdevab12cd"
    assert names.container_registry_name("eu-prod-2", "x1y2", PROJECT) == "crflinkakseuprod2x1y2"
    longest = names.container_registry_name("a" * 20, "z" * 8, PROJECT)
    assert len(longest) <= 50
    with pytest.raises(ValueError, match="random suffix"):
        names.container_registry_name("dev", "AB", PROJECT)


def test_role_definition_and_kubelet_identity_helpers() -> None:
    assert role_definition_id("sub").endswith(f"/roleDefinitions/{ACR_PULL_ROLE}")
    assert kubelet_object_id({"kubeletidentity": {"objectId": "abc"}}) == "abc"
    with pytest.raises(ValueError, match="kubelet identity"):
        kubelet_object_id({})
