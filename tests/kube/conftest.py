"""Every test here applies the stack's objects to the local control plane."""

from __future__ import annotations

import pytest

from tests.controlplane.cluster import ControlPlane
from tests.kube import podmonitor_crd


@pytest.fixture(scope="session", autouse=True)
def pod_monitor_definition(control_plane: ControlPlane) -> None:
    """The stacks' PodMonitor needs its CRD, which on AKS the metrics add-on installs: a stand-in of ours."""
    podmonitor_crd.install(control_plane.admin)
