"""Read a stack's config from ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` as the CLI does.

Project-level values (``config:`` in ``Pulumi.yaml``: a plain value, or a typed
declaration with ``default``/``value``) apply to every stack; the stack file overrides
them key by key. Keys without a namespace belong to the project.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DECLARATION_KEYS = {"type", "description", "default", "value", "secret", "items"}


class ProjectFileError(Exception):
    """A project or stack file that is missing or unreadable."""


def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ProjectFileError(f"{path.name}: no such file")
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ProjectFileError(f"{path.name}: expected a mapping at the top level")
    return data


def project_name(root: Path) -> str:
    return str(_load(root / "Pulumi.yaml")["name"])


def _full_key(project: str, name: str) -> str:
    return name if ":" in name else f"{project}:{name}"


def stack_config(root: Path, stack: str) -> dict[str, Any]:
    """Every config value of ``stack``: full key -> value (objects stay objects)."""
    project = _load(root / "Pulumi.yaml")
    name = str(project["name"])
    values: dict[str, Any] = {}
    for raw_key, entry in (project.get("config") or {}).items():
        if isinstance(entry, dict) and set(entry) <= DECLARATION_KEYS and entry:
            if "value" in entry:
                values[_full_key(name, raw_key)] = entry["value"]
            elif "default" in entry:
                values[_full_key(name, raw_key)] = entry["default"]
        else:
            values[_full_key(name, raw_key)] = entry
    stack_file = _load(root / f"Pulumi.{stack}.yaml")
    for raw_key, entry in (stack_file.get("config") or {}).items():
        if isinstance(entry, dict) and set(entry) == {"secure"}:
            raise ProjectFileError(f"Pulumi.{stack}.yaml: {raw_key} is encrypted; the offline render reads no secrets")
        values[_full_key(name, raw_key)] = entry
    return values
