"""The state-impact statement said by the real CLI and engine, for each kind of change.

The program's state-impact step (``infra.compose.job_impact``) runs alone, by the real
CLI with a file backend (``tests.engine.inline --job-record``), for the ``flinkJob``
records of the dev stack rendered with one setting changed: the stack reads its own
last outputs through a ``StackReference`` to itself, as the whole program does. No
cluster is needed; ``test_state_impact_on_cluster`` runs the whole program on the local
control plane. The tests share one stack and run in order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.engine.project import EngineProject, Run
from tests.rendering import render

STACK = "impact"
PREFIX = "flink job on `up`: "
NEW_ARGS = ["--window", "5s"]


def record(**flink: Any) -> dict[str, Any]:
    """The dev stack's flinkJob record with ``flink`` settings changed."""
    found: dict[str, Any] = render("dev", flink=flink).outputs["flinkJob"]
    return found


def said(run: Run) -> tuple[str, str]:
    """The one state-impact diagnostic of a successful run: (severity, statement)."""
    assert run.ok, run.stderr
    found = [
        (d["severity"], d["message"].split(PREFIX, 1)[1]) for d in run.document["diagnostics"] if PREFIX in d["message"]
    ]
    assert len(found) == 1, run.document["diagnostics"]
    return found[0]


class Stack:
    def __init__(self, project: EngineProject) -> None:
        self.project = project
        self.record_file = project.root / "record.json"

    def run(self, op: str, job: dict[str, Any], *flags: str) -> Run:
        self.record_file.write_text(json.dumps(job))
        return self.project.run(STACK, op, "--job-record", str(self.record_file), *flags)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, engine_home: Path) -> Stack:
    project = EngineProject(tmp_path_factory.mktemp("engine-impact"), engine_home)
    project.write_stack(STACK, {})
    project.init(STACK)
    return Stack(project)


def test_a_stack_never_deployed_says_first_deployment(stack: Stack) -> None:
    up = stack.run("up", record())
    assert said(up) == ("info", "first deployment: the job starts without state")
    assert up.document["outputs"]["flinkJob"] == record()
    assert up.document["outputs"]["stateImpact"] == "first deployment: the job starts without state"


def test_no_change_says_nothing_and_changes_nothing(stack: Stack) -> None:
    assert said(stack.run("preview", record(), "--expect-no-changes")) == (
        "info",
        "nothing: the running job is not touched",
    )


def test_a_taskmanager_only_change(stack: Stack) -> None:
    severity, statement = said(stack.run("preview", record(taskManagerMemory="3g")))
    assert severity == "info"
    assert statement == (
        "TaskManagers only: TaskManager pods restart; the JobManager keeps running, "
        "tasks restart from the latest checkpoint"
    )


def test_a_job_change_is_a_last_state_upgrade(stack: Stack) -> None:
    severity, statement = said(stack.run("preview", record(jobArgs=NEW_ARGS)))
    assert severity == "info"
    assert statement.startswith("last-state upgrade: the new job graph starts from the latest completed checkpoint;")
    assert "operator uids are not visible before start" in statement


def test_a_stateless_upgrade_is_a_warning(stack: Stack) -> None:
    severity, statement = said(stack.run("preview", record(jobArgs=NEW_ARGS, upgradeMode="stateless")))
    assert severity == "warning"
    assert statement.startswith("stateless upgrade: the job changed; the new job graph starts WITHOUT state")


def test_a_max_parallelism_change_keeping_state_fails_the_preview(stack: Stack) -> None:
    run = stack.run("preview", record(maxParallelism=256))
    assert not run.ok
    assert "error: flink job on `up`: refused: maxParallelism 128 -> 256 with upgradeMode last-state" in run.stderr


def test_a_job_change_with_a_switch_to_savepoint_mode_is_refused_by_the_start_step(stack: Stack) -> None:
    severity, statement = said(stack.run("preview", record(jobArgs=NEW_ARGS, upgradeMode="savepoint")))
    assert severity == "warning"
    assert statement.startswith(
        "refused: the running JobManager (upgradeMode last-state) takes no savepoint before it stops, "
        "and savepointFallback is refuse"
    )


def test_the_mode_alone_restarts_the_jobmanager_then_a_job_change_is_a_savepoint_upgrade(stack: Stack) -> None:
    severity, statement = said(stack.run("up", record(upgradeMode="savepoint")))
    assert (severity, statement) == (
        "info",
        "JobManager restart with recovery: same job graph, resumed from its latest checkpoint after the "
        "JobManager restarts",
    )
    severity, statement = said(stack.run("preview", record(jobArgs=NEW_ARGS, upgradeMode="savepoint")))
    assert severity == "info"
    assert statement.startswith(
        "savepoint upgrade: the running JobManager takes a savepoint before it stops and the new job graph "
        "starts from it; without a savepoint: refused by the start step"
    )
