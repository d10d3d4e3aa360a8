"""Fixtures of the node tests: the session's one-node cluster."""

from tests.node.fixture import node

__all__ = ["node"]
