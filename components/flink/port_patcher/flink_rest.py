"""Flink's REST API: the RPC port the JobManager bound, from ``GET /jobmanager/config``."""

from __future__ import annotations

import urllib.request
from typing import Final

from .config import Config
from .transport import SyncError, parse_json, send

RPC_PORT_KEY: Final = "jobmanager.rpc.port"


def parse_port(value: object) -> int | None:
    """A TCP port from an int or a decimal string, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= 65535:
        return value
    return None


def rpc_port_from_flink_config(entries: object) -> int:
    """``jobmanager.rpc.port`` from Flink's ``[{"key": ..., "value": ...}, ...]``."""
    if not isinstance(entries, list):
        raise SyncError("flink_rest", "answer is not a JSON list")
    for entry in entries:
        if isinstance(entry, dict) and entry.get("key") == RPC_PORT_KEY:
            port = parse_port(entry.get("value"))
            if port is None:
                raise SyncError(
                    "flink_rest",
                    f"{RPC_PORT_KEY} is not a port: {entry.get('value')!r}",
                )
            return port
    raise SyncError("flink_rest", f"{RPC_PORT_KEY} missing from /jobmanager/config")


def read_rpc_port(config: Config) -> int:
    request = urllib.request.Request(config.flink_config_url, headers={"Accept": "application/json"})
    body = send(request, "flink_rest", config.http_timeout_s, None)
    return rpc_port_from_flink_config(parse_json(body, "flink_rest"))
