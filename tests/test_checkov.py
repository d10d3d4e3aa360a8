"""checkov over the rendered Kubernetes manifests of every shipped stack, as scripts/test.sh runs it.

checkov lives in a virtualenv of its own (`.venv-checkov`, from requirements-checkov.lock;
`bash scripts/install.sh --dev` makes it): it cannot share the dev lock. Every check the
manifests may fail is listed in `.checkov.yaml`, each with its reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.render.cli import write_manifests
from tests.rendering import ROOT, STANDBY, render

CONFIG = ROOT / ".checkov.yaml"
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
STACKS = sorted(path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in ROOT.glob("Pulumi.*.yaml"))


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
