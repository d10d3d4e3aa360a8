"""The Debian root file system every built image shares as its first layer, made by debootstrap.

One layer for all images (containerd stores it once): Debian bookworm ``minbase`` with Java
17 (Flink, ZooKeeper), Python 3 (the port-patcher sidecar) and Debian's ZooKeeper. The layer
is a plain tar in the cache, keyed by the suite and the package list.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from pathlib import Path

from tests.cache import filled_once
from tests.node.teardown import unmount_under

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = (
    "openjdk-17-jre-headless",
    "python3",
    "python-is-python3",
    "zookeeper",
    "procps",
    "netbase",
    "ca-certificates",
)
# Trimmed from the layer: documentation and caches nothing in a container reads.
TRIM = ("usr/share/doc", "usr/share/man", "usr/share/info", "var/cache/apt/archives", "var/lib/apt/lists")


RECIPE = 1  # raise when the build below changes what the layer holds


def key() -> str:
    recipe = json.dumps([RECIPE, SUITE, MIRROR, PACKAGES, TRIM])
    return hashlib.sha256(recipe.encode()).hexdigest()[:12]


def _debootstrap(target: Path) -> None:
    debootstrap = shutil.which("debootstrap") or "/usr/sbin/debootstrap"
    command = [debootstrap, "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, str(target), MIRROR]
    # Several minutes cold: debootstrap's own "I: Retrieving/Unpacking/Configuring …" lines
    # go to stdout as progress; its errors are kept for the message below.
    print(f"building the Debian {SUITE} base layer with debootstrap", flush=True)
    result = subprocess.run(command, stdout=None, stderr=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        log = target / "debootstrap" / "debootstrap.log"
        detail = log.read_text(errors="replace")[-3000:] if log.is_file() else result.stderr[-3000:]
        raise RuntimeError(f"debootstrap failed (exit {result.returncode}):\n{detail}")


def ensure() -> Path:
    """The base layer (``layer.tar``), built once per recipe."""

    def fill(staged: Path, scratch: Path) -> None:
        started = time.monotonic()
        tree = scratch / "rootfs"
        try:
            _debootstrap(tree)
        finally:  # debootstrap mounts /proc (and more) in the tree; a failed run may leave them
            unmount_under(tree)
        for relative in TRIM:
            shutil.rmtree(tree / relative, ignore_errors=True)
        staged.mkdir()
        # tar(1) keeps owners, modes, links and device nodes exactly as debootstrap made them.
        subprocess.run(
            [
                "tar",
                "--numeric-owner",
                "--xattrs",
                "--exclude=./proc/*",
                "--exclude=./sys/*",
                "-C",
                str(tree),
                "-cf",
                str(staged / "layer.tar"),
                ".",
            ],
            check=True,
        )
        versions = subprocess.run(
            ["chroot", str(tree), "dpkg-query", "-W", "-f=${Package} ${Version}\n", *PACKAGES],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        info = {"suite": SUITE, "packages": versions.splitlines(), "build_seconds": round(time.monotonic() - started)}
        (staged / "build-info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")

    return (
        filled_once(f"node-images/rootfs-{SUITE}-{key()}", lambda home: (home / "layer.tar").is_file(), fill)
        / "layer.tar"
    )
