"""Start and stop the one-node cluster.

``start(workdir)``: the pod bridge, the control plane (API server on the bridge address, no
kwok), containerd with the built images imported, the kubelet (Ready node) and kube-proxy,
then cluster DNS. Returns when the node is Ready and DNS answers. ``stop(workdir)`` (from any
process) ends every process by PID, removes the containers, mounts, pod network namespaces,
the bridge and firewall chain, kube-proxy's rules, and restores the sysctls saved at start.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.controlplane import cluster as controlplane
from tests.controlplane import processes
from tests.controlplane.build import ensure_binaries
from tests.controlplane.client import KubeClient
from tests.node import components, containerd, dns, layout, network, teardown
from tests.node.images import catalogue
from tests.ports import free_port

Log = Callable[[str], None]
START_TIMEOUT_S = 180.0
STATE_FILE = "node.json"
PORTS = ("kubelet", "kubelet-healthz", "kube-proxy-healthz", "kube-proxy-metrics", "dns-health", "dns-ready")

CLIENTS: dict[str, tuple[str, str | None]] = {
    "kubelet": (f"system:node:{layout.NODE_NAME}", "system:nodes"),
    "kube-proxy": ("system:kube-proxy", None),
    "apiserver-kubelet-client": ("kube-apiserver-kubelet-client", "system:masters"),
    "coredns": dns.CLIENT,
}
PLANE_OPTIONS = controlplane.Options(
    address=layout.GATEWAY, kwok=False, extra_clients=CLIENTS, kubelet_client="apiserver-kubelet-client"
)


class NodeError(RuntimeError):
    """The node did not come up."""


@dataclasses.dataclass
class Node:
    workdir: Path
    plane: controlplane.ControlPlane | None
    processes: dict[str, tuple[int, str]]
    sysctls: dict[str, str]
    netns_before: list[str]
    startup_s: float = 0.0

    @property
    def kubeconfig(self) -> Path:
        return self._plane.kubeconfig

    @property
    def containerd_home(self) -> Path:
        """containerd's directory (its socket, for ``ctr``)."""
        return _node_dir(self.workdir) / "containerd"

    @property
    def admin(self) -> KubeClient:
        return self._plane.admin

    @property
    def _plane(self) -> controlplane.ControlPlane:
        if self.plane is None:
            raise NodeError("the node's control plane has not started")
        return self.plane

    def state(self) -> dict[str, Any]:
        return {
            "processes": {name: [pid, binary] for name, (pid, binary) in self.processes.items()},
            "sysctls": self.sysctls,
            "netns_before": self.netns_before,
        }

    def save(self) -> None:
        (self.workdir / STATE_FILE).write_text(json.dumps(self.state(), indent=2) + "\n", encoding="utf-8")


def _plane_dir(workdir: Path) -> Path:
    return workdir / "controlplane"


def _node_dir(workdir: Path) -> Path:
    return workdir / "node"


def _wait(what: str, ready: Callable[[], bool], deadline: float, log_file: Path | None = None) -> None:
    controlplane.wait_logged(what, ready, deadline, log_file, error=NodeError, interval_s=0.2)


