"""The process: arguments, signals, exit codes; the loop runs in a worker thread."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from collections.abc import Mapping
from types import FrameType
from typing import Final

from .config import Config, ConfigError, load_config
from .log import Emit, format_line, print_line
from .loop import Reporter, run_loop, start_line
from .patch import run_once
from .transport import SyncError

STOP_GRACE_SECONDS: Final = 1.0

EXIT_OK: Final = 0
EXIT_CRASHED: Final = 1
EXIT_CONFIG_ERROR: Final = 2


def install_stop_handlers(stop: threading.Event, received: list[str]) -> None:
    """SIGTERM/SIGINT only record the signal and set ``stop``: nothing that can block."""

    def handle(signum: int, _frame: FrameType | None) -> None:
        received.append(signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def run_guarded(config: Config, stop: threading.Event, crashed: list[str], emit: Emit) -> None:
    """The worker thread: a bug ends the program (exit 1, container restart) but is logged."""
    try:
        run_loop(config, stop, emit)
    except Exception as exc:  # noqa: BLE001 - report any bug as one line, then exit 1
        crashed.append(f"{type(exc).__name__}: {exc}")
        emit(format_line("crashed", service=config.service_ref, error=crashed[-1]))
        stop.set()


def serve(config: Config, emit: Emit = print_line) -> int:
    """Run the loop in a worker thread; the main thread only waits for a signal or a crash.

    Setting the event from a signal handler is safe here because the main thread never
    holds the event's lock (it is not the thread waiting on it).
    """
    stop = threading.Event()
    received: list[str] = []
    crashed: list[str] = []
    install_stop_handlers(stop, received)
    emit(start_line(config))
    worker = threading.Thread(
        target=run_guarded,
        args=(config, stop, crashed, emit),
        name="port-patcher",
        daemon=True,
    )
    worker.start()
    while worker.is_alive() and not stop.is_set():
        worker.join(timeout=0.2)
    worker.join(timeout=STOP_GRACE_SECONDS)  # a request in flight may hold it briefly
    if crashed:
        return EXIT_CRASHED
    emit(
        format_line(
            "stopped",
            service=config.service_ref,
            signal=received[0] if received else "none",
        )
    )
    return EXIT_OK


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m port_patcher",
        description="Keep a Service's rpc port on the JobManager's bound RPC port. "
        "Configured by environment variables (see the module docstring).",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="run one iteration and exit (0 ok, 1 failed)",
    )
    return parser.parse_args(argv)


def run_single(config: Config, emit: Emit) -> int:
    try:
        outcome = run_once(config)
    except SyncError as error:
        emit(
            format_line(
                "failed",
                service=config.service_ref,
                step=error.step,
                reason=error.reason,
            )
        )
        return EXIT_CRASHED
    Reporter(config, emit).success(outcome)
    return EXIT_OK


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = load_config(os.environ if env is None else env)
    except ConfigError as exc:
        print_line(
            format_line(
                "config_error",
                variable=exc.variable,
                value="<unset>" if exc.value is None else exc.value,
                problem=exc.problem,
            )
        )
        return EXIT_CONFIG_ERROR
    if args.once:
        return run_single(config, print_line)
    return serve(config)
