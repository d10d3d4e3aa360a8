"""Throughput and latency of the data path on this machine, and failover under load.

    python -m tests.integration.throughput_bench [--seconds 30] [--rates 1000,5000,10000]
        [--runs N] [--max-rate] [--failover] [--keep DIR]

Starts the Event Hubs-shaped Kafka broker, ZooKeeper and Flink with the reference job (the
dev stack's config: one TaskManager, one slot; ``kafka_pipeline``), drives the generator
at each rate for ``--seconds`` one after the other, then reads both topics back and
prints one line per rate:

    rate=<target> in_eps=<sustained in> out_eps=<events accounted for in output>
    e2e_p50_ms=… e2e_p99_ms=… lost=<input events never counted> duplicated=<counted twice>

(latency of an output record = its log-append time on the output topic minus the event
time of the newest event it counts). ``--runs N`` repeats the rates and adds a ``median:``
line per rate. ``--max-rate`` then raises the rate (N runs a step) until one slot no
longer keeps the median e2e p99 under one second and prints ``max_rate_p99_under_1s=<rate>``.
``--failover`` runs a fresh pipeline at 5,000 events/s, kills the JobManager with SIGKILL
after a completed checkpoint, starts it again, and prints ``failover: …`` with the
recovery time, the restored checkpoint, lost and duplicated events over the whole run.
Figures are printed, never asserted; exit status 1 if a run failed or lost events.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.integration.kafka_pipeline import ReferencePipeline
from tests.integration.load_schedule import WARMUP, PhaseResult, fmt, phase_line, run_schedule
from tests.waiting import wait_until

SEARCH_WARMUP = (1000, 5)  # the pipeline is warm already: only the generator's own start
P99_GOAL_MS = 1000
MAX_RATE_STEPS = (5000, 10_000, 20_000, 30_000, 50_000, 75_000, 100_000, 150_000, 200_000)
FAILOVER_RATE = 5000
FAILOVER_SECONDS = 60
KILL_AFTER_S = 20


def median_line(phases: list[PhaseResult]) -> str:
    """The median of each figure over repeated runs of one rate."""
    p50s = [p.accounting.percentile(50) for p in phases]
    p99s = [p.accounting.percentile(99) for p in phases]
    return (
        f"rate={phases[0].rate} in_eps={statistics.median(p.in_eps for p in phases):.0f} "
        f"out_eps={statistics.median(p.out_eps for p in phases):.0f} "
        f"e2e_p50_ms={fmt(_median(p50s))} e2e_p99_ms={fmt(_median(p99s))} "
        f"lost={sum(p.accounting.lost for p in phases)} duplicated={sum(p.accounting.duplicated for p in phases)} "
        f"runs={len(phases)}"
    )


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def sustains(phases: list[PhaseResult]) -> bool:
    """Keeps up (95 % of the rate in), loses nothing, median p99 under the goal."""
    p99 = _median([p.accounting.percentile(99) for p in phases])
    rate = phases[0].rate
    in_eps = statistics.median(p.in_eps for p in phases)
    return (
        p99 is not None and p99 < P99_GOAL_MS and in_eps >= 0.95 * rate and not any(p.accounting.lost for p in phases)
    )


def measure_rates(work_dir: Path, rates: list[int], seconds: int, runs: int, max_rate: bool) -> bool:
    ok = True
    with ReferencePipeline(work_dir / "rates") as pipeline:
        pipeline.start()
        pipeline.wait_running()
        by_rate: dict[int, list[PhaseResult]] = {rate: [] for rate in rates}
        for run in range(1, runs + 1):
            warmup = WARMUP if run == 1 else SEARCH_WARMUP
            for phase in run_schedule(pipeline, [(rate, seconds) for rate in rates], warmup=warmup).phases:
                print(f"run {run}/{runs}: {phase_line(phase)}" if runs > 1 else phase_line(phase), flush=True)
                by_rate[phase.rate].append(phase)
                ok = ok and phase.accounting.lost == 0
        if runs > 1:
            for phases in by_rate.values():
                print(f"median: {median_line(phases)}", flush=True)
        if max_rate:
            best = None
            for rate in MAX_RATE_STEPS:
                phases = []
                for _ in range(runs):
                    phases.append(run_schedule(pipeline, [(rate, seconds)], warmup=SEARCH_WARMUP).phases[0])
                    print(f"search: {phase_line(phases[-1])}", flush=True)
                print(f"search median: {median_line(phases)}", flush=True)
                if not sustains(phases):
                    break
                best = rate
            print(f"max_rate_p99_under_1s={best if best is not None else 'below ' + str(MAX_RATE_STEPS[0])}")
    return ok


def measure_failover(work_dir: Path) -> bool:
    with ReferencePipeline(work_dir / "failover") as pipeline:
        pipeline.start()
        job_id = pipeline.wait_running()
        facts: dict[str, float] = {}

        def kill_and_restart() -> None:
            time.sleep(KILL_AFTER_S)
            before = pipeline.rest.completed_count(job_id)
            wait_until("a new completed checkpoint", lambda: pipeline.rest.completed_count(job_id) > before, 60, 0.1)
            latest = pipeline.rest.latest(job_id, "completed") or {}
            facts["latest_before_kill"] = float(latest.get("id", -1))
            killed = time.monotonic()
            facts["kill_ms"] = time.time() * 1000
            pipeline.jobmanagers[-1].kill9()
            pipeline.start_jobmanager()
            wait_until("the job to run again", lambda: pipeline.rest.job_fully_running(job_id), 180, 0.1)
            facts["recovery_s"] = time.monotonic() - killed
            restored = wait_until(
                "the restored checkpoint",
                lambda: pipeline.rest.latest(job_id, "restored"),
                30,
                0.25,
            )
            facts["restored"] = float(restored.get("id", -1))

        result = run_schedule(pipeline, [(FAILOVER_RATE, FAILOVER_SECONDS)], during=kill_and_restart)
        phase = result.phases[0]
        kill_ms = facts["kill_ms"]
        # From the kill until the output's latency is back under the goal for good.
        late = [
            r.appended_ms
            for r in result.records
            if r.appended_ms >= kill_ms
            and r.window_ms < result.ended_ms  # the measured run, not the slow flush after it
            and r.appended_ms - r.latest_event_ms >= P99_GOAL_MS
        ]
        caught_up = f"{(max(late) - kill_ms) / 1000:.1f}" if late else "0.0"
        print(
            f"failover: {phase_line(phase)} recovery_s={facts['recovery_s']:.1f} "
            f"output_on_time_again_s={caught_up} restored_checkpoint={facts['restored']:.0f} "
            f"latest_before_kill={facts['latest_before_kill']:.0f} load1={os.getloadavg()[0]:.1f}",
            flush=True,
        )
        return phase.accounting.lost == 0 and facts["restored"] == facts["latest_before_kill"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.integration.throughput_bench", description=__doc__)
    parser.add_argument("--seconds", type=int, default=30, help="how long each rate runs (default 30)")
    parser.add_argument("--rates", default="1000,5000,10000", help="events/s, comma-separated")
    parser.add_argument("--runs", type=int, default=1, help="repeat each rate, print medians (default 1)")
    parser.add_argument("--max-rate", action="store_true", help="search the highest rate with p99 < 1 s")
    parser.add_argument("--failover", action="store_true", help="kill the JobManager at 5,000 events/s")
    parser.add_argument("--keep", type=Path, help="keep logs and data under this directory")
    args = parser.parse_args(argv)
    if args.seconds < 2:
        parser.error("--seconds must be at least 2")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    try:
        args.rates = [int(r) for r in args.rates.split(",")]
    except ValueError:
        parser.error(f"--rates: got {args.rates!r}; allowed: positive integers separated by commas")
    if any(r <= 0 for r in args.rates):
        parser.error(f"--rates: got {args.rates}; allowed: positive integers")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="throughput-bench-") as tmp:
        work_dir = args.keep or Path(tmp)
        ok = measure_rates(work_dir, args.rates, args.seconds, args.runs, args.max_rate)
        if args.failover:
            ok = measure_failover(work_dir) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
