"""An existing-cluster stack on the local control plane, by the real CLI, engine and provider.

One stack goes through its life in order (the tests of this module share it): ``up``
creates every object and the provider's await logic sees the rollouts complete (kwok's
simulated nodes run the pods); a preview right after has no changes; scaling the
TaskManagers updates in place; the outputs read back; the state holds no secret in
plain text; the sidecar's rpc port survives ``up``, ``refresh`` and ``preview``;
``protect`` stops ``destroy``; ``destroy`` removes everything.

The cluster "exists" before the stack: the test creates the storage classes and a
volume for the RWX claim, as a cluster admin would (nothing provisions volumes on
simulated nodes). ZooKeeper comes from the fixture chart in ``charts/zookeeper``
(the OCI registry cannot be reached here), installed by the provider's Helm release.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from components.flink import port_patcher
from tests.controlplane.client import JSON_PATCH, KubeClient
from tests.engine.project import EngineProject, Run
from tests.engine.storage import RWO_CLASS, RWX_CLASS, create_shared_volume, ensure_storage_classes

STACK = "local"
NS = "flink"
CHART = Path(__file__).with_name("charts") / "zookeeper"
INPUT_JAAS = (
    'org.apache.kafka.common.security.plain.PlainLoginModule required username="$ConnectionString" '
    'password="Endpoint=sb://in.example/;SharedAccessKeyName=listen;SharedAccessKey=InputKey0123456789abcdef=";'
)
OUTPUT_JAAS = INPUT_JAAS.replace("InputKey", "OutputKey").replace("listen", "send")
JOBMANAGER_SERVICE = "/api/v1/namespaces/flink/services/flink-jobmanager"
SIDECAR_PORT = 43210
# The stack reads its own last outputs (the state-impact statement): a read in every run.
OWN_OUTPUTS = "pulumi:pulumi:StackReference::deployed"
TIMINGS: dict[str, float] = {}


def stack_config(task_managers: int, protect: bool) -> dict[str, Any]:
    return {
        "flink-aks:target": {
            "cluster": "existing",
            "kubeconfig": "secret",
            "kafka": {
                "bootstrapServers": "kafka.example.internal:9093",
                "inputTopic": "input",
                "outputTopic": "output",
                "consumerGroup": "flink",
                "partitions": 4,
            },
        },
        "flink-aks:protect": protect,
        "flink-aks:zookeeper": {"chart": str(CHART), "chartVersion": "0.1.0", "replicas": 1, "storageClass": RWO_CLASS},
        "flink-aks:flink": {"taskManagers": task_managers, "storageClass": RWX_CLASS, "storageSize": "1Gi"},
    }


def exists(kube: KubeClient, path: str) -> bool:
    answer = kube.request("GET", path)
    assert answer.ok or answer.status == 404, answer
    return answer.ok


def create(kube: KubeClient, path: str, body: dict[str, Any]) -> None:
    kube.must("POST", path, body)


def prepare_cluster(kube: KubeClient) -> None:
    """What the cluster's admin provides: storage classes and a volume the claim can bind."""
    ensure_storage_classes(kube)
    create_shared_volume(kube, "flink-data-volume", {"path": "/srv/flink-data"})


def timed(name: str, run: Run, started: float) -> Run:
    TIMINGS[name] = time.monotonic() - started
    print(f"engine_{name}_s={TIMINGS[name]:.1f}")
    return run


@pytest.fixture(scope="module")
def cluster(control_plane: Any) -> KubeClient:
    kube: KubeClient = control_plane.admin
    prepare_cluster(kube)
    return kube


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, engine_home: Path, cluster: KubeClient, control_plane: Any
) -> Iterator[tuple[EngineProject, Run]]:
    project = EngineProject(tmp_path_factory.mktemp("engine"), engine_home, {"KUBECONFIG": "/nonexistent"})
    project.write_stack(STACK, stack_config(task_managers=1, protect=False))
    project.init(STACK)
    project.set_secret(STACK, "flink-aks:kubeconfig", Path(control_plane.kubeconfig).read_text())
    project.set_secret(STACK, "flink-aks:kafkaInputJaasConfig", INPUT_JAAS)
    project.set_secret(STACK, "flink-aks:kafkaOutputJaasConfig", OUTPUT_JAAS)
    started = time.monotonic()
    up = timed("up", project.run(STACK, "up"), started)
    yield project, up
    project.write_stack(STACK, stack_config(task_managers=2, protect=False))
    project.run(STACK, "destroy")  # whatever a failed test left behind


def test_up_creates_every_object_and_awaits_the_rollouts(
    deployed: tuple[EngineProject, Run], cluster: KubeClient
) -> None:
    _, up = deployed
    assert up.ok, up.stderr
    ops = up.ops()
    assert ops.pop(OWN_OUTPUTS) == "read"
    assert set(ops.values()) == {"create"}, ops
    for kind in ("ConfigMap", "Secret", "PersistentVolumeClaim", "Service", "Deployment", "ServiceAccount"):
        assert any(f"/v1:{kind}::" in k for k in ops), (kind, ops)
    assert "kubernetes:helm.sh/v3:Release::zookeeper-release" in ops
    for name, replicas in (("flink-jobmanager", 1), ("flink-taskmanager", 1)):
        status = cluster.get(f"/apis/apps/v1/namespaces/{NS}/deployments/{name}")["status"]
        assert status.get("availableReplicas") == replicas, status
    assert cluster.get(f"/api/v1/namespaces/{NS}/persistentvolumeclaims/flink-data")["status"]["phase"] == "Bound"
    assert cluster.get(f"/apis/apps/v1/namespaces/{NS}/statefulsets/zookeeper")["status"].get("readyReplicas") == 1
    assert exists(cluster, f"/api/v1/namespaces/{NS}/secrets/sh.helm.release.v1.zookeeper.v1")


