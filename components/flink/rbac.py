"""What the port-patcher sidecar may do: get and patch one Service, nothing else."""

from __future__ import annotations

from typing import Any


def port_patcher_rules(service_name: str) -> list[dict[str, Any]]:
    return [{"apiGroups": [""], "resources": ["services"], "resourceNames": [service_name], "verbs": ["get", "patch"]}]
