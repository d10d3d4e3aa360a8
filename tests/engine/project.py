"""A copy of the project in a temp dir, run by the real Pulumi CLI with a local file backend.

``EngineProject`` holds the stack files a test writes, a Pulumi home of its own (the
engine's ``bin`` and ``plugins``, linked), state under ``state/`` and the environment
every command gets: no update checks, no plugin downloads, secrets encrypted with a
passphrase. ``cli`` runs a plain CLI command; ``run`` runs the program (preview, up,
refresh, destroy) through ``tests.engine.inline``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.engine.versions import ROOT

PASSPHRASE = "engine-tests-passphrase"
TIMEOUT_S = 600


@dataclass
class Run:
    """What a program run returned: the JSON document on success, the CLI's error otherwise."""

    returncode: int
    document: dict[str, Any]
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def ops(self) -> dict[str, str]:
        """Step op by resource type and name (the URN's last part)."""
        return {f"{s['type']}::{s['urn'].rsplit('::', 1)[-1]}": s["op"] for s in self.document.get("steps", [])}


@dataclass
class EngineProject:
    root: Path
    engine_home: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.dir = self.root / "project"
        self.home = self.root / "pulumi-home"
        self.state = self.root / "state"
        for path in (self.dir, self.home, self.state):
            path.mkdir(parents=True, exist_ok=True)
        for name in ("bin", "plugins"):
            if not (self.home / name).exists():
                (self.home / name).symlink_to(self.engine_home / name)
        shutil.copy(ROOT / "Pulumi.yaml", self.dir / "Pulumi.yaml")
        if not (self.dir / "venv").exists():
            (self.dir / "venv").symlink_to(ROOT / "venv")  # the virtualenv Pulumi.yaml names

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PULUMI_HOME": str(self.home),
            "PULUMI_BACKEND_URL": f"file://{self.state}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "1",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
            "PYTHONPATH": str(ROOT),
            # The provider's Helm client keeps its cache and config with the run, not in $HOME.
            **{f"HELM_{kind}_HOME": str(self.root / "helm" / kind.lower()) for kind in ("CACHE", "CONFIG", "DATA")},
            **self.extra_env,
        }

    def write_stack(self, stack: str, config: dict[str, Any]) -> None:
        path = self.dir / f"Pulumi.{stack}.yaml"
        old = yaml.safe_load(path.read_text()) if path.exists() else {}
        secure = {k: v for k, v in ((old or {}).get("config") or {}).items() if isinstance(v, dict) and "secure" in v}
        document = {k: v for k, v in (old or {}).items() if k != "config"}
        document["config"] = {**config, **secure}
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def copy_stack_file(self, stack: str) -> None:
        shutil.copy(ROOT / f"Pulumi.{stack}.yaml", self.dir / f"Pulumi.{stack}.yaml")

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.home / "bin" / "pulumi"), *args, "--non-interactive"],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def init(self, stack: str) -> None:
        self.cli("stack", "init", stack)

    def set_secret(self, stack: str, key: str, value: str) -> None:
        self.cli("config", "set", "--secret", "--stack", stack, key, value)

    def run(self, stack: str, op: str, *flags: str) -> Run:
        result = subprocess.run(
            [sys.executable, "-m", "tests.engine.inline", stack, op, *flags],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        document = json.loads(result.stdout) if result.returncode == 0 else {}
        return Run(result.returncode, document, result.stderr + result.stdout * (result.returncode != 0))

    def state_file(self, stack: str) -> str:
        path = self.state / ".pulumi" / "stacks" / "flink-aks" / f"{stack}.json"
        return path.read_text()
