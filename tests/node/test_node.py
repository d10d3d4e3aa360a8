"""The one-node cluster runs real containers: the node registers with the pinned version, a pod
runs as the Flink image's user with a read-only root, ``kubectl logs/exec`` reach the kubelet,
a Service routes through kube-proxy and resolves through cluster DNS, an exec liveness probe
restarts a container, a preStop hook runs before the container is stopped, and the broker's
image loads Kafka's classes as its user with a read-only root.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from components.flink.sidecar import PYTHON_IMAGE
from components.kafka_broker.image import KAFKA_IMAGE, KAFKA_LIBS, KAFKA_UID, KAFKA_VERSION
from tests.controlplane.client import KubeClient
from tests.controlplane.versions import KUBERNETES_VERSION
from tests.integration.flink_dist import FLINK_VERSION
from tests.node import containerd, layout
from tests.node.cluster import Node, NodeError, attach
from tests.node.images import catalogue
from tests.node.kubectl import kubectl

NS = "default"
PODS = f"/api/v1/namespaces/{NS}/pods"


def pod(name: str, image: str, command: list[str], **container: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "terminationGracePeriodSeconds": 5,
            "containers": [{"name": "main", "image": image, "command": command, **container}],
        },
    }


def phase(kube: KubeClient, name: str) -> dict[str, Any]:
    answer = kube.request("GET", f"{PODS}/{name}")
    return answer.body.get("status", {}) if answer.ok else {}


def wait_ready(kube: KubeClient, name: str, timeout_s: float = 90) -> None:
    def ready() -> bool:
        conditions = phase(kube, name).get("conditions", [])
        return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)

    kube.wait_for(f"pod {name} Ready", ready, timeout_s)


@pytest.fixture
def kube(node: Node) -> KubeClient:
    return node.admin


def test_another_process_attaches_to_the_running_node(node: Node, tmp_path: Path) -> None:
    """``bench --attach DIR``: the node started in DIR, found again from its recorded state."""
    attached = attach(node.workdir)
    assert attached.kubeconfig == node.kubeconfig and attached.processes == node.processes
    assert attached.admin.get(f"/api/v1/nodes/{layout.NODE_NAME}")["metadata"]["name"] == layout.NODE_NAME
    with pytest.raises(NodeError, match="no running node recorded"):
        attach(tmp_path)


def test_the_node_registers_ready_with_the_pinned_kubelet(kube: KubeClient) -> None:
    info = kube.get(f"/api/v1/nodes/{layout.NODE_NAME}")["status"]["nodeInfo"]
    assert info["kubeletVersion"] == KUBERNETES_VERSION
    assert info["kubeProxyVersion"] in ("", KUBERNETES_VERSION)
    assert info["containerRuntimeVersion"].startswith("containerd://")


def test_a_pod_runs_as_flink_with_a_read_only_root_and_kubectl_reaches_it(node: Node, kube: KubeClient) -> None:
    spec = pod(
        "flink-user",
        catalogue.FLINK_IMAGE,
        ["bash", "-c", "id; touch /opt/flink/x 2>&1 || true; exec sleep 3600"],
        securityContext={"runAsUser": 9999, "runAsGroup": 9999, "readOnlyRootFilesystem": True},
    )
    kube.must("POST", PODS, spec)
    wait_ready(kube, "flink-user")
    # Our image, found under the digest reference the stack renders: nothing was pulled.
    assert phase(kube, "flink-user")["containerStatuses"][0]["imageID"] == containerd.stored_name(catalogue.FLINK_IMAGE)
    kube.wait_for("its output", lambda: "Read-only file system" in kubectl(node, "logs", "flink-user").stdout, 30)
    logs = kubectl(node, "logs", "flink-user").stdout
    assert "uid=9999(flink) gid=9999(flink)" in logs
    listing = kubectl(node, "exec", "flink-user", "--", "ls", "/opt/flink/lib")
    assert listing.returncode == 0, listing.stderr
    assert f"flink-dist-{FLINK_VERSION}.jar" in listing.stdout
    kube.must("DELETE", f"{PODS}/flink-user")


def test_the_kafka_image_runs_the_broker_classes_as_appuser_with_a_read_only_root(node: Node, kube: KubeClient) -> None:
    """What the broker's pod relies on: ``/bin/sh``, ``java`` on PATH, the jars in KAFKA_LIBS, uid 1000."""
    java = f"java -cp '{KAFKA_LIBS}/*'"
    spec = pod(
        "kafka-classes",
        KAFKA_IMAGE,
        [
            "/bin/sh",
            "-c",
            f"set -e; id; {java} kafka.Kafka --version; {java} kafka.tools.StorageTool random-uuid",
        ],
        securityContext={"runAsUser": KAFKA_UID, "runAsGroup": KAFKA_UID, "readOnlyRootFilesystem": True},
        volumeMounts=[{"name": "tmp", "mountPath": "/tmp"}],
    )
    spec["spec"] |= {"restartPolicy": "Never", "volumes": [{"name": "tmp", "emptyDir": {}}]}
    kube.must("POST", PODS, spec)
    kube.wait_for("the pod's end", lambda: phase(kube, "kafka-classes").get("phase") in ("Succeeded", "Failed"), 120)
    status = phase(kube, "kafka-classes")
    logs = kubectl(node, "logs", "kafka-classes").stdout
    assert status["phase"] == "Succeeded", logs
    assert status["containerStatuses"][0]["imageID"] == containerd.stored_name(KAFKA_IMAGE)  # nothing pulled
    lines = logs.splitlines()
    assert f"uid={KAFKA_UID}(appuser) gid={KAFKA_UID}(appuser)" in lines[0]
    assert KAFKA_VERSION in lines, logs
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", lines[-1]), logs  # a cluster id: 16 bytes, URL-safe base64
    kube.must("DELETE", f"{PODS}/kafka-classes")


