"""The loop: sync, log what changed, back off after a failure, until told to stop."""

from __future__ import annotations

import threading

from .config import Config
from .log import Emit, format_line, print_line
from .patch import Outcome, run_once
from .transport import SyncError


class Backoff:
    """Exponential delays: initial, doubling, capped at maximum; reset after a success."""

    def __init__(self, initial_s: float, maximum_s: float) -> None:
        self._initial = initial_s
        self._maximum = maximum_s
        self._next = initial_s

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self._maximum)
        return delay

    def reset(self) -> None:
        self._next = self._initial


class Reporter:
    """Turns outcomes into log lines: every patch and retry, "in sync" once per change."""

    def __init__(self, config: Config, emit: Emit) -> None:
        self._config = config
        self._emit = emit
        self._announced_port: int | None = None

    def success(self, outcome: Outcome) -> None:
        service = self._config.service_ref
        if outcome.patched:
            self._announced_port = None
            self._emit(
                format_line(
                    "patched",
                    service=service,
                    port_name=self._config.rpc_port_name,
                    op="add" if outcome.added else "replace",
                    index=outcome.index,
                    old_port="none" if outcome.added else outcome.old_port,
                    old_target_port="none" if outcome.added else outcome.old_target_port,
                    new_port=outcome.port,
                )
            )
        elif self._announced_port != outcome.port:
            self._announced_port = outcome.port
            self._emit(format_line("unchanged", service=service, port=outcome.port, state="in_sync"))

    def failure(self, error: SyncError, backoff_s: float, failures: int) -> None:
        self._announced_port = None
        self._emit(
            format_line(
                "retry",
                service=self._config.service_ref,
                step=error.step,
                reason=error.reason,
                failures=failures,
                backoff_s=f"{backoff_s:g}",
            )
        )


def start_line(config: Config) -> str:
    return format_line(
        "start",
        service=config.service_ref,
        port_name=config.rpc_port_name,
        flink_rest_url=config.flink_rest_url,
        kubernetes_api_url=config.kubernetes_api_url,
        poll_interval_s=f"{config.poll_interval_s:g}",
        backoff_max_s=f"{config.backoff_max_s:g}",
    )


def run_loop(config: Config, stop: threading.Event, emit: Emit = print_line) -> None:
    """Sync until ``stop`` is set; every wait returns as soon as it is."""
    reporter = Reporter(config, emit)
    backoff = Backoff(config.backoff_initial_s, config.backoff_max_s)
    failures = 0
    while not stop.is_set():
        try:
            outcome = run_once(config)
        except SyncError as error:
            failures += 1
            delay = backoff.next_delay()
            reporter.failure(error, delay, failures)
            stop.wait(delay)
            continue
        failures = 0
        backoff.reset()
        reporter.success(outcome)
        stop.wait(config.poll_interval_s)
