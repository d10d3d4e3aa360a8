"""Cluster DNS: CoreDNS built from its Go module (``gobuild/coredns``, only the plugins the node
needs), run on the node's bridge address, answering ``cluster.local`` from the API server.

Pods find it as their resolver (the kubelet's ``clusterDNS``); it listens on no other address.
"""

from __future__ import annotations

import hashlib
import os
import socket
import struct
import time
from pathlib import Path

from tests.cache import filled_once
from tests.controlplane.build import go_build
from tests.controlplane.client import KubeClient
from tests.controlplane.versions import STRIP_LDFLAGS, required_version
from tests.node import layout

MODULE_DIR = Path(__file__).resolve().parent / "gobuild" / "coredns"
COREDNS_MODULE = "github.com/coredns/coredns"
VERSION = required_version(MODULE_DIR / "go.mod", COREDNS_MODULE)
# The API identity CoreDNS reads Services, EndpointSlices, Pods and Namespaces with.
CLIENT = ("flinkaks-coredns", None)
BINDING = {
    "apiVersion": "rbac.authorization.k8s.io/v1",
    "kind": "ClusterRoleBinding",
    "metadata": {"name": "flinkaks-coredns"},
    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "flinkaks:coredns"},
    "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": CLIENT[0]}],
}
ROLE = {
    "apiVersion": "rbac.authorization.k8s.io/v1",
    "kind": "ClusterRole",
    "metadata": {"name": "flinkaks:coredns"},
    "rules": [
        {"apiGroups": [""], "resources": ["endpoints", "services", "pods", "namespaces"], "verbs": ["list", "watch"]},
        {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list", "watch"]},
    ],
}


def _key() -> str:
    digest = hashlib.sha256()
    for name in ("go.mod", "go.sum", "main.go"):
        digest.update((MODULE_DIR / name).read_bytes())
    return digest.hexdigest()[:12]


def ensure_binary() -> Path:
    """The CoreDNS binary, built once per pinned module."""

    def fill(staged: Path, scratch: Path) -> None:
        staged.mkdir()
        print(f"building CoreDNS {VERSION} (go build, a few minutes cold)", flush=True)
        started = time.monotonic()
        go_build(MODULE_DIR, {"coredns": "flinkaks.test/node/coredns"}, STRIP_LDFLAGS, staged)
        print(f"CoreDNS built in {time.monotonic() - started:.0f} s", flush=True)

    home = filled_once(f"coredns-{VERSION}-{_key()}", lambda h: os.access(h / "coredns", os.X_OK), fill)
    return home / "coredns"


def authorize(admin: KubeClient) -> None:
    """What CoreDNS may read (list and watch what it serves), bound to its client certificate's user."""
    admin.must("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", ROLE)
    admin.must("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", BINDING)


def command(binary: Path, home: Path, kubeconfig: Path, health_port: int, ready_port: int) -> list[str]:
    corefile = f""".:53 {{
    bind {layout.GATEWAY}
    errors
    health 127.0.0.1:{health_port}
    ready 127.0.0.1:{ready_port}
    kubernetes {layout.CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {{
        kubeconfig {kubeconfig} flink-aks-test
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }}
    cache 5
}}
"""
    path = home / "Corefile"
    path.write_text(corefile, encoding="utf-8")
    return [str(binary), "-conf", str(path)]


def answers(name: str = f"kubernetes.default.svc.{layout.CLUSTER_DOMAIN}") -> bool:
    """CoreDNS on the bridge address resolves ``name`` (an A query over UDP)."""
    labels = b"".join(bytes([len(part)]) + part.encode() for part in name.split(".")) + b"\0"
    query = struct.pack(">HHHHHH", 0x4E4F, 0x0100, 1, 0, 0, 0) + labels + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.sendto(query, (layout.GATEWAY, 53))
            reply = probe.recv(512)
        except OSError:
            return False
    answer_count = struct.unpack(">H", reply[6:8])[0]
    return reply[:2] == query[:2] and (reply[3] & 0x0F) == 0 and answer_count > 0
