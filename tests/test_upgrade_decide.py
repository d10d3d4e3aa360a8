"""The start step's decision (``scripts/upgrade_start/decide.sh``) as a table, run with bash.

The table reads like the script: the first row whose conditions hold decides, a row
that names no value for a fact holds for all its values. Every combination of the facts
runs the real script and must give what the table says; every row must decide at least
one of them. A new fact is a new field of ``Facts`` (with its values in ``VALUES``) and
rows that name it.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from dataclasses import dataclass, fields
from typing import Any

import pytest

from components.flink.upgrade_scripts import DECIDE, UPGRADE_AT_START

NEW, OLD = "fingerprint-new", "fingerprint-old"
TAKEN = "file:/flink-data/savepoints/savepoint-taken-before-stop"
REQUESTED = "file:/flink-data/savepoints/savepoint-requested"
# What an operations command asked for the next start: `resume` records a snapshot path
# (a savepoint, or a retained checkpoint for --latest), `fresh-start` records `fresh`.
REQUESTS = {"none": "", "snapshot": REQUESTED, "fresh": "fresh"}
FAILS = "exit 1"
BASH = shutil.which("bash") or "bash"

# What the volume and ZooKeeper say about the job before this start: (applied, stored).
# observe reads the stored job graphs only when no fingerprint is applied.
HISTORIES = {
    "first": ("", ""),  # nothing recorded, nothing stored
    "unchanged": (NEW, ""),  # the stored job graph is this pod's job
    "changed": (OLD, ""),  # the stored job graph is another job
    "unrecorded": ("", "0000000053ef16640000000000000000"),  # a stored job graph, no record of it
}


@dataclass(frozen=True)
class Facts:
    history: str
    mode: str
    taken: bool  # the old JobManager's pre-stop step recorded a savepoint
    fallback: str
    requested: str  # a key of REQUESTS
    terminal: bool  # the job-result-store holds the job's terminal result (here CANCELED)
    on_volume: bool  # the volume holds a completed checkpoint (chk-N/_metadata) of the job
    in_zookeeper: bool  # ZooKeeper's checkpoint store holds one

    def env(self) -> dict[str, str]:
        applied, stored = HISTORIES[self.history]
        return {
            "applied": applied,
            "stored": stored,
            "taken": TAKEN if self.taken else "",
            "requested": REQUESTS[self.requested],
            "terminal": "CANCELED" if self.terminal else "",
            "on_volume": "12" if self.on_volume else "",
            "in_zookeeper": "0000000012" if self.in_zookeeper else "",
            "from": "",  # observe starts it empty
            "JOB_FINGERPRINT": NEW,
            "UPGRADE_MODE": self.mode,
            "SAVEPOINT_FALLBACK": self.fallback,
            "PATH": "/nonexistent",  # builtins only: deciding runs no program
        }

    def __str__(self) -> str:
        return ",".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


VALUES: dict[str, tuple[Any, ...]] = {
    "history": tuple(HISTORIES),
    "mode": ("last-state", "savepoint", "stateless", "lastState"),
    "taken": (False, True),
    "fallback": ("refuse", "last-state"),
    "requested": tuple(REQUESTS),
    "terminal": (False, True),
    "on_volume": (False, True),
    "in_zookeeper": (False, True),
}


@dataclass(frozen=True)
class Row:
    how: str
    start_from: str
    when: tuple[tuple[str, Any], ...]

    def holds(self, facts: Facts) -> bool:
        return all(getattr(facts, name) == value for name, value in self.when)

    def __str__(self) -> str:
        return " ".join(f"{n}={v}" for n, v in self.when) or "otherwise"


def row(how: str, start_from: str = "", **when: Any) -> Row:
    assert set(when) <= set(VALUES), set(when) - set(VALUES)
    return Row(how, start_from, tuple(when.items()))


# A recovery or last-state start whose checkpoints the volume shows but ZooKeeper lost.
LOST: dict[str, Any] = {"on_volume": True, "in_zookeeper": False}
TABLE = [
    row("fresh", requested="fresh"),  # an operator's request wins over everything
    row("savepoint", REQUESTED, requested="snapshot"),
    row("refuse-terminal", terminal=True),  # the job ended: never started again on its own
    row("refuse-metadata-lost", history="unchanged", **LOST),
    row("recover", history="unchanged"),  # HA recovers the job from its latest checkpoint
    row("first", history="first"),
    # From here on the job changed (or a stored job graph has no record).
    row(FAILS, mode="lastState"),
    row("refuse-metadata-lost", mode="last-state", **LOST),
    row("last-state", mode="last-state"),
    row("stateless", mode="stateless"),
    row("savepoint", TAKEN, mode="savepoint", taken=True),
    row("refuse-metadata-lost", mode="savepoint", **LOST),  # both fallbacks run from the store
    row("last-state", mode="savepoint", fallback="last-state"),
    row("refuse", mode="savepoint", fallback="refuse"),
]


def every_combination() -> list[Facts]:
    names = [f.name for f in fields(Facts)]
    assert names == list(VALUES)
    return [Facts(*values) for values in itertools.product(*VALUES.values())]


def decided_by(facts: Facts) -> Row:
    return next(r for r in TABLE if r.holds(facts))


def decide(facts: Facts) -> str:
    """Run decide.sh under the start step's shell options: ``how from``, or ``exit 1``."""
    script = "set -euo pipefail\n" + DECIDE + 'printf "%s %s" "$how" "$from"\n'
    result = subprocess.run([BASH, "-c", script], env=facts.env(), capture_output=True, text=True, timeout=30)
    if result.returncode == 1 and f"UPGRADE_MODE={facts.mode}: one of" in result.stderr:
        return FAILS
    assert result.returncode == 0 and not result.stderr, result
    return result.stdout


@pytest.mark.parametrize("facts", every_combination(), ids=str)
def test_decide_follows_the_table(facts: Facts) -> None:
    expected = decided_by(facts)
    want = FAILS if expected.how == FAILS else f"{expected.how} {expected.start_from}"
    assert decide(facts) == want, f"decided by: {expected}"


def test_every_row_of_the_table_decides_something() -> None:
    used = {decided_by(facts) for facts in every_combination()}
    assert [str(r) for r in TABLE if r not in used] == []


def test_the_start_step_runs_this_decide() -> None:
    assert DECIDE in UPGRADE_AT_START
