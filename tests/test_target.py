"""``flink-aks:target``: an existing cluster and Kafka endpoint, validated and rendered offline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.config.settings import parse_settings
from infra.config.target import ExistingCluster, JaasKeys
from infra.config.validation import ConfigError
from infra.render.offline import render_config
from tests.rendering import ROOT, k8s_object, one

JAAS_IN = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="in-s3cret";'
JAAS_OUT = JAAS_IN.replace("in-s3cret", "out-s3cret")
SECRETS = {
    "flink-aks:kafkaInputJaasConfig": JAAS_IN,
    "flink-aks:kafkaOutputJaasConfig": JAAS_OUT,
}
SECRET_KEYS = frozenset(SECRETS)


def existing(**target: Any) -> dict[str, Any]:
    kafka = {"bootstrapServers": "broker-0.kafka:9093,broker-1.kafka:9093", "inputTopic": "in", "outputTopic": "out"}
    return {
        "flink-aks:target": {"cluster": "existing", "kafka": {**kafka, "partitions": 2}, **target},
        **SECRETS,
    }


def refusal(config: dict[str, Any], secret_keys: frozenset[str] = SECRET_KEYS) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings("local", config, secret_keys)
    return str(caught.value)


def test_the_default_target_is_a_new_aks_cluster() -> None:
    settings = parse_settings("dev", {"azure-native:location": "westeurope"})
    assert settings.target.cluster == "aks" and settings.target.existing is None


def test_an_existing_cluster_needs_no_azure_settings() -> None:
    settings = parse_settings("local", existing(context="kind-dev", zookeeperConnect="zk:2181/flink"), SECRET_KEYS)
    target = settings.target.existing
    assert isinstance(target, ExistingCluster)
    assert target.kubeconfig_key is None and target.context == "kind-dev"
    assert target.zookeeper_connect == "zk:2181/flink"
    assert target.kafka.bootstrap_servers == "broker-0.kafka:9093,broker-1.kafka:9093"
    assert target.kafka.consumer_group == "flink"
    assert target.kafka.login == JaasKeys("flink-aks:kafkaInputJaasConfig", "flink-aks:kafkaOutputJaasConfig")
    assert settings.location == ""
    assert JAAS_IN not in repr(settings)  # the settings name the secret, never hold it


@pytest.mark.parametrize(
    ("config", "secret_keys", "message"),
    [
        (existing(clustr="x"), SECRET_KEYS, 'flink-aks:target.clustr: got "x"; allowed: no such key'),
        (
            {"flink-aks:target": {"cluster": "kind"}},
            SECRET_KEYS,
            'target.cluster: got "kind"; allowed: one of aks, existing',
        ),
        (
            {"azure-native:location": "westeurope", "flink-aks:target": {"context": "x"}},
            frozenset(),
            'flink-aks:target.context: got "x"; allowed: nothing unless target.cluster is existing',
        ),
        (
            {**existing(), "flink-aks:target": {"cluster": "existing"}},
            SECRET_KEYS,
            "flink-aks:target.kafka: got nothing",
        ),
        (existing(), frozenset(), 'flink-aks:kafkaInputJaasConfig: got "[plain text, not shown]"; allowed: a secret'),
        (
            {k: v for k, v in existing().items() if k != "flink-aks:kafkaOutputJaasConfig"},
            SECRET_KEYS,
            "flink-aks:kafkaOutputJaasConfig: got nothing (the key is not set); allowed: a secret value",
        ),
        (existing(kubeconfig="secret"), SECRET_KEYS, "flink-aks:kubeconfig: got nothing (the key is not set)"),
        (
            {**existing(), "flink-aks:eventHubs": {"partitions": 4}},
            SECRET_KEYS,
            'flink-aks:eventHubs: got {"partitions": 4}',
        ),
        (existing(zookeeperConnect="zk"), SECRET_KEYS, 'flink-aks:target.zookeeperConnect: got "zk"'),
        (
            {**existing(), "flink-aks:flink": {"taskManagers": 3}},
            SECRET_KEYS,
            "flink-aks:flink.taskManagers: got 3; allowed: taskManagers × slotsPerTaskManager (3 × 1) at most the "
            "input partitions (2)",
        ),
    ],
)
def test_invalid_targets_are_refused_naming_the_key(
    config: dict[str, Any], secret_keys: frozenset[str], message: str
) -> None:
    assert message in refusal(config, secret_keys)


def test_an_existing_cluster_stack_renders_without_azure() -> None:
    config = {
        **existing(kubeconfig="secret", zookeeperConnect="zk-0.zk:2181"),
        "flink-aks:kubeconfig": "apiVersion: v1\nusers: [{name: u, user: {token: kubeconfig-t0ken}}]\n",
        "flink-aks:flink": {"storageClass": "standard"},
    }
    rendering = render_config("local", config, secret_keys=SECRET_KEYS | {"flink-aks:kubeconfig"})
    types = {r["type"] for r in rendering.resources}
    assert not [t for t in types if t.startswith(("azure-native:", "random:"))]
    assert "kubernetes:helm.sh/v3:Release" not in types  # the existing ensemble is used
    provider = one(rendering, "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "[secret]"
    assert k8s_object(rendering, "PersistentVolumeClaim", "flink-data")["spec"]["storageClassName"] == "standard"
    assert set(k8s_object(rendering, "Secret", "flink-kafka")["stringData"].values()) == {"[secret]"}
    document = rendering.to_json()
    for secret in ("in-s3cret", "out-s3cret", "kubeconfig-t0ken"):
        assert secret not in document
    assert rendering.outputs["kafkaBootstrapServers"] == "broker-0.kafka:9093,broker-1.kafka:9093"
    assert rendering.outputs["zookeeperConnect"] == "zk-0.zk:2181"
    assert rendering.outputs["kubeconfig"] == "[secret]"
    assert "resourceGroupName" not in rendering.outputs


def test_a_local_chart_directory_is_installed_as_is() -> None:
    config = {**existing(), "flink-aks:zookeeper": {"chart": "./charts/zookeeper", "storageClass": "standard"}}
    rendering = render_config("local", config, secret_keys=SECRET_KEYS)
    release = one(rendering, "kubernetes:helm.sh/v3:Release")
    assert release["inputs"]["chart"] == "./charts/zookeeper"
    assert "repositoryOpts" not in release["inputs"]
    assert release["inputs"]["values"]["persistence"]["storageClass"] == "standard"


def test_the_render_command_reads_encrypted_values_as_secrets(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    stack = {
        "config": {
            "flink-aks:target": existing()["flink-aks:target"],
            "flink-aks:kafkaInputJaasConfig": {"secure": "v1:abc"},
            "flink-aks:kafkaOutputJaasConfig": {"secure": "v1:def"},
        }
    }
    (tmp_path / "Pulumi.local.yaml").write_text(yaml.safe_dump(stack))
    result = subprocess.run(
        [sys.executable, "-m", "infra.render", "local", "--json"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["outputs"]["inputTopic"] == "in"
    assert not [r for r in document["resources"] if r["type"].startswith("azure-native:")]
    plain = stack["config"]["flink-aks:kafkaInputJaasConfig"]
    assert isinstance(plain, dict) and plain["secure"] not in result.stdout


def test_a_plain_text_jaas_line_in_a_stack_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.local.yaml").write_text(yaml.safe_dump({"config": existing()}))
    result = subprocess.run(
        [sys.executable, "-m", "infra.render", "local"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "flink-aks:kafkaInputJaasConfig" in result.stderr and "pulumi config set --secret" in result.stderr
    assert "in-s3cret" not in result.stderr