def test_preview_right_after_up_has_no_changes(deployed: tuple[EngineProject, Run]) -> None:
    project, _ = deployed
    preview = project.run(STACK, "preview", "--expect-no-changes")
    assert preview.ok, preview.stderr


def test_outputs_read_back(deployed: tuple[EngineProject, Run]) -> None:
    project, _ = deployed
    outputs = json.loads(project.cli("stack", "output", "--json", "--stack", STACK).stdout)
    assert outputs["namespace"] == NS
    assert outputs["kafkaBootstrapServers"] == "kafka.example.internal:9093"
    assert outputs["inputTopic"] == "input" and outputs["outputTopic"] == "output"
    assert outputs["zookeeperConnect"] == "zookeeper-0.zookeeper-headless.flink.svc.cluster.local:2181"
    assert outputs["flinkUiUrl"] == "http://localhost:8081"
    assert outputs["kubeconfig"] == "[secret]"


def test_no_secret_in_plain_text_in_the_state(deployed: tuple[EngineProject, Run], control_plane: Any) -> None:
    project, _ = deployed
    state = project.state_file(STACK)
    assert "flink-kafka" in state  # the Secret is there, its values are not
    for secret in ("InputKey0123456789abcdef", "OutputKey0123456789abcdef", "SharedAccessKey="):
        assert secret not in state
    for line in Path(control_plane.kubeconfig).read_text().splitlines():
        if any(word in line for word in ("token:", "client-key-data:", "client-certificate-data:")):
            assert line.split(":", 1)[1].strip() not in state


def test_scaling_task_managers_updates_in_place(deployed: tuple[EngineProject, Run], cluster: KubeClient) -> None:
    project, _ = deployed
    project.write_stack(STACK, stack_config(task_managers=2, protect=False))
    preview = project.run(STACK, "preview")
    assert preview.ok, preview.stderr
    ops = preview.ops()
    assert ops.pop(OWN_OUTPUTS) == "read"
    assert not [k for k, op in ops.items() if op not in ("same", "update")], ops
    assert ops["kubernetes:apps/v1:Deployment::flink-taskmanager"] == "update"
    for name in ("flink-data", "flink-kafka", "flink-jobmanager-service", "flink-ui-service"):
        assert [op for k, op in ops.items() if k.endswith(f"::{name}")] == ["same"], (name, ops)
    up = project.run(STACK, "up")
    assert up.ok, up.stderr
    status = cluster.get(f"/apis/apps/v1/namespaces/{NS}/deployments/flink-taskmanager")["status"]
    assert status.get("availableReplicas") == 2, status


def test_the_sidecars_port_survives_up_refresh_and_preview(
    deployed: tuple[EngineProject, Run], cluster: KubeClient
) -> None:
    project, _ = deployed
    # The patch the sidecar sends (kwok runs no containers): add the rpc port, or move it.
    ports = port_patcher.service_ports(cluster.get(JOBMANAGER_SERVICE))
    named = port_patcher.find_named_port(ports, "rpc")
    patch = (
        port_patcher.build_add_patch(ports, "rpc", SIDECAR_PORT)
        if named is None
        else port_patcher.build_patch(named, "rpc", SIDECAR_PORT)
    )
    cluster.must(
        "PATCH",
        JOBMANAGER_SERVICE,
        patch,
        content_type=JSON_PATCH,
        params={"fieldManager": port_patcher.FIELD_MANAGER},
    )
    up = project.run(STACK, "up", "--label", "flink-jobmanager:engine-test=relabelled")
    assert up.ok, up.stderr
    assert project.run(STACK, "refresh", "--label", "flink-jobmanager:engine-test=relabelled").ok
    preview = project.run(STACK, "preview", "--expect-no-changes", "--label", "flink-jobmanager:engine-test=relabelled")
    assert preview.ok, preview.stderr
    service = cluster.get(JOBMANAGER_SERVICE)
    assert service["metadata"]["labels"]["engine-test"] == "relabelled"
    rpc = [p for p in service["spec"]["ports"] if p["name"] == "rpc"]
    assert [(p["port"], p["targetPort"]) for p in rpc] == [(SIDECAR_PORT, SIDECAR_PORT)]


def test_protect_stops_destroy_and_destroy_removes_everything(
    deployed: tuple[EngineProject, Run], cluster: KubeClient
) -> None:
    project, _ = deployed
    project.write_stack(STACK, stack_config(task_managers=2, protect=True))
    assert project.run(STACK, "up").ok
    refused = project.run(STACK, "destroy")
    assert not refused.ok
    assert "protected" in refused.stderr, refused.stderr
    assert exists(cluster, f"/api/v1/namespaces/{NS}/persistentvolumeclaims/flink-data")
    project.write_stack(STACK, stack_config(task_managers=2, protect=False))
    assert project.run(STACK, "up").ok
    started = time.monotonic()
    destroyed = timed("destroy", project.run(STACK, "destroy"), started)
    assert destroyed.ok, destroyed.stderr
    assert not exists(cluster, f"/api/v1/namespaces/{NS}")
    assert not exists(cluster, "/apis/apps/v1/namespaces/flink/deployments/flink-jobmanager")
    resources = json.loads(project.cli("stack", "export", "--stack", STACK).stdout)["deployment"].get("resources") or []
    assert [r["type"] for r in resources] == []
