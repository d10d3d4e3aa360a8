"""Building image layers: uncompressed tar files with chosen owners and modes."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

ROOT = (0, 0)


def _directory(tar: tarfile.TarFile, name: str, owner: tuple[int, int], mode: int = 0o755) -> None:
    info = tarfile.TarInfo(name.strip("/"))
    info.type = tarfile.DIRTYPE
    info.mode = mode
    info.uid, info.gid = owner
    tar.addfile(info)


def _bytes(tar: tarfile.TarFile, name: str, data: bytes, owner: tuple[int, int], mode: int) -> None:
    info = tarfile.TarInfo(name.strip("/"))
    info.size = len(data)
    info.mode = mode
    info.uid, info.gid = owner
    tar.addfile(info, io.BytesIO(data))


class Layer:
    """Files and directories added in order to one layer tar."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tar = tarfile.open(path, "w", format=tarfile.PAX_FORMAT)

    def directory(self, name: str, owner: tuple[int, int] = ROOT, mode: int = 0o755) -> None:
        _directory(self._tar, name, owner, mode)

    def text(self, name: str, text: str, owner: tuple[int, int] = ROOT, mode: int = 0o644) -> None:
        _bytes(self._tar, name, text.encode(), owner, mode)

    def data(self, name: str, data: bytes, owner: tuple[int, int] = ROOT, mode: int = 0o644) -> None:
        _bytes(self._tar, name, data, owner, mode)

    def file(self, name: str, source: Path, owner: tuple[int, int] = ROOT, mode: int = 0o644) -> None:
        _bytes(self._tar, name, source.read_bytes(), owner, mode)

    def close(self) -> Path:
        self._tar.close()
        return self.path


def read_bytes_from_layer(layer: Path, name: str) -> bytes:
    """A file of a layer (``etc/ssl/certs/java/cacerts`` of the base layer, say)."""
    with tarfile.open(layer) as tar:
        for candidate in (name, f"./{name}"):
            try:
                member = tar.getmember(candidate)
            except KeyError:
                continue
            extracted = tar.extractfile(member)
            if extracted is not None:
                return extracted.read()
    raise KeyError(f"{layer.name} holds no {name}")


def read_from_layer(layer: Path, name: str) -> str:
    """A text file of a layer (``etc/passwd`` of the base layer, say)."""
    return read_bytes_from_layer(layer, name).decode()
