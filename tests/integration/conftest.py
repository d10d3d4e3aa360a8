"""Integration tests: real ZooKeeper, Flink, Kafka and sidecar processes (scenario.py, kafka_pipeline.py).

They run by default. A missing prerequisite (Java 17, Debian's zookeeper package, Maven,
the Flink jars from PyPI) fails them with a message naming what to install: ``bash
scripts/test.sh`` installs everything.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "integration: real ZooKeeper/Flink/Kafka/sidecar processes (slow; run in CI)")
