"""Apache Kafka's broker jars for the integration tests, from Maven Central.

``tests/integration/kafka/pom.xml`` pins the version (the one place); Maven copies the
broker and its runtime dependencies into a cache directory keyed by that version:

    ${FLINK_AKS_CACHE:-$HOME/.cache/flink-aks}/kafka-<version>/libs/*.jar

``python -m tests.integration.kafka_dist`` fills the cache (CI runs it before pytest).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.cache import filled_once, print_ready
from tests.integration.requirements import require_tool

POM = Path(__file__).parent / "kafka" / "pom.xml"
MAVEN_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
BROKER_JAR = "kafka_2.13-{version}.jar"
TOOLS_JAR = "kafka-tools-{version}.jar"  # TopicCommand (the in-cluster broker's topics)


class KafkaDistError(RuntimeError):
    """The Kafka jars could not be obtained."""


@dataclasses.dataclass(frozen=True)
class KafkaDist:
    home: Path
    version: str

    @property
    def libs(self) -> Path:
        return self.home / "libs"

    def classpath(self) -> list[Path]:
        return sorted(self.libs.glob("*.jar"))

    def jar(self, prefix: str) -> Path:
        """The one jar named ``<prefix>-<version>.jar`` (e.g. ``kafka-clients``)."""
        found = sorted(self.libs.glob(f"{prefix}-[0-9]*.jar"))
        if len(found) != 1:
            raise KafkaDistError(f"expected one {prefix} jar in {self.libs}, found {[p.name for p in found]}")
        return found[0]


def pinned_version(pom: Path = POM) -> str:
    version = ET.parse(pom).getroot().findtext("m:properties/m:kafka.version", namespaces=MAVEN_NS)
    if not version:
        raise KafkaDistError(f"{pom} names no kafka.version")
    return version.strip()


def _is_complete(home: Path, version: str) -> bool:
    return all((home / "libs" / jar.format(version=version)).is_file() for jar in (BROKER_JAR, TOOLS_JAR))


def ensure_kafka_dist() -> KafkaDist:
    """The cached jars, copied from Maven Central (through ~/.m2) on first use."""
    version = pinned_version()

    def fill(staged: Path, scratch: Path) -> None:
        command = [
            require_tool("mvn"),
            "-B",
            "-q",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={staged / 'libs'}",
        ]
        print(f"kafka_dist: {' '.join(command)}", flush=True)
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not _is_complete(staged, version):
            raise KafkaDistError(
                f"mvn dependency:copy-dependencies for Kafka {version} failed (exit {result.returncode}):\n"
                + (result.stdout + result.stderr)[-3000:]
            )
        print(f"kafka_dist: Kafka {version} jars copied", flush=True)

    home = filled_once(f"kafka-{version}", lambda home: _is_complete(home, version), fill)
    return KafkaDist(home, version)


def main() -> int:
    def ready() -> str:
        dist = ensure_kafka_dist()
        return f"kafka_dist: ready: {dist.home} ({len(dist.classpath())} jars)"

    return print_ready(ready, (KafkaDistError,), "kafka_dist: ")


if __name__ == "__main__":
    sys.exit(main())
