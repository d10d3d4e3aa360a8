"""Read a stack's config from ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` as the CLI does.

The rules are the Pulumi CLI's own (``mergeConfig`` and ``Project.Validate`` in its
``workspace`` packages), with its wording, so the offline render refuses what
``pulumi preview`` refuses:

- ``config:`` in ``Pulumi.yaml`` holds declarations (``type``, ``default``, ``value``, …);
  a plain value is short for ``default`` (project keys) or ``value`` (other namespaces);
- a project key declared with neither ``default`` nor ``value`` must be set by the stack
  (``Stack 'dev' is missing configuration value 'protect'``);
- a value of a typed key must match its ``type`` (``string``, ``integer``, ``boolean``,
  ``array`` with ``items``, ``object``), as the CLI sees it: scalars of a stack file as
  text, so ``"20"`` is an integer and ``"true"`` a boolean.

Stack values override project values key by key. Keys without a namespace belong to the
project.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

DECLARATION_KEYS = {"type", "description", "default", "value", "secret", "items"}
TYPES = ("string", "integer", "boolean", "array", "object")
INT64 = range(-(2**63), 2**63)


BOOL, TIMESTAMP = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"


class CliYamlLoader(yaml.SafeLoader):
    """YAML as the CLI's Go parser reads it: only ``true``/``false`` are booleans (YAML 1.2,
    so ``yes`` and ``on`` stay text) and timestamps stay text."""


CliYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (BOOL, TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
CliYamlLoader.add_implicit_resolver(BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


class ProjectFileError(Exception):
    """A project or stack file that is missing, unreadable or refused by the CLI's rules."""


# The offline render cannot decrypt a secret value (``secure:``): it stands in for it.
SECRET_PLACEHOLDER = "[secret]"


class Encrypted(str):
    """A ``secure:`` value of a stack file: set, but unreadable without the passphrase
    (its text is ``SECRET_PLACEHOLDER``)."""


def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ProjectFileError(f"{path.name}: no such file")
    try:
        data = yaml.load(path.read_text(), Loader=CliYamlLoader) or {}  # a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = " ".join(part for part in (error.problem, error.context and f"({error.context})") if part)
        raise ProjectFileError(f"{path.name}{where}: invalid YAML: {what}") from None
    except yaml.YAMLError as error:
        raise ProjectFileError(f"{path.name}: invalid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ProjectFileError(f"{path.name}: expected a mapping at the top level")
    return data


def project_name(root: Path) -> str:
    return str(_load(root / "Pulumi.yaml")["name"])


def _full_key(project: str, name: str) -> str:
    return name if ":" in name else f"{project}:{name}"


def _is_project_key(project: str, name: str) -> bool:
    return ":" not in name or name.startswith(f"{project}:")


def type_name(type_: str | None, items: Any) -> str:
    """``string``, ``array<integer>``, … as the CLI names a declared type."""
    if isinstance(items, dict):
        return f"array<{type_name(items.get('type'), items.get('items'))}>"
    return str(type_)


def matches_type(type_: str | None, items: Any, value: Any) -> bool:
    """The CLI's ``ValidateConfigValue``: does ``value`` (as the CLI sees it) fit the type?"""
    if type_ == "string":
        return isinstance(value, str)
    if type_ == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, str) and bool(re.fullmatch(r"[+-]?[0-9]+", value)) and int(value) in INT64
    if type_ == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if type_ == "object":
        return isinstance(value, dict)
    if not isinstance(value, list) or not isinstance(items, dict):
        return False
    return all(matches_type(items.get("type"), items.get("items"), item) for item in value)


def as_cli_sees(value: Any) -> Any:
    """A stack file value as the CLI validates it: scalars as their text, objects as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, (dict, list)) or value is None:
        return json.loads(json.dumps(value, default=str))
    return str(value)


def declarations(project: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``config:`` of ``Pulumi.yaml`` as declarations, checked as ``Project.Validate`` does."""
    name = str(project["name"])
    result: dict[str, dict[str, Any]] = {}
    for key, entry in (project.get("config") or {}).items():
        if not isinstance(entry, dict):
            entry = {"default" if _is_project_key(name, key) else "value": entry}
        unknown = sorted(set(entry) - DECLARATION_KEYS)
        if unknown:
            raise ProjectFileError(
                f"Pulumi.yaml: config.{key}: unknown attribute {unknown[0]!r}; a declaration has "
                + ", ".join(sorted(DECLARATION_KEYS))
                + " (an object value goes under `value:`)"
            )
        _validate_declaration(name, key, entry)
        result[key] = entry
    return result


