"""The versions of the test control plane, read from the Go build modules that pin them.

``gobuild/kube/go.mod`` pins Kubernetes (``k8s.io/kubernetes`` and every staging module
``k8s.io/* v0.34.x``) and etcd; ``gobuild/kwok/go.mod`` pins kwok. Nothing else names a
version: the cache key is a hash of those files and of the build recipe.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

GOBUILD_DIR = Path(__file__).resolve().parent / "gobuild"
KUBE_MODULE_DIR = GOBUILD_DIR / "kube"
KWOK_MODULE_DIR = GOBUILD_DIR / "kwok"

KUBERNETES_MODULE = "k8s.io/kubernetes"
ETCD_MODULE = "go.etcd.io/etcd/server/v3"
KWOK_MODULE = "sigs.k8s.io/kwok"

# The main packages built from each module, and the binary each becomes.
KUBE_PACKAGES = {
    "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
    "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
    "kube-scheduler": "k8s.io/kubernetes/cmd/kube-scheduler",
    "kubelet": "k8s.io/kubernetes/cmd/kubelet",  # tests/node: a real node
    "kube-proxy": "k8s.io/kubernetes/cmd/kube-proxy",
    "etcd": ETCD_MODULE,
}
KWOK_PACKAGES = {"kwok": "sigs.k8s.io/kwok/cmd/kwok"}
BINARIES = (*KUBE_PACKAGES, *KWOK_PACKAGES)


def required_version(go_mod: Path, module: str) -> str:
    """The version ``go_mod`` requires of ``module`` (single-line or block ``require``)."""
    pattern = re.compile(rf"^\s*(?:require\s+)?{re.escape(module)}\s+(v\S+)", re.MULTILINE)
    found = pattern.search(go_mod.read_text(encoding="utf-8"))
    if found is None:
        raise ValueError(f"{go_mod}: no requirement of {module}")
    return found.group(1)


KUBERNETES_VERSION = required_version(KUBE_MODULE_DIR / "go.mod", KUBERNETES_MODULE)
ETCD_VERSION = required_version(KUBE_MODULE_DIR / "go.mod", ETCD_MODULE)
KWOK_VERSION = required_version(KWOK_MODULE_DIR / "go.mod", KWOK_MODULE)


def version_ldflags() -> list[str]:
    """What Kubernetes' own build stamps into its binaries (hack/lib/version.sh)."""
    major, minor = KUBERNETES_VERSION.lstrip("v").split(".")[:2]
    flags: list[str] = []
    for package in ("k8s.io/client-go/pkg/version", "k8s.io/component-base/version"):
        flags += [
            f"-X {package}.gitVersion={KUBERNETES_VERSION}",
            f"-X {package}.gitMajor={major}",
            f"-X {package}.gitMinor={minor}",
            f"-X {package}.gitTreeState=clean",
            f"-X {package}.buildDate=1970-01-01T00:00:00Z",
        ]
    return flags


STRIP_LDFLAGS = "-s -w"


def kube_ldflags() -> str:
    return " ".join([STRIP_LDFLAGS, *version_ldflags()])


def build_key() -> str:
    """A short hash of the pinned modules and the build recipe: the cache directory's key."""
    digest = hashlib.sha256()
    for module_dir in (KUBE_MODULE_DIR, KWOK_MODULE_DIR):
        for name in ("go.mod", "go.sum"):
            digest.update((module_dir / name).read_bytes())
    digest.update(kube_ldflags().encode() + STRIP_LDFLAGS.encode())
    digest.update(repr(sorted(KUBE_PACKAGES.items()) + sorted(KWOK_PACKAGES.items())).encode())
    return digest.hexdigest()[:16]
