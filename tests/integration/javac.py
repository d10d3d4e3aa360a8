"""Compile one Java source with javac and pack its classes into a jar."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

from tests.integration.requirements import require_tool


def compile_jar(
    source: Path, classpath: list[Path], release: str, jar: Path, scratch: Path, main_class: str | None = None
) -> None:
    """``javac --release RELEASE`` of ``source`` into ``scratch``, then its classes into ``jar``."""
    classes = scratch / "classes"
    command = [
        require_tool("javac"),
        "--release",
        release,
        "-encoding",
        "UTF-8",
        "-Xlint:-options",
        "-cp",
        os.pathsep.join(str(p) for p in classpath),
        "-d",
        str(classes),
        str(source),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"javac failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    with zipfile.ZipFile(jar, "w", zipfile.ZIP_DEFLATED) as archive:
        if main_class is not None:
            archive.writestr("META-INF/MANIFEST.MF", f"Manifest-Version: 1.0\nMain-Class: {main_class}\n\n")
        for path in sorted(classes.rglob("*.class")):
            archive.write(path, path.relative_to(classes).as_posix())
