"""Read a stack's config from ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` as the CLI does.

Project-level values (``config:`` in ``Pulumi.yaml``: a plain value, or a typed
declaration with ``default``/``value``) apply to every stack; the stack file overrides
them key by key. Keys without a namespace belong to the project. Encrypted values
(``secure:``) cannot be read offline: they render as ``[secret]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DECLARATION_KEYS = {"type", "description", "default", "value", "secret", "items"}
# The offline render cannot decrypt a secret value (``secure:``): it stands in for it.
SECRET_PLACEHOLDER = "[secret]"


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
        values[_full_key(name, raw_key)] = SECRET_PLACEHOLDER if _is_secure(entry) else entry
    return values


def secret_keys(root: Path, stack: str) -> frozenset[str]:
    """The keys whose values the stack file holds encrypted (``secure:``)."""
    name = project_name(root)
    config = _load(root / f"Pulumi.{stack}.yaml").get("config") or {}
    return frozenset(_full_key(name, k) for k, entry in config.items() if _is_secure(entry))


def _is_secure(entry: Any) -> bool:
    return isinstance(entry, dict) and set(entry) == {"secure"}
