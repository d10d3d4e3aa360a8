"""One local Kubernetes control plane: etcd, kube-apiserver, kube-controller-manager,
kube-scheduler and kwok (simulated nodes), on 127.0.0.1 and free ports, with a PKI and a
service-account signing key generated for this run.

``start(workdir)`` returns when the API server is ready, the nodes are Ready and the
``default`` ServiceAccount exists (the controllers work). ``ControlPlane.stop()`` (or
``stop(workdir)`` from another process) ends every process by PID.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.controlplane import pki, processes
from tests.controlplane.build import ensure_binaries
from tests.controlplane.client import KubeClient
from tests.controlplane.kubeconfig import write_kubeconfig
from tests.controlplane.versions import KUBERNETES_VERSION
from tests.log import Log
from tests.ports import free_port, free_ports

SERVICE_CIDR = "10.96.0.0/16"
SERVICE_IP = "10.96.0.1"  # the first address: the `kubernetes` Service
NODE_COUNT = 3
NODE_NAMES = tuple(f"kwok-node-{i}" for i in range(NODE_COUNT))
# kwok manages the nodes that carry this annotation (kwok's documented convention).
KWOK_NODE_ANNOTATION = {"kwok.x-k8s.io/node": "fake"}
START_TIMEOUT_S = 120.0

# kubeconfig stem -> (user, group) of its client certificate.
CLIENTS: dict[str, tuple[str, str | None]] = {
    "admin": ("flink-aks-admin", "system:masters"),
    "controller-manager": ("system:kube-controller-manager", None),
    "scheduler": ("system:kube-scheduler", None),
    "kwok": ("kwok", "system:masters"),
}


class ControlPlaneError(RuntimeError):
    """The control plane did not come up."""


@dataclasses.dataclass(frozen=True)
class Options:
    """How the plane is laid out; the defaults are the kwok plane the suite uses.

    A real node (tests/node) needs the API server on an address its pods can reach (in the
    ``kubernetes`` Service's Endpoints, so not loopback), client certificates for its kubelet
    and kube-proxy, a way for the API server to reach the kubelet, and no kwok nodes.
    """

    address: str = "127.0.0.1"
    kwok: bool = True
    extra_clients: dict[str, tuple[str, str | None]] = dataclasses.field(default_factory=dict)
    kubelet_client: str | None = None  # the stem of the client the API server uses towards kubelets


@dataclasses.dataclass
class ControlPlane:
    workdir: Path
    server: str
    kubeconfig: Path
    ca_file: Path
    admin_cert: Path
    admin_key: Path
    processes: dict[str, tuple[int, str]]
    startup_s: float = 0.0

    @property
    def admin(self) -> KubeClient:
        return KubeClient(self.server, self.ca_file, self.admin_cert, self.admin_key)

    def rss_mib(self) -> dict[str, float]:
        return {name: processes.rss_mib(pid) for name, (pid, _binary) in self.processes.items()}

    def stop(self) -> None:
        processes.stop_pids(self.processes)

    def state(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "kubeconfig": str(self.kubeconfig),
            "ca_file": str(self.ca_file),
            "admin_cert": str(self.admin_cert),
            "admin_key": str(self.admin_key),
            "processes": {name: [pid, binary] for name, (pid, binary) in self.processes.items()},
        }

    @classmethod
    def from_state(cls, workdir: Path, state: dict[str, Any]) -> ControlPlane:
        return cls(
            workdir=workdir,
            server=state["server"],
            kubeconfig=Path(state["kubeconfig"]),
            ca_file=Path(state["ca_file"]),
            admin_cert=Path(state["admin_cert"]),
            admin_key=Path(state["admin_key"]),
            processes={name: (int(pid), str(binary)) for name, (pid, binary) in state["processes"].items()},
        )


def wait_logged(
    what: str,
    ready: Callable[[], bool],
    deadline: float,
    log_file: Path | None = None,
    error: type[Exception] = ControlPlaneError,
    interval_s: float = 0.1,
) -> None:
    """Until ``ready()``; past ``deadline`` raise ``error`` with the tail of ``log_file``."""
    while not ready():
        if time.monotonic() > deadline:
            tail = ""
            if log_file is not None and log_file.is_file():
                tail = "\n" + "\n".join(log_file.read_text(errors="replace").splitlines()[-20:])
            raise error(f"timed out waiting for {what}{tail}")
        time.sleep(interval_s)


def _etcd_healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return b'"true"' in response.read()
    except (OSError, urllib.error.URLError):
        return False


def _answers_200(client: KubeClient, path: str) -> bool:
    try:
        return client.request("GET", path).status == 200
    except OSError:
        return False


def _node(name: str) -> dict[str, Any]:
    """A Node for kwok to run, with room for the stack's pods (kwok fills in the status)."""
    capacity = {"cpu": "32", "memory": "128Gi", "pods": "110"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {**KWOK_NODE_ANNOTATION, "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "type": "kwok",
            },
        },
        "status": {"capacity": capacity, "allocatable": capacity},
    }


