"""checkov over the rendered Kubernetes manifests of every shipped stack, as scripts/test.sh runs it.

checkov lives in a virtualenv of its own (`.venv-checkov`, from requirements-checkov.lock;
`bash scripts/install.sh --dev` makes it): it cannot share the dev lock. Every check the
manifests may fail is listed in `.checkov.yaml`, each with its reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.kafka_broker.image import KAFKA_IMAGE
from components.zookeeper_spec import ZooKeeperSpec
from components.zookeeper_values import FULLNAME, POD_LABELS, helm_values
from infra.compose.stack import NAMESPACE
from infra.local.stack_file import STACK as LOCAL_STACK
from infra.render.cli import write_manifests
from infra.render.offline import render_config, stack_settings
from tests.rendering import ROOT, STANDBY, render
from tests.test_kafka_broker import SECRET_KEYS as BROKER_SECRETS
from tests.test_kafka_broker import in_cluster

CONFIG = ROOT / ".checkov.yaml"
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
# The shipped stack files; the local stack's is written by scripts/stack.sh on first use, with
# secrets only its user can decrypt (its objects are audited from a render with test values).
STACKS = sorted(
    stack
    for stack in (path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in ROOT.glob("Pulumi.*.yaml"))
    if stack != LOCAL_STACK
)


def checkov(directory: Path) -> dict[str, Any]:
    """checkov's JSON report on `directory`, with the repository's config."""
    if not CHECKOV.is_file():
        pytest.fail("checkov is missing: bash scripts/install.sh --dev (it is in requirements-checkov.txt)")
    completed = subprocess.run(
        [str(CHECKOV), "--config-file", str(CONFIG), "--output", "json", "--directory", str(directory)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.stdout.strip(), f"checkov printed no report:\n{completed.stderr}"
    report: dict[str, Any] = json.loads(completed.stdout)
    report["returncode"] = completed.returncode
    return report


def findings_of(report: dict[str, Any]) -> list[str]:
    return [
        f"{check['check_id']} {check['check_name']}: {check['resource']} ({check['file_path']})"
        for check in report["results"]["failed_checks"]
    ]


def render_manifests(stack: str, directory: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "infra.render", stack, "--manifests", str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def test_every_shipped_stack_is_audited() -> None:
    assert {"dev", "prod"} <= set(STACKS)


def test_checkov_finds_nothing_in_the_manifests_of_every_shipped_stack(tmp_path: Path) -> None:
    for stack in STACKS:
        render_manifests(stack, tmp_path / stack)
    report = checkov(tmp_path)
    assert findings_of(report) == [], "checkov findings (fix them, or suppress in .checkov.yaml with the reason)"
    assert report["returncode"] == 0
    summary = report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["passed"] > 0


def test_checkov_finds_nothing_in_a_stack_with_standby_jobmanagers(tmp_path: Path) -> None:
    """rpcPortMode podIp with two JobManagers: the leader-watch container, its ConfigMap, the anti-affinity."""
    written = write_manifests(render("dev", preview=False, **STANDBY), tmp_path / "dev-standby")
    assert any("leader-watch" in path.read_text() for path in written)
    report = checkov(tmp_path)
    assert findings_of(report) == [], "checkov findings (fix them, or suppress in .checkov.yaml with the reason)"
    assert report["returncode"] == 0 and report["summary"]["parsing_errors"] == 0


def test_checkov_finds_nothing_in_a_stack_with_its_own_kafka_broker(tmp_path: Path) -> None:
    """``target.kafka.inCluster`` (the local stack): the broker's StatefulSet, Service, policy, Secret, ConfigMap."""
    rendering = render_config("local", in_cluster(), secret_keys=BROKER_SECRETS)
    written = write_manifests(rendering, tmp_path / "in-cluster-kafka")
    assert any(KAFKA_IMAGE in path.read_text() for path in written)
    report = checkov(tmp_path)
    assert findings_of(report) == [], "checkov findings (fix them, or suppress in .checkov.yaml with the reason)"
    assert report["returncode"] == 0 and report["summary"]["parsing_errors"] == 0


def test_checkov_fails_a_privileged_container(tmp_path: Path) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "bad", "namespace": "flink"},
        "spec": {"containers": [{"name": "bad", "image": "busybox", "securityContext": {"privileged": True}}]},
    }
    (tmp_path / "pod-bad.yaml").write_text(yaml.safe_dump(pod))
    report = checkov(tmp_path)
    assert report["returncode"] != 0
    assert any(finding.startswith("CKV_K8S_16 ") for finding in findings_of(report)), findings_of(report)


