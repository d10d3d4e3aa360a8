"""Build the control plane's binaries from the pinned Go modules, once per version.

    ${FLINK_AKS_CACHE:-$HOME/.cache/flink-aks}/controlplane-<build key>/bin/
        kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy etcd kwok

The Kubernetes binaries and etcd come from one ``go build`` of the ``gobuild/kube``
module (one compilation of their shared packages), kwok from the ``gobuild/kwok`` module
(it needs newer client libraries than Kubernetes 1.34's own). A lock file serialises
concurrent builders; the finished directory appears by one atomic rename, so a directory
that exists is complete. ``build-info.json`` beside ``bin`` records the versions and how
long the cold build took.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from tests.cache import filled_once
from tests.controlplane import versions
from tests.log import Log

GO_INSTALL_BIN = "/usr/local/go/bin"  # where Go's official installation puts it, if not on PATH


class BuildError(RuntimeError):
    """The control plane could not be built."""


def is_complete(home: Path) -> bool:
    return all(os.access(home / "bin" / name, os.X_OK) for name in versions.BINARIES)


def go_build(module_dir: Path, packages: dict[str, str], ldflags: str, out_dir: Path) -> None:
    """One ``go build`` of all ``packages``, then each binary renamed to its key."""
    go = shutil.which("go") or shutil.which("go", path=GO_INSTALL_BIN)
    if go is None:
        raise BuildError("`go` is not on PATH: install Go 1.24 or newer (the control plane is built from source)")
    build_dir = out_dir / f".build-{module_dir.name}"
    build_dir.mkdir(parents=True)
    env = {**os.environ, "CGO_ENABLED": "0", "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=readonly -buildvcs=false"}
    command = [go, "build", "-trimpath", f"-ldflags={ldflags}", "-o", str(build_dir), *packages.values()]
    result = subprocess.run(command, cwd=module_dir, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"go build in {module_dir.name} failed (exit {result.returncode}):\n{result.stderr[-4000:]}")
    for name, package in packages.items():
        built = build_dir / default_binary_name(package)
        if not built.is_file():
            raise BuildError(f"go build produced no {built.name} for {package}")
        built.rename(out_dir / name)
    build_dir.rmdir()


def default_binary_name(package: str) -> str:
    """The name ``go build -o DIR`` gives a main package: its last element, skipping ``/vN``."""
    parts = package.split("/")
    last = parts[-1]
    if len(parts) > 1 and last.startswith("v") and last[1:].isdigit():
        return parts[-2]
    return last


def build_into(home: Path, log: Log) -> float:
    """Build every binary into ``home/bin``; returns the seconds it took."""
    started = time.monotonic()
    bin_dir = home / "bin"
    bin_dir.mkdir(parents=True)
    log(f"building Kubernetes {versions.KUBERNETES_VERSION}, etcd {versions.ETCD_VERSION} (one go build)")
    go_build(versions.KUBE_MODULE_DIR, versions.KUBE_PACKAGES, versions.kube_ldflags(), bin_dir)
    log(f"building kwok {versions.KWOK_VERSION}")
    go_build(versions.KWOK_MODULE_DIR, versions.KWOK_PACKAGES, versions.STRIP_LDFLAGS, bin_dir)
    seconds = time.monotonic() - started
    info = {
        "kubernetes": versions.KUBERNETES_VERSION,
        "etcd": versions.ETCD_VERSION,
        "kwok": versions.KWOK_VERSION,
        "build_seconds": round(seconds, 1),
    }
    (home / "build-info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return seconds


def ensure_binaries(log: Log = print) -> Path:
    """The ``bin`` directory with every binary, built first if the cache lacks it."""

    def fill(staged: Path, scratch: Path) -> None:
        seconds = build_into(staged, log)
        log(f"control plane built in {seconds:.0f} s")

    return filled_once(f"controlplane-{versions.build_key()}", is_complete, fill) / "bin"
