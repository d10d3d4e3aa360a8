"""One day-two scenario's result: its figures, what it restored against what it had to, and
its line of ``python -m tests.node.bench``."""

from __future__ import annotations

import dataclasses

from tests.node.snapshots import Snapshot


@dataclasses.dataclass(frozen=True)
class ScenarioResult:
    scenario: str
    to_running_s: float
    restored: Snapshot | None
    latest_before: Snapshot | None
    mismatches: tuple[str, ...]
    up_s: float | None = None
    expect_restore: bool = True
    expect_savepoint: bool = False
    problems: tuple[str, ...] = ()
    figures: tuple[tuple[str, float], ...] = ()  # more seconds of the scenario's own, printed after the rest

    @property
    def ok(self) -> bool:
        if self.mismatches or self.problems:
            return False
        if not self.expect_restore:
            return self.restored is None
        return (
            self.restored is not None
            and self.latest_before is not None
            and self.restored.id >= self.latest_before.id
            and self.restored.savepoint == self.expect_savepoint
        )

    def line(self) -> str:
        up = f" up_s={self.up_s:.1f}" if self.up_s is not None else ""
        figures = "".join(f" {name}={value:.1f}" for name, value in self.figures)
        return (
            f"scenario={self.scenario} to_running_s={self.to_running_s:.1f}{up} restored={named(self.restored)} "
            f"latest_before={named(self.latest_before)} state_mismatches={len(self.mismatches)}{figures}"
        )


def named(snapshot: Snapshot | None) -> str:
    """A snapshot as the bench prints it: its id, marked when a savepoint; ``none``."""
    if snapshot is None:
        return "none"
    return f"{snapshot.id}{' (savepoint)' if snapshot.savepoint else ''}"