def test_a_service_routes_through_kube_proxy_and_resolves_by_cluster_dns(node: Node, kube: KubeClient) -> None:
    server = pod("web", PYTHON_IMAGE, ["python3", "-m", "http.server", "8080"])
    server["spec"]["containers"][0]["readinessProbe"] = {"tcpSocket": {"port": 8080}, "periodSeconds": 1}
    kube.must("POST", PODS, server)
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
    }
    kube.must("POST", f"/api/v1/namespaces/{NS}/services", service)
    wait_ready(kube, "web")
    fetch = "import urllib.request as u; print(u.urlopen('http://web.default.svc.cluster.local', timeout=5).status)"
    deadline = time.monotonic() + 30
    while True:  # kube-proxy writes the rules a moment after the endpoints appear
        answer = kubectl(node, "exec", "web", "--", "python3", "-c", fetch)
        if answer.stdout.strip() == "200" or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert answer.stdout.strip() == "200", answer.stderr
    kube.must("DELETE", f"/api/v1/namespaces/{NS}/services/web")
    kube.must("DELETE", f"{PODS}/web")


def test_a_failing_exec_liveness_probe_restarts_the_container(kube: KubeClient) -> None:
    spec = pod(
        "unhealthy",
        PYTHON_IMAGE,
        ["sleep", "3600"],
        livenessProbe={"exec": {"command": ["false"]}, "periodSeconds": 1, "failureThreshold": 2},
    )
    kube.must("POST", PODS, spec)

    def restarted() -> bool:
        statuses = phase(kube, "unhealthy").get("containerStatuses", [])
        return bool(statuses) and statuses[0].get("restartCount", 0) >= 1

    kube.wait_for("a restart by the liveness probe", restarted, 60)
    kube.must("DELETE", f"{PODS}/unhealthy")


def test_the_pre_stop_hook_runs_before_the_container_stops(node: Node, kube: KubeClient) -> None:
    spec = pod(
        "hooked",
        PYTHON_IMAGE,
        ["bash", "-c", "trap 'echo TERM; exit 0' TERM; while :; do sleep 0.2; done"],
        lifecycle={"preStop": {"exec": {"command": ["bash", "-c", "echo hook > /tmp/pre-stop-ran; sleep 2"]}}},
    )
    kube.must("POST", PODS, spec)
    wait_ready(kube, "hooked")
    kube.must("DELETE", f"{PODS}/hooked")
    kube.wait_for(
        "the hook's file",
        lambda: kubectl(node, "exec", "hooked", "--", "cat", "/tmp/pre-stop-ran").stdout.strip() == "hook",
        10,
    )
