"""containerd (Debian's) for the node: its configuration, its CNI network, and its shims.

Everything it keeps lives under the node's directory (root, state, socket, CNI configuration
and IP allocations), so a node leaves nothing in /var/lib/containerd or /etc/cni.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
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


def stored_name(reference: str) -> str:
    """The name containerd stores and its CRI plugin looks up for ``reference``, both normalized
    alike: the registry and ``library/`` made explicit, the tag dropped when a digest is given
    (``flink:1.20.5-scala_2.12-java17@sha256:a0fc…`` is ``docker.io/library/flink@sha256:a0fc…``,
    what a pull by that reference records too), ``:latest`` when there is neither.
    """
    name, _, digest = reference.partition("@")
    tag = ""
    if name.rfind(":") > name.rfind("/"):
        name, _, tag = name.rpartition(":")
    first, _, rest = name.partition("/")
    domain, path = (
        (first, rest) if rest and ("." in first or ":" in first or first == "localhost") else ("docker.io", name)
    )
    if domain == "docker.io" and "/" not in path:
        path = f"library/{path}"
    return f"{domain}/{path}" + (f"@{digest}" if digest else f":{tag or 'latest'}")


def _archive_names(archive: Path) -> list[str]:
    """The references a docker-archive holds (``RepoTags`` of its ``manifest.json``)."""
    with tarfile.open(archive) as tar:
        manifest = tar.extractfile("manifest.json")
        if manifest is None:
            raise RuntimeError(f"{archive.name} holds no manifest.json")
        return [name for image in json.load(manifest) for name in image["RepoTags"]]


def image_names(home: Path) -> set[str]:
    """The image names containerd holds in the namespace the CRI plugin uses."""
    result = subprocess.run(
        [CTR, "--address", str(socket(home)), "-n", NAMESPACE, "images", "list", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(result.stdout.split())


def import_image(home: Path, archive: Path) -> None:
    """Import a docker-archive into the namespace the CRI plugin uses, then check that every
    image in it is there under the name the kubelet asks for (digest references included: our
    images cannot have the official digests, and containerd records the name as given), so
    ``imagePullPolicy: IfNotPresent`` finds it and nothing is pulled.
    """
    result = subprocess.run(
        [CTR, "--address", str(socket(home)), "-n", NAMESPACE, "images", "import", str(archive)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"ctr images import {archive.name}: {result.stderr.strip()}")
    held = image_names(home)
    missing = [name for name in _archive_names(archive) if stored_name(name) not in held]
    if missing:
        raise RuntimeError(f"after importing {archive.name}, containerd lacks {missing}: the kubelet would pull them")


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


def task_pid(home: Path, container_id: str) -> int:
    """The host PID of a container's main process (``ctr task ls``: the CRI's container id is the task's)."""
    result = subprocess.run(
        [CTR, "--address", str(socket(home)), "-n", NAMESPACE, "tasks", "list"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    for line in result.stdout.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 3 and fields[0] == container_id:
            return int(fields[1])
    raise RuntimeError(f"containerd has no task {container_id}:\n{result.stdout}")
