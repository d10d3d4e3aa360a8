"""The real CLI on the shipped stack files, and agreement with the offline render.

The CLI validates a stack's config against the project's declarations before the program
runs; the program then validates every setting (infra/settings.py). On ``dev`` and
``prod`` both pass and ``pulumi preview`` stops only where a provider plugin that cannot
be built here is needed: ``azure-native`` (and Azure would be needed anyway) or
``random`` (its Go module is not served), whichever the engine loads first.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
import yaml

from tests.engine.project import EngineProject
from tests.engine.versions import ROOT

MISSING_PLUGIN = re.compile(r"no resource plugin 'pulumi-resource-([\w-]+)' found")
NOT_BUILDABLE = {"azure-native", "random"}


def render(project: EngineProject, stack: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.render", stack],
        cwd=project.dir,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stack_passes_config_validation_and_stops_at_a_plugin_not_built_here(
    project: EngineProject, stack: str
) -> None:
    project.copy_stack_file(stack)
    project.init(stack)
    preview = project.run(stack, "preview")
    assert not preview.ok
    # Whichever the engine loads first: azure-native or random (not served by the Go proxy).
    missing = set(MISSING_PLUGIN.findall(preview.stderr))
    assert missing and missing <= NOT_BUILDABLE, preview.stderr
    errors = [line for line in preview.stderr.splitlines() if "error:" in line]
    assert errors and all(MISSING_PLUGIN.search(line) for line in errors), errors
    assert render(project, stack).returncode == 0


def _dev_with(change: dict[str, Any]) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
    return {**config, **change}


INVALID: dict[str, tuple[dict[str, Any], dict[str, Any] | None, str]] = {
    # The program's own validation: the CLI passes the config on, the program refuses it.
    "partitions": (
        {"flink-aks:eventHubs": {"partitions": 40}},
        None,
        "flink-aks:eventHubs.partitions: got 40",
    ),
    # The CLI's own validation of declared keys: a value of the wrong declared type.
    "wrong-type": (
        {"flink-aks:throughputProfile": ["1k"]},
        None,
        "throughputProfile' must be of type 'string'",
    ),
    # A key declared in Pulumi.yaml without a default must be set by every stack.
    "declared-without-default": (
        {},
        {"protect": {"type": "boolean", "description": "as the project once declared it"}},
        "is missing configuration value 'protect'",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_render_and_cli_refuse_the_same_invalid_stack_files(project: EngineProject, case: str) -> None:
    change, declaration, message = INVALID[case]
    if declaration:
        pulumi_yaml = yaml.safe_load((project.dir / "Pulumi.yaml").read_text())
        pulumi_yaml["config"].update(declaration)
        (project.dir / "Pulumi.yaml").write_text(yaml.safe_dump(pulumi_yaml, sort_keys=False))
    project.write_stack("bad", _dev_with(change))
    project.init("bad")
    preview = project.run("bad", "preview")
    assert not preview.ok
    assert message in preview.stderr, preview.stderr
    assert not MISSING_PLUGIN.search(preview.stderr)  # refused before any provider is loaded
    rendered = render(project, "bad")
    assert rendered.returncode == 1
    assert message in rendered.stderr, rendered.stderr