def test_checkov_suppressions_live_only_in_its_config_with_a_reason() -> None:
    lines = CONFIG.read_text().splitlines()
    for check in yaml.safe_load(CONFIG.read_text())["skip-check"]:
        at = lines.index(f"  - {check}")
        while lines[at - 1].startswith("  - "):  # checks that share one reason
            at -= 1
        assert lines[at - 1].strip().startswith("#"), f"{check}: say why it is skipped, in a comment above it"
    for path in [*ROOT.glob("infra/**/*.py"), *ROOT.glob("components/**/*.py")]:
        assert "checkov:skip" not in path.read_text(), f"{path.name}: suppress in {CONFIG.name}"


# ------------------------------------------- ZooKeeper's chart objects (modelled)
#
# The ZooKeeper release is rendered by Helm at deployment from Bitnami's chart, whose
# registry is not reachable here (and `helm` is not installed), so its objects are not
# among the rendered manifests. What our values decide of them is modelled below as the
# pinned chart (13.8.7) renders it: statefulset.yaml drops each security context's
# `enabled` switch, names the image registry/repository@digest (or :tag without a digest)
# with its pullPolicy, and carries the resources and the pod's automountServiceAccountToken;
# networkpolicy.yaml selects the servers when networkPolicy.enabled. checkov audits the
# model with the same config. Not modelled (the gap, docs/verification.md): what the chart
# adds by itself (probes, environment, volumes, Services, PDB).


def _without_switch(context: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in context.items() if name != "enabled"}


def zookeeper_chart_objects(values: dict[str, Any]) -> list[dict[str, Any]]:
    image = values["image"]
    reference = f"{image['registry']}/{image['repository']}"
    reference += f"@{image['digest']}" if image["digest"] else f":{image['tag']}"
    metadata = {"name": FULLNAME, "namespace": NAMESPACE}
    statefulset = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": metadata,
        "spec": {
            "replicas": values["replicaCount"],
            "serviceName": f"{FULLNAME}-headless",
            "selector": {"matchLabels": POD_LABELS},
            "template": {
                "metadata": {"labels": POD_LABELS},
                "spec": {
                    "automountServiceAccountToken": values["automountServiceAccountToken"],
                    "securityContext": _without_switch(values["podSecurityContext"]),
                    "containers": [
                        {
                            "name": "zookeeper",
                            "image": reference,
                            "imagePullPolicy": image["pullPolicy"],
                            "securityContext": _without_switch(values["containerSecurityContext"]),
                            "resources": values["resources"],
                        }
                    ],
                },
            },
        },
    }
    objects = [statefulset]
    if values["networkPolicy"]["enabled"]:
        objects.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": metadata,
                "spec": {"podSelector": {"matchLabels": POD_LABELS}, "policyTypes": ["Ingress", "Egress"]},
            }
        )
    return objects


def audit_zookeeper_model(directory: Path, spec: ZooKeeperSpec, zonal: bool) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    for obj in zookeeper_chart_objects(helm_values(spec, zonal)):
        (directory / f"{obj['kind'].lower()}.yaml").write_text(yaml.safe_dump(obj))
    return [finding.split(" ")[0] for finding in findings_of(checkov(directory))]


@pytest.mark.parametrize("stack", STACKS)
def test_checkov_finds_only_the_tagged_default_image_in_zookeepers_values(tmp_path: Path, stack: str) -> None:
    # The shipped default, bitnamilegacy/zookeeper, is frozen and referenced by tag (no
    # digest of it could be read here): checkov wants a digest (CKV_K8S_43) and, for a tag,
    # pullPolicy Always (CKV_K8S_15). A team sets `zookeeper.image.digest` for its mirror.
    settings = stack_settings(stack)
    assert settings.zookeeper.image.digest is None
    found = audit_zookeeper_model(tmp_path / stack, settings.zookeeper, bool(settings.aks.zones))
    assert sorted(found) == ["CKV_K8S_15", "CKV_K8S_43"]


def test_checkov_finds_nothing_in_zookeepers_values_with_an_image_digest(tmp_path: Path) -> None:
    settings = stack_settings("prod")
    image = replace(settings.zookeeper.image, digest="sha256:" + "0123456789abcdef" * 4)
    assert audit_zookeeper_model(tmp_path, replace(settings.zookeeper, image=image), zonal=True) == []


def test_checkov_sees_a_privilege_granted_through_zookeepers_values(tmp_path: Path) -> None:
    # The model carries our values to checkov: a privileged container in them is found.
    values = helm_values(stack_settings("prod").zookeeper, zonal=True)
    values["containerSecurityContext"] = {**values["containerSecurityContext"], "privileged": True}
    (tmp_path / "statefulset.yaml").write_text(yaml.safe_dump(zookeeper_chart_objects(values)[0]))
    assert "CKV_K8S_16" in [finding.split(" ")[0] for finding in findings_of(checkov(tmp_path))]
