"""scripts/stack.sh: what needs no network is checked first, and a missing CLI is explained.

The script runs in a copy of the project whose ``scripts/install.sh`` does nothing (the
venv is this one) and that has no ``tests.engine``, so the CLI can be neither found nor
built: the script must say how to install that exact version by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.rendering import ROOT

PINNED = next(
    line.split("==")[1] for line in (ROOT / "requirements.txt").read_text().splitlines() if line.startswith("pulumi==")
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "stack.sh", tmp_path / "scripts")
    (tmp_path / "scripts" / "install.sh").write_text("#!/usr/bin/env bash\n")
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").symlink_to(sys.executable)
    for name in ("infra", "components", "Pulumi.yaml", "Pulumi.dev.yaml", "requirements.txt"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


def run(project: Path, *args: str, passphrase: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env["PATH"] = "/usr/bin:/bin"  # no pulumi
    if passphrase:
        env["PULUMI_CONFIG_PASSPHRASE"] = "test"
    return subprocess.run(
        ["bash", str(project / "scripts" / "stack.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_no_passphrase_stops_before_anything_else(project: Path) -> None:
    result = run(project, "dev", "preview", passphrase=False)
    assert result.returncode == 2
    assert result.stderr.startswith("error: set PULUMI_CONFIG_PASSPHRASE")


def test_a_missing_stack_file_stops_before_the_cli(project: Path) -> None:
    result = run(project, "staging", "preview")
    assert result.returncode == 2
    assert result.stderr.startswith("error: Pulumi.staging.yaml: no such file")


def test_an_invalid_stack_file_stops_before_the_cli(project: Path) -> None:
    (project / "Pulumi.typo.yaml").write_text("config:\n  azure-native:location: westeuorpe\n")
    result = run(project, "typo", "preview")
    assert result.returncode == 1
    assert result.stderr.startswith('error: azure-native:location: got "westeuorpe"')
    assert "Pulumi CLI" not in result.stderr


def test_without_the_cli_it_says_how_to_install_that_exact_version(project: Path) -> None:
    result = run(project, "dev", "stack", "output", "flinkUiUrl")
    assert result.returncode == 3
    assert f"error: the Pulumi CLI {PINNED} " in result.stderr
    assert f"--version {PINNED}" in result.stderr
    assert f"pulumi-{PINNED}-checksums.txt" in result.stderr
    assert not (project / ".pulumi-state").exists(), "no state touched without the CLI"
