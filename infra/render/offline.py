"""Run the real program for one stack under Pulumi's mock engine and collect the result.

The same function serves ``python -m infra.render`` and the unit tests. Values are
shown as the engine sees them: secrets as ``"[secret]"``, values known only after a
deployment as ``"[unknown]"``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from infra.config.settings import Settings, parse_settings
from infra.render.mocks import OfflineMocks, Recording, RecordingMonitor
from infra.render.project_files import Encrypted, project_name, stack_config

ROOT = Path(__file__).resolve().parents[2]
SECRET = "[secret]"
UNKNOWN = "[unknown]"


@dataclass(frozen=True)
class Rendering:
    stack: str
    project: str
    resources: list[dict[str, Any]]
    outputs: dict[str, Any]

    def document(self) -> dict[str, Any]:
        return {"stack": self.stack, "project": self.project, "resources": self.resources, "outputs": self.outputs}

    def to_json(self) -> str:
        return json.dumps(self.document(), indent=2, sort_keys=False)

    def of_type(self, type_token: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["type"] == type_token]

    def named(self, name: str) -> dict[str, Any]:
        matches = [r for r in self.resources if r["name"] == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]


def shown(value: Any) -> Any:
    """A deserialized engine value with secrets and unknowns replaced by markers.

    A secret object keeps its keys (so manifests keep their shape) but no value.
    """
    if isinstance(value, Unknown):
        return UNKNOWN
    if rpc.is_rpc_secret(value):
        inner = rpc.unwrap_rpc_secret(value)
        if isinstance(inner, dict):
            return {k: SECRET for k in inner}
        return SECRET
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shown(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the engine carries every number as a double
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


async def _output_value(value: Any) -> Any:
    out = pulumi.Output.from_input(value)
    if await out.is_secret():
        return SECRET
    if not await out.is_known():
        return UNKNOWN
    return shown(await out.future(with_unknowns=True))


def render_config(
    stack: str,
    config: dict[str, Any],
    project: str = "flink-aks",
    preview: bool = True,
    main: Callable[[], None] | None = None,
    secret_keys: frozenset[str] = frozenset(),
) -> Rendering:
    """Run the program (or another ``main``, for a component alone) under mocks.

    ``config`` maps full keys to values. Raises ``ConfigError`` for invalid config,
    before anything is declared.
    """
    recording = Recording()
    mocks = OfflineMocks(preview=preview)
    runtime_settings.ROOT.set(None)
    set_all_config({k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}, sorted(secret_keys))
    set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=RecordingMonitor(mocks, recording))
    runtime_settings.SETTINGS.rpc_manager.clear()
    runtime_settings.SETTINGS.outputs.clear()
    outputs: dict[str, Any] = {}

    async def run() -> None:
        if main is None:
            from infra.compose import program  # the real program, imported only when run

            program.run()
        else:
            main()
        root = runtime_settings.get_root_resource()
        assert isinstance(root, pulumi.runtime.stack.Stack)
        for name, value in root.outputs.items():
            outputs[name] = await _output_value(value)

    _sync_await(run_pulumi_func(run))
    resources = [
        {"type": r.type, "name": r.name, "parent": r.parent, "inputs": shown(r.inputs)}
        | ({"provider": r.provider} if r.provider else {})
        | ({"protect": True} if r.protect else {})
        | ({"ignoreChanges": r.ignore_changes} if r.ignore_changes else {})
        for r in recording.resources
    ]
    return Rendering(stack=stack, project=project, resources=resources, outputs=outputs)


def render_stack(stack: str, root: Path = ROOT, preview: bool = True) -> Rendering:
    """Render ``Pulumi.<stack>.yaml`` (with ``Pulumi.yaml`` defaults) as the CLI would read it."""
    config = stack_config(root, stack)
    return render_config(stack, config, project=project_name(root), preview=preview, secret_keys=_secret_keys(config))


def stack_settings(stack: str, root: Path = ROOT) -> Settings:
    """The validated settings of ``Pulumi.<stack>.yaml``, as the program reads them."""
    config = stack_config(root, stack)
    return parse_settings(stack, config, _secret_keys(config))


def _secret_keys(config: dict[str, Any]) -> frozenset[str]:
    return frozenset(k for k, value in config.items() if isinstance(value, Encrypted))
