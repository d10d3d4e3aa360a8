"""The throughput bench's accounting of input events against the job's output records."""

from __future__ import annotations

from tests.integration.kafka_accounting import account, percentile, window_of
from tests.integration.kafka_pipeline import InputEvent as Event
from tests.integration.kafka_pipeline import OutputRecord as Record

EVENTS = [Event("a", 1000), Event("a", 1500), Event("b", 1999), Event("a", 2100), Event("b", 3000)]


def test_every_event_counted_once() -> None:
    records = [
        Record("a", 1000, 2, 1500, 2300),
        Record("b", 1000, 1, 1999, 2400),
        Record("a", 2000, 1, 2100, 3300),
        Record("b", 3000, 1, 3000, 4500),
    ]
    result = account(EVENTS, records, 0, 10_000)
    assert (result.events_in, result.counted, result.lost, result.duplicated, result.overcounted) == (5, 5, 0, 0, 0)
    assert sorted(result.latencies_ms) == [401, 800, 1200, 1500]


def test_a_second_written_twice_is_duplicated_not_lost() -> None:
    records = [Record("a", 1000, 2, 1500, 2300), Record("a", 1000, 2, 1500, 9000)]
    result = account(EVENTS, records, 1000, 2000)
    assert (result.events_in, result.counted, result.lost, result.duplicated) == (3, 2, 1, 2)


def test_missing_and_short_seconds_are_lost() -> None:
    records = [Record("a", 1000, 1, 1000, 2300)]  # "a" had 2 in that second; "b" none written
    result = account(EVENTS, records, 1000, 2000)
    assert (result.counted, result.lost) == (1, 2)


def test_counting_more_than_the_input_is_reported() -> None:
    result = account(EVENTS, [Record("b", 3000, 5, 3000, 4000), Record("c", 3000, 1, 3000, 4000)], 3000, 4000)
    assert (result.counted, result.overcounted) == (1, 5)


def test_only_seconds_in_range_are_accounted() -> None:
    result = account(EVENTS, [Record("a", 2000, 1, 2100, 2500)], 2000, 3000)
    assert (result.events_in, result.counted, result.latencies_ms) == (1, 1, (400,))


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5, 1, 3], 50) == 3
    assert percentile(range(1, 101), 99) == 99
    assert percentile([10], 99) == 10
    assert window_of(1999) == 1000 and window_of(2000) == 2000
