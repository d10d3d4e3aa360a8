"""One run of the generator through a schedule of rates on a ``ReferencePipeline``: warm-up,
the measured phases, a slow flush; both topics read back and accounted per phase.

Used by the data-path test (``test_reference_job``) and ``throughput_bench``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from tests.integration.kafka_accounting import WINDOW_MS, Accounting, account, window_of
from tests.integration.kafka_pipeline import InputEvent, OutputRecord, ReferencePipeline
from tests.waiting import wait_until

# Before the measured rates: the JVMs' JIT compilers warm up on the data path (not reported).
WARMUP = (1000, 20)
# After the measured rates the generator goes on slowly, so event time (the watermark)
# passes the end of the last measured second and its windows close.
FLUSH = (20, 4)
# The latency of a record counts from the newest event of its device's second, so it
# includes the gap between that event and the end of the second: with 100 devices even
# 1,000 events/s put ~10 events in each device's second, and the gap stays small.
DEVICES = 100
CATCH_UP_TIMEOUT_S = 120.0


@dataclasses.dataclass(frozen=True)
class PhaseResult:
    rate: int
    seconds: int
    accounting: Accounting  # over the seconds of event time of the phase
    events_in: int  # input events created during the phase

    @property
    def in_eps(self) -> float:
        return self.events_in / self.seconds

    @property
    def out_eps(self) -> float:
        return self.accounting.counted / self.seconds


@dataclasses.dataclass(frozen=True)
class ScheduleResult:
    phases: list[PhaseResult]
    events: list[InputEvent]
    records: list[OutputRecord]
    started_ms: int  # the first measured second
    ended_ms: int  # the end of the last measured second


def fmt(value: float | None) -> str:
    return "na" if value is None else f"{value:.0f}"


def phase_line(phase: PhaseResult) -> str:
    a = phase.accounting
    return (
        f"rate={phase.rate} in_eps={phase.in_eps:.0f} out_eps={phase.out_eps:.0f} "
        f"e2e_p50_ms={fmt(a.percentile(50))} e2e_p99_ms={fmt(a.percentile(99))} "
        f"lost={a.lost} duplicated={a.duplicated}"
    )


def run_schedule(
    pipeline: ReferencePipeline,
    schedule: list[tuple[int, int]],
    during: Callable[[], None] | None = None,
    warmup: tuple[int, int] = WARMUP,
) -> ScheduleResult:
    """Run the generator through warm-up, ``schedule`` and the slow flush; read back; account per phase."""
    started_ms = time.time() * 1000
    generator = pipeline.start_generator([warmup, *schedule, FLUSH], DEVICES)
    if during is not None:
        during()
    total_s = warmup[1] + sum(seconds for _, seconds in schedule) + FLUSH[1]
    wait_until("the generator to finish", lambda: not generator.alive(), total_s + 120, 0.5)
    if generator.popen.returncode != 0:
        raise RuntimeError(f"the generator failed:\n{generator.log_tail()}")
    events = [e for e in pipeline.input_events() if e.event_ms >= started_ms]  # this run's
    first = min(e.event_ms for e in events)
    # The generator starts on a whole second and its phases last whole seconds.
    measured = window_of(first) + 1000 * warmup[1]
    ended = measured + 1000 * sum(seconds for _, seconds in schedule)
    # The job may still be working through a backlog: wait for the last measured second.
    records = wait_until(
        "the output to reach the end of the measured run",
        lambda: _records_up_to(pipeline, ended - WINDOW_MS),
        CATCH_UP_TIMEOUT_S,
        2.0,
    )
    phases, since = [], measured
    for rate, seconds in schedule:
        until = since + 1000 * seconds
        created = sum(1 for e in events if since <= e.event_ms < until)
        phases.append(PhaseResult(rate, seconds, account(events, records, since, until), created))
        since = until
    return ScheduleResult(phases, events, records, window_of(first), ended)


def _records_up_to(pipeline: ReferencePipeline, window_ms: int) -> list[OutputRecord] | None:
    records = pipeline.output_records()
    return records if records and max(r.window_ms for r in records) >= window_ms else None
