"""The real sidecar program against the real API server (Flink's REST API stays a
stand-in): the first patch, following a changed port (latency printed), the Service
deleted and recreated with its ports in another order, a patch whose ``test`` op no
longer holds refused with 422 and changing nothing, SIGTERM exits 0.
"""

from __future__ import annotations

import functools
import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from components.flink import port_patcher as pp
from components.flink.services import jobmanager_service_spec
from tests.controlplane.client import JSON_PATCH, KubeClient
from tests.controlplane.cluster import ControlPlane
from tests.controlplane.sidecar_access import SidecarAccess, provision, service_path
from tests.kube.sidecar_process import CHECK_S, WAIT_S, SidecarProcess
from tests.standins.flink_rest import FakeFlinkRest
from tests.waiting import wait_until

NS = "sidecar"
FIRST_PORT = 41234
RPC_6123 = {"name": "rpc", "port": 6123}
REST = {"name": "rest", "port": 8081}
POLL_S = pp.load_config({"SERVICE_NAME": "x", "POD_NAMESPACE": "x"}).poll_interval_s
FOLLOWED_PORTS = (41235, 41236, 41237, 41238, 41239)


@pytest.fixture(scope="module")
def access(control_plane: ControlPlane, tmp_path_factory: pytest.TempPathFactory) -> SidecarAccess:
    return provision(control_plane, NS, jobmanager_service_spec(sidecar=True), tmp_path_factory.mktemp("sidecar"))


@pytest.fixture
def flink() -> Iterator[FakeFlinkRest]:
    with FakeFlinkRest(rpc_port=FIRST_PORT) as fake:
        yield fake


def ports_of(service: dict[str, Any]) -> list[tuple[str, int, object]]:
    return [(p["name"], p["port"], p.get("targetPort")) for p in service["spec"]["ports"]]


def has_rpc_port(access: SidecarAccess, port: int) -> bool:
    return access.rpc_port() == port


def replace_ports(admin: KubeClient, ports: list[dict[str, Any]]) -> None:
    """As someone else editing the Service: its whole port list replaced by one JSON patch."""
    admin.must(
        "PATCH",
        service_path(NS),
        [{"op": "replace", "path": "/spec/ports", "value": ports}],
        content_type=JSON_PATCH,
    )


def owners_of_rpc(service: dict[str, Any], port: int) -> list[str]:
    key = f'k:{{"port":{port},"protocol":"TCP"}}'
    return [
        entry["manager"]
        for entry in service["metadata"]["managedFields"]
        if key in entry.get("fieldsV1", {}).get("f:spec", {}).get("f:ports", {})
    ]


def test_the_real_sidecar_keeps_the_real_service_on_the_bound_port(
    control_plane: ControlPlane, access: SidecarAccess, flink: FakeFlinkRest
) -> None:
    admin = control_plane.admin
    assert access.rpc_port() is None  # as the stack applies it: blob and rest only
    started = time.monotonic()
    sidecar = SidecarProcess(access.env(flink.url))
    try:
        wait_until("the rpc entry to be added", lambda: access.rpc_port() == FIRST_PORT, WAIT_S, CHECK_S)
        first_s = time.monotonic() - started
        service = access.service()
        assert ports_of(service) == [("blob", 6124, 6124), ("rest", 8081, 8081), ("rpc", FIRST_PORT, FIRST_PORT)]
        assert owners_of_rpc(service, FIRST_PORT) == [pp.FIELD_MANAGER]

        latencies = []
        for port in FOLLOWED_PORTS:
            flink.rpc_port = port
            changed = time.monotonic()
            wait_until(
                f"the Service to follow port {port}", functools.partial(has_rpc_port, access, port), WAIT_S, POLL_S
            )
            latencies.append(time.monotonic() - changed)
        print(
            f"\nsidecar vs kube-apiserver: first patch {first_s:.2f} s after start (process start included); "
            f"follow latency median {statistics.median(latencies):.3f} s, max {max(latencies):.3f} s "
            f"over {len(latencies)} port changes (poll interval {POLL_S:g} s, the default)"
        )

        # Deleted and recreated with its ports in another order: the right entry is patched.
        last = FOLLOWED_PORTS[-1]
        admin.must("DELETE", service_path(NS))
        recreated = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "flink-jobmanager", "namespace": NS},
            "spec": {
                "selector": {"app": "flink"},
                "ports": [
                    {"name": "rest", "port": 8081, "targetPort": 8081},
                    {"name": "rpc", "port": 6123, "targetPort": 6123},
                    {"name": "blob", "port": 6124, "targetPort": 6124},
                ],
            },
        }
        admin.must("POST", f"/api/v1/namespaces/{NS}/services", recreated)
        wait_until("the recreated Service to be patched", lambda: access.rpc_port() == last, WAIT_S, CHECK_S)
        assert ports_of(access.service()) == [("rest", 8081, 8081), ("rpc", last, last), ("blob", 6124, 6124)]

        code = sidecar.terminate()
    finally:
        sidecar.kill()
    assert code == 0, "\n".join(sidecar.lines)
    assert sidecar.actions()[-1] == "stopped"
    assert sidecar.actions().count("patched") == 1 + len(FOLLOWED_PORTS) + 1
    assert "retry" not in sidecar.actions(), "\n".join(sidecar.lines)
    assert Path(access.token_file).read_text() not in "\n".join(sidecar.lines)


def test_a_patch_whose_test_no_longer_holds_is_refused_with_422_and_changes_nothing(
    control_plane: ControlPlane, access: SidecarAccess
) -> None:
    config = pp.load_config(access.env("http://127.0.0.1:9"))
    admin = control_plane.admin
    replace_ports(admin, [{"name": "rpc", "port": 6123}, {"name": "rest", "port": 8081}])  # rpc entry first
    ports = pp.service_ports(access.service())
    named = pp.find_named_port(ports, "rpc")
    assert named is not None
    stale_replace = pp.build_patch(named, "rpc", 45000)  # tests /spec/ports/0/name == rpc
    stale_add = pp.build_add_patch(ports, "rpc", 45000)  # tests the whole list as read

    # Someone else reorders the ports between the sidecar's GET and its PATCH.
    replace_ports(admin, [{"name": "rest", "port": 8081}, {"name": "rpc", "port": 6123}])
    before = access.service()

    for stale in (stale_replace, stale_add):
        with pytest.raises(pp.SyncError) as refused:
            pp.kubernetes_request(config, "PATCH", json.dumps(stale).encode())
        assert refused.value.step == "kubernetes_patch"
        assert refused.value.reason.startswith("http 422"), refused.value.reason

    after = access.service()
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert ports_of(after) == [("rest", 8081, 8081), ("rpc", 6123, 6123)]
