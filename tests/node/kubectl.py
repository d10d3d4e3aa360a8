"""``kubectl`` against the node, as a user runs it: through the API server and the kubelet."""

from __future__ import annotations

import os
import subprocess

from tests.node.cluster import Node


def kubectl(node: Node, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KUBECONFIG": str(node.kubeconfig)}
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, env=env, timeout=timeout, check=False)
