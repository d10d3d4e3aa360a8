"""The session-wide control plane for pytest (exposed as ``control_plane`` in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.controlplane.cluster import ControlPlane, start


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    """A running control plane, started once per test session and stopped at its end."""
    plane = start(tmp_path_factory.mktemp("controlplane"))
    rss = ", ".join(f"{name} {mib:.0f} MiB" for name, mib in plane.rss_mib().items())
    print(f"\ncontrol plane up in {plane.startup_s:.1f} s; RSS {rss}")
    try:
        yield plane
    finally:
        plane.stop()
