"""Run the upgrade and state scenarios (``upgrade_scenarios``, then ``state_scenarios``)
once and print one line per scenario.

    python -m tests.integration.upgrade_bench [--keep DIR]

Each line reads ``scenario=<name> mode=<upgradeMode> parallelism=<before>-><after>
restored=<checkpoint or savepoint id> latest_before=<id> state_mismatches=<n>
to_running_s=<s> state_lost=<0|1>``; ``latest_before`` is the savepoint the upgrade took,
or else the latest checkpoint completed before the old JobManager stopped (None: the
scenario starts empty); ``state_lost=1`` when the job ran again without it. Exit status 1
if a scenario failed or did not restore what it should.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from pathlib import Path

from tests.integration.state_scenarios import run_upgrades


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.integration.upgrade_bench", description=__doc__)
    parser.add_argument("--keep", type=Path, help="keep logs and data under this (new) directory")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="upgrade-bench-") as tmp:
        work_dir = args.keep or Path(tmp)
        work_dir.mkdir(parents=True, exist_ok=True)
        try:
            results = run_upgrades(work_dir, log=lambda line: print(line, flush=True))
        except Exception:  # noqa: BLE001 - report the failure as the result
            print(f"FAILED:\n{traceback.format_exc()}", flush=True)
            return 1
    print("---", flush=True)
    for result in results:
        print(result.line(), flush=True)
        for mismatch in result.state.mismatches[:10]:
            print(f"  state mismatch: {mismatch}", flush=True)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
