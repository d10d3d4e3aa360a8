"""The engine recipe: versions follow requirements.txt, the binaries say what they are."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.engine import versions
from tests.engine.versions import VersionError, cli, kubernetes_provider, pinned


def semver(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.lstrip("v").split("."))


def test_the_provider_is_built_at_the_version_the_sdk_pins() -> None:
    assert kubernetes_provider().version == pinned("pulumi-kubernetes")


def test_the_cli_is_at_least_as_new_as_the_sdk() -> None:
    assert semver(cli().version) >= semver(pinned("pulumi"))


def test_an_unknown_pin_is_refused_with_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pulumi==3.999.0\npulumi-kubernetes==4.25.0\n")
    monkeypatch.setattr(versions, "REQUIREMENTS", requirements)
    with pytest.raises(VersionError, match="pulumi==3.999.0: add the CLI release"):
        cli()


def test_the_built_binaries_report_their_versions(engine_home: Path) -> None:
    env = {**os.environ, "PULUMI_HOME": str(engine_home), "PULUMI_SKIP_UPDATE_CHECK": "1"}
    pulumi = str(engine_home / "bin" / "pulumi")
    version = subprocess.run([pulumi, "version"], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert version.stdout.strip() == cli().version
    listed = subprocess.run(
        [pulumi, "plugin", "ls", "--json"], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    plugins = {(p["name"], p["kind"], p["version"]) for p in json.loads(listed.stdout)}
    assert ("kubernetes", "resource", kubernetes_provider().version) in plugins
