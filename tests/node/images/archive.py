"""Write an image as a docker-archive tar (what ``ctr images import`` reads): layers are tar
files, the config is the OCI image config, ``manifest.json`` names the image.
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


def write(out: Path, name: str, layers: list[Path], config: ImageConfig) -> Path:
    """``out``: an archive of the image ``name`` (a full reference) made of ``layers`` (uncompressed tars)."""
    diff_ids = [f"sha256:{_sha256(layer)}" for layer in layers]
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
    image_config = {
        "architecture": "amd64",
        "os": "linux",
        "config": container_config,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "tests/node/images (built here)"} for _ in layers],
    }
    config_bytes = json.dumps(image_config, sort_keys=True).encode()
    config_name = f"{hashlib.sha256(config_bytes).hexdigest()}.json"
    layer_names = [f"{diff_id.removeprefix('sha256:')}/layer.tar" for diff_id in diff_ids]
    manifest = [{"Config": config_name, "RepoTags": [name], "Layers": layer_names}]
    with tarfile.open(out, "w") as archive:
        _add_bytes(archive, config_name, config_bytes)
        for layer, layer_name in zip(layers, layer_names, strict=True):
            archive.add(layer, arcname=layer_name)
        _add_bytes(archive, "manifest.json", json.dumps(manifest).encode())
    return out
