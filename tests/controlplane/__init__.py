"""A local Kubernetes control plane for the tests (see cluster.py and the README).

    from tests.controlplane import start
    plane = start(workdir)          # plane.kubeconfig, plane.server, plane.admin (a client)
    plane.stop()

``python -m tests.controlplane build|start|stop`` does the same from a shell.
"""

from tests.controlplane.build import ensure_binaries
from tests.controlplane.cluster import ControlPlane, ControlPlaneError, start, stop

__all__ = ["ControlPlane", "ControlPlaneError", "ensure_binaries", "start", "stop"]
