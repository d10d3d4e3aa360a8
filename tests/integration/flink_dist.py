"""Flink's jars for the integration tests, from the PyPI sdist ``apache-flink-libraries``.

The sdist holds a Flink distribution's jars (``deps/lib`` with flink-dist,
``deps/bin/bash-java-utils.jar``, ``deps/plugins`` with the Prometheus reporter) and
nothing else: no scripts, no config, no examples. They are downloaded once with pip and
extracted into a cache directory:

    ${FLINK_AKS_CACHE:-$HOME/.cache/flink-aks}/flink-<version>/{lib,bin,plugins/metrics-prometheus}

``python -m tests.integration.flink_dist`` fills the cache (CI runs it before pytest).
``FLINK_AKS_FIND_LINKS`` may name a directory that already holds the sdist (pip's
``--find-links``); PyPI is used otherwise.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import yaml

from components.monitoring.flink_reporter import JAR_ARTIFACT, PLUGIN_DIR
from tests.cache import filled_once, print_ready

# The one place the Flink version of the integration tests is pinned.
FLINK_VERSION = "1.20.5"
PYPI_PACKAGE = "apache-flink-libraries"
# sha256 of apache_flink_libraries-1.20.5.tar.gz as published in PyPI's index.
SDIST_SHA256 = "e6aee62ea1a1fe7b32e28894ad079f3f1a50a372a4caac3df52405267f4228c8"

FIND_LINKS_ENV = "FLINK_AKS_FIND_LINKS"
# What we take from the sdist's deps/ folder.
EXTRACTED_DIRS = ("lib/", "bin/", f"plugins/{PLUGIN_DIR}/")


class FlinkDistError(RuntimeError):
    """The Flink jars could not be obtained."""


@dataclasses.dataclass(frozen=True)
class FlinkDist:
    """An extracted distribution: ``lib/*.jar`` and ``bin/bash-java-utils.jar``."""

    home: Path
    version: str

    @property
    def lib_dir(self) -> Path:
        return self.home / "lib"

    @property
    def dist_jar(self) -> Path:
        return self.lib_dir / f"flink-dist-{self.version}.jar"

    @property
    def bash_java_utils_jar(self) -> Path:
        return self.home / "bin" / "bash-java-utils.jar"

    @property
    def reporter_jar(self) -> Path:
        """Flink's Prometheus reporter, where the distribution (and the image) keeps it."""
        return self.home / "plugins" / PLUGIN_DIR / f"{JAR_ARTIFACT}-{self.version}.jar"

    def classpath(self) -> list[Path]:
        """As Flink's ``constructFlinkClassPath``: lib jars sorted, flink-dist last."""
        jars = sorted(p for p in self.lib_dir.glob("*.jar") if p != self.dist_jar)
        return [*jars, self.dist_jar]

    def default_config(self) -> dict[str, object]:
        """The distribution's default ``config.yaml`` (packaged inside flink-dist)."""
        with zipfile.ZipFile(self.dist_jar) as jar:
            loaded = yaml.safe_load(jar.read("config.yaml"))
        return loaded if isinstance(loaded, dict) else {}

    def default_setting(self, key: str) -> str | None:
        """One key of the default config (nested or flat YAML), as text."""
        node: object = self.default_config()
        if isinstance(node, dict) and key in node:
            return str(node[key])
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return None if isinstance(node, dict) else str(node)


def _is_complete(home: Path, version: str) -> bool:
    dist = FlinkDist(home, version)
    return all(jar.is_file() for jar in (dist.dist_jar, dist.bash_java_utils_jar, dist.reporter_jar))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download_sdist(version: str, into: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        "--disable-pip-version-check",
        "--dest",
        str(into),
        f"{PYPI_PACKAGE}=={version}",
    ]
    find_links = os.environ.get(FIND_LINKS_ENV, "").strip()
    if find_links:
        command[4:4] = ["--find-links", find_links]
    print(f"flink_dist: {' '.join(command)}", flush=True)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise FlinkDistError(
            f"pip download of {PYPI_PACKAGE}=={version} failed (exit {result.returncode}):\n"
            + (result.stdout + result.stderr)[-3000:]
        )
    names = _sdist_names(version)
    found = sorted(path for path in into.iterdir() if path.name in names)
    if not found:
        raise FlinkDistError(f"pip download left none of {', '.join(names)} in {into}")
    return found[0]


def _sdist_names(version: str) -> tuple[str, ...]:
    """The sdist's file names: hyphenated up to 1.20.3, normalized (PEP 625) from 1.20.4."""
    hyphenated = f"{PYPI_PACKAGE}-{version}.tar.gz"
    normalized = f"{PYPI_PACKAGE.replace('-', '_')}-{version}.tar.gz"
    return (hyphenated, normalized)


def _extract(sdist: Path, into: Path) -> None:
    # The archive's top folder is named as the file is, without ``.tar.gz``.
    prefix = f"{sdist.name.removesuffix('.tar.gz')}/deps/"
    with tarfile.open(sdist, "r:gz") as archive:
        members = []
        for member in archive.getmembers():
            if not member.name.startswith(prefix):
                continue
            relative = member.name[len(prefix) :]
            if not relative.startswith(EXTRACTED_DIRS):
                continue
            member.name = relative
            members.append(member)
        archive.extractall(into, members=members, filter="data")


def ensure_flink_dist(version: str = FLINK_VERSION) -> FlinkDist:
    """The cached distribution, downloaded and extracted on first use."""

    def fill(staged: Path, scratch: Path) -> None:
        sdist = _download_sdist(version, scratch / "download")
        if version == FLINK_VERSION and _sha256(sdist) != SDIST_SHA256:
            raise FlinkDistError(f"{sdist.name}: sha256 differs from the pinned {SDIST_SHA256}")
        _extract(sdist, staged)
        if not _is_complete(staged, version):
            raise FlinkDistError(f"{sdist.name} lacks flink-dist, bash-java-utils or the reporter jar")
        print(f"flink_dist: Flink {version} jars extracted", flush=True)

    home = filled_once(f"flink-{version}", lambda home: _is_complete(home, version), fill)
    return FlinkDist(home, version)


def main() -> int:
    def ready() -> str:
        dist = ensure_flink_dist()
        return f"flink_dist: ready: {dist.home} ({len(dist.classpath())} jars in lib)"

    return print_ready(ready, (FlinkDistError,), "flink_dist: ")


if __name__ == "__main__":
    sys.exit(main())
