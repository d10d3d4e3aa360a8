"""Flink's Prometheus reporter jar for the integration tests, from Maven Central.

The artifact ``org.apache.flink:flink-metrics-prometheus`` of the Flink version the tests
pin (``flink_dist.FLINK_VERSION``) is copied once by Maven into the cache:

    ${FLINK_AKS_CACHE:-$HOME/.cache/flink-aks}/flink-metrics-prometheus-<version>/<jar>

``python -m tests.integration.metrics_dist`` fills the cache (CI runs it before pytest).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from components.monitoring.flink_reporter import JAR_ARTIFACT
from tests.cache import filled_once, print_ready
from tests.integration.flink_dist import FLINK_VERSION
from tests.integration.requirements import require_tool

GROUP = "org.apache.flink"


class MetricsDistError(RuntimeError):
    """The reporter jar could not be obtained."""


def jar_name(version: str = FLINK_VERSION) -> str:
    return f"{JAR_ARTIFACT}-{version}.jar"


def ensure_reporter_jar(version: str = FLINK_VERSION) -> Path:
    """The cached reporter jar, copied from Maven Central (through ~/.m2) on first use."""
    name = jar_name(version)

    def fill(staged: Path, scratch: Path) -> None:
        command = [
            require_tool("mvn"),
            "-B",
            "-q",
            "dependency:copy",
            f"-Dartifact={GROUP}:{JAR_ARTIFACT}:{version}",
            f"-DoutputDirectory={staged}",
        ]
        print(f"metrics_dist: {' '.join(command)}", file=sys.stderr, flush=True)
        result = subprocess.run(command, cwd=scratch, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not (staged / name).is_file():
            raise MetricsDistError(
                f"mvn dependency:copy of {name} failed (exit {result.returncode}):\n"
                + (result.stdout + result.stderr)[-3000:]
            )

    home = filled_once(f"{JAR_ARTIFACT}-{version}", lambda home: (home / name).is_file(), fill)
    return home / name


def main() -> int:
    return print_ready(lambda: f"metrics_dist: ready: {ensure_reporter_jar()}", (MetricsDistError,), "metrics_dist: ")


if __name__ == "__main__":
    sys.exit(main())
