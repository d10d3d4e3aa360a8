"""Check the test job's side channel (see ``job/CountingJob.java``) for exactly-once restore.

The input is deterministic: record ``n`` belongs to key ``k{n % KEYS}``, so a key's
``count`` after record ``n`` must be ``n // KEYS + 1``. What is checked:

1. every ``REC`` line satisfies that invariant: a count restored from another checkpoint
   than the source position, a record counted twice or a record lost breaks it;
2. every ``SNAP`` line satisfies it too (the state written into checkpoint ``c``);
3. for an execution restored from checkpoint ``c`` (its ``START`` line), the state each
   key holds at its first record (``FIRST``) equals that key's ``SNAP`` for checkpoint
   ``c``: the keyed state is exactly the snapshot of ``c``, not an older or newer one;
4. the executions of the last restore (one per subtask of the keyed function, all
   restored from the same checkpoint) together saw every key (so 3 covered the whole
   state).

It holds at any parallelism: the source has one subtask, so every key's records are
one sequence; each subtask of the keyed function writes the keys it holds, and a
checkpoint's ``SNAP`` lines are the union over subtasks. The side channel may span
several files (a job whose ``--out`` argument changed): they are read in order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

KEYS = 10


@dataclasses.dataclass
class Execution:
    token: str
    restored_from: int | None
    first: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class SideChannel:
    executions: list[Execution]
    snapshots: dict[int, dict[str, tuple[int, int]]]  # checkpoint id -> key -> (count, last)
    records: list[tuple[str, str, int, int]]  # (token, key, seq, count)

    @property
    def last_restored(self) -> Execution | None:
        restored = [e for e in self.executions if e.restored_from is not None]
        return restored[-1] if restored else None

    def keys_after_last_restore(self) -> set[str]:
        """Keys seen by the executions restored from the last restored checkpoint."""
        last = self.last_restored
        if last is None:
            return set()
        return {k for e in self.executions if e.restored_from == last.restored_from for k in e.first}


@dataclasses.dataclass(frozen=True)
class StateReport:
    records: int
    executions: int
    restored_from: int | None  # checkpoint id of the last restored execution
    keys_compared: int
    mismatches: tuple[str, ...]

    def summary(self) -> str:
        return (
            f"records={self.records} executions={self.executions} restored_from={self.restored_from} "
            f"keys_compared={self.keys_compared} mismatches={len(self.mismatches)}"
        )


def expected_count(seq: int) -> int:
    return seq // KEYS + 1


def parse(paths: Path | Sequence[Path]) -> SideChannel:
    executions: dict[str, Execution] = {}
    snapshots: dict[int, dict[str, tuple[int, int]]] = {}
    records: list[tuple[str, str, int, int]] = []
    lines: list[str] = []
    for path in [paths] if isinstance(paths, Path) else paths:
        text = path.read_text() if path.exists() else ""
        lines += text.split("\n")[:-1]  # what follows the last newline is still being written
    for line in lines:
        fields = line.split()
        if not fields:
            continue
        kind, token = fields[0], fields[1]
        if kind == "START":
            executions[token] = Execution(token, None if fields[2] == "-" else int(fields[2]))
        elif kind == "FIRST" and token in executions:
            executions[token].first[fields[2]] = (int(fields[3]), int(fields[4]))
        elif kind == "REC":
            records.append((token, fields[2], int(fields[3]), int(fields[4])))
        elif kind == "SNAP":
            snapshots.setdefault(int(fields[2]), {})[fields[3]] = (int(fields[4]), int(fields[5]))
    return SideChannel(list(executions.values()), snapshots, records)


def check(path: Path | Sequence[Path]) -> StateReport:
    channel = parse(path)
    problems: list[str] = []
    for token, key, seq, count in channel.records:
        if key != f"k{seq % KEYS}" or count != expected_count(seq):
            problems.append(f"REC {token} {key} seq={seq} count={count}, expected {expected_count(seq)}")
    for checkpoint, keys in channel.snapshots.items():
        for key, (count, last) in keys.items():
            if count != expected_count(last):
                problems.append(f"SNAP {checkpoint} {key} count={count} last={last}")
    compared = 0
    for execution in channel.executions:
        if execution.restored_from is None:
            continue
        snapshot = channel.snapshots.get(execution.restored_from)
        if snapshot is None:
            problems.append(f"{execution.token}: restored from {execution.restored_from}, which left no SNAP lines")
            continue
        for key, state in execution.first.items():
            compared += 1
            if snapshot.get(key) != state:
                problems.append(
                    f"{execution.token}: {key} restored as (count, last)={state}, "
                    f"checkpoint {execution.restored_from} held {snapshot.get(key)}"
                )
    final = channel.last_restored
    if final is not None:
        missing = sorted({f"k{i}" for i in range(KEYS)} - channel.keys_after_last_restore())
        if missing:
            problems.append(f"{final.token}: no record after restore for {', '.join(missing)}")
        if len(channel.snapshots.get(final.restored_from or -1, {})) != KEYS:
            problems.append(f"checkpoint {final.restored_from}: SNAP lines for fewer than {KEYS} keys")
    return StateReport(
        records=len(channel.records),
        executions=len(channel.executions),
        restored_from=final.restored_from if final else None,
        keys_compared=compared,
        mismatches=tuple(problems),
    )


def keys_seen_after_restore(path: Path | Sequence[Path]) -> int:
    return len(parse(path).keys_after_last_restore())
