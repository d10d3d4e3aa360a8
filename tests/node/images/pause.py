"""The pause image: a static binary compiled here from ``pause.c``, alone in one layer."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tarfile
from pathlib import Path

from tests.cache import filled_once
from tests.node import layout
from tests.node.images import archive

SOURCE = Path(__file__).with_name("pause.c")


def _key() -> str:
    return hashlib.sha256(SOURCE.read_bytes() + layout.PAUSE_IMAGE.encode()).hexdigest()[:12]


def ensure() -> Path:
    """The pause image archive, built once per source version."""

    def fill(staged: Path, scratch: Path) -> None:
        compiler = shutil.which("cc") or shutil.which("gcc")
        if compiler is None:
            raise RuntimeError("no C compiler (cc) for the pause image: install gcc")
        binary = scratch / "pause"
        subprocess.run([compiler, "-static", "-Os", "-s", "-o", str(binary), str(SOURCE)], check=True)
        layer = scratch / "layer.tar"
        with tarfile.open(layer, "w") as tar:
            tar.add(binary, arcname="pause")
            info = tarfile.TarInfo("etc/")  # empty directories the runtime expects
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info, io.BytesIO())
        staged.mkdir()
        archive.write(
            staged / "image.tar",
            layout.PAUSE_IMAGE,
            [layer],
            archive.ImageConfig(entrypoint=["/pause"], user="65535:65535"),
        )

    return filled_once(f"node-images/pause-{_key()}", lambda home: (home / "image.tar").is_file(), fill) / "image.tar"
