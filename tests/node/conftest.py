"""Fixtures of the node tests: the session's one-node cluster and the stack deployed onto it."""

from tests.node.fixture import deployed, node

__all__ = ["deployed", "node"]
