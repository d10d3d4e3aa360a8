"""``python -m tests.node.bench [--dir DIR | --attach DIR] [--runs N]``: day two on the node's pods.

Starts the one-node cluster in DIR (default ``.node-bench``; stopped at the end, the host
restored), or with ``--attach DIR`` uses the one ``python -m tests.node start --dir DIR``
left running (and leaves it running; the stack, under DIR, is destroyed at the end), deploys
the stack with the real engine and the test broker on the bridge address, then runs the
chain of ``day_two`` and prints one line per scenario: ``scenario=<name> to_running_s=<s>
[up_s=<s>] restored=<id> latest_before=<id> state_mismatches=<n>``. ``--runs N`` repeats
pod-delete and container-kill N times (the cheap ones) and prints their medians. Exit
status 1 if a scenario failed its checks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import traceback
from pathlib import Path

from tests.node.cluster import Node, attach, start, stop
from tests.node.day_two import run_chain
from tests.node.deployment import deploy
from tests.node.scenario_result import ScenarioResult


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def medians(results: list[ScenarioResult]) -> list[str]:
    lines = []
    for scenario in dict.fromkeys(r.scenario for r in results):
        times = [r.to_running_s for r in results if r.scenario == scenario]
        if len(times) > 1:
            lines.append(f"median scenario={scenario} runs={len(times)} to_running_s={statistics.median(times):.1f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.node.bench", description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--dir", type=Path, default=Path(".node-bench"), help="node and stack files (%(default)s)")
    where.add_argument("--attach", type=Path, metavar="DIR", help="a node started by `python -m tests.node start`")
    parser.add_argument("--runs", type=int, default=1, help="pod-delete and container-kill repeats (%(default)s)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs {args.runs}: at least 1")
    attached = args.attach is not None
    node_dir = args.attach.resolve() if attached else args.dir.resolve() / "node"
    # Attached: under the node's directory (its `stop` leaves it), one per run.
    stack_dir = node_dir / f"bench-{time.strftime('%Y%m%d-%H%M%S')}" if attached else args.dir.resolve() / "stack"
    results: list[ScenarioResult] = []
    try:
        node: Node = attach(node_dir) if attached else start(node_dir, progress)
        with deploy(node, stack_dir, progress) as deployment:
            if not deployment.first_up.ok:
                raise RuntimeError(f"pulumi up failed:\n{deployment.first_up.stderr[-3000:]}")
            results = run_chain(deployment, progress, args.runs)
    except Exception:  # noqa: BLE001 - report the failure as the result
        progress(f"FAILED:\n{traceback.format_exc()}")
        return 1
    finally:
        if not attached:
            stop(node_dir, progress)
    print("---", flush=True)
    for line in [r.line() for r in results] + medians(results):
        print(line, flush=True)
    return 0 if results and all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
