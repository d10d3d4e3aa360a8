"""The JobManager's liveness probe seen from the host: its command as the live pod renders it,
run through ``kubectl exec``, and the kubelet's ``Unhealthy`` events when it failed.

The kubelet records a failed probe as a Warning event on the pod, reason ``Unhealthy``,
message ``Liveness probe failed: <the probe's output>``; repeats of one message are counted
on one event (``count``, ``lastTimestamp``), its ``firstTimestamp`` the first failure.
"""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import datetime
from typing import Any

from tests.controlplane.client import KubeClient
from tests.node.cluster import Node
from tests.node.kubectl import kubectl
from tests.node.stack import NS

CONTAINER = "flink"
FAILED = "Liveness probe failed"
EXEC_TIMEOUT_S = 60.0


@dataclasses.dataclass(frozen=True)
class Failure:
    """One event of failed liveness probes of a container."""

    message: str
    first_s: float  # the first failure, seconds since the epoch (the kubelet's clock, whole seconds)
    count: int
    type: str


def command(pod: dict[str, Any]) -> list[str]:
    """The flink container's liveness probe command, as the live pod object holds it."""
    container = next(c for c in pod["spec"]["containers"] if c["name"] == CONTAINER)
    exec_command: list[str] = container["livenessProbe"]["exec"]["command"]
    return exec_command


def run(node: Node, pod: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """The liveness probe's command run in the flink container now (``kubectl exec``)."""
    name = pod["metadata"]["name"]
    return kubectl(node, "exec", "-n", NS, name, "-c", CONTAINER, "--", *command(pod), timeout=EXEC_TIMEOUT_S)


def failures(kube: KubeClient, pod: dict[str, Any]) -> list[Failure]:
    """The pod's failed liveness probes of the flink container, oldest first."""
    selector = f"involvedObject.uid={pod['metadata']['uid']},reason=Unhealthy"
    events = kube.get(f"/api/v1/namespaces/{NS}/events?fieldSelector={selector}")["items"]
    found = [
        Failure(e.get("message", ""), _seconds(e), int(e.get("count") or 1), e.get("type", ""))
        for e in events
        if e.get("message", "").startswith(FAILED)
        and e.get("involvedObject", {}).get("fieldPath") == f"spec.containers{{{CONTAINER}}}"
    ]
    return sorted(found, key=lambda f: f.first_s)


def _seconds(event: dict[str, Any]) -> float:
    stamp = event.get("firstTimestamp") or event.get("eventTime") or event["metadata"]["creationTimestamp"]
    return datetime.fromisoformat(str(stamp)).timestamp()
