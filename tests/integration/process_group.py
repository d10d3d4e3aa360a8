"""A group of processes a harness started: each ended by PID when the group is left.

``ProcessGroup`` is an ``ExitStack``: ``track`` registers a started process to be stopped
on leaving (last started, first stopped), also when a test fails. A harness names the
processes that must stay alive (``vital``) and those whose logs explain a failure
(``reported``); ``wait`` fails at once when a vital process has exited, and
``described_on_failure`` logs those logs when a block fails. ``Waits`` is ``wait``'s shape,
for steps that take it as an argument.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from tests.integration.processes import ManagedProcess
from tests.log import Log
from tests.waiting import wait_until

T = TypeVar("T")


class Waits(Protocol):
    """``ProcessGroup.wait``: wait for ``check``, failing early when a vital process exits."""

    def __call__(
        self, what: str, check: Callable[[], T | None], timeout_s: float, interval_s: float | None = None
    ) -> T: ...


class ProcessGroup(contextlib.ExitStack):
    poll_interval_s = 0.1  # how often ``wait`` checks, unless told

    def __init__(self, work_dir: Path, log: Log) -> None:
        super().__init__()
        self.work_dir = work_dir
        self.log = log

    def track(self, process: ManagedProcess) -> ManagedProcess:
        """Stop ``process`` when the group is left."""
        self.callback(process.stop)
        return process

    def vital(self) -> Sequence[ManagedProcess | None]:
        """The processes that must be running now (None: not started)."""
        return []

    def reported(self) -> Sequence[ManagedProcess | None]:
        """The processes whose log tails ``describe`` shows (None: not started)."""
        return []

    def check_alive(self) -> None:
        for process in self.vital():
            if process is not None and not process.alive():
                raise RuntimeError(f"{process.name} exited ({process.popen.returncode}):\n{process.log_tail()}")

    def wait(self, what: str, check: Callable[[], T | None], timeout_s: float, interval_s: float | None = None) -> T:
        """``wait_until`` that fails as soon as a vital process has exited."""

        def guarded() -> T | None:
            self.check_alive()
            return check()

        return wait_until(what, guarded, timeout_s, self.poll_interval_s if interval_s is None else interval_s)

    def describe(self) -> str:
        """The work directory and the log tail of each reported process."""
        parts = [f"work dir {self.work_dir}"]
        for process in self.reported():
            if process is not None:
                parts.append(f"--- {process.name} (pid {process.pid}) {process.log_path}\n{process.log_tail(15)}")
        return "\n".join(parts)

    @contextlib.contextmanager
    def described_on_failure(self) -> Iterator[None]:
        """Log ``describe`` when the block raises, then let the error through."""
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):
                self.log(self.describe())
            raise
