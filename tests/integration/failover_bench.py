"""Repeat the JobManager failover scenario and summarise it.

    python -m tests.integration.failover_bench --runs 3 [--mode sidecar|pinned] [--keep DIR]
    python -m tests.integration.failover_bench --mode standby --runs 3 --stalls 3
        [--crash kill|stop] [--session-timeout-ms MS]

Prints one line per run, then exactly one summary line:

    failover_s_median=<kill to RUNNING, s> patch_s_median=<new JobManager's leadership to
    Service patched, s> runs=N state_mismatches=<n> restored_latest=<k>/<N>

(``patch_s_median=na`` in pinned and standby modes: nothing is patched there.) Standby mode
(``rpcPortMode: podIp``, two JobManagers, ``standby_scenario.py``) appends ``mode=standby
spurious_failovers=<n> stalls=<n>``: each run first pauses ZooKeeper and the leader for 3 s,
alternately, ``--stalls`` times in all, and counts those that changed the leader or
restarted the job. ``--crash stop`` ends the leader with SIGSTOP instead of ``kill -9`` (a
leader that vanishes without refusing connections: no fencing, the session timeout
decides); ``--session-timeout-ms`` replaces the stack's ZooKeeper session timeout (and a
connection timeout above it), to measure the curve the stack's value was chosen from.
In sidecar and pinned modes one local control plane (``tests.controlplane``) serves every
run: the sidecar patches the Service in it. Exit status 1 if a run failed, found a state
mismatch, did not restore the latest checkpoint or failed over in a stall. Logs and data
of every run stay in a new temporary directory (or ``--keep DIR``), named at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Protocol

from tests.controlplane import ControlPlane
from tests.controlplane import start as start_control_plane
from tests.integration.after_restore import AfterRestore
from tests.integration.local_config import FlinkConfig
from tests.integration.scenario import MODES, run_failover
from tests.integration.standby_scenario import CRASHES, SESSION_TIMEOUT_KEY, StandbyResult, run_standby

STANDBY = "standby"
CONNECTION_TIMEOUT_KEY = "high-availability.zookeeper.client.connection-timeout"


class Result(Protocol):
    @property
    def failover_s(self) -> float: ...
    @property
    def patch_s(self) -> float | None: ...
    @property
    def after(self) -> AfterRestore: ...
    @property
    def restored_latest(self) -> bool: ...
    def line(self) -> str: ...


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.integration.failover_bench",
        description="Repeat the JobManager failover scenario and summarise it.",
    )
    parser.add_argument("--runs", type=int, default=3, help="how many times to run the scenario (default 3)")
    parser.add_argument(
        "--mode",
        choices=(*MODES, STANDBY),
        default="sidecar",
        help="rpcPortMode of the stack, or standby (podIp with two JobManagers) (default sidecar)",
    )
    parser.add_argument("--stalls", type=int, default=0, help="standby: 3-s stalls per run before the kill")
    parser.add_argument("--crash", choices=CRASHES, default="kill", help="standby: how the leader ends (default kill)")
    parser.add_argument("--session-timeout-ms", type=int, help="standby: ZooKeeper session timeout to measure with")
    parser.add_argument("--keep", type=Path, help="keep each run's logs and data under this directory")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.stalls < 0:
        parser.error("--stalls must not be negative")
    standby_only = args.stalls or args.crash != "kill" or args.session_timeout_ms is not None
    if args.mode != STANDBY and standby_only:
        parser.error("--stalls, --crash and --session-timeout-ms are for --mode standby")
    return args


def experiment(args: argparse.Namespace) -> FlinkConfig | None:
    """The session timeout to measure with (the connection timeout a second below it)."""
    if args.session_timeout_ms is None:
        return None
    timeout = int(args.session_timeout_ms)
    return {SESSION_TIMEOUT_KEY: timeout, CONNECTION_TIMEOUT_KEY: max(1000, min(3000, timeout - 1000))}


def run_once(args: argparse.Namespace, keep: Path, index: int, plane: ControlPlane | None) -> Result:
    work_dir = keep / f"run-{index}"
    work_dir.mkdir(parents=True, exist_ok=False)
    if args.mode == STANDBY:
        return run_standby(work_dir, args.stalls, args.crash, say, experiment(args))
    return run_failover(args.mode, work_dir, log=say, control_plane=plane)


def say(line: str) -> None:
    print(line, flush=True)


def summary_line(results: list[Result], runs: int) -> str:
    failover = f"{statistics.median(r.failover_s for r in results):.2f}" if results else "na"
    patches = [r.patch_s for r in results if r.patch_s is not None]
    patch = f"{statistics.median(patches):.2f}" if patches else "na"
    mismatches = sum(len(r.after.state.mismatches) for r in results)
    latest = sum(1 for r in results if r.restored_latest)
    line = (
        f"failover_s_median={failover} patch_s_median={patch} runs={runs} "
        f"state_mismatches={mismatches} restored_latest={latest}/{runs}"
    )
    standby = [r for r in results if isinstance(r, StandbyResult)]
    if standby:
        spurious = sum(r.spurious_failovers for r in standby)
        line += f" mode=standby spurious_failovers={spurious} stalls={sum(len(r.stalls) for r in standby)}"
    return line


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.mode == STANDBY:
        return run_all(args, None)  # nothing to patch: no control plane
    with tempfile.TemporaryDirectory(prefix="failover-controlplane-") as plane_dir:
        plane = start_control_plane(Path(plane_dir), log=lambda line: print(line, flush=True))
        try:
            return run_all(args, plane)
        finally:
            plane.stop()


def run_all(args: argparse.Namespace, plane: ControlPlane | None) -> int:
    # The logs the runs print paths of must outlive them.
    keep = args.keep or Path(tempfile.mkdtemp(prefix=f"failover-{args.mode}-"))
    results: list[Result] = []
    failures = 0
    for index in range(1, args.runs + 1):
        print(f"run {index}/{args.runs} mode={args.mode}", flush=True)
        try:
            result = run_once(args, keep, index, plane)
        except Exception:  # noqa: BLE001 - report the run as failed, go on with the next
            failures += 1
            print(f"run {index}/{args.runs} FAILED:\n{traceback.format_exc()}", flush=True)
            continue
        results.append(result)
        print(f"run {index}/{args.runs} {result.line()}", flush=True)
        for mismatch in result.after.state.mismatches[:10]:
            print(f"  state mismatch: {mismatch}", flush=True)
    print(f"logs and data of every run: {keep}", flush=True)
    print(summary_line(results, args.runs), flush=True)
    spurious = any(isinstance(r, StandbyResult) and r.spurious_failovers for r in results)
    bad = failures or spurious or any(r.after.state.mismatches or not r.restored_latest for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
