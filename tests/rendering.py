"""Render stacks for tests with the same machinery as ``python -m infra.render``."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from infra.config.settings import Settings, parse_settings
from infra.render import offline
from infra.render.offline import Rendering, render_config
from infra.render.project_files import stack_config

ROOT = Path(__file__).resolve().parent.parent

# The stacks and variants whose Kubernetes objects are checked (schema, real API server):
# dev (port-forward UI), prod (internal UI, 10k profile), pinned RPC port, public UI, Flink 2.x.
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "dev": ("dev", {}),
    "prod": ("prod", {}),
    "dev-pinned": ("dev", {"flink": {"rpcPortMode": "pinned"}}),
    "dev-public-ui": ("dev", {"ui": {"exposure": "public", "allowedCidrs": ["203.0.113.0/24"]}}),
    "prod-flink-2.1": ("prod", {"flink": {"version": "2.1"}}),
    "dev-standby": ("dev", {"flink": {"rpcPortMode": "podIp", "jobManagers": 2}}),
}
STANDBY: dict[str, Any] = {"flink": {"rpcPortMode": "podIp", "jobManagers": 2}}


def render(stack: str, preview: bool = True, **objects: Any) -> Rendering:
    """Render ``Pulumi.<stack>.yaml`` with ``flink-aks:<name>`` objects merged key by key."""
    return _render(stack, preview, json.dumps(objects, sort_keys=True))


@functools.cache
def _render(stack: str, preview: bool, overrides_json: str) -> Rendering:
    config = stack_config(ROOT, stack)
    for name, value in json.loads(overrides_json).items():
        full = f"flink-aks:{name}"
        current = config.get(full)
        config[full] = {**current, **value} if isinstance(current, dict) and isinstance(value, dict) else value
    return render_config(stack, config, preview=preview)


@dataclass
class ComponentRender:
    """A component rendered alone, with the plain values of its secret outputs caught in the program."""

    settings: Settings
    rendering: Rendering
    revealed: dict[str, Any] = field(default_factory=dict)


def settings_of(stack: str) -> Settings:
    return parse_settings(stack, stack_config(ROOT, stack))


def one(rendering: Rendering, type_token: str) -> dict[str, Any]:
    """The only resource of a type."""
    found = rendering.of_type(type_token)
    assert len(found) == 1, f"{len(found)} resources of type {type_token}"
    return found[0]


def kubernetes_objects(rendering: Rendering) -> list[dict[str, Any]]:
    from infra.render.cli import manifests

    return manifests(rendering)


def k8s_object(rendering: Rendering, kind: str, name: str) -> dict[str, Any]:
    found = [o for o in kubernetes_objects(rendering) if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{len(found)} {kind} named {name}"
    return found[0]


def container(pod_template: dict[str, Any], name: str) -> dict[str, Any]:
    spec = pod_template["spec"]
    return next(c for c in spec["containers"] + spec.get("initContainers", []) if c["name"] == name)


def variant_objects(variant: str) -> list[dict[str, Any]]:
    """The Kubernetes objects of one variant, with values known after deployment (Secrets keep their keys)."""
    stack, overrides = VARIANTS[variant]
    return kubernetes_objects(render(stack, preview=False, **overrides))


def spy_recordings(monkeypatch: pytest.MonkeyPatch) -> list[offline.Recording]:
    """Every ``offline.Recording`` made from now on: what each rendering declared."""
    recordings: list[offline.Recording] = []

    class Spy(offline.Recording):
        def __init__(self) -> None:
            super().__init__()
            recordings.append(self)

    monkeypatch.setattr(offline, "Recording", Spy)
    return recordings
