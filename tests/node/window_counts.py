"""The reference job's keyed state, read back from the output topic: for every device and
second of event time, the largest count written must equal the input's events of that
second. A restore from an older checkpoint than it should, or without the window state or
the source offsets of the checkpoint, writes a count that is too small or too large; the
at-least-once sink may write a second again after a restore, with the same count.

The output is read once every device has caught up (``behind``): at parallelism 2 each
window operator writes its own devices' seconds, one may run seconds behind the other (a
restore replays a backlog), and a second not written yet is not a wrong count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from tests.integration.kafka_accounting import EventLike, RecordLike, window_of


def window_mismatches(
    events: Iterable[EventLike], records: Iterable[RecordLike], since_ms: int, until_ms: int
) -> list[str]:
    """Every (device, second) starting in ``[since_ms, until_ms)`` whose count on the output is wrong."""
    expected: Counter[tuple[str, int]] = Counter()
    for event in events:
        window = window_of(event.event_ms)
        if since_ms <= window < until_ms:
            expected[(event.device, window)] += 1
    written: defaultdict[tuple[str, int], int] = defaultdict(int)
    for record in records:
        if since_ms <= record.window_ms < until_ms:
            key = (record.device, record.window_ms)
            written[key] = max(written[key], record.count)
    return [
        f"{device} second {window}: counted {written.get((device, window), 0)} of {expected.get((device, window), 0)}"
        for device, window in sorted(set(expected) | set(written))
        if written.get((device, window), 0) != expected.get((device, window), 0)
    ]


def behind(events: Iterable[EventLike], records: Iterable[RecordLike], until_ms: int) -> list[str]:
    """Devices whose output has not reached their newest second of input before ``until_ms``.

    A device's windows fire in order, so its record of a later second means every earlier
    second of it was written.
    """
    newest_in: dict[str, int] = {}
    for event in events:
        window = window_of(event.event_ms)
        if window < until_ms and window > newest_in.get(event.device, -1):
            newest_in[event.device] = window
    newest_out: dict[str, int] = {}
    for record in records:
        newest_out[record.device] = max(newest_out.get(record.device, -1), record.window_ms)
    return sorted(device for device, window in newest_in.items() if newest_out.get(device, -1) < window)
