"""What the Flink and ZooKeeper logs tell: completed checkpoints, start-up milestones."""

from __future__ import annotations

import datetime
import re
import time
from pathlib import Path

COMPLETED_CHECKPOINT = re.compile(r"Completed checkpoint (\d+) for job ([0-9a-f]+)")
LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")
# Milestones of a JobManager start, by the first log line that matches (Flink 1.20 wording).
JOBMANAGER_MILESTONES = {
    "jvm_up": re.compile(r"Starting StandaloneApplicationClusterEntryPoint"),
    "rpc_bound": re.compile(r"Actor system started at pekko\.tcp://flink@"),
    "zk_connected": re.compile(r"Session establishment complete"),
    "leader": re.compile(r"DefaultDispatcherRunner was granted leadership"),
    "restoring": re.compile(r"Restoring job \w+ from Checkpoint"),
    "tasks_running": re.compile(r"counter -> Sink: Writer \(1/1\).* switched from INITIALIZING to RUNNING"),
}
# The ZooKeeper server's log line when it drops a dead client's session.
ZOOKEEPER_MILESTONES = {
    "zk_expired": re.compile(r"Expiring session 0x[0-9a-f]+, timeout of \d+ms exceeded"),
}


def log_milestones(log_file: Path, patterns: dict[str, re.Pattern[str]], since_wall: float) -> dict[str, float]:
    """Seconds from ``since_wall`` to the first log line (at or after it) matching each pattern."""
    found: dict[str, float] = {}
    text = log_file.read_text(errors="replace") if log_file.exists() else ""
    for line in text.splitlines():
        stamp = LOG_TIME.match(line)
        if not stamp:
            continue
        at = datetime.datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp() - since_wall
        for name, pattern in patterns.items():
            if name not in found and at >= -0.5 and pattern.search(line):
                found[name] = at
    return found


def completed_checkpoints(log_file: Path) -> list[int]:
    text = log_file.read_text(errors="replace") if log_file.exists() else ""
    return [int(m.group(1)) for m in COMPLETED_CHECKPOINT.finditer(text)]


def wait_for_new_checkpoint(log_file: Path, timeout_s: float) -> int:
    """Return as soon as the log shows a checkpoint completed after this call (its id)."""
    known = max(completed_checkpoints(log_file), default=0)
    deadline = time.monotonic() + timeout_s
    with log_file.open("rb") as stream:
        stream.seek(0, 2)
        pending = b""
        while time.monotonic() < deadline:
            pending += stream.read()
            ids = [int(m.group(1)) for m in COMPLETED_CHECKPOINT.finditer(pending.decode(errors="replace"))]
            if ids and max(ids) > known:
                return max(ids)
            pending = pending[-4096:]  # a line may be half written
            time.sleep(0.01)
    raise TimeoutError(f"no new completed checkpoint in {log_file} within {timeout_s:g}s")
