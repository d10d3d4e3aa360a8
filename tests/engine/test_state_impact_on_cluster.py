"""The whole program's state-impact statement on the local control plane, change by change.

As ``test_state_impact`` (the statement step alone, every kind), with the whole program:
an existing-cluster stack deployed by the real CLI, engine and kubernetes provider (file
backend) reads its own last outputs; each preview changes one setting and must say what
``up`` would do to the running job, and the Deployments' diffs must agree (the
TaskManager-only change leaves the JobManager's Deployment as it is). The tests share
the stack and run in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.controlplane.client import KubeClient
from tests.engine.project import EngineProject, Run
from tests.engine.storage import create_shared_volume, ensure_storage_classes
from tests.engine.test_existing_cluster import INPUT_JAAS, OUTPUT_JAAS, stack_config
from tests.engine.test_state_impact import NEW_ARGS, said

STACK = "impact-on-cluster"


def config(**flink: Any) -> dict[str, Any]:
    document = stack_config(task_managers=1, protect=False)
    document["flink-aks:flink"] = {**document["flink-aks:flink"], **flink}
    return document


def prepare_cluster(kube: KubeClient) -> None:
    """Storage classes (unless another module made them) and a volume of this module's own."""
    ensure_storage_classes(kube)
    create_shared_volume(kube, "flink-data-state-impact", {"path": "/srv/flink-data-state-impact"})


def preview(project: EngineProject, **flink: Any) -> Run:
    project.write_stack(STACK, config(**flink))
    return project.run(STACK, "preview")


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, engine_home: Path, control_plane: Any
) -> Iterator[tuple[EngineProject, Run]]:
    prepare_cluster(control_plane.admin)
    project = EngineProject(tmp_path_factory.mktemp("engine-impact"), engine_home, {"KUBECONFIG": "/nonexistent"})
    project.write_stack(STACK, config())
    project.init(STACK)
    project.set_secret(STACK, "flink-aks:kubeconfig", Path(control_plane.kubeconfig).read_text())
    project.set_secret(STACK, "flink-aks:kafkaInputJaasConfig", INPUT_JAAS)
    project.set_secret(STACK, "flink-aks:kafkaOutputJaasConfig", OUTPUT_JAAS)
    up = project.run(STACK, "up")
    yield project, up
    project.write_stack(STACK, config())
    project.run(STACK, "destroy")


def test_the_first_up_says_first_deployment_and_records_the_job(deployed: tuple[EngineProject, Run]) -> None:
    project, up = deployed
    assert said(up) == ("info", "first deployment: the job starts without state")
    outputs = json.loads(project.cli("stack", "output", "--json", "--stack", STACK).stdout)
    assert outputs["stateImpact"] == "first deployment: the job starts without state"
    assert outputs["flinkJob"]["upgradeMode"] == "last-state"
    assert len(outputs["flinkJob"]["fingerprint"]) == 32


def test_no_change_says_nothing(deployed: tuple[EngineProject, Run]) -> None:
    project, _ = deployed
    assert said(preview(project)) == ("info", "nothing: the running job is not touched")


def test_a_taskmanager_memory_change_says_taskmanagers_only(deployed: tuple[EngineProject, Run]) -> None:
    project, _ = deployed
    run = preview(project, taskManagerMemory="3g")
    severity, statement = said(run)
    assert severity == "info"
    assert statement.startswith("TaskManagers only: TaskManager pods restart; the JobManager keeps running")
    ops = run.ops()
    assert ops["kubernetes:apps/v1:Deployment::flink-taskmanager"] == "update"
    assert ops["kubernetes:apps/v1:Deployment::flink-jobmanager"] == "same"


def test_a_job_change_says_last_state_upgrade(deployed: tuple[EngineProject, Run]) -> None:
    project, _ = deployed
    severity, statement = said(preview(project, jobArgs=NEW_ARGS))
    assert severity == "info"
    assert statement.startswith("last-state upgrade: the new job graph starts from the latest completed checkpoint")
    assert "operator uids are not visible before start" in statement


def test_a_max_parallelism_change_is_refused_at_preview(deployed: tuple[EngineProject, Run]) -> None:
    project, _ = deployed
    run = preview(project, maxParallelism=256)
    assert not run.ok
    assert "refused: maxParallelism 128 -> 256 with upgradeMode last-state" in run.stderr, run.stderr


def test_a_job_change_with_a_switch_to_savepoint_mode_is_refused_by_the_start_step(
    deployed: tuple[EngineProject, Run],
) -> None:
    project, _ = deployed
    severity, statement = said(preview(project, jobArgs=NEW_ARGS, upgradeMode="savepoint"))
    assert severity == "warning"
    assert statement.startswith("refused: the running JobManager (upgradeMode last-state) takes no savepoint")


def test_the_mode_alone_restarts_the_jobmanager_then_a_job_change_is_a_savepoint_upgrade(
    deployed: tuple[EngineProject, Run],
) -> None:
    project, _ = deployed
    project.write_stack(STACK, config(upgradeMode="savepoint"))
    up = project.run(STACK, "up")
    severity, statement = said(up)
    assert (severity, statement.split(":")[0]) == ("info", "JobManager restart with recovery")
    assert up.ops()["kubernetes:apps/v1:Deployment::flink-jobmanager"] == "update"
    severity, statement = said(preview(project, jobArgs=NEW_ARGS, upgradeMode="savepoint"))
    assert severity == "info"
    assert statement.startswith(
        "savepoint upgrade: the running JobManager takes a savepoint before it stops and the new job graph starts"
    )
