"""scripts/stack.sh: what needs no network is checked first, and a missing CLI is explained.

The script runs in a copy of the project whose ``scripts/install.sh`` does nothing (the
venv is this one), with no ``pulumi`` on ``PATH`` and the releases either unreachable or
served from a local folder: it must refuse an archive that does not match the release's
checksums file, and say how to install that exact version by hand.
"""

from __future__ import annotations

import hashlib
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


def run(
    project: Path, *args: str, passphrase: bool = True, releases: str = "http://127.0.0.1:9/releases"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env["PULUMI_RELEASES_URL"] = releases  # nothing listens on port 9: a download fails at once
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


@pytest.mark.parametrize("matches", [False, True])
def test_only_an_archive_that_matches_its_checksum_is_unpacked(project: Path, tmp_path: Path, matches: bool) -> None:
    release = tmp_path / "releases" / f"v{PINNED}"
    (tmp_path / "content" / "pulumi").mkdir(parents=True)
    (tmp_path / "content" / "pulumi" / "README").write_text("not the CLI\n")
    archive = f"pulumi-v{PINNED}-linux-x64.tar.gz"
    release.mkdir(parents=True)
    subprocess.run(["tar", "-czf", str(release / archive), "-C", str(tmp_path / "content"), "pulumi"], check=True)
    digest = hashlib.sha256((release / archive).read_bytes()).hexdigest() if matches else "0" * 64
    (release / f"pulumi-{PINNED}-checksums.txt").write_text(f"{digest}  {archive}\n")
    result = run(project, "dev", "stack", "output", releases=(tmp_path / "releases").as_uri())
    # The archive holds no CLI, so the script stops either way; only a verified one is unpacked.
    assert result.returncode == 3, result.stderr
    assert "checked against its checksums" in result.stderr
    assert (project / ".pulumi-cli" / f"v{PINNED}" / "README").exists() == matches
