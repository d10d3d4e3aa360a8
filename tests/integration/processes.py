"""Child processes of the integration tests: started in their own session, ended by PID.

Every process started here is registered and ended at interpreter exit as a last resort;
tests and the benchmark end them explicitly (context managers, ``finally``).
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

_LIVE: dict[int, ManagedProcess] = {}


class ManagedProcess:
    """One child process whose output goes to a log file."""

    def __init__(self, name: str, popen: subprocess.Popen[bytes], log_path: Path) -> None:
        self.name = name
        self.popen = popen
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill9(self) -> None:
        """``kill -9`` by PID, then reap it."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)
        _LIVE.pop(self.pid, None)

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM by PID, SIGKILL if it is still running after ``timeout_s``."""
        if self.alive():
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.popen.wait(timeout=30)
        _LIVE.pop(self.pid, None)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __repr__(self) -> str:
        return f"<{self.name} pid={self.pid} log={self.log_path}>"


def start_process(
    name: str,
    argv: Sequence[str],
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ManagedProcess:
    """Start ``argv`` in a new session (own process group), stdout+stderr to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        popen = subprocess.Popen(  # noqa: S603 - argv built by the tests
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
    process = ManagedProcess(name, popen, log_path)
    _LIVE[popen.pid] = process
    return process


@atexit.register
def _end_leftovers() -> None:
    for process in list(_LIVE.values()):
        try:
            process.stop(timeout_s=5)
        except (OSError, subprocess.SubprocessError):
            pass


def listening_ports(pid: int) -> dict[int, str]:
    """TCP ports ``pid`` listens on (IPv4 and IPv6), each with its bound address."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    ports: dict[int, str] = {}
    for table in ("tcp", "tcp6"):
        try:
            rows = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A = LISTEN
                address, port = local.rsplit(":", 1)
                ports[int(port, 16)] = _address(address)
    return ports


def _address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)
