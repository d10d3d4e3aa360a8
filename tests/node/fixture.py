"""The session-wide one-node cluster for pytest (``node`` fixture; tests/node/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.node.cluster import Node, start, stop


@pytest.fixture(scope="session")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A running node, started once per test session and stopped (host restored) at its end."""
    workdir = tmp_path_factory.mktemp("node")
    started = start(workdir)
    print(f"\none-node cluster up in {started.startup_s:.1f} s")
    try:
        yield started
    finally:
        stop(workdir)
