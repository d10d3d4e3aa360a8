"""What preview says `up` will do to the running job: the pure rules, one kind per test."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pulumi
import pytest

from components.flink.state_impact import UNRECORDED, DeployedJob, Impact, Kind, state_impact
from infra.compose import job_impact

DEPLOYED = DeployedJob(
    fingerprint="f" * 32,
    job_manager_pod="j" * 64,
    task_manager_pod="t" * 64,
    task_managers=2,
    parallelism=2,
    max_parallelism=128,
    upgrade_mode="last-state",
    savepoint_fallback="refuse",
)


def job_changed(job: DeployedJob, **other: Any) -> DeployedJob:
    """Another job graph (so another JobManager pod), and whatever else ``other`` says."""
    return replace(job, fingerprint="g" * 32, job_manager_pod="k" * 64, **other)


def test_first_deployment() -> None:
    assert state_impact(None, DEPLOYED).kind is Kind.FIRST


def test_a_stack_deployed_without_a_record_cannot_tell_and_says_so() -> None:
    impact = state_impact(UNRECORDED, DEPLOYED)
    assert impact.kind is Kind.UNRECORDED
    assert impact.needs_attention


def test_nothing_changed() -> None:
    impact = state_impact(DEPLOYED, DEPLOYED)
    assert impact.kind is Kind.NOTHING
    assert impact.statement == "nothing: the running job is not touched"
    assert not impact.needs_attention


def test_a_taskmanager_pod_change_restarts_only_the_taskmanagers() -> None:
    impact = state_impact(DEPLOYED, replace(DEPLOYED, task_manager_pod="u" * 64))
    assert impact.kind is Kind.TASK_MANAGERS
    assert "JobManager keeps running" in impact.statement


def test_more_taskmanagers_for_the_same_job_graph_is_a_taskmanager_change() -> None:
    impact = state_impact(DEPLOYED, replace(DEPLOYED, task_managers=3))
    assert impact.kind is Kind.TASK_MANAGERS
    assert "2 -> 3 TaskManagers" in impact.statement


def test_a_jobmanager_pod_change_with_the_same_job_recovers() -> None:
    for current in (
        replace(DEPLOYED, job_manager_pod="k" * 64),
        replace(DEPLOYED, job_manager_pod="k" * 64, upgrade_mode="savepoint"),  # the mode is the pod's env
    ):
        impact = state_impact(DEPLOYED, current)
        assert impact.kind is Kind.RECOVER, impact
        assert "latest checkpoint" in impact.statement


def test_a_job_change_in_last_state_mode_keeps_the_latest_checkpoint() -> None:
    impact = state_impact(DEPLOYED, job_changed(DEPLOYED))
    assert impact.kind is Kind.LAST_STATE
    assert "latest completed checkpoint" in impact.statement
    assert "operator uids are not visible before start" in impact.statement
    assert not impact.needs_attention


def test_a_rescale_is_named() -> None:
    current = job_changed(DEPLOYED, task_managers=4, parallelism=4)
    assert "rescaled 2 -> 4" in state_impact(DEPLOYED, current).statement


def test_a_job_change_in_savepoint_mode_starts_from_the_savepoint_taken_at_stop() -> None:
    previous = replace(DEPLOYED, upgrade_mode="savepoint")
    impact = state_impact(previous, job_changed(previous))
    assert impact.kind is Kind.SAVEPOINT
    assert "takes a savepoint before it stops" in impact.statement
    assert "refused by the start step" in impact.statement  # what happens if none can be taken


def test_switching_to_savepoint_mode_with_a_job_change_is_refused_by_the_start_step() -> None:
    impact = state_impact(DEPLOYED, job_changed(DEPLOYED, upgrade_mode="savepoint"))
    assert impact.kind is Kind.REFUSED
    assert not impact.refused_at_preview
    assert "takes no savepoint" in impact.statement
    assert "deploy upgradeMode savepoint alone first" in impact.statement
    assert impact.needs_attention


def test_switching_to_savepoint_mode_with_fallback_last_state_is_a_last_state_upgrade() -> None:
    current = job_changed(DEPLOYED, upgrade_mode="savepoint", savepoint_fallback="last-state")
    assert state_impact(DEPLOYED, current).kind is Kind.LAST_STATE


def test_a_stateless_upgrade_drops_state_loudly() -> None:
    impact = state_impact(DEPLOYED, job_changed(DEPLOYED, upgrade_mode="stateless"))
    assert impact.kind is Kind.STATELESS
    assert "WITHOUT state" in impact.statement
    assert impact.needs_attention


@pytest.mark.parametrize("mode", ["last-state", "savepoint"])
def test_a_max_parallelism_change_that_keeps_state_is_refused_at_preview(mode: str) -> None:
    previous = replace(DEPLOYED, upgrade_mode=mode)
    impact = state_impact(previous, job_changed(previous, max_parallelism=256))
    assert impact.kind is Kind.REFUSED
    assert impact.refused_at_preview
    assert "maxParallelism 128 -> 256" in impact.statement


def test_a_max_parallelism_change_without_state_is_a_stateless_upgrade() -> None:
    current = job_changed(DEPLOYED, max_parallelism=256, upgrade_mode="stateless")
    assert state_impact(DEPLOYED, current).kind is Kind.STATELESS


def test_the_record_round_trips_through_the_stack_output() -> None:
    assert DeployedJob.from_output(DEPLOYED.to_output()) == DEPLOYED


def test_the_deployed_record_is_read_from_the_stacks_last_outputs() -> None:
    assert job_impact.deployed(None) is None
    assert job_impact.deployed({}) is None
    assert job_impact.deployed({"namespace": "flink"}) is UNRECORDED
    assert job_impact.deployed({"flinkJob": {"fingerprint": "f"}}) is UNRECORDED
    assert job_impact.deployed({"flinkJob": DEPLOYED.to_output()}) == DEPLOYED


def test_a_refusal_stops_the_program_and_other_statements_are_returned() -> None:
    refused = Impact(Kind.REFUSED, "maxParallelism 128 -> 256", refused_at_preview=True)
    with pytest.raises(pulumi.RunError, match="refused: maxParallelism 128 -> 256"):
        job_impact.announce(refused)
    assert job_impact.announce(Impact(Kind.NOTHING, "x")) == "nothing: x"
