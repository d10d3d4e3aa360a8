"""containerd (Debian's) for the node: its configuration, its CNI network, and its shims.

Everything it keeps lives under the node's directory (root, state, socket, CNI configuration
and IP allocations), so a node leaves nothing in /var/lib/containerd or /etc/cni.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.node import layout

CONTAINERD = "/usr/bin/containerd"
CTR = "/usr/bin/ctr"
NAMESPACE = "k8s.io"  # the containerd namespace the CRI plugin keeps Kubernetes' images in


def socket(home: Path) -> Path:
    return home / "containerd.sock"


def write_config(home: Path) -> Path:
    """containerd's config (version 2, containerd 1.6) and the CNI network it loads."""
    cni_conf = home / "cni" / "net.d"
    cni_conf.mkdir(parents=True, exist_ok=True)
    network = {
        "cniVersion": "1.0.0",
        "name": "flinkaks-pods",
        "plugins": [
            {
                "type": "bridge",
                "bridge": layout.BRIDGE,
                "isGateway": True,
                "ipMasq": False,  # pods reach only this machine's bridge address and each other
                "hairpinMode": True,
                "ipam": {
                    "type": "host-local",
                    "ranges": [[{"subnet": layout.POD_CIDR, "gateway": layout.GATEWAY}]],
                    "routes": [{"dst": "0.0.0.0/0"}],
                    "dataDir": str(home / "cni" / "ipam"),
                },
            },
        ],
    }
    (cni_conf / "10-flinkaks.conflist").write_text(json.dumps(network, indent=2) + "\n", encoding="utf-8")
    cri = 'plugins."io.containerd.grpc.v1.cri"'
    config = f"""version = 2
root = "{home / "root"}"
state = "{home / "state"}"
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]

[grpc]
  address = "{socket(home)}"

[ttrpc]
  address = "{home / "containerd.ttrpc.sock"}"

[plugins."io.containerd.internal.v1.opt"]
  path = "{home / "opt"}"

[{cri}]
  sandbox_image = "{layout.PAUSE_IMAGE}"
  # Root here lacks CAP_SYS_RESOURCE: oom_score_adj may not go below the current value,
  # or runc fails every sandbox ("can't get final child's PID from pipe: EOF").
  restrict_oom_score_adj = true
  enable_selinux = false
  disable_apparmor = true

[{cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[{cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[{cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false

[{cri}.cni]
  bin_dir = "{layout.CNI_BIN_DIR}"
  conf_dir = "{cni_conf}"
  max_conf_num = 1
"""
    path = home / "config.toml"
    path.write_text(config, encoding="utf-8")
    return path


def command(home: Path) -> list[str]:
    return [CONTAINERD, "--config", str(write_config(home)), "--log-level", "warn"]


def import_image(home: Path, archive: Path) -> None:
    """Import an image archive (docker-archive or OCI) into the namespace the CRI plugin uses."""
    result = subprocess.run(
        [CTR, "--address", str(socket(home)), "-n", NAMESPACE, "images", "import", str(archive)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"ctr images import {archive.name}: {result.stderr.strip()}")


def shim_pids(home: Path) -> list[int]:
    """The containerd shims serving this node's containerd (they outlive it; found by its socket)."""
    address = str(socket(home)).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"containerd-shim-runc-v2") and address in argv:
            found.append(int(entry.name))
    return found
