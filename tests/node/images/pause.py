"""The pause image's layer: a static binary compiled here from ``pause.c``, alone."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from tests.cache import filled_once
from tests.node.images.layers import Layer

SOURCE = Path(__file__).with_name("pause.c")


def ensure_layer() -> Path:
    """The layer tar, built once per source version."""

    def fill(staged: Path, scratch: Path) -> None:
        compiler = shutil.which("cc") or shutil.which("gcc")
        if compiler is None:
            raise RuntimeError("no C compiler (cc) for the pause image: install gcc")
        binary = scratch / "pause"
        subprocess.run([compiler, "-static", "-Os", "-s", "-o", str(binary), str(SOURCE)], check=True)
        staged.mkdir()
        layer = Layer(staged / "layer.tar")
        layer.file("pause", binary, mode=0o755)
        layer.close()

    key = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:12]
    return filled_once(f"node-images/pause-{key}", lambda home: (home / "layer.tar").is_file(), fill) / "layer.tar"
