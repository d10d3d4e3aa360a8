"""The node bench's state witnesses (the output topic's counts per (device, second), the
checkpoint id in a snapshot's ``_metadata`` header) and its verdict on a scenario."""

from __future__ import annotations

import struct
from pathlib import Path

from tests.integration.kafka_pipeline import InputEvent as Event
from tests.integration.kafka_pipeline import OutputRecord
from tests.node.scenario_result import ScenarioResult
from tests.node.snapshots import MAGIC, Snapshot, latest, metadata_id
from tests.node.window_counts import behind, window_mismatches


def record(device: str, window_ms: int, count: int) -> OutputRecord:
    """An output record of these fields (the times do not matter to the count check)."""
    return OutputRecord(device, window_ms, count, latest_event_ms=0, appended_ms=0)


EVENTS = [Event("a", 1000), Event("a", 1500), Event("b", 1999), Event("a", 2100)]


def test_exact_counts_and_a_repeated_second_are_no_mismatch() -> None:
    records = [record("a", 1000, 2), record("b", 1000, 1), record("a", 2000, 1), record("a", 1000, 2)]
    assert window_mismatches(EVENTS, records, 1000, 3000) == []


def test_a_count_too_small_too_large_or_missing_is_a_mismatch() -> None:
    records = [record("a", 1000, 1), record("b", 1000, 2), record("c", 2000, 1)]
    assert window_mismatches(EVENTS, records, 1000, 3000) == [
        "a second 1000: counted 1 of 2",
        "a second 2000: counted 0 of 1",
        "b second 1000: counted 2 of 1",
        "c second 2000: counted 1 of 0",
    ]


def test_seconds_outside_the_range_are_not_checked() -> None:
    assert window_mismatches(EVENTS, [record("a", 1000, 2), record("b", 1000, 1)], 1000, 2000) == []


def test_a_device_is_behind_until_its_newest_second_of_input_is_written() -> None:
    # Two window operators: b's runs behind a's. The output's newest second (2000, of a)
    # says nothing of b, whose 1000 is not written yet: the check waits for b.
    records = [record("a", 1000, 2), record("a", 2000, 1)]
    assert behind(EVENTS, records, 3000) == ["b"]
    assert behind(EVENTS, [*records, record("b", 1000, 1)], 3000) == []
    # Seconds from until_ms on are not waited for; a device with no input is never behind.
    assert behind(EVENTS, [record("a", 1000, 2)], 2000) == ["b"]
    assert behind(EVENTS, [record("a", 1000, 2), record("b", 1000, 1)], 2000) == []
    assert behind([], [], 3000) == []


def test_the_checkpoint_id_is_read_from_the_metadata_header(tmp_path: Path) -> None:
    path = tmp_path / "_metadata"
    path.write_bytes(struct.pack(">iiq", MAGIC, 4, 17) + b"rest")
    assert metadata_id(path) == 17
    path.write_bytes(struct.pack(">iiq", 0x1234, 4, 17))
    assert metadata_id(path) is None
    path.write_bytes(b"short")
    assert metadata_id(path) is None


def test_the_latest_before_a_restore_counts_only_what_completed_earlier() -> None:
    seen = [Snapshot(3, 100, False), Snapshot(4, 200, True), Snapshot(5, 300, False)]
    assert latest(seen, 250) == Snapshot(4, 200, True)
    assert latest(seen, 350, savepoint_only=True) == Snapshot(4, 200, True)
    assert latest(seen, 100) is None


def test_a_scenario_passes_only_restoring_at_least_the_latest_snapshot_of_the_right_kind() -> None:
    checkpoint, savepoint = Snapshot(7, 0, False), Snapshot(8, 0, True)
    assert ScenarioResult("pod-delete", 20.0, checkpoint, checkpoint, ()).ok
    assert not ScenarioResult("pod-delete", 20.0, Snapshot(6, 0, False), checkpoint, ()).ok
    assert not ScenarioResult("pod-delete", 20.0, None, checkpoint, ()).ok
    assert not ScenarioResult("pod-delete", 20.0, checkpoint, checkpoint, ("a second 1000: counted 1 of 2",)).ok
    assert ScenarioResult("up-savepoint", 30.0, savepoint, savepoint, (), expect_savepoint=True).ok
    assert not ScenarioResult("up-savepoint", 30.0, Snapshot(9, 0, False), savepoint, (), expect_savepoint=True).ok
    assert ScenarioResult("first-up", 30.0, None, None, (), up_s=25.0, expect_restore=False).ok
    line = ScenarioResult("up-savepoint", 30.04, savepoint, savepoint, (), up_s=12.0, expect_savepoint=True).line()
    assert line == (
        "scenario=up-savepoint to_running_s=30.0 up_s=12.0 restored=8 (savepoint) "
        "latest_before=8 (savepoint) state_mismatches=0"
    )


def test_a_scenario_line_ends_with_its_own_figures() -> None:
    checkpoint = Snapshot(7, 0, False)
    figures = (("liveness_failed_after_s", 71.0), ("restarted_after_s", 92.44))
    line = ScenarioResult("stuck-job", 120.0, checkpoint, checkpoint, (), figures=figures).line()
    assert line == (
        "scenario=stuck-job to_running_s=120.0 restored=7 latest_before=7 state_mismatches=0 "
        "liveness_failed_after_s=71.0 restarted_after_s=92.4"
    )
