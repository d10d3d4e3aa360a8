"""``python -m tests.engine install``: build (or find cached) the engine, print its Pulumi home.

Prints one line, ``pulumi_home=<dir>``: ``<dir>/bin/pulumi`` is the CLI and the
kubernetes provider is installed in ``<dir>/plugins``.
"""

from __future__ import annotations

import argparse
import sys

from tests.cache import print_ready
from tests.engine.build import EngineBuildError, ensure_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.engine", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["install"])
    parser.parse_args(argv)
    return print_ready(lambda: f"pulumi_home={ensure_engine()}", (EngineBuildError,), "error: ")


if __name__ == "__main__":
    sys.exit(main())
