"""The lock files pin every transitive package with hashes and agree with the top-level pins.

requirements-checkov.lock is the lock of checkov's own virtualenv (.venv-checkov).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.rendering import ROOT

LOCKS = ["requirements", "requirements-dev", "requirements-checkov"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def top_level_pins(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins |= top_level_pins(path.parent / line[3:].strip())
        elif line:
            match = PIN.match(line)
            assert match, f"{path.name}: {line!r} is not pinned with =="
            pins[normalized(match.group(1))] = match.group(2)
    return pins


def locked(path: Path) -> dict[str, str]:
    """name -> version of every entry; each must carry at least one hash."""
    result: dict[str, str] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", path.read_text()):
        match = PIN.match(entry)
        if match:
            assert "--hash=sha256:" in entry, f"{path.name}: {match.group(1)} has no hash"
            result[normalized(match.group(1))] = match.group(2)
    return result


@pytest.mark.parametrize("name", LOCKS)
def test_the_lock_holds_every_top_level_pin_at_its_version(name: str) -> None:
    pins = top_level_pins(ROOT / f"{name}.txt")
    lock = locked(ROOT / f"{name}.lock")
    assert {k: lock.get(k) for k in pins} == pins, "run bash scripts/lock.sh after changing the pins"
    assert len(lock) > len(pins), "the transitive packages are locked too"


def test_runtime_and_dev_locks_agree() -> None:
    runtime, dev = locked(ROOT / "requirements.lock"), locked(ROOT / "requirements-dev.lock")
    assert {k: dev.get(k) for k in runtime} == runtime


def test_install_uses_the_locks_with_hashes_required() -> None:
    script = (ROOT / "scripts" / "install.sh").read_text()
    assert "--require-hashes" in script
    assert "requirements.lock" in script and "requirements-dev.lock" in script
    assert "requirements-checkov.lock" in script and ".venv-checkov" in script


def test_lock_script_writes_every_lock() -> None:
    loop = re.search(r"^for name in (.+); do$", (ROOT / "scripts" / "lock.sh").read_text(), re.MULTILINE)
    assert loop, "scripts/lock.sh: for name in ...; do"
    assert loop.group(1).split() == LOCKS


def test_checkov_keeps_to_its_own_environment() -> None:
    # checkov 3.3.30 requires packaging<24 and the pinned Pulumi SDK packaging>=26.
    checkov, dev = locked(ROOT / "requirements-checkov.lock"), locked(ROOT / "requirements-dev.lock")
    assert "checkov" not in dev and "pulumi" not in checkov
