"""The stack deployed onto the one-node cluster by the real engine: ``pulumi up`` of an
existing-cluster stack waits for real pods. Every pod becomes Ready (ZooKeeper from the test
chart, the JobManager's init containers and start step, the TaskManager), the port-patcher
sidecar patches its Service from inside its pod with its own token, the TaskManager
registers with the JobManager through that Service and kube-proxy, the UI answers through
``kubectl port-forward``, and a second ``up`` has no changes.

No Kafka broker is reachable from the pods yet (see docs/real-node.md): the job itself
restarts while it cannot reach its bootstrap servers; the cluster around it is real.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.controlplane.client import KubeClient
from tests.engine.build import ensure_engine
from tests.engine.project import EngineProject, Run
from tests.engine.test_existing_cluster import OWN_OUTPUTS
from tests.node import layout
from tests.node.cluster import Node
from tests.node.stack import JAAS, NS, STACK, prepare_cluster, stack_config
from tests.ports import free_port

# Nothing listens here: the job's Kafka clients retry (no broker reachable from pods yet).
BOOTSTRAP = f"{layout.GATEWAY}:9093"
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, node: Node) -> Iterator[tuple[EngineProject, Run]]:
    root = tmp_path_factory.mktemp("node-stack")
    prepare_cluster(node.admin, root / "flink-data")
    project = EngineProject(root, ensure_engine(), {"KUBECONFIG": "/nonexistent"})
    project.write_stack(STACK, stack_config(BOOTSTRAP))
    project.init(STACK)
    project.set_secret(STACK, "flink-aks:kubeconfig", Path(node.kubeconfig).read_text())
    for key, value in JAAS.items():
        project.set_secret(STACK, key, value)
    started = time.monotonic()
    up = project.run(STACK, "up")
    TIMINGS["up"] = time.monotonic() - started
    print(f"node_up_s={TIMINGS['up']:.1f}")
    yield project, up
    project.run(STACK, "destroy")


def pods(kube: KubeClient, component: str) -> list[dict]:
    selector = f"app.kubernetes.io/component={component}"
    return kube.get(f"/api/v1/namespaces/{NS}/pods?labelSelector={selector}")["items"]


def all_ready(pod: dict) -> bool:
    statuses = pod.get("status", {}).get("containerStatuses", [])
    return bool(statuses) and all(s.get("ready") for s in statuses)


def test_up_waits_for_every_pod_to_be_ready(deployed: tuple[EngineProject, Run], node: Node) -> None:
    _, up = deployed
    assert up.ok, up.stderr
    kube = node.admin
    everything = kube.get(f"/api/v1/namespaces/{NS}/pods")["items"]
    for pod in everything:
        statuses = pod["status"].get("containerStatuses", [])
        restarts = sum(s.get("restartCount", 0) for s in statuses)
        print(
            f"pod {pod['metadata']['name']} ready={all_ready(pod)} restarts={restarts} ip={pod['status'].get('podIP')}"
        )
    assert everything and all(all_ready(p) for p in everything), [p["metadata"]["name"] for p in everything]
    assert len(pods(kube, "jobmanager")) == 1 and len(pods(kube, "taskmanager")) == 1


def test_the_sidecar_patched_the_service_from_its_pod(deployed: tuple[EngineProject, Run], node: Node) -> None:
    service = node.admin.get(f"/api/v1/namespaces/{NS}/services/flink-jobmanager")
    ports = {p["name"]: p for p in service["spec"]["ports"]}
    rpc = ports["rpc"]
    assert rpc["port"] == rpc["targetPort"]
    jobmanager = pods(node.admin, "jobmanager")[0]["metadata"]["name"]
    env = {**os.environ, "KUBECONFIG": str(node.kubeconfig)}
    logs = subprocess.run(
        ["kubectl", "-n", NS, "logs", jobmanager, "-c", "port-patcher"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    print(f"sidecar: {logs.stdout.strip().splitlines()[:2]}")
    assert "action=patched" in logs.stdout or "action=unchanged" in logs.stdout, logs.stdout + logs.stderr


def test_the_taskmanager_registered_and_the_ui_answers_through_port_forward(
    deployed: tuple[EngineProject, Run], node: Node
) -> None:
    project, _ = deployed
    outputs = json.loads(project.cli("stack", "output", "--json", "--stack", STACK).stdout)
    command = shlex.split(outputs["portForwardCommand"])
    port = free_port()
    command = [part.replace("8081:8081", f"{port}:8081") for part in command]
    env = {**os.environ, "KUBECONFIG": str(node.kubeconfig)}
    forward = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        overview: dict = {}
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/overview", timeout=3) as answer:
                    overview = json.loads(answer.read())
                if overview.get("taskmanagers", 0) >= 1:
                    break
            except OSError:
                pass
            time.sleep(1)
        assert overview.get("taskmanagers", 0) >= 1, overview
        print(f"ui through port-forward: {overview}")
    finally:
        forward.terminate()
        forward.wait(10)


def test_a_second_up_has_no_changes(deployed: tuple[EngineProject, Run]) -> None:
    project, _ = deployed
    again = project.run(STACK, "preview")
    assert again.ok, again.stderr
    ops = again.ops()
    assert ops.pop(OWN_OUTPUTS) == "read"  # the stack reads its own last outputs in every run
    changed = {name: op for name, op in ops.items() if op != "same"}
    assert not changed, changed
