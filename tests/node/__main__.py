"""``python -m tests.node base-layer|build|start|stop [--dir DIR]``.

- ``base-layer``: the images' Debian base layer alone (debootstrap: network-bound, so the
  test command builds it beside the CPU-bound Go builds), or find it in the cache.
- ``build``: the binaries (control plane, kubelet, kube-proxy, CoreDNS) and the images, or
  find them in the cache.
- ``start``: start the one-node cluster whose files live in DIR (default ``.node``), leave it
  running, print one line ``kubeconfig=<admin kubeconfig>`` on stdout (progress: stderr).
- ``stop``: stop the node recorded in DIR and undo what it changed on the host.
- ``local``: the local stack's cluster (``tests/node/local.py``): the node in ``DIR/node``,
  attached or started, with the stack's volumes; prints ``kubeconfig=``, ``context=`` and
  ``settings=`` lines.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.cache import CacheFillError
from tests.controlplane.build import BuildError, ensure_binaries
from tests.controlplane.cluster import ControlPlaneError
from tests.node import dns
from tests.node.cluster import NodeError, start, stop
from tests.node.images import catalogue, rootfs
from tests.node.local import local
from tests.node.network import NetworkError

DEFAULT_DIR = Path(".node")


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.node", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("base-layer", "build", "start", "stop", "local"))
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="state directory (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        if args.command == "base-layer":
            progress(f"base layer {rootfs.ensure()}")
        elif args.command == "build":
            progress(f"binaries in {ensure_binaries(progress)}; CoreDNS {dns.ensure_binary()}")
            progress(f"images in {catalogue.ensure_archive(progress)}")
        elif args.command == "start":
            node = start(args.dir.resolve(), progress)
            print(f"kubeconfig={node.kubeconfig}", flush=True)
        elif args.command == "local":
            print("\n".join(local(args.dir, progress)), flush=True)
        elif not stop(args.dir.resolve(), progress):
            progress(f"no node recorded in {args.dir}")
    except (BuildError, ControlPlaneError, NodeError, NetworkError, CacheFillError, RuntimeError) as exc:
        progress(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
