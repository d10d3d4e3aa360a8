"""``python -m tests.controlplane build|start|stop [--dir DIR]``.

- ``build``: build the binaries, or find them in the cache.
- ``start``: start a control plane whose files live in DIR (default ``.controlplane``),
  leave it running, print one line ``kubeconfig=<admin kubeconfig>`` on stdout (progress
  goes to stderr).
- ``stop``: stop the control plane recorded in DIR, by PID.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.controlplane.build import BuildError, ensure_binaries
from tests.controlplane.cluster import ControlPlaneError, start, stop

DEFAULT_DIR = Path(".controlplane")


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.controlplane", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("build", "start", "stop"))
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="state directory (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            progress(f"binaries in {ensure_binaries(progress)}")
        elif args.command == "start":
            plane = start(args.dir.resolve(), progress)
            rss = ", ".join(f"{name} {mib:.0f}" for name, mib in plane.rss_mib().items())
            progress(f"RSS (MiB): {rss}")
            print(f"kubeconfig={plane.kubeconfig}", flush=True)
        elif not stop(args.dir.resolve()):
            progress(f"no control plane recorded in {args.dir}")
    except (BuildError, ControlPlaneError) as exc:
        progress(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
