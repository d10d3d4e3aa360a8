"""Bash programs kept as real ``.sh`` files (so ShellCheck reads them) and shipped as strings.

A program file starts with a header: the line ``# shellcheck shell=bash`` (the files are
run with ``bash -c``, never executed, so no shebang), then comment lines describing the
program. The header is for readers and ShellCheck; the string a pod or a command runs
is the file without it. ``@NAME@`` in a file is a value the caller fills in.
"""

from __future__ import annotations

from pathlib import Path

HEADER = "# shellcheck shell=bash\n"


def load(path: Path, **values: str) -> str:
    """The program in ``path`` without its header, each ``@NAME@`` replaced by ``values[NAME]``."""
    text = path.read_text()
    if not text.startswith(HEADER):
        raise ValueError(f"{path.name}: a program file starts with {HEADER.strip()!r}")
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    program = "".join(lines[start:])
    for name, value in values.items():
        placeholder = f"@{name}@"
        if placeholder not in program:
            raise ValueError(f"{path.name}: no {placeholder} to fill in")
        program = program.replace(placeholder, value)
    return program
