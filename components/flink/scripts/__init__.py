"""The bash programs of the Flink pods, one ``.sh`` file each (bash and coreutils of the
official Flink image); ``load`` gives the string a pod runs (see ``components.shell``)."""

from __future__ import annotations

from pathlib import Path

from components import shell

DIRECTORY = Path(__file__).parent


def load(name: str, **values: str) -> str:
    """The program ``name`` (a path under this folder) as a pod runs it."""
    return shell.load(DIRECTORY / name, **values)


# The init containers' programs (see the files).
WAIT_FOR_ZOOKEEPER = load("wait_for_zookeeper.sh")
PREPARE = load("prepare.sh")