def _nodes_ready(client: KubeClient) -> bool:
    answer = client.request("GET", "/api/v1/nodes")
    if not answer.ok:
        return False
    ready = 0
    for node in answer.body.get("items", []):
        conditions = node.get("status", {}).get("conditions", [])
        ready += any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
    return ready >= NODE_COUNT


def _prepare(workdir: Path) -> None:
    """An empty ``workdir``: a previous run's (stopped first) is cleared, anything else refused."""
    if workdir.exists() and any(workdir.iterdir()):
        if processes.load_state(workdir) is None:
            raise ControlPlaneError(f"{workdir} is not empty and holds no control plane: choose another directory")
        stop(workdir)
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)


def _apiserver_node_args(options: Options, keys: pki.Pki) -> list[str]:
    if options.address == "127.0.0.1":
        return ["--endpoint-reconciler-type=none"]  # Endpoints may not hold a loopback address
    args = ["--endpoint-reconciler-type=lease", "--kubelet-preferred-address-types=InternalIP"]
    if options.kubelet_client is not None:
        pair = keys.clients[options.kubelet_client]
        args += [f"--kubelet-client-certificate={pair.cert}", f"--kubelet-client-key={pair.key}"]
    return args


def start(workdir: Path, log: Log = print, options: Options | None = None) -> ControlPlane:
    """Start a control plane whose state, PKI, etcd data and logs live in ``workdir``."""
    options = options or Options()
    began = time.monotonic()
    deadline = began + START_TIMEOUT_S
    bin_dir = ensure_binaries(log)
    _prepare(workdir)
    logs = workdir / "logs"
    clients = {**CLIENTS, **options.extra_clients}
    keys = pki.generate(workdir / "pki", clients, SERVICE_IP, options.address)
    etcd_port, etcd_peer_port, api_port = free_ports(3)
    server = f"https://{options.address}:{api_port}"
    kubeconfigs = {
        stem: write_kubeconfig(
            workdir / f"{stem}.kubeconfig", server, keys.ca.cert, pair.cert, pair.key, clients[stem][0]
        )
        for stem, pair in keys.clients.items()
    }
    running: dict[str, tuple[int, str]] = {}
    plane = ControlPlane(
        workdir=workdir,
        server=server,
        kubeconfig=kubeconfigs["admin"],
        ca_file=keys.ca.cert,
        admin_cert=keys.clients["admin"].cert,
        admin_key=keys.clients["admin"].key,
        processes=running,
    )

    def launch(name: str, args: list[str]) -> None:
        binary = str(bin_dir / name)
        running[name] = (processes.spawn(name, [binary, *args], logs), binary)
        processes.save_state(workdir, plane.state())

    try:
        etcd_url = f"http://127.0.0.1:{etcd_port}"
        launch(
            "etcd",
            [
                "--name=test",
                f"--data-dir={workdir / 'etcd'}",
                f"--listen-client-urls={etcd_url}",
                f"--advertise-client-urls={etcd_url}",
                f"--listen-peer-urls=http://127.0.0.1:{etcd_peer_port}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{etcd_peer_port}",
                f"--initial-cluster=test=http://127.0.0.1:{etcd_peer_port}",
                "--listen-metrics-urls=",
                "--unsafe-no-fsync",  # a throw-away store for tests
                "--log-level=warn",
            ],
        )
        wait_logged("etcd", lambda: _etcd_healthy(etcd_url), deadline, logs / "etcd.log")
        launch(
            "kube-apiserver",
            [
                f"--etcd-servers={etcd_url}",
                f"--bind-address={options.address}",
                f"--advertise-address={options.address}",
                f"--secure-port={api_port}",
                f"--cert-dir={workdir / 'apiserver'}",
                f"--tls-cert-file={keys.serving.cert}",
                f"--tls-private-key-file={keys.serving.key}",
                f"--client-ca-file={keys.ca.cert}",
                f"--service-account-key-file={keys.service_account_public_key}",
                f"--service-account-signing-key-file={keys.service_account_key}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--authorization-mode=Node,RBAC",
                "--enable-admission-plugins=NodeRestriction,PodSecurity",
                "--profiling=false",
                "--v=1",
                *_apiserver_node_args(options, keys),
            ],
        )
        admin = plane.admin
        api_started = time.monotonic()
        wait_logged(
            "kube-apiserver /readyz", lambda: _answers_200(admin, "/readyz"), deadline, logs / "kube-apiserver.log"
        )
        log(f"kube-apiserver ready {time.monotonic() - api_started:.1f} s after its start")
        launch(
            "kube-controller-manager",
            [
                f"--kubeconfig={kubeconfigs['controller-manager']}",
                f"--authentication-kubeconfig={kubeconfigs['controller-manager']}",
                f"--authorization-kubeconfig={kubeconfigs['controller-manager']}",
                "--bind-address=127.0.0.1",
                "--secure-port=0",
                "--leader-elect=false",
                "--use-service-account-credentials=true",
                f"--service-account-private-key-file={keys.service_account_key}",
                f"--root-ca-file={keys.ca.cert}",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--controllers=*,-nodeipam",
                "--profiling=false",
            ],
        )
        launch(
            "kube-scheduler",
            [
                f"--kubeconfig={kubeconfigs['scheduler']}",
                f"--authentication-kubeconfig={kubeconfigs['scheduler']}",
                f"--authorization-kubeconfig={kubeconfigs['scheduler']}",
                "--bind-address=127.0.0.1",
                "--secure-port=0",
                "--leader-elect=false",
                "--profiling=false",
            ],
        )
        if options.kwok:
            launch(
                "kwok",
                [
                    f"--kubeconfig={kubeconfigs['kwok']}",
                    "--manage-all-nodes=false",
                    "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                    "--cidr=10.244.0.0/16",
                    "--node-ip=10.0.0.10",
                    "--node-lease-duration-seconds=40",
                    f"--server-address=127.0.0.1:{free_port()}",  # else 0.0.0.0:10247
                ],
            )
            for name in NODE_NAMES:
                admin.must("POST", "/api/v1/nodes", _node(name))
            wait_logged("the kwok nodes to be Ready", lambda: _nodes_ready(admin), deadline, logs / "kwok.log")
        wait_logged(
            "the default ServiceAccount (controllers at work)",
            lambda: _answers_200(admin, "/api/v1/namespaces/default/serviceaccounts/default"),
            deadline,
            logs / "kube-controller-manager.log",
        )
    except BaseException:
        plane.stop()
        raise
    plane.startup_s = time.monotonic() - began
    log(f"control plane Kubernetes {KUBERNETES_VERSION} ready at {server} in {plane.startup_s:.1f} s")
    return plane


def stop(workdir: Path) -> bool:
    """Stop the control plane recorded in ``workdir``; False when there is none."""
    state = processes.load_state(workdir)
    if state is None:
        return False
    ControlPlane.from_state(workdir, state).stop()
    return True
