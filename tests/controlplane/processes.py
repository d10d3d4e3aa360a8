"""Start the control plane's processes detached, record their PIDs, stop them by PID."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

STATE_FILE = "state.json"
KILL_WAIT_S = 30.0  # upper bound for a killed process to leave; never a performance claim
STOP_GRACE_S = 10.0


def spawn(name: str, command: list[str], log_dir: Path) -> int:
    """Start ``command`` in its own session (so a Ctrl-C of the caller does not reach it)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"{name}.log", "ab") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return process.pid


def is_ours(pid: int, binary: str) -> bool:
    """The PID still runs ``binary`` (not a recycled PID of someone else's process)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return bool(cmdline) and cmdline[0].decode(errors="replace") == binary


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def signal_pid(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended by itself meanwhile
        os.kill(pid, signum)


def stop_pids(processes: dict[str, tuple[int, str]]) -> None:
    """SIGTERM each process (last started first), SIGKILL what outlives the grace period."""
    ours = {name: pid for name, (pid, binary) in processes.items() if is_ours(pid, binary)}
    for pid in reversed(list(ours.values())):
        signal_pid(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    while any(alive(pid) for pid in ours.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in ours.values():
        if alive(pid):
            signal_pid(pid, signal.SIGKILL)
    # SIGKILL is delivered, not awaited: a process in uninterruptible sleep (etcd's fsync on a
    # loaded disk) leaves a moment later. Return only once every process is gone.
    deadline = time.monotonic() + KILL_WAIT_S
    while any(alive(pid) for pid in ours.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in ours.values():  # reap children of this process (no-op for others')
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


def save_state(workdir: Path, state: dict[str, object]) -> None:
    path = workdir / STATE_FILE
    path.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def load_state(workdir: Path) -> dict[str, Any] | None:
    path = workdir / STATE_FILE
    if not path.is_file():
        return None
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else None
