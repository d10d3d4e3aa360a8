"""What a failover scenario checks once the job runs again: the checkpoint it restored, the
TaskManager's registration and slots, and the keyed state (``state_check``). Shared by the
single-JobManager scenario (``scenario``) and the standby one (``standby_scenario``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tests.integration import state_check
from tests.integration.flink_rest import FlinkRest

T = TypeVar("T")
AFTER_RESTORE_TIMEOUT_S = 30.0


class Waits(Protocol):
    """``ProcessGroup.wait``: wait for ``check``, failing early when a vital process exits."""

    def __call__(
        self, what: str, check: Callable[[], T | None], timeout_s: float, interval_s: float | None = None
    ) -> T: ...


@dataclasses.dataclass(frozen=True)
class AfterRestore:
    restored: dict[str, Any]  # the REST API's latest restored checkpoint
    taskmanager_ids: tuple[str, ...]
    slots: int
    state: state_check.StateReport

    @property
    def restored_id(self) -> int | None:
        return int(self.restored["id"]) if "id" in self.restored else None

    @property
    def restored_is_savepoint(self) -> bool | None:
        return self.restored.get("is_savepoint")


class RestoreVerdict:
    """The verdicts both failover results give from their fields (a mixin for their dataclasses)."""

    latest_completed_before_kill: int
    restored_id: int | None
    restored_is_savepoint: bool | None
    state: state_check.StateReport
    taskmanager_ids_before: tuple[str, ...]
    taskmanager_ids_after: tuple[str, ...]
    slots_after: int

    @property
    def restored_latest(self) -> bool:
        latest = self.latest_completed_before_kill
        return self.restored_id == latest and self.restored_is_savepoint is False and self.state.restored_from == latest

    @property
    def taskmanager_reregistered(self) -> bool:
        after = self.taskmanager_ids_after
        return bool(after) and after == self.taskmanager_ids_before and self.slots_after > 0


def check_after_restore(wait: Waits, rest: FlinkRest, job_id: str, side_channel: Path) -> AfterRestore:
    """Wait for the restored checkpoint, the TaskManager and a record of every key, then check the state."""
    restored = wait(
        "the restored checkpoint in /checkpoints",
        lambda: rest.latest(job_id, "restored"),
        AFTER_RESTORE_TIMEOUT_S,
        0.25,
    )
    taskmanagers = wait("the TaskManager to register", rest.taskmanager_ids, AFTER_RESTORE_TIMEOUT_S)
    slots = int((rest.overview() or {}).get("slots-total", 0))
    wait(
        "a record of every key after the restore",
        lambda: state_check.keys_seen_after_restore(side_channel) >= state_check.KEYS,
        AFTER_RESTORE_TIMEOUT_S,
        0.25,
    )
    return AfterRestore(restored, tuple(sorted(taskmanagers)), slots, state_check.check(side_channel))
