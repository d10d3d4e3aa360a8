"""Build the Pulumi CLI and the kubernetes provider from their Go modules, cached by version.

The modules' ``go.mod`` files point sibling modules of their repositories at relative
directories (``replace … => ../sdk``), so ``go install module@version`` refuses them.
The recipe downloads the module source (``go mod download``), drops those relative
replaces (the published sibling module versions it already requires are used instead),
runs the package's own generator where its binary embeds generated files, and builds
with the release version in the ``-X`` flag so the binaries report what they are.

The result is a Pulumi home, cached under
``${FLINK_AKS_CACHE:-$HOME/.cache/flink-aks}/pulumi-engine-<versions>/``: ``bin/pulumi``
and ``plugins/`` with the ``kubernetes`` provider, installed by the CLI itself
(``pulumi plugin install resource kubernetes VERSION --file BINARY``). Built once under a
lock, then moved into place atomically.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.cache import filled_once
from tests.engine.versions import GoBinary, cli, engine_key, kubernetes_provider

BUILD_TIMEOUT_S = 3600


class EngineBuildError(RuntimeError):
    """A Go build step failed."""


def _go(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["go", *args],
        cwd=cwd,
        env={**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", **(env or {})},
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    if result.returncode != 0:
        raise EngineBuildError(f"go {' '.join(args)} (in {cwd.name}) failed:\n{result.stderr[-4000:]}")
    return result.stdout


def module_source(binary: GoBinary, into: Path) -> Path:
    """A writable copy of the module's source as the Go module proxy serves it."""
    info = json.loads(_go(["mod", "download", "-json", f"{binary.module}@{binary.module_version}"], cwd=into))
    source = into / binary.name
    shutil.copytree(info["Dir"], source)
    for path in [source, *source.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    return source


def drop_relative_replaces(source: Path) -> list[str]:
    """Remove ``replace X => ../dir`` lines: X then resolves to its published version."""
    mod = json.loads(_go(["mod", "edit", "-json"], cwd=source))
    dropped = [r["Old"]["Path"] for r in mod.get("Replace") or [] if r["New"]["Path"].startswith(".")]
    if dropped:
        _go(["mod", "edit", *(f"-dropreplace={path}" for path in dropped)], cwd=source)
    return dropped


def _say(message: str) -> None:
    print(f"engine: {message}", file=sys.stderr, flush=True)


def build_binary(binary: GoBinary, workdir: Path, out_dir: Path) -> Path:
    """Its module's source from the Go module proxy, then ``go build``; each step said first."""
    what = f"{binary.name} {binary.version}"
    _say(f"{what}: downloading {binary.module}@{binary.module_version} and its modules")
    source = module_source(binary, workdir)
    drop_relative_replaces(source)
    if binary.generate:
        # e.g. the kubernetes provider embeds its schema, versioned by its own generator.
        _say(f"{what}: go run generate.go")
        _go(["run", "generate.go"], cwd=source / binary.package, env={"VERSION": binary.version.lstrip("v")})
    out = out_dir / binary.name
    flags = f"-s -w -X {binary.version_var}={binary.version}"
    started = time.monotonic()
    _say(f"{what}: go build (about 10 minutes on 2 cold cores, seconds with Go's build cache)")
    _go(["build", "-trimpath", "-ldflags", flags, "-o", str(out), binary.package], cwd=source)
    _say(f"{what}: built in {time.monotonic() - started:.0f} s")
    return out


def _install_plugin(home: Path, name: str, version: str, binary: Path) -> None:
    env = {**os.environ, "PULUMI_HOME": str(home), "PULUMI_SKIP_UPDATE_CHECK": "1"}
    result = subprocess.run(
        [str(home / "bin" / "pulumi"), "plugin", "install", "resource", name, version, "--file", str(binary)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise EngineBuildError(f"pulumi plugin install {name} {version} failed:\n{result.stderr}")


def build_home(home: Path, workdir: Path) -> None:
    """Build every binary into ``home/bin`` and install the providers as plugins of ``home``."""
    bin_dir = home / "bin"
    bin_dir.mkdir(parents=True)
    _say("1/2: the Pulumi CLI")
    build_binary(cli(), workdir, bin_dir)
    provider = kubernetes_provider()
    _say("2/2: the kubernetes provider")
    built = build_binary(provider, workdir, workdir)
    _install_plugin(home, "kubernetes", provider.version, built)


def ensure_engine() -> Path:
    """The cached Pulumi home for the pinned versions, built first (saying each step) if missing."""

    def fill(staged: Path, scratch: Path) -> None:
        started = time.monotonic()
        build_home(staged, scratch)
        _say(f"built {engine_key()} in {time.monotonic() - started:.0f} s")

    return filled_once(engine_key(), lambda home: (home / "bin" / "pulumi").is_file(), fill)
