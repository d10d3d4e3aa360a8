"""Fixtures shared by every test directory."""

from tests.controlplane.fixture import control_plane

__all__ = ["control_plane"]
