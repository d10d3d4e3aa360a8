"""Bash programs are ``.sh`` files that ShellCheck reads; the loader gives the string that runs."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

from components import shell

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("components", "infra")  # where the programs that pods and commands run live


def tracked(*patterns: str) -> list[Path]:
    listing = subprocess.run(["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / line for line in listing.stdout.splitlines()]


def test_load_strips_exactly_the_leading_comment_header(tmp_path: Path) -> None:
    program = tmp_path / "p.sh"
    program.write_text(
        "# shellcheck shell=bash\n# What it does.\n# shellcheck disable=SC2016 # why\n"
        "set -eu\n# a comment in the program stays\necho '# and so does this'\n"
    )
    assert shell.load(program) == "set -eu\n# a comment in the program stays\necho '# and so does this'\n"


def test_load_refuses_a_file_without_the_header(tmp_path: Path) -> None:
    program = tmp_path / "p.sh"
    program.write_text("#!/usr/bin/env bash\nset -eu\n")
    with pytest.raises(ValueError, match="starts with '# shellcheck shell=bash'"):
        shell.load(program)


def test_load_fills_in_each_value_and_refuses_one_the_file_does_not_name(tmp_path: Path) -> None:
    program = tmp_path / "p.sh"
    program.write_text("# shellcheck shell=bash\njava @MAIN@ -server x @MAIN@\n")
    assert shell.load(program, MAIN="a.B") == "java a.B -server x a.B\n"
    with pytest.raises(ValueError, match="no @OTHER@ to fill in"):
        shell.load(program, MAIN="a.B", OTHER="c")


@pytest.mark.parametrize("path", tracked(*(f"{d}/*.sh" for d in SHIPPED)), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_shipped_program_has_the_header_and_starts_with_code(path: Path) -> None:
    program = shell.load(path)
    assert program and not program.startswith(("#", "\n")), program[:80]


# Lines only a shell program has: options, a shebang, a test, a loop or branch opening or closing.
BASH_LINE = re.compile(r"^\s*(set -[a-z]|#!/|if \[\[|\[\[ )|; (do|then)\b|^\s*(fi|done|esac)$")


def bash_like_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if BASH_LINE.search(line)]


def test_no_python_file_of_the_program_embeds_a_bash_program() -> None:
    found = []
    for path in tracked(*(f"{d}/*.py" for d in SHIPPED)):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and bash_like_lines(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {bash_like_lines(node.value)[0]}")
    assert found == [], "bash belongs in a .sh file (see components/shell.py)"


def test_the_heuristic_sees_the_programs_it_guards_against() -> None:
    for path in tracked(*(f"{d}/*.sh" for d in SHIPPED)):
        assert bash_like_lines(shell.load(path)), path


def test_the_test_script_shellchecks_every_tracked_shell_file() -> None:
    test_script = (ROOT / "scripts" / "test.sh").read_text()
    assert "git ls-files '*.sh'" in test_script
    assert "shellcheck" in test_script
