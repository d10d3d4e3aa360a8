"""The control plane itself: the version the stacks target, and the command-line contract
other tools rely on (``start`` prints one ``kubeconfig=`` line whose file works, ``stop``
ends every process by PID)."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import yaml

from infra.config.settings import DEFAULT_KUBERNETES_VERSION
from tests.controlplane import processes
from tests.controlplane.client import KubeClient
from tests.controlplane.cluster import ControlPlane
from tests.controlplane.versions import KUBERNETES_VERSION

ROOT = Path(__file__).resolve().parents[2]


def test_the_api_server_is_the_kubernetes_version_the_stacks_target(control_plane: ControlPlane) -> None:
    version = control_plane.admin.get("/version")
    assert version["gitVersion"] == KUBERNETES_VERSION
    assert f"{version['major']}.{version['minor']}" == DEFAULT_KUBERNETES_VERSION


def client_from_kubeconfig(path: Path, work_dir: Path) -> KubeClient:
    config = yaml.safe_load(path.read_text())
    cluster = config["clusters"][0]["cluster"]
    user = config["users"][0]["user"]
    files = {}
    for key in ("certificate-authority-data", "client-certificate-data", "client-key-data"):
        files[key] = work_dir / key
        files[key].write_bytes(base64.b64decode(cluster.get(key) or user[key]))
    return KubeClient(
        cluster["server"],
        files["certificate-authority-data"],
        files["client-certificate-data"],
        files["client-key-data"],
    )


def test_start_prints_a_working_kubeconfig_and_stop_ends_every_process(tmp_path: Path) -> None:
    state = tmp_path / "state"
    command = [sys.executable, "-m", "tests.controlplane"]
    started = subprocess.run(
        [*command, "start", "--dir", str(state)], cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )
    recorded = processes.load_state(state) or {}
    pids = {name: int(pid) for name, (pid, _binary) in recorded.get("processes", {}).items()}
    try:
        assert started.returncode == 0, started.stderr
        (line,) = started.stdout.splitlines()
        assert line.startswith("kubeconfig=")
        kubeconfig = Path(line.removeprefix("kubeconfig="))
        assert kubeconfig.is_file()
        admin = client_from_kubeconfig(kubeconfig, tmp_path)
        assert admin.get("/version")["gitVersion"] == KUBERNETES_VERSION
        assert len(admin.get("/api/v1/nodes")["items"]) == 3
        assert set(pids) == {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"}
        assert all(processes.alive(pid) for pid in pids.values())
    finally:
        stopped = subprocess.run(
            [*command, "stop", "--dir", str(state)], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
        )
    assert stopped.returncode == 0, stopped.stderr
    survivors = {name: pid for name, pid in pids.items() if processes.alive(pid)}
    assert not survivors, survivors
