"""What the integration tests need on the machine, checked with one clear message.

Missing prerequisites fail the tests (never skip them): CI must run them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

INSTALL_HINT = "`bash scripts/test.sh` installs it (Debian packages openjdk-17-jdk-headless, zookeeper and maven)"
ZOOKEEPER_JAR = Path("/usr/share/java/zookeeper.jar")


class MissingPrerequisiteError(RuntimeError):
    """A tool or package the integration tests need is not installed."""


def require_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise MissingPrerequisiteError(f"`{name}` not found on PATH: {INSTALL_HINT}")
    return found


def require_zookeeper_jar() -> Path:
    if not ZOOKEEPER_JAR.is_file():
        raise MissingPrerequisiteError(f"{ZOOKEEPER_JAR} not found (Debian's zookeeper package): {INSTALL_HINT}")
    return ZOOKEEPER_JAR
