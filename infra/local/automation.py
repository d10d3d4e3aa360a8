"""``python -m infra.local.automation OP [--diff] [--expect-no-changes]``: run the program
with the Pulumi engine built here (``scripts/stack.sh local`` when no CLI could be downloaded).

The Go module proxy serves no standalone Python language host (``pulumi-language-python``),
so the engine built from Go modules cannot start ``__main__.py`` itself. The program runs
instead as Pulumi's Automation API runs inline programs: the pinned SDK serves the language
runtime in this process and the real CLI connects to it; the engine, the state backend and
the kubernetes provider are the real ones. The CLI's own output streams to stdout, as
``pulumi OP`` prints it; ``up`` and ``destroy`` apply without asking (``--yes``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pulumi import automation as auto

from infra.compose import program
from infra.local.stack_file import STACK

OPS = ("preview", "up", "refresh", "destroy")
ACCEPTED = ("--yes", "-y", "--skip-preview", "-f")  # what the CLI would need to run unattended: implied


def run(op: str, diff: bool, expect_no_changes: bool) -> None:
    home = os.environ["PULUMI_HOME"]
    workspace = auto.LocalWorkspace(
        work_dir=str(Path.cwd()),
        program=program.run,
        pulumi_home=home,
        pulumi_command=auto.PulumiCommand(root=home, skip_version_check=True),
    )
    stack = auto.Stack.select(STACK, workspace)
    if op == "preview":
        stack.preview(expect_no_changes=expect_no_changes, diff=diff, on_output=_print)
    elif op == "up":
        stack.up(expect_no_changes=expect_no_changes, diff=diff, on_output=_print)
    elif op == "refresh":
        stack.refresh(expect_no_changes=expect_no_changes, diff=diff, on_output=_print)
    else:
        stack.destroy(diff=diff, on_output=_print)


def _print(line: str) -> None:
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.automation", description=__doc__.splitlines()[0])
    parser.add_argument("op", choices=OPS)
    parser.add_argument("--diff", action="store_true")
    parser.add_argument("--expect-no-changes", action="store_true")
    args, rest = parser.parse_known_args(argv)
    unknown = [a for a in rest if a not in ACCEPTED]
    if unknown:
        parser.error(f"{' '.join(unknown)}: not taken with the engine built here (only --diff, --expect-no-changes)")
    try:
        run(args.op, args.diff, args.expect_no_changes)
    except auto.CommandError as error:
        print(f"error: pulumi {args.op} failed: {str(error).strip()[-2000:]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
