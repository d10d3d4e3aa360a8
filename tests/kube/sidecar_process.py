"""The port-patcher program as a real process, its log lines collected by a thread."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from components.flink.sidecar import PROGRAM_DIR

# As the pod runs it: `python -m port_patcher` with the package's parent on PYTHONPATH.
COMMAND = [sys.executable, "-m", PROGRAM_DIR.name]
PYTHONPATH = str(PROGRAM_DIR.parent)
WAIT_S = 20.0  # upper bound for anything waited for; never a performance claim
CHECK_S = 0.01  # how often a wait checks its condition


def action(line: str) -> str:
    return next((part.split("=", 1)[1] for part in line.split() if part.startswith("action=")), "")


class SidecarProcess:
    def __init__(self, env: dict[str, str], stderr_apart: bool = False) -> None:
        """Stderr joins the collected stdout lines, unless ``stderr_apart`` keeps it in a pipe."""
        self.process = subprocess.Popen(
            COMMAND,
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONPATH": PYTHONPATH,
                **env,
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if stderr_apart else subprocess.STDOUT,
            text=True,
        )
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.append(line.rstrip("\n"))

    @property
    def lines(self) -> list[str]:
        return list(self._lines)

    def actions(self) -> list[str]:
        return [action(line) for line in self.lines]

    def terminate(self) -> int:
        """SIGTERM, then the exit code (bounded wait)."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=WAIT_S)
        self._reader.join(timeout=WAIT_S)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT_S)
        if self.process.stdout is not None:
            self.process.stdout.close()
