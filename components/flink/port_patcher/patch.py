"""One iteration: read both sides, patch the Service's ``rpc`` port if it differs.

Every patch is guarded by a ``test`` op, so a Service changed in between is refused
(422) instead of being patched wrongly; the loop's retry reads again.
"""

from __future__ import annotations

import dataclasses
import json

from .config import Config
from .flink_rest import parse_port, read_rpc_port
from .kube import kubernetes_request
from .transport import SyncError

JsonPatch = list[dict[str, object]]


@dataclasses.dataclass(frozen=True)
class NamedPort:
    """The Service port to keep in sync, with its index in ``spec.ports``."""

    index: int
    port: object
    target_port: object
    has_target_port: bool


def service_ports(service: object) -> list[object]:
    spec = service.get("spec") if isinstance(service, dict) else None
    ports = spec.get("ports") if isinstance(spec, dict) else None
    if not isinstance(ports, list):
        raise SyncError("kubernetes_get", "Service has no spec.ports list")
    return ports


def find_named_port(ports: list[object], name: str) -> NamedPort | None:
    for index, entry in enumerate(ports):
        if isinstance(entry, dict) and entry.get("name") == name:
            return NamedPort(index, entry.get("port"), entry.get("targetPort"), "targetPort" in entry)
    return None


def in_sync(named: NamedPort, port: int) -> bool:
    return parse_port(named.port) == port and parse_port(named.target_port) == port


def build_add_patch(ports: list[object], name: str, port: int) -> JsonPatch:
    """Test that ``spec.ports`` is still the list read, then append the named port."""
    entry = {"name": name, "port": port, "targetPort": port, "protocol": "TCP"}
    return [
        {"op": "test", "path": "/spec/ports", "value": ports},
        {"op": "add", "path": "/spec/ports/-", "value": entry},
    ]


def build_patch(named: NamedPort, name: str, port: int) -> JsonPatch:
    """Test the port's name at its index, then set port and targetPort."""
    base = f"/spec/ports/{named.index}"
    target_op = "replace" if named.has_target_port else "add"
    return [
        {"op": "test", "path": f"{base}/name", "value": name},
        {"op": "replace", "path": f"{base}/port", "value": port},
        {"op": target_op, "path": f"{base}/targetPort", "value": port},
    ]


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one successful iteration found or did."""

    patched: bool
    port: int
    index: int
    old_port: object
    old_target_port: object
    added: bool = False


def run_once(config: Config) -> Outcome:
    """Read both sides, patch the Service if needed. Raises SyncError on any failure."""
    port = read_rpc_port(config)
    ports = service_ports(kubernetes_request(config, "GET"))
    named = find_named_port(ports, config.rpc_port_name)
    if named is None:
        patch = build_add_patch(ports, config.rpc_port_name, port)
        kubernetes_request(config, "PATCH", json.dumps(patch).encode("utf-8"))
        return Outcome(True, port, len(ports), None, None, added=True)
    outcome = Outcome(False, port, named.index, named.port, named.target_port)
    if in_sync(named, port):
        return outcome
    patch = build_patch(named, config.rpc_port_name, port)
    kubernetes_request(config, "PATCH", json.dumps(patch).encode("utf-8"))
    return dataclasses.replace(outcome, patched=True)
