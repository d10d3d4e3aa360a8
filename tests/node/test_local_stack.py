"""The shipped ``local`` stack, as a new user runs it: ``bash scripts/stack.sh local up`` in a
fresh copy of the project, no context named, so the script takes the one-node cluster (this
session's, attached through ``.local/node``) and the engine built here (no CLI can be
downloaded). The whole pipeline runs in the pods: the stack's own Kafka broker, ZooKeeper,
Flink with the reference job; events written in the cluster come out counted exactly; the UI
answers through ``portForwardCommand``; a preview after ``up`` has no changes; no secret of
the stack is in plain text in its file, its state, its outputs or the pods' logs.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.kafka_broker.image import KAFKA_LIBS
from components.kafka_broker.spec import LOCAL_PORT
from infra.local.stack_file import INPUT_TOPIC, OUTPUT_TOPIC
from infra.ops.job_image import REFERENCE_JOB_JAR
from tests.integration.kafka_pipeline import InputEvent, OutputRecord, iso_ms
from tests.node.cluster import Node
from tests.node.flink_pods import NS, pods
from tests.node.kubectl import kubectl
from tests.node.local import volumes
from tests.node.window_counts import window_mismatches
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "local-stack-test-passphrase"
RATE, SECONDS = 100, 12  # events/s written by the reference job's generator, inside the cluster
SCRIPT_TIMEOUT_S = 1200  # the first run may build the engine
CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer"


@dataclass
class LocalStack:
    project: Path
    up: subprocess.CompletedProcess[str]
    up_s: float

    def script(self, *args: str, timeout: float = SCRIPT_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE}
        for name in ("KUBE_CONTEXT", "JOB_IMAGE", "PULUMI_BACKEND_URL", "PULUMI_HOME", "KUBECONFIG"):
            env.pop(name, None)
        return subprocess.run(
            ["bash", "scripts/stack.sh", "local", *args],
            cwd=self.project,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def secrets(self) -> dict[str, str]:
        """Every secret of the stack file, decrypted by the CLI."""
        got = self.script("config", "--show-secrets", "--json", timeout=300)
        assert got.returncode == 0, got.stderr
        config = json.loads(got.stdout)
        return {name: entry["value"] for name, entry in config.items() if entry.get("secret")}


def fresh_copy(target: Path) -> Path:
    """The project's tracked files, as a clone has them; the virtualenvs linked."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in listed.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    for linked in ("venv", ".venv-checkov"):
        if (ROOT / linked).exists():
            (target / linked).symlink_to(ROOT / linked)
    return target


