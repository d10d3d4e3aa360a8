"""Write images as one docker-archive tar (what ``ctr images import`` reads): layers are tar
files stored once, each image's config is an OCI image config, ``manifest.json`` names them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import tarfile
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class ImageConfig:
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    env: list[str] = dataclasses.field(
        default_factory=lambda: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
    )
    user: str = ""
    working_dir: str = ""
    exposed_ports: tuple[str, ...] = ()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))


@dataclasses.dataclass(frozen=True)
class Image:
    name: str  # a full reference
    layers: list[Path]  # uncompressed tars, the base first
    config: ImageConfig


def _config_document(config: ImageConfig, diff_ids: list[str]) -> bytes:
    container_config: dict[str, object] = {"Env": config.env}
    if config.entrypoint is not None:
        container_config["Entrypoint"] = config.entrypoint
    if config.cmd is not None:
        container_config["Cmd"] = config.cmd
    if config.user:
        container_config["User"] = config.user
    if config.working_dir:
        container_config["WorkingDir"] = config.working_dir
    if config.exposed_ports:
        container_config["ExposedPorts"] = {port: {} for port in config.exposed_ports}
    document = {
        "architecture": "amd64",
        "os": "linux",
        "config": container_config,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "tests/node/images (built here)"} for _ in diff_ids],
    }
    return json.dumps(document, sort_keys=True).encode()


def write(out: Path, images: list[Image]) -> Path:
    """``out``: one archive of ``images``; a layer several images share is stored once."""
    diff_ids: dict[Path, str] = {}
    for image in images:
        for layer in image.layers:
            if layer not in diff_ids:
                diff_ids[layer] = f"sha256:{_sha256(layer)}"
    manifest = []
    with tarfile.open(out, "w") as archive:
        for layer, diff_id in diff_ids.items():
            archive.add(layer, arcname=f"{diff_id.removeprefix('sha256:')}/layer.tar")
        for image in images:
            ids = [diff_ids[layer] for layer in image.layers]
            config_bytes = _config_document(image.config, ids)
            config_name = f"{hashlib.sha256(config_bytes).hexdigest()}.json"
            _add_bytes(archive, config_name, config_bytes)
            layer_names = [f"{diff_id.removeprefix('sha256:')}/layer.tar" for diff_id in ids]
            manifest.append({"Config": config_name, "RepoTags": [image.name], "Layers": layer_names})
        _add_bytes(archive, "manifest.json", json.dumps(manifest).encode())
    return out
