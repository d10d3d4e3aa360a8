"""What the JobManager completed before a restore, seen two ways: its REST API (polled while it
runs, the old JobManager through its pod address until it is gone) and the snapshots on the
shared volume's host path (every ``_metadata`` file: checkpoints and savepoints).

Flink writes a snapshot's ``_metadata`` last, when the snapshot completes: a magic number, a
version, then the checkpoint id (a big-endian long), so the id of a savepoint is read from
its file too. ``latest_before(t)`` is the newest snapshot completed before ``t`` (a restore's
timestamp): what a restore at ``t`` must at least reach.
"""

from __future__ import annotations

import dataclasses
import struct
import threading
from collections.abc import Callable
from pathlib import Path

from tests.integration.flink_rest import FlinkRest

MAGIC = 0x4960672D  # Flink's checkpoint metadata magic number
POLL_S = 0.25


@dataclasses.dataclass(frozen=True)
class Snapshot:
    id: int
    completed_ms: int
    savepoint: bool


def metadata_id(path: Path) -> int | None:
    """The checkpoint id a ``_metadata`` file records (None: not (yet) one)."""
    try:
        head = path.read_bytes()[:16]
    except OSError:
        return None
    if len(head) < 16 or struct.unpack(">i", head[:4])[0] != MAGIC:
        return None
    return int(struct.unpack(">q", head[8:16])[0])


def on_disk(volume_dir: Path) -> list[Snapshot]:
    found = []
    for path in volume_dir.rglob("_metadata"):
        checkpoint = metadata_id(path)
        if checkpoint is not None:
            try:
                completed_ms = int(path.stat().st_mtime * 1000)
            except OSError:
                continue
            found.append(Snapshot(checkpoint, completed_ms, "savepoints" in path.parts))
    return found


def from_rest(rest: FlinkRest) -> list[Snapshot]:
    """The completed checkpoints and savepoints in the running job's checkpoint history."""
    job = rest.single_job_id()
    history = ((rest.checkpoints(job) or {}).get("history") or []) if job else []
    return [
        Snapshot(int(entry["id"]), int(entry["latest_ack_timestamp"]), bool(entry.get("is_savepoint")))
        for entry in history
        if entry.get("status") == "COMPLETED"
    ]


def latest(snapshots: list[Snapshot], when_ms: int, savepoint_only: bool = False) -> Snapshot | None:
    """The newest of ``snapshots`` completed before ``when_ms`` (only savepoints: ``savepoint_only``)."""
    earlier = [s for s in snapshots if s.completed_ms < when_ms and (s.savepoint or not savepoint_only)]
    return max(earlier, key=lambda s: s.id, default=None)


class SnapshotWatch(threading.Thread):
    """Polls every JobManager pod's REST API and the host path until ``close``."""

    def __init__(self, rests: Callable[[], list[FlinkRest]], volume_dir: Path) -> None:
        super().__init__(name="snapshot-watch", daemon=True)
        self.rests = rests
        self.volume_dir = volume_dir
        self.seen: dict[tuple[int, bool], Snapshot] = {}
        self._closing = threading.Event()
        self._lock = threading.Lock()

    def poll(self) -> None:
        found = on_disk(self.volume_dir)
        for rest in self.rests():
            found += from_rest(rest)
        with self._lock:
            for snapshot in found:
                key = (snapshot.id, snapshot.savepoint)
                known = self.seen.get(key)
                if known is None or snapshot.completed_ms < known.completed_ms:
                    self.seen[key] = snapshot

    def run(self) -> None:
        while not self._closing.is_set():
            try:
                self.poll()
            except Exception:  # noqa: BLE001 - a pod going away mid-poll; the next poll sees the rest
                pass
            self._closing.wait(POLL_S)

    def latest_before(self, when_ms: int, savepoint_only: bool = False) -> Snapshot | None:
        """The newest snapshot completed before ``when_ms`` (only savepoints: ``savepoint_only``)."""
        self.poll()
        with self._lock:
            return latest(list(self.seen.values()), when_ms, savepoint_only)

    def close(self) -> None:
        self._closing.set()
        self.join(timeout=10)
