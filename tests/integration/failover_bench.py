"""Repeat the JobManager failover scenario and summarise it.

    python -m tests.integration.failover_bench --runs 3 [--mode sidecar|pinned] [--keep DIR]

Prints one line per run, then exactly one summary line:

    failover_s_median=<kill to RUNNING, s> patch_s_median=<new JobManager's leadership to
    Service patched, s> runs=N state_mismatches=<n> restored_latest=<k>/<N>

(``patch_s_median=na`` in pinned mode: nothing is patched there.) One local control
plane (``tests.controlplane``) serves every run: the sidecar patches the Service in it. Exit
status 1 if a run failed, found a state mismatch or did not restore the latest checkpoint.
Logs and data of every run stay in a new temporary directory (or ``--keep DIR``), named at
the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import traceback
from pathlib import Path

from tests.controlplane import ControlPlane
from tests.controlplane import start as start_control_plane
from tests.integration.scenario import MODES, FailoverResult, run_failover


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.integration.failover_bench",
        description="Repeat the JobManager failover scenario and summarise it.",
    )
    parser.add_argument("--runs", type=int, default=3, help="how many times to run the scenario (default 3)")
    parser.add_argument("--mode", choices=MODES, default="sidecar", help="rpcPortMode of the stack (default sidecar)")
    parser.add_argument("--keep", type=Path, help="keep each run's logs and data under this directory")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def run_once(mode: str, keep: Path, index: int, plane: ControlPlane) -> FailoverResult:
    work_dir = keep / f"run-{index}"
    work_dir.mkdir(parents=True, exist_ok=False)
    return run_failover(mode, work_dir, log=lambda line: print(line, flush=True), control_plane=plane)


def summary_line(results: list[FailoverResult], runs: int) -> str:
    failover = f"{statistics.median(r.failover_s for r in results):.2f}" if results else "na"
    patches = [r.patch_s for r in results if r.patch_s is not None]
    patch = f"{statistics.median(patches):.2f}" if patches else "na"
    mismatches = sum(len(r.state.mismatches) for r in results)
    latest = sum(1 for r in results if r.restored_latest)
    return (
        f"failover_s_median={failover} patch_s_median={patch} runs={runs} "
        f"state_mismatches={mismatches} restored_latest={latest}/{runs}"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="failover-controlplane-") as plane_dir:
        plane = start_control_plane(Path(plane_dir), log=lambda line: print(line, flush=True))
        try:
            return run_all(args, plane)
        finally:
            plane.stop()


def run_all(args: argparse.Namespace, plane: ControlPlane) -> int:
    # The logs the runs print paths of must outlive them.
    keep = args.keep or Path(tempfile.mkdtemp(prefix=f"failover-{args.mode}-"))
    results: list[FailoverResult] = []
    failures = 0
    for index in range(1, args.runs + 1):
        print(f"run {index}/{args.runs} mode={args.mode}", flush=True)
        try:
            result = run_once(args.mode, keep, index, plane)
        except Exception:  # noqa: BLE001 - report the run as failed, go on with the next
            failures += 1
            print(f"run {index}/{args.runs} FAILED:\n{traceback.format_exc()}", flush=True)
            continue
        results.append(result)
        print(f"run {index}/{args.runs} {result.line()}", flush=True)
        for mismatch in result.state.mismatches[:10]:
            print(f"  state mismatch: {mismatch}", flush=True)
    print(f"logs and data of every run: {keep}", flush=True)
    print(summary_line(results, args.runs), flush=True)
    bad = failures or any(r.state.mismatches or not r.restored_latest for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
