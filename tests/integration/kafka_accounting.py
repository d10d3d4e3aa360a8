"""What the output topic says about the input: events counted, lost, counted twice; latency.

Pure functions over what the test read back from the topics. The reference job counts
each device's events per second of event time and writes ``(device, second, count,
newest event time)``; an at-least-once sink may write a second again after a failure.

- counted: per (device, second), the first record's count (capped at the input's count);
- lost: input events of a second no record counts (the input's count minus the largest
  count written for that second);
- duplicated: the counts of every record after the first for the same second;
- end-to-end latency of a record: its log-append time on the output topic minus its
  newest event time.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Protocol

WINDOW_MS = 1000


class EventLike(Protocol):
    @property
    def device(self) -> str: ...
    @property
    def event_ms(self) -> int: ...


class RecordLike(Protocol):
    @property
    def device(self) -> str: ...
    @property
    def window_ms(self) -> int: ...
    @property
    def count(self) -> int: ...
    @property
    def latest_event_ms(self) -> int: ...
    @property
    def appended_ms(self) -> int: ...


@dataclasses.dataclass(frozen=True)
class Accounting:
    events_in: int
    counted: int
    lost: int
    duplicated: int
    overcounted: int  # a record counting more events than the input holds (never expected)
    latencies_ms: tuple[int, ...]

    def percentile(self, p: float) -> float | None:
        return percentile(self.latencies_ms, p)


def percentile(values: Iterable[int], p: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return float(ordered[rank - 1])


def window_of(event_ms: int) -> int:
    return event_ms - event_ms % WINDOW_MS


def account(events: Iterable[EventLike], records: Iterable[RecordLike], since_ms: int, until_ms: int) -> Accounting:
    """Account for the input events whose second starts in ``[since_ms, until_ms)``."""
    expected: Counter[tuple[str, int]] = Counter()
    for event in events:
        window = window_of(event.event_ms)
        if since_ms <= window < until_ms:
            expected[(event.device, window)] += 1
    written: defaultdict[tuple[str, int], list[int]] = defaultdict(list)
    latencies = []
    for record in sorted(records, key=lambda r: r.appended_ms):
        if since_ms <= record.window_ms < until_ms:
            written[(record.device, record.window_ms)].append(record.count)
            latencies.append(record.appended_ms - record.latest_event_ms)
    counted = lost = duplicated = overcounted = 0
    for key, total in expected.items():
        counts = written.get(key, [])
        counted += min(counts[0], total) if counts else 0
        lost += max(0, total - max(counts, default=0))
        duplicated += sum(counts[1:])
    for key, counts in written.items():
        overcounted += max(0, max(counts) - expected.get(key, 0))
    return Accounting(sum(expected.values()), counted, lost, duplicated, overcounted, tuple(latencies))
