"""Integration tests: real ZooKeeper, Flink and sidecar processes (see scenario.py).

They run by default. A missing prerequisite (Java 17, Debian's zookeeper package, the
Flink jars from PyPI) fails them with a message naming what to install: ``bash
scripts/test.sh`` installs everything.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "integration: starts real ZooKeeper/Flink/sidecar processes (slow; run in CI)")
