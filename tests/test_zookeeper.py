"""ZooKeeperEnsemble: the Helm release and its values."""

from __future__ import annotations

from typing import Any

import pytest

from components.flink.flink_config import ZK_SESSION_TIMEOUT_MS
from components.zookeeper_values import connect_string
from infra.config.validation import ConfigError
from infra.config.zookeeper import DEFAULT_ZOOKEEPER_CHART, DEFAULT_ZOOKEEPER_CHART_VERSION, parse_zookeeper
from tests.rendering import render


def release(stack: str = "dev", **overrides: Any) -> dict[str, Any]:
    found = render(stack, **overrides).of_type("kubernetes:helm.sh/v3:Release")
    assert len(found) == 1
    assert found[0]["parent"] == "zookeeper"
    return found[0]["inputs"]


def test_release_is_a_pinned_oci_chart_in_the_flink_namespace() -> None:
    inputs = release()
    assert inputs["chart"] == DEFAULT_ZOOKEEPER_CHART == "oci://registry-1.docker.io/bitnamicharts/zookeeper"
    assert inputs["version"] == DEFAULT_ZOOKEEPER_CHART_VERSION
    assert inputs["namespace"] == "flink"
    assert inputs["name"] == "zookeeper"
    assert inputs["atomic"] is True


def test_three_replicas_with_persistence_pdb_resources_and_network_policy() -> None:
    values = release()["values"]
    assert values["replicaCount"] == 3
    assert values["persistence"] == {"enabled": True, "size": "8Gi", "storageClass": "managed-csi"}
    assert values["pdb"]["create"] is True and values["pdb"]["maxUnavailable"] == 1
    assert values["resources"]["requests"]["memory"] == values["resources"]["limits"]["memory"]
    assert values["networkPolicy"] == {"enabled": True, "allowExternal": False}
    assert "srvr" in values["fourlwCommandsWhitelist"]


def test_legacy_bitnami_image_is_allowed_and_replaceable_by_a_mirror() -> None:
    values = release()["values"]
    assert values["global"]["security"]["allowInsecureImages"] is True
    assert values["image"]["repository"] == "bitnamilegacy/zookeeper"
    mirrored = release(zookeeper={"image": {"registry": "myacr.azurecr.io", "repository": "mirror/zookeeper"}})
    assert mirrored["values"]["image"]["registry"] == "myacr.azurecr.io"
    assert mirrored["values"]["image"]["repository"] == "mirror/zookeeper"
    assert mirrored["values"]["image"]["tag"] == values["image"]["tag"]


DIGEST = "sha256:" + "0123456789abcdef" * 4


def test_image_is_pulled_by_digest_when_one_is_set() -> None:
    values = release(zookeeper={"image": {"registry": "myacr.azurecr.io", "digest": DIGEST}})["values"]
    # Bitnami's chart renders registry/repository@digest when `image.digest` is set.
    assert values["image"]["digest"] == DIGEST
    assert values["image"]["registry"] == "myacr.azurecr.io"
    assert release()["values"]["image"]["digest"] == ""


@pytest.mark.parametrize("digest", ["latest", "sha256:" + "0" * 63, "sha256:" + "A" * 64, "0" * 64])
def test_a_malformed_image_digest_is_refused_with_its_key(digest: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_zookeeper({"image": {"digest": digest}})
    message = str(caught.value)
    assert "flink-aks:zookeeper.image.digest" in message and digest in message
    assert "sha256:<64 lowercase hex digits>" in message


def test_zookeeper_pods_get_no_service_account_token() -> None:
    assert release()["values"]["automountServiceAccountToken"] is False


def test_a_chart_repository_url_uses_repository_options() -> None:
    inputs = release(zookeeper={"chart": "https://charts.example.com/stable", "chartVersion": "1.2.3"})
    assert inputs["chart"] == "zookeeper"
    assert inputs["repositoryOpts"] == {"repo": "https://charts.example.com/stable"}


def test_flink_session_timeout_is_within_what_the_servers_grant() -> None:
    values = release()["values"]
    assert 2 * values["tickTime"] <= ZK_SESSION_TIMEOUT_MS <= values["maxSessionTimeout"]


def test_flink_pods_carry_the_label_the_network_policy_admits() -> None:
    rendering = render("dev")
    for name in ("flink-jobmanager", "flink-taskmanager"):
        template = rendering.named(name)["inputs"]["spec"]["template"]
        assert template["metadata"]["labels"]["zookeeper-client"] == "true"


def test_connect_string_names_every_server_and_is_the_output() -> None:
    expected = connect_string("flink", 5)
    assert expected.count(".zookeeper-headless.flink.svc.cluster.local:2181") == 5
    assert render("dev", zookeeper={"replicas": 5}).outputs["zookeeperConnect"] == expected


def test_release_is_protected_in_prod() -> None:
    assert [r.get("protect") for r in render("prod").of_type("kubernetes:helm.sh/v3:Release")] == [True]