def _node_ready(client: KubeClient) -> bool:
    answer = client.request("GET", f"/api/v1/nodes/{layout.NODE_NAME}")
    if not answer.ok:
        return False
    conditions = answer.body.get("status", {}).get("conditions", [])
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def start(workdir: Path, log: Log = print) -> Node:
    """Start the node; its files (PKI, logs, containerd, kubelet) live in ``workdir``."""
    began = time.monotonic()
    bin_dir = ensure_binaries(log)
    coredns = dns.ensure_binary()
    images = catalogue.ensure_archive(log)
    _prepare(workdir)
    home = _node_dir(workdir)
    logs = home / "logs"
    home.mkdir(parents=True)
    node = Node(workdir, None, {}, network.read_sysctls(), teardown.netns_names())
    node.save()  # what to restore is on disk before anything changes
    try:
        network.create()
        plane = node.plane = controlplane.start(_plane_dir(workdir), log, PLANE_OPTIONS)
        deadline = time.monotonic() + START_TIMEOUT_S

        def launch(name: str, command: list[str]) -> None:
            node.processes[name] = (processes.spawn(name, command, logs), command[0])
            node.save()

        launch("containerd", containerd.command(home / "containerd"))
        _wait("containerd", lambda: containerd.socket(home / "containerd").exists(), deadline, logs / "containerd.log")
        imported = time.monotonic()
        containerd.import_image(home / "containerd", images)
        log(f"images imported into containerd in {time.monotonic() - imported:.1f} s")
        ports = {name: free_port() for name in PORTS}
        configs = _plane_dir(workdir)
        kubelet_started = time.monotonic()
        kubelet = components.kubelet_command(
            bin_dir / "kubelet", home, configs / "kubelet.kubeconfig", plane.ca_file, ports
        )
        launch("kubelet", kubelet)
        proxy = components.kube_proxy_command(bin_dir / "kube-proxy", home, configs / "kube-proxy.kubeconfig", ports)
        launch("kube-proxy", proxy)
        dns.authorize(plane.admin)
        launch(
            "coredns",
            dns.command(coredns, home, configs / "coredns.kubeconfig", ports["dns-health"], ports["dns-ready"]),
        )
        _wait("the node to be Ready", lambda: _node_ready(plane.admin), deadline, logs / "kubelet.log")
        log(f"node {layout.NODE_NAME} Ready {time.monotonic() - kubelet_started:.1f} s after the kubelet started")
        _wait("cluster DNS", dns.answers, deadline, logs / "coredns.log")
    except BaseException:
        stop(workdir)
        raise
    node.startup_s = time.monotonic() - began
    log(f"one-node cluster ready in {node.startup_s:.1f} s")
    return node


def attach(workdir: Path) -> Node:
    """The node that ``start`` left running in ``workdir`` (``python -m tests.node start``)."""
    state_file = workdir / STATE_FILE
    plane_state = processes.load_state(_plane_dir(workdir))
    if not state_file.is_file() or plane_state is None:
        raise NodeError(f"{workdir}: no running node recorded (start one: python -m tests.node start --dir {workdir})")
    state = json.loads(state_file.read_text(encoding="utf-8"))
    node = Node(
        workdir=workdir,
        plane=controlplane.ControlPlane.from_state(_plane_dir(workdir), plane_state),
        processes={name: (int(pid), str(binary)) for name, (pid, binary) in state["processes"].items()},
        sysctls=state["sysctls"],
        netns_before=state["netns_before"],
    )
    if not _node_ready(node.admin):
        raise NodeError(f"{workdir}: the node recorded there is not Ready (stop it and start again)")
    return node


def _prepare(workdir: Path) -> None:
    if workdir.exists() and any(workdir.iterdir()):
        if not (workdir / STATE_FILE).is_file():
            raise NodeError(f"{workdir} is not empty and holds no node: choose another directory")
        stop(workdir)
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)


def stop(workdir: Path, log: Log = print) -> bool:
    """Stop the node recorded in ``workdir`` and undo its changes; False when there is none."""
    state_file = workdir / STATE_FILE
    if not state_file.is_file():
        return False
    state = json.loads(state_file.read_text(encoding="utf-8"))
    home = _node_dir(workdir)
    running = {name: (int(pid), str(binary)) for name, (pid, binary) in state["processes"].items()}
    kube = {name: value for name, value in running.items() if name != "containerd"}
    processes.stop_pids(kube)  # kubelet and kube-proxy first: nothing restarts the containers
    teardown.remove_containers(home / "containerd")
    processes.stop_pids({name: value for name, value in running.items() if name == "containerd"})
    teardown.kill_shims(home / "containerd")
    if "kube-proxy" in running:
        cleanup = components.kube_proxy_cleanup(Path(running["kube-proxy"][1]))
        subprocess.run(cleanup, capture_output=True, check=False, timeout=60)
    controlplane.stop(_plane_dir(workdir))
    stuck = teardown.unmount_under(workdir)
    teardown.remove_netns(state["netns_before"])
    teardown.remove_cni_cache()
    stuck += teardown.remove_pod_cgroups()
    network.remove_kubelet_chains()
    network.remove()
    refused = network.restore_sysctls(state["sysctls"])
    if stuck or refused:
        log(f"node stopped; left behind: {stuck or 'nothing'}; sysctls not restored: {refused or 'none'}")
    else:  # nothing mounted below any more: the files can go (logs too: copy them first if needed)
        for directory in (home, _plane_dir(workdir)):
            shutil.rmtree(directory, ignore_errors=True)
    state_file.unlink()
    return True
