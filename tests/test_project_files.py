"""The offline render reads project and stack files by the Pulumi CLI's own rules.

Cases and messages follow the CLI's tests of ``mergeConfig``/``ValidateConfigValue``
(``pkg/workspace/config_project_test.go``, ``sdk/go/common/workspace/project_test.go``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.render.project_files import (
    SECRET_PLACEHOLDER,
    Encrypted,
    ProjectFileError,
    as_cli_sees,
    matches_type,
    secret_keys,
    stack_config,
)
from tests.rendering import ROOT

PROJECT = {"name": "flink-aks", "runtime": "python"}


def files(tmp_path: Path, project_config: dict[str, Any], stack_text: str, stack: str = "dev") -> Path:
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump({**PROJECT, "config": project_config}))
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(stack_text)
    return tmp_path


def refusal(root: Path, stack: str = "dev") -> str:
    with pytest.raises(ProjectFileError) as error:
        stack_config(root, stack)
    return str(error.value)


def test_the_projects_own_stacks_set_every_declared_key_without_default() -> None:
    for stack_file in ROOT.glob("Pulumi.*.yaml"):
        stack_config(ROOT, stack_file.name.split(".")[1])  # raises if the CLI would refuse it


def test_a_declared_key_without_default_must_be_set_by_the_stack(tmp_path: Path) -> None:
    root = files(tmp_path, {"protect": {"type": "boolean"}}, "config:\n  azure-native:location: westeurope\n")
    assert refusal(root) == "Stack 'dev' is missing configuration value 'protect'"


def test_several_missing_keys_are_named_together_sorted(tmp_path: Path) -> None:
    root = files(tmp_path, {"world": {"type": "string"}, "hello": {"type": "string"}, "values": {}}, "")
    assert refusal(root) == "Stack 'dev' is missing configuration values 'hello', 'values' and 'world'"


def test_a_set_value_must_match_its_declared_type(tmp_path: Path) -> None:
    root = files(tmp_path, {"protect": {"type": "boolean"}}, "config:\n  flink-aks:protect: maybe\n")
    assert refusal(root) == "Stack 'dev' with configuration key 'protect' must be of type 'boolean'"


def test_array_types_name_their_items(tmp_path: Path) -> None:
    declared = {"values": {"type": "array", "items": {"type": "string"}, "default": ["value"]}}
    root = files(tmp_path, declared, "config:\n  flink-aks:values: someValue\n")
    assert refusal(root) == "Stack 'dev' with configuration key 'values' must be of type 'array<string>'"


def test_a_set_value_replaces_the_declaration_and_defaults_fill_the_rest(tmp_path: Path) -> None:
    declared = {"protect": {"type": "boolean"}, "count": {"type": "integer", "default": 3}, "plain": "x"}
    root = files(tmp_path, declared, "config:\n  flink-aks:protect: true\n")
    assert stack_config(root, "dev") == {"flink-aks:protect": True, "flink-aks:count": 3, "flink-aks:plain": "x"}


def test_other_namespaces_need_a_value_not_a_type(tmp_path: Path) -> None:
    root = files(tmp_path, {"azure-native:location": {"type": "string"}}, "")
    assert "is not namespaced by the project and should not define a type" in refusal(root)


def test_a_default_of_the_wrong_type_is_refused(tmp_path: Path) -> None:
    root = files(tmp_path, {"count": {"type": "integer", "default": "many"}}, "")
    expected = "The default value specified for configuration key 'count' is not of the expected type 'integer'"
    assert refusal(root) == expected


def test_an_encrypted_value_is_set_but_unreadable_offline(tmp_path: Path) -> None:
    stack_text = "config:\n  flink-aks:token:\n    secure: v1:abc\n"
    root = files(tmp_path, {"token": {"type": "integer", "secret": True}}, stack_text)
    assert stack_config(root, "dev")["flink-aks:token"] == Encrypted(SECRET_PLACEHOLDER) == "[secret]"
    assert secret_keys(root, "dev") == {"flink-aks:token"}


def test_a_secret_key_must_be_encrypted(tmp_path: Path) -> None:
    root = files(tmp_path, {"token": {"type": "string", "secret": True}}, "config:\n  flink-aks:token: plain\n")
    assert refusal(root) == "Stack 'dev' with configuration key 'token' must be encrypted as it's secret"


def test_yaml_syntax_errors_name_file_line_and_problem(tmp_path: Path) -> None:
    root = files(tmp_path, {}, "config:\n  flink-aks:ui:\n    exposure: public\n   allowedCidrs: [1]\n")
    message = refusal(root)
    assert message.startswith("Pulumi.dev.yaml, line 4, column 4: invalid YAML: ")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("type_", "items", "stack_value", "ok"),
    [
        ("integer", None, 20, True),
        ("integer", None, "20", True),
        ("integer", None, "hello", False),
        ("integer", None, 2.5, False),
        ("integer", None, True, False),
        ("boolean", None, True, True),
        ("boolean", None, "false", True),
        ("boolean", None, "yes please", False),
        ("string", None, 42, True),  # a scalar of a stack file is text to the CLI
        ("string", None, ["a"], False),
        ("object", None, {"a": 1}, True),
        ("object", None, "a", False),
        ("array", {"type": "integer"}, [1, 2], True),
        ("array", {"type": "integer"}, [1, "x"], False),
        ("array", {"type": "array", "items": {"type": "boolean"}}, [[True], [False]], True),
        ("array", None, [1], False),
    ],
)
def test_values_are_checked_as_the_cli_sees_them(type_: str, items: Any, stack_value: Any, ok: bool) -> None:
    assert matches_type(type_, items, as_cli_sees(stack_value)) is ok


def test_scalars_are_typed_as_the_clis_yaml_parser_types_them(tmp_path: Path) -> None:
    text = "config:\n  flink-aks:a: yes\n  flink-aks:b: True\n  flink-aks:c: 2026-11-29\n  flink-aks:d: 7\n"
    values = stack_config(files(tmp_path, {}, text), "dev")
    assert values == {"flink-aks:a": "yes", "flink-aks:b": True, "flink-aks:c": "2026-11-29", "flink-aks:d": 7}
