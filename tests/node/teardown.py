"""Removing what a node leaves behind once its processes stop: containers (through containerd),
mounts under the node's directory, pod network namespaces, CNI result caches.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.node import containerd

NETNS_DIR = Path("/run/netns")  # where containerd 1.6 mounts the pods' network namespaces
CNI_CACHE = Path("/var/lib/cni/results")
NETWORK_NAME = "flinkaks-pods"
CGROUP_ROOT = Path("/sys/fs/cgroup")
KUBELET_CGROUP = "kubepods"  # the kubelet's cgroup for pods (cgroupfs driver), in every hierarchy


def netns_names() -> list[str]:
    return sorted(entry.name for entry in NETNS_DIR.iterdir()) if NETNS_DIR.is_dir() else []


def _ctr(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [containerd.CTR, "--address", str(containerd.socket(home)), "-n", containerd.NAMESPACE, *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)


def remove_containers(home: Path) -> None:
    """Kill and delete every task (pod sandboxes and containers) of this node's containerd."""
    if not containerd.socket(home).exists():
        return
    tasks = _ctr(home, "tasks", "ls", "-q").stdout.split()
    for task in tasks:
        _ctr(home, "tasks", "kill", "--all", "--signal", "SIGKILL", task)
    deadline = time.monotonic() + 10
    for task in tasks:
        while _ctr(home, "tasks", "delete", task).returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.2)


def kill_shims(home: Path) -> None:
    """Shims left after containerd stopped (found by this node's socket in their arguments)."""
    for pid in containerd.shim_pids(home):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def mounts_under(root: Path) -> list[str]:
    """Mount points at or below ``root``, deepest first."""
    prefix = str(root.resolve())
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point == prefix or point.startswith(prefix + "/"):
            points.append(point)
    return sorted(points, key=lambda p: p.count("/"), reverse=True)


def unmount_under(root: Path) -> list[str]:
    """Unmount everything below ``root``; returns what would not unmount."""
    stuck = []
    for point in mounts_under(root):
        if subprocess.run(["umount", point], capture_output=True, check=False).returncode != 0:
            if subprocess.run(["umount", "-l", point], capture_output=True, check=False).returncode != 0:
                stuck.append(point)
    return stuck


def remove_netns(before: list[str]) -> None:
    """The pod network namespaces (``cni-*``) that appeared while this node ran."""
    for name in set(netns_names()) - set(before):
        if not name.startswith("cni-"):
            continue
        path = NETNS_DIR / name
        subprocess.run(["umount", str(path)], capture_output=True, check=False)
        with contextlib.suppress(OSError):
            path.unlink()


def remove_cni_cache() -> None:
    if CNI_CACHE.is_dir():
        for entry in CNI_CACHE.glob(f"{NETWORK_NAME}-*"):
            with contextlib.suppress(OSError):
                entry.unlink()


def remove_pod_cgroups() -> list[str]:
    """The kubelet's ``kubepods`` cgroups, removed bottom-up once their containers are gone."""
    left = []
    for top in sorted(CGROUP_ROOT.glob(f"*/{KUBELET_CGROUP}")) + sorted(CGROUP_ROOT.glob(KUBELET_CGROUP)):
        for directory in sorted((d for d in top.rglob("*") if d.is_dir()), key=lambda d: len(d.parts), reverse=True):
            with contextlib.suppress(OSError):
                directory.rmdir()
        try:
            top.rmdir()
        except OSError:
            left.append(str(top))
    return left
