"""``python -m infra.preflight STACK``: refuse a stack file before the Pulumi CLI runs.

Checks what needs no network and no Azure: the project and stack files (YAML syntax, the
CLI's own project-config rules) and, unless the stack holds encrypted values (only the
CLI can read those), every setting. Prints one ``error: …`` line and exits 1, or exits 0
silently.
"""

from __future__ import annotations

import sys
from pathlib import Path

from infra.config.settings import parse_settings
from infra.config.validation import ConfigError
from infra.render.project_files import Encrypted, ProjectFileError, stack_config


def check(root: Path, stack: str) -> None:
    config = stack_config(root, stack)
    if not any(isinstance(value, Encrypted) for value in config.values()):
        parse_settings(stack, config)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m infra.preflight STACK", file=sys.stderr)
        return 2
    try:
        check(Path.cwd(), args[0])
    except (ProjectFileError, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
