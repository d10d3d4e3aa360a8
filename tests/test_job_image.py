"""The reference job's image: its Dockerfile, how a stack is pointed at it, how CI ships it."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from infra.config.flink import DEFAULT_FLINK_VERSION, FLINK_IMAGES
from infra.config.settings import parse_settings
from infra.ops.job_image import REFERENCE_JOB_CLASS, REFERENCE_JOB_JAR, with_job_image
from tests.test_workflows import evaluate, shared_job

ROOT = Path(__file__).resolve().parent.parent
DIGEST = "sha256:" + "ab" * 32
IMAGE = f"crflinkaksdevab12cd.azurecr.io/flink-aks/reference-job@{DIGEST}"


def dockerfile_args() -> dict[str, str]:
    text = (ROOT / "jobs" / "Dockerfile").read_text()
    return dict(re.findall(r"^ARG (\w+)=(\S+)$", text, re.MULTILINE))


def test_image_builds_on_the_pinned_flink_image() -> None:
    assert dockerfile_args()["FLINK_IMAGE"] == FLINK_IMAGES[DEFAULT_FLINK_VERSION]
    assert re.search(r"^FROM \$\{FLINK_IMAGE\}$", (ROOT / "jobs" / "Dockerfile").read_text(), re.MULTILINE)


def test_image_puts_the_built_jar_where_the_stack_looks_for_it() -> None:
    text = (ROOT / "jobs" / "Dockerfile").read_text()
    final_name = (
        ET.parse(ROOT / "jobs" / "pom.xml")
        .getroot()
        .findtext("{http://maven.apache.org/POM/4.0.0}build/{http://maven.apache.org/POM/4.0.0}finalName")
    )
    assert f"/build/target/{final_name}.jar {REFERENCE_JOB_JAR}" in text
    main_class = (ROOT / "jobs" / "src" / "main" / "java" / Path(*REFERENCE_JOB_CLASS.split("."))).with_suffix(".java")
    assert main_class.is_file()


def test_with_job_image_sets_image_class_and_jar_and_keeps_the_rest() -> None:
    document = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    updated = with_job_image(document, IMAGE)
    flink = updated["config"]["flink-aks:flink"]
    assert flink == {
        **document["config"]["flink-aks:flink"],
        "image": IMAGE,
        "jobClassName": REFERENCE_JOB_CLASS,
        "jobJar": REFERENCE_JOB_JAR,
    }
    assert {k: v for k, v in updated["config"].items() if k != "flink-aks:flink"} == {
        k: v for k, v in document["config"].items() if k != "flink-aks:flink"
    }
    settings = parse_settings("prod", updated["config"])
    assert (settings.flink.image, settings.flink.job_jar) == (IMAGE, REFERENCE_JOB_JAR)


@pytest.mark.parametrize("image", ["flink:1.20.5", "reg.azurecr.io/flink-aks/reference-job:latest", "x@sha256:12"])
def test_with_job_image_wants_an_image_by_digest(image: str) -> None:
    with pytest.raises(ValueError, match="sha256"):
        with_job_image({}, image)


def test_job_image_command_edits_the_stack_file(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text((ROOT / "Pulumi.dev.yaml").read_text())
    command = [sys.executable, "-m", "infra.job_image", "dev", IMAGE]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load((tmp_path / "Pulumi.dev.yaml").read_text())["config"]["flink-aks:flink"]["image"] == IMAGE
    bad = subprocess.run([*command[:-1], "flink:latest"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and "sha256" in bad.stderr


def build_step() -> tuple[int, dict[str, object]]:
    steps = shared_job()["steps"]
    found = [(i, s) for i, s in enumerate(steps) if "az acr build" in str(s.get("run", ""))]
    assert len(found) == 1
    return found[0]


def test_workflow_builds_the_image_only_on_up_between_login_and_pulumi() -> None:
    index, step = build_step()
    steps = shared_job()["steps"]
    uses = [str(s.get("uses", "")) for s in steps]
    login = next(i for i, u in enumerate(uses) if u.startswith("azure/login"))
    pulumi = next(i for i, u in enumerate(uses) if u.startswith("pulumi/actions"))
    assert login < index < pulumi
    condition = str(step["if"])
    assert evaluate(condition, {"inputs": {"command": "up", "stack": "dev"}}) is True
    assert evaluate(condition, {"inputs": {"command": "preview", "stack": "dev"}}) is False


def test_workflow_builds_with_the_dockerfile_and_deploys_by_digest() -> None:
    _, step = build_step()
    script = str(step["run"])
    assert 'az acr build --registry "$registry" --image "$image" --file jobs/Dockerfile jobs' in script
    assert "--query digest" in script
    assert 'venv/bin/python -m infra.job_image "$STACK" "$login_server/flink-aks/reference-job@$digest"' in script
    assert "secrets." not in str(step) and "password" not in script.lower()
