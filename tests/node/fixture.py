"""Session-wide fixtures of the node tests (tests/node/conftest.py): the one-node cluster, and
the stack deployed onto it by the real engine with the test broker as its Kafka."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.node.cluster import Node, start, stop
from tests.node.deployment import Deployment, deploy


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


@pytest.fixture(scope="session")
def deployed(tmp_path_factory: pytest.TempPathFactory, node: Node) -> Iterator[Deployment]:
    """The stack, up once per session; the day-two tests change it after the first-up tests."""
    with deploy(node, tmp_path_factory.mktemp("node-stack")) as deployment:
        yield deployment
