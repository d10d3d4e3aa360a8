"""What a failover scenario checks once the job runs again: the checkpoint it restored, the
TaskManager's registration and slots, and the keyed state (``state_check``), and the
verdicts on it against what ``before_kill`` recorded. Shared by the single-JobManager
scenario (``scenario``) and the standby one (``standby_scenario``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from tests.integration import state_check
from tests.integration.before_kill import AtKill
from tests.integration.flink_rest import FlinkRest
from tests.integration.process_group import Waits

AFTER_RESTORE_TIMEOUT_S = 30.0


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
    """The verdicts both failover results give from what they recorded at the kill and after
    the restore, and the end of their lines that says them (a mixin for their dataclasses)."""

    at_kill: AtKill
    after: AfterRestore
    phases: dict[str, float]  # seconds from the kill to milestones in the logs

    @property
    def restored_latest(self) -> bool:
        latest, after = self.at_kill.latest_completed, self.after
        restored_from = after.state.restored_from
        return after.restored_id == latest and after.restored_is_savepoint is False and restored_from == latest

    @property
    def taskmanager_reregistered(self) -> bool:
        after = self.after
        return bool(after.taskmanager_ids) and after.taskmanager_ids == self.at_kill.taskmanager_ids and after.slots > 0

    def restore_text(self) -> str:
        state = self.after.state
        phases = " ".join(f"{k}={v:.2f}" for k, v in sorted(self.phases.items(), key=lambda kv: kv[1]))
        return (
            f"restored={self.after.restored_id} latest_before_kill={self.at_kill.latest_completed} "
            f"tm_reregistered={self.taskmanager_reregistered} load1={self.at_kill.load:.1f} "
            f"state_mismatches={len(state.mismatches)} ({state.summary()}) phases_s[{phases}]"
        )


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