@pytest.fixture(scope="module")
def local_stack(node: Node, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    project = fresh_copy(tmp_path_factory.mktemp("local-project"))
    (project / ".local").mkdir()
    (project / ".local" / "node").symlink_to(node.workdir)  # the session's node, where the script looks
    stack = LocalStack(project, subprocess.CompletedProcess([], 0), 0.0)
    began = time.monotonic()
    stack.up = stack.script("up", "--yes")
    stack.up_s = time.monotonic() - began
    try:
        yield stack
    finally:
        destroyed = stack.script("destroy", "--yes")
        print(f"local stack destroyed: exit {destroyed.returncode}\n{destroyed.stderr[-2000:]}")
        for name, *_ in volumes():
            node.admin.request("DELETE", f"/api/v1/persistentvolumes/{name}")


def test_up_deploys_the_whole_pipeline_with_every_pod_ready(local_stack: LocalStack, node: Node) -> None:
    assert local_stack.up.returncode == 0, local_stack.up.stdout[-3000:] + local_stack.up.stderr[-3000:]
    print(f"local stack up in {local_stack.up_s:.1f} s (script start to exit)")
    stack_file = (local_stack.project / "Pulumi.local.yaml").read_text()
    assert "flink-aks-test" in stack_file and "inCluster: true" in stack_file
    assert stack_file.count("secure: v1:") == 3 and "PRIVATE KEY" not in stack_file
    every = node.admin.get(f"/api/v1/namespaces/{NS}/pods")["items"]
    ready = {p["metadata"]["name"]: all(c["ready"] for c in p["status"].get("containerStatuses", [])) for p in every}
    print(f"pods: {ready}")
    assert all(ready.values())
    kinds = sorted(name if name.endswith("-0") else name.rsplit("-", 2)[0] for name in ready)
    assert kinds == ["flink-jobmanager", "flink-taskmanager", "kafka-0", "zookeeper-0"]


def test_the_ui_answers_through_the_port_forward_command(local_stack: LocalStack, node: Node) -> None:
    output = local_stack.script("stack", "output", "portForwardCommand", timeout=300)
    assert output.returncode == 0, output.stderr
    port = free_port()
    command = [part.replace("8081:8081", f"{port}:8081") for part in shlex.split(output.stdout.strip())]
    env = {**os.environ, "KUBECONFIG": str(node.kubeconfig)}
    forward = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        jobs: list[dict[str, str]] = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/jobs/overview", timeout=3) as answer:
                    jobs = json.loads(answer.read())["jobs"]
                if jobs and jobs[0]["state"] == "RUNNING":
                    break
            except OSError:
                pass
            time.sleep(1)
        print(f"ui through port-forward: {[(j['name'], j['state']) for j in jobs]}")
        assert [j["state"] for j in jobs] == ["RUNNING"]
        assert f"{INPUT_TOPIC} -> per-second counts -> {OUTPUT_TOPIC}" in jobs[0]["name"]
    finally:
        forward.terminate()
        forward.wait(10)


def _topic(node: Node, topic: str) -> list[dict[str, object]]:
    """Every record of ``topic``, read in the broker's pod on its loopback listener."""
    read = kubectl(
        node,
        *("-n", NS, "exec", "kafka-0", "--", "java", "-cp", f"{KAFKA_LIBS}/*", CONSOLE_CONSUMER),
        *(
            "--bootstrap-server",
            f"127.0.0.1:{LOCAL_PORT}",
            "--topic",
            topic,
            "--from-beginning",
            "--timeout-ms",
            "5000",
        ),
        timeout=120,
    )
    assert read.returncode == 0, read.stderr[-2000:]
    return [json.loads(line) for line in read.stdout.splitlines() if line.startswith("{")]


def test_events_written_in_the_cluster_are_counted_exactly(local_stack: LocalStack, node: Node) -> None:
    jobmanager = pods(node.admin, "jobmanager")[0]["metadata"]["name"]
    classpath = f"/opt/flink/lib/*:{REFERENCE_JOB_JAR}"
    generated = kubectl(
        node,
        *("-n", NS, "exec", jobmanager, "-c", "flink", "--", "java", "-cp", classpath, "flinkaks.reference.Generator"),
        *("--producer-config", "/opt/flink/kafka/output.properties", "--topic", INPUT_TOPIC),
        *("--rate", str(RATE), "--seconds", str(SECONDS)),
        timeout=120,
    )
    assert generated.returncode == 0, generated.stdout[-2000:] + generated.stderr[-2000:]
    print(generated.stdout.strip().splitlines()[-1])
    events = [InputEvent(str(v["deviceId"]), iso_ms(str(v["createdAt"]))) for v in _topic(node, INPUT_TOPIC)]
    assert len(events) >= RATE * (SECONDS - 1)
    first = min(e.event_ms for e in events) // 1000 * 1000 + 1000
    last = max(e.event_ms for e in events) // 1000 * 1000 - 2000  # the newest seconds may not have fired
    mismatches: list[str] = ["not read yet"]
    deadline = time.monotonic() + 90
    while mismatches and time.monotonic() < deadline:
        records = [
            OutputRecord(str(v["deviceId"]), iso_ms(str(v["windowStart"])), int(str(v["count"])), 0, 0)
            for v in _topic(node, OUTPUT_TOPIC)
        ]
        mismatches = window_mismatches(events, records, first, last)
    counted = sum(1 for e in events if first <= e.event_ms < last)
    print(
        f"local stack: {len(events)} events in, {counted} in the {(last - first) // 1000} checked seconds, "
        f"mismatches={len(mismatches)}"
    )
    assert mismatches == [] and counted > 0


def test_the_broker_keeps_its_topics_when_its_pod_is_deleted(local_stack: LocalStack, node: Node) -> None:
    before = len(_topic(node, INPUT_TOPIC))
    uid = node.admin.get(f"/api/v1/namespaces/{NS}/pods/kafka-0")["metadata"]["uid"]
    began = time.monotonic()
    assert kubectl(node, "-n", NS, "delete", "pod", "kafka-0", "--wait=true", timeout=120).returncode == 0
    waited = kubectl(node, "-n", NS, "wait", "--for=condition=Ready", "pod/kafka-0", "--timeout=120s", timeout=150)
    assert waited.returncode == 0, waited.stderr
    print(f"broker pod deleted -> Ready again in {time.monotonic() - began:.1f} s")
    assert node.admin.get(f"/api/v1/namespaces/{NS}/pods/kafka-0")["metadata"]["uid"] != uid
    assert "formatting" not in kubectl(node, "-n", NS, "logs", "kafka-0").stdout  # the claim kept its data
    assert len(_topic(node, INPUT_TOPIC)) == before > 0


def test_a_second_run_has_no_changes_and_no_secret_is_in_plain_text(local_stack: LocalStack, node: Node) -> None:
    preview = local_stack.script("preview", "--expect-no-changes")
    assert preview.returncode == 0, preview.stdout[-3000:] + preview.stderr[-3000:]
    values = local_stack.secrets()
    assert sorted(values) == [
        "flink-aks:kafkaBrokerKey",
        "flink-aks:kafkaInputPassword",
        "flink-aks:kafkaOutputPassword",
    ]
    secrets = [values["flink-aks:kafkaInputPassword"], values["flink-aks:kafkaOutputPassword"]]
    key_line = values["flink-aks:kafkaBrokerKey"].splitlines()[1]
    assert all(len(s) >= 24 for s in secrets) and len(key_line) > 20
    outputs = local_stack.script("stack", "output", "--json", timeout=300)
    places = {
        "the stack file": (local_stack.project / "Pulumi.local.yaml").read_text(),
        "the state": "".join(p.read_text() for p in (local_stack.project / ".pulumi-state").rglob("*.json")),
        "the outputs": outputs.stdout,
        "the up and preview output": local_stack.up.stdout + preview.stdout,
    }
    for pod in node.admin.get(f"/api/v1/namespaces/{NS}/pods")["items"]:
        for container in pod["spec"]["containers"]:
            logs = kubectl(node, "-n", NS, "logs", pod["metadata"]["name"], "-c", container["name"])
            places[f"{pod['metadata']['name']}/{container['name']} log"] = logs.stdout
        places[f"{pod['metadata']['name']} spec"] = json.dumps(pod["spec"])
    for config_map in node.admin.get(f"/api/v1/namespaces/{NS}/configmaps")["items"]:
        places[f"ConfigMap {config_map['metadata']['name']}"] = json.dumps(config_map.get("data", {}))
    for place, text in places.items():
        for secret in (*secrets, key_line):
            assert secret not in text, f"a secret in {place}"
    assert len(places["the state"]) > 1000
