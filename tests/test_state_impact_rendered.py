"""The rendered stack's ``flinkJob`` record and ``stateImpact`` statement, setting by setting.

Each change is rendered next to the dev stack as it is, and the two records go through
``state_impact``: what a preview of that change would say against the deployed dev stack.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.flink.state_impact import DeployedJob, Kind, state_impact
from tests.rendering import k8s_object, render


def record(**flink: Any) -> DeployedJob:
    return DeployedJob.from_output(render("dev", flink=flink).outputs["flinkJob"])


def test_a_stack_never_deployed_says_first_deployment() -> None:
    outputs = render("dev").outputs
    assert outputs["stateImpact"] == "first deployment: the job starts without state"
    assert set(outputs["flinkJob"]) == {
        "fingerprint",
        "jobManagerPod",
        "taskManagerPod",
        "taskManagers",
        "parallelism",
        "maxParallelism",
        "upgradeMode",
        "savepointFallback",
    }


def test_the_record_carries_the_fingerprint_the_start_step_compares() -> None:
    rendering = render("dev")
    pod = k8s_object(rendering, "Deployment", "flink-jobmanager")["spec"]["template"]
    env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0]["env"]}
    assert rendering.outputs["flinkJob"]["fingerprint"] == env["JOB_FINGERPRINT"]


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({}, Kind.NOTHING),
        ({"taskManagerMemory": "3g"}, Kind.TASK_MANAGERS),
        ({"jobManagerMemory": "2g"}, Kind.LAST_STATE),
        ({"taskManagerCpu": "500m"}, Kind.TASK_MANAGERS),
        ({"jobManagerCpu": "1"}, Kind.RECOVER),
        ({"jobArgs": ["--window", "5s"]}, Kind.LAST_STATE),
        ({"jobArgs": ["--window", "5s"], "upgradeMode": "stateless"}, Kind.STATELESS),
        ({"maxParallelism": 256}, Kind.REFUSED),
        ({"jobArgs": ["--window", "5s"], "upgradeMode": "savepoint"}, Kind.REFUSED),
        ({"unhealthyAfter": "60 min"}, Kind.RECOVER),
        ({"upgradeMode": "savepoint"}, Kind.RECOVER),
        ({"taskManagerCpu": "1"}, Kind.NOTHING),  # the default of one slot, written out
        ({"jobManagerCpu": "0.5"}, Kind.NOTHING),  # the default, written another way
    ],
)
def test_a_change_to_the_dev_stack(change: dict[str, Any], kind: Kind) -> None:
    assert state_impact(record(), record(**change)).kind is kind


def test_a_job_change_after_switching_to_savepoint_mode_is_a_savepoint_upgrade() -> None:
    deployed = record(upgradeMode="savepoint")
    assert state_impact(deployed, record(upgradeMode="savepoint", jobArgs=["--window", "5s"])).kind is Kind.SAVEPOINT


@pytest.mark.parametrize("change", [{"taskManagerMemory": "3g"}, {"taskManagerCpu": "2"}])
def test_a_taskmanager_resource_change_leaves_the_jobmanager_pod_as_it_is(change: dict[str, Any]) -> None:
    def jobmanager(**flink: Any) -> dict[str, Any]:
        return k8s_object(render("dev", flink=flink), "Deployment", "flink-jobmanager")["spec"]["template"]

    def taskmanager(**flink: Any) -> dict[str, Any]:
        return k8s_object(render("dev", flink=flink), "Deployment", "flink-taskmanager")["spec"]["template"]

    assert jobmanager() == jobmanager(**change)
    assert taskmanager() != taskmanager(**change)
