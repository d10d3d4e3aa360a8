"""`python -m infra.render`: the offline render's command line and its JSON contract."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.flink import kafka_secret
from infra.config.validation import ConfigError
from infra.render import offline
from infra.render.mocks import FAKE_SHARED_ACCESS_KEY
from tests.rendering import ROOT, render, spy_recordings
from tests.test_manifest_schema import validate

OUTPUTS = {
    "flinkUiUrl",
    "kafkaBootstrapServers",
    "inputTopic",
    "outputTopic",
    "resourceGroupName",
    "clusterName",
    "namespace",
    "zookeeperConnect",
    "kubeconfig",
}


def run_render(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "infra.render", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def project_with_stack(tmp_path: Path) -> Any:
    """A copy of the project files with one extra stack file written by the test."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path)

    def write(stack: str, config: dict[str, Any]) -> Path:
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
        return tmp_path

    return write


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_json_document_follows_the_contract(stack: str) -> None:
    result = run_render(stack, "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["stack"] == stack and doc["project"] == "flink-aks"
    names = {r["name"] for r in doc["resources"]}
    for r in doc["resources"]:
        assert {"type", "name", "parent", "inputs"} <= set(r)
        assert r["parent"] is None or r["parent"] in names
    assert OUTPUTS <= set(doc["outputs"])
    assert doc["outputs"]["kubeconfig"] == "[secret]"


def test_tree_shows_components_and_their_children() -> None:
    result = run_render("dev")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "flink-aks (dev)"
    assert "  flink  [flink-aks:flink:FlinkJobCluster]" in lines
    assert "    flink-jobmanager  [kubernetes:apps/v1:Deployment]" in lines


def test_manifests_are_written_one_file_per_kubernetes_object(tmp_path: Path) -> None:
    result = run_render("prod", "--manifests", str(tmp_path))
    assert result.returncode == 0, result.stderr
    files = {p.name: yaml.safe_load(p.read_text()) for p in tmp_path.glob("*.yaml")}
    assert "deployment-flink-jobmanager.yaml" in files
    assert "service-flink-ui.yaml" in files
    assert all({"apiVersion", "kind", "metadata"} <= set(obj) for obj in files.values())
    assert not any(obj["kind"] == "Release" for obj in files.values())
    assert "ZooKeeper's objects are not among these files" in result.stderr
    # A Secret keeps its keys, each value masked: what `kubectl apply` accepts.
    secret = files["secret-flink-kafka.yaml"]
    assert set(secret["stringData"]) == set(kafka_secret.PROPERTY_FILES)
    assert set(secret["stringData"].values()) == {"[secret]"}
    validate(secret)


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"flink-aks:eventHubs": {"partitions": 99}}, "flink-aks:eventHubs.partitions"),
        ({"flink-aks:ui": {"exposure": "public"}}, "flink-aks:ui.allowedCidrs"),
        ({"flink-aks:aks": {"vmsize": "Standard_D2s_v3"}}, "flink-aks:aks.vmsize"),
    ],
)
def test_invalid_config_exits_1_with_the_message_and_no_traceback(
    project_with_stack: Any, config: dict[str, Any], key: str
) -> None:
    root = project_with_stack("bad", {"azure-native:location": "westeurope", **config})
    result = run_render("bad", "--json", cwd=root)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {key}: got ")
    assert "Traceback" not in result.stderr


def test_missing_location_is_refused(project_with_stack: Any) -> None:
    root = project_with_stack("bare", {})
    result = run_render("bare", cwd=root)
    assert result.returncode == 1
    assert "azure-native:location" in result.stderr


def test_invalid_config_declares_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    recordings = spy_recordings(monkeypatch)
    with pytest.raises(ConfigError):
        offline.render_config("dev", {"azure-native:location": "westeurope", "flink-aks:throughputProfile": "9k"})
    assert recordings and recordings[0].resources == []


def test_project_defaults_apply_and_stack_values_override_them(project_with_stack: Any) -> None:
    root = project_with_stack("p", {"azure-native:location": "westeurope", "flink-aks:throughputProfile": "5k"})
    doc = json.loads(run_render("p", "--json", cwd=root).stdout)
    hubs = [r for r in doc["resources"] if r["type"] == "azure-native:eventhub:EventHub"]
    assert {h["inputs"]["partitionCount"] for h in hubs} == {12}


@pytest.mark.parametrize("preview", [True, False])
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_secret_appears_in_plain_text(stack: str, preview: bool) -> None:
    text = render(stack, preview=preview).to_json()
    assert FAKE_SHARED_ACCESS_KEY not in text
    assert "kubelogin" not in text  # the kubeconfig holds no credential, and stays a secret output
    assert "SharedAccessKey=" not in text


def test_values_known_only_after_deployment_print_as_unknown() -> None:
    outputs = render("prod").outputs
    assert outputs["flinkUiUrl"] == "[unknown]"  # the internal load balancer's address
    assert render("prod", preview=False).outputs["kafkaBootstrapServers"].endswith(".servicebus.windows.net:9093")


def test_a_stack_the_cli_would_refuse_is_refused_with_the_clis_words(project_with_stack: Any) -> None:
    root = project_with_stack("nine", {"azure-native:location": "westeurope"})
    project = yaml.safe_load((root / "Pulumi.yaml").read_text())
    project["config"]["protect"] = {"type": "boolean"}
    (root / "Pulumi.yaml").write_text(yaml.safe_dump(project))
    result = run_render("nine", cwd=root)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "error: Stack 'nine' is missing configuration value 'protect'\n"


def test_a_yaml_syntax_error_is_one_line_naming_the_file(project_with_stack: Any) -> None:
    root = project_with_stack("typo", {})
    (root / "Pulumi.typo.yaml").write_text("config:\n  azure-native:location: westeurope\n flink-aks:ui: {}\n")
    result = run_render("typo", cwd=root)
    assert result.returncode == 1
    assert result.stderr.startswith("error: Pulumi.typo.yaml, line 3, column 2: invalid YAML: ")
    assert result.stderr.count("\n") == 1