def _validate_declaration(project: str, key: str, entry: dict[str, Any]) -> None:
    type_ = entry.get("type")
    if type_ is not None and type_ not in TYPES:
        raise ProjectFileError(f"Pulumi.yaml: config.{key}.type: got {type_!r}; allowed: {', '.join(TYPES)}")
    if entry.get("default") is not None and entry.get("value") is not None:
        raise ProjectFileError(f"project config '{key}' cannot have both a 'default' and 'value' attribute")
    if _is_project_key(project, key):
        if type_ == "array" and entry.get("items") is None:
            raise ProjectFileError(
                f"The configuration key '{key}' declares an array "
                "but does not specify the underlying type via the 'items' attribute"
            )
        if type_ is not None and entry.get("default") is not None:
            if not matches_type(type_, entry.get("items"), entry["default"]):
                raise ProjectFileError(
                    f"The default value specified for configuration key '{key}' is not of the expected type "
                    f"'{type_name(type_, entry.get('items'))}'"
                )
        return
    if type_ is not None:
        raise ProjectFileError(
            f"Configuration key '{key}' is not namespaced by the project and should not define a type"
        )
    if entry.get("default") is not None:
        raise ProjectFileError(
            f"Configuration key '{key}' is not namespaced by the project and should not define a default value. "
            "Did you mean to use the 'value' attribute instead of 'default'?"
        )
    if entry.get("value") is None:
        raise ProjectFileError(f"Configuration key '{key}' is namespaced and must provide an attribute 'value'")


def _missing_error(stack: str, keys: list[str]) -> ProjectFileError:
    quoted = [f"'{k}'" for k in sorted(keys)]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return ProjectFileError(f"Stack '{stack}' is missing configuration value{'s' if len(keys) > 1 else ''} {listed}")


def stack_config(root: Path, stack: str) -> dict[str, Any]:
    """Every config value of ``stack``: full key -> value (objects stay objects); an
    encrypted (``secure:``) value is an ``Encrypted`` placeholder."""
    project = _load(root / "Pulumi.yaml")
    name = str(project["name"])
    declared = declarations(project)
    values: dict[str, Any] = {}
    for raw_key, entry in (_load(root / f"Pulumi.{stack}.yaml").get("config") or {}).items():
        values[_full_key(name, raw_key)] = Encrypted(SECRET_PLACEHOLDER) if _is_secure(entry) else entry
    missing = []
    for key in sorted(declared):
        entry, full = declared[key], _full_key(name, key)
        if full in values:
            continue
        if entry.get("default") is not None:
            values[full] = entry["default"]
        elif entry.get("value") is not None:
            values[full] = entry["value"]
        elif _is_project_key(name, key):
            missing.append(key)
    if missing:
        raise _missing_error(stack, missing)
    for key in sorted(declared):
        _check_value(stack, key, declared[key], values.get(_full_key(name, key)))
    return values


def secret_keys(root: Path, stack: str) -> frozenset[str]:
    """The keys whose values the stack file holds encrypted (``secure:``)."""
    return frozenset(k for k, v in stack_config(root, stack).items() if isinstance(v, Encrypted))


def _is_secure(entry: Any) -> bool:
    return isinstance(entry, dict) and set(entry) == {"secure"}


def _check_value(stack: str, key: str, entry: dict[str, Any], value: Any) -> None:
    if entry.get("type") is None:
        return  # the CLI validates typed keys only
    if entry.get("secret") and not isinstance(value, Encrypted):
        raise ProjectFileError(f"Stack '{stack}' with configuration key '{key}' must be encrypted as it's secret")
    if isinstance(value, Encrypted):
        return  # its type can be checked only with the passphrase
    if not matches_type(entry["type"], entry.get("items"), as_cli_sees(value)):
        raise ProjectFileError(
            f"Stack '{stack}' with configuration key '{key}' must be of type "
            f"'{type_name(entry['type'], entry.get('items'))}'"
        )
