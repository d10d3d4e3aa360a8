"""The failover results' shared verdicts (``RestoreVerdict``) and the harness's failure report
(``ProcessGroup.described_on_failure``), without starting a process."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.integration.after_restore import AfterRestore, RestoreVerdict
from tests.integration.before_kill import AtKill
from tests.integration.process_group import ProcessGroup
from tests.integration.state_check import StateReport


@dataclasses.dataclass(frozen=True)
class Result(RestoreVerdict):
    at_kill: AtKill
    after: AfterRestore
    phases: dict[str, float]


AT_KILL = AtKill(at=0.0, wall=0.0, load=1.5, checkpoints=3, latest_completed=7, taskmanager_ids=("tm-1",))


def after(
    restored: dict[str, object], taskmanagers: tuple[str, ...] = ("tm-1",), restored_from: int = 7
) -> AfterRestore:
    return AfterRestore(restored, taskmanagers, 2, StateReport(40, 2, restored_from, 10, ()))


def test_restoring_the_latest_checkpoint_with_the_same_taskmanager_passes() -> None:
    result = Result(AT_KILL, after({"id": 7, "is_savepoint": False}), {"leader": 1.5, "restoring": 2.0})
    assert result.restored_latest and result.taskmanager_reregistered
    assert result.restore_text() == (
        "restored=7 latest_before_kill=7 tm_reregistered=True load1=1.5 "
        "state_mismatches=0 (records=40 executions=2 restored_from=7 keys_compared=10 mismatches=0) "
        "phases_s[leader=1.50 restoring=2.00]"
    )


@pytest.mark.parametrize(
    "restored, restored_from",
    [
        ({"id": 6, "is_savepoint": False}, 7),
        ({"id": 7, "is_savepoint": True}, 7),
        ({"id": 7, "is_savepoint": False}, 6),
        ({}, 7),
    ],
)
def test_an_older_checkpoint_a_savepoint_or_another_restore_in_the_job_fails(
    restored: dict[str, object], restored_from: int
) -> None:
    assert not Result(AT_KILL, after(restored, restored_from=restored_from), {}).restored_latest


@pytest.mark.parametrize("taskmanagers", [(), ("tm-2",)])
def test_no_or_another_taskmanager_is_no_reregistration(taskmanagers: tuple[str, ...]) -> None:
    assert not Result(AT_KILL, after({"id": 7}, taskmanagers), {}).taskmanager_reregistered


def test_a_failing_block_logs_the_description_and_raises(tmp_path: Path) -> None:
    lines: list[str] = []
    with pytest.raises(KeyError), ProcessGroup(tmp_path, lines.append) as group, group.described_on_failure():
        raise KeyError("boom")
    assert lines == [f"work dir {tmp_path}"]


def test_a_passing_block_logs_nothing(tmp_path: Path) -> None:
    lines: list[str] = []
    with ProcessGroup(tmp_path, lines.append) as group, group.described_on_failure():
        pass
    assert lines == []
