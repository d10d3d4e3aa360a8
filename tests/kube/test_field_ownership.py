"""The Service field-ownership defect, on a real API server.

Server-side apply keys a Service's ports by (port, protocol). When the stack declared
``rpc`` at 6123 and the sidecar had moved it (6123 -> 41234), re-applying the rendered
Service made a second port named ``rpc`` and the API server refused it. Now the stack
declares blob and rest only and the sidecar owns the ``rpc`` entry (field manager
``port-patcher``): re-applying the Service as rendered, with the field manager Pulumi
uses, succeeds before and after a port move and leaves the sidecar's port in place.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from components.flink import port_patcher as pp
from components.flink.names import RPC_PORT
from tests.controlplane.client import KubeClient
from tests.controlplane.cluster import ControlPlane
from tests.controlplane.sidecar_access import PULUMI_FIELD_MANAGER, mint_token, service_path
from tests.kube.stack_objects import apply_variant, of_kind
from tests.kube.test_sidecar import owners_of_rpc, ports_of
from tests.standins.flink_rest import FakeFlinkRest

MOVED = (41234, 41235)


@pytest.fixture
def flink() -> Iterator[FakeFlinkRest]:
    with FakeFlinkRest(rpc_port=MOVED[0]) as fake:
        yield fake


def sidecar_config(plane: ControlPlane, namespace: str, flink_url: str, work_dir: Path) -> pp.Config:
    token_file = work_dir / "token"
    token_file.write_text(mint_token(plane.admin, namespace))
    env = {
        "SERVICE_NAME": "flink-jobmanager",
        "POD_NAMESPACE": namespace,
        "FLINK_REST_URL": flink_url,
        "KUBERNETES_API_URL": plane.server,
        "KUBERNETES_TOKEN_FILE": str(token_file),
        "KUBERNETES_CA_FILE": str(plane.ca_file),
    }
    return pp.load_config(env)


def reapply(admin: KubeClient, service: dict[str, Any]) -> dict[str, Any]:
    """``pulumi up`` of the Service: server-side apply as Pulumi's field manager, no force."""
    answer = admin.apply(service, PULUMI_FIELD_MANAGER)
    assert answer.ok, f"{answer.status} {answer.message}"
    return dict(answer.body)


def with_declared_rpc(service: dict[str, Any]) -> dict[str, Any]:
    """The Service as the stack used to render it: rpc at 6123 declared too."""
    old = copy.deepcopy(service)
    old["spec"]["ports"].insert(0, {"name": "rpc", "port": RPC_PORT, "targetPort": RPC_PORT})
    return old


def test_reapplying_the_rendered_service_keeps_the_sidecars_port(
    control_plane: ControlPlane, flink: FakeFlinkRest, tmp_path: Path
) -> None:
    admin = control_plane.admin
    namespace = "ownership"
    service = of_kind(apply_variant(admin, "dev", namespace), "Service", "flink-jobmanager")
    config = sidecar_config(control_plane, namespace, flink.url, tmp_path)
    reapply(admin, service)  # before any move: nothing to own yet

    for port in MOVED:
        flink.rpc_port = port
        assert pp.run_once(config).patched
        applied = reapply(admin, service)
        assert ports_of(applied) == [("blob", 6124, 6124), ("rest", 8081, 8081), ("rpc", port, port)]
        assert owners_of_rpc(applied, port) == [pp.FIELD_MANAGER]
        assert not pp.run_once(config).patched  # the apply changed nothing the sidecar cares about

    # What the defect looked like: declaring rpc at 6123 after the move is refused.
    refused = admin.apply(with_declared_rpc(service), PULUMI_FIELD_MANAGER)
    assert refused.status == 422
    assert 'Duplicate value: "rpc"' in refused.message
    assert ports_of(admin.get(service_path(namespace)))[-1] == ("rpc", MOVED[-1], MOVED[-1])


def test_a_service_applied_by_an_older_stack_converges(
    control_plane: ControlPlane, flink: FakeFlinkRest, tmp_path: Path
) -> None:
    """Upgrading from a stack that declared rpc: once the sidecar has moved the port, the
    new rendering applies cleanly and the moved port stays."""
    admin = control_plane.admin
    namespace = "ownership-upgrade"
    service = of_kind(apply_variant(admin, "dev", namespace), "Service", "flink-jobmanager")
    reapply(admin, with_declared_rpc(service))  # the older stack's apply
    config = sidecar_config(control_plane, namespace, flink.url, tmp_path)

    outcome = pp.run_once(config)

    assert (outcome.patched, outcome.added, outcome.old_port) == (True, False, RPC_PORT)
    applied = reapply(admin, service)
    assert ports_of(applied) == [("rpc", MOVED[0], MOVED[0]), ("blob", 6124, 6124), ("rest", 8081, 8081)]


def test_pinned_mode_keeps_a_static_rpc_port_across_applies(control_plane: ControlPlane) -> None:
    admin = control_plane.admin
    service = of_kind(apply_variant(admin, "dev-pinned", "ownership-pinned"), "Service", "flink-jobmanager")
    first = reapply(admin, service)
    second = reapply(admin, service)
    assert ports_of(second) == ports_of(first) == [("rpc", 6123, 6123), ("blob", 6124, 6124), ("rest", 8081, 8081)]
    assert first["metadata"]["resourceVersion"] == second["metadata"]["resourceVersion"]
