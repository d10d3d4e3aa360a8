"""The stack deployed onto the one-node cluster by the real engine: ``pulumi up`` of an
existing-cluster stack waits for real pods. Every pod becomes Ready (ZooKeeper from the test
chart, the JobManager's init containers and start step, the TaskManager), the port-patcher
sidecar patches its Service from inside its pod with its own token, the TaskManager
registers with the JobManager through that Service and kube-proxy, the UI answers through
``kubectl port-forward``, the reference job in the pods reads the input topic of the test
broker (on the bridge address) and writes every count to the output topic, and a second
``up`` has no changes.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
import urllib.request

from tests.engine.test_existing_cluster import OWN_OUTPUTS
from tests.integration.kafka_accounting import account
from tests.integration.load_schedule import phase_line, run_schedule
from tests.node.cluster import Node
from tests.node.deployment import Deployment
from tests.node.flink_pods import pods
from tests.node.stack import NS, STACK
from tests.ports import free_port

# A short run through the pods: 100 events/s to warm up, then 200 events/s for 10 s.
WARMUP = (100, 5)
SCHEDULE = [(200, 10)]


def all_ready(pod: dict) -> bool:
    statuses = pod.get("status", {}).get("containerStatuses", [])
    return bool(statuses) and all(s.get("ready") for s in statuses)


def test_up_waits_for_every_pod_to_be_ready(deployed: Deployment, node: Node) -> None:
    up = deployed.first_up
    assert up.ok, up.stderr
    print(f"node_up_s={deployed.first_up_s:.1f}")
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


def test_the_sidecar_patched_the_service_from_its_pod(deployed: Deployment, node: Node) -> None:
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


def test_the_taskmanager_registered_and_the_ui_answers_through_port_forward(deployed: Deployment, node: Node) -> None:
    outputs = json.loads(deployed.project.cli("stack", "output", "--json", "--stack", STACK).stdout)
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


def test_records_flow_through_the_pods_with_the_right_counts(deployed: Deployment, node: Node) -> None:
    pipeline = deployed.pipeline
    result = run_schedule(pipeline, SCHEDULE, warmup=WARMUP)
    for phase in result.phases:
        print(f"through the pods: {phase_line(phase)}")
    whole = account(result.events, result.records, result.started_ms, result.ended_ms)
    assert whole.events_in >= 0.9 * sum(rate * seconds for rate, seconds in SCHEDULE)
    assert whole.lost == 0, "every input event is counted"
    assert whole.overcounted == 0
    assert whole.counted == whole.events_in
    env = {**os.environ, "KUBECONFIG": str(node.kubeconfig)}
    for component in ("jobmanager", "taskmanager"):
        name = pods(node.admin, component)[0]["metadata"]["name"]
        logs = subprocess.run(
            ["kubectl", "-n", NS, "logs", name, "-c", "flink"], capture_output=True, text=True, env=env, timeout=60
        )
        assert logs.returncode == 0 and logs.stdout, logs.stderr
        assert pipeline.listen.key not in logs.stdout and pipeline.send.key not in logs.stdout, component


def test_a_second_up_has_no_changes(deployed: Deployment) -> None:
    again = deployed.project.run(STACK, "preview")
    assert again.ok, again.stderr
    ops = again.ops()
    assert ops.pop(OWN_OUTPUTS) == "read"  # the stack reads its own last outputs in every run
    changed = {name: op for name, op in ops.items() if op != "same"}
    assert not changed, changed
