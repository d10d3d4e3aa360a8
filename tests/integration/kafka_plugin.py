"""Compile the test broker's SASL plugin (``kafka/EventHubsSasl.java``) against kafka-clients.

Cached by the hash of the source and the Kafka version, next to the other cached jars.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import zipfile
from pathlib import Path

from tests.integration.flink_dist import cache_root
from tests.integration.kafka_dist import KafkaDist
from tests.integration.requirements import require_tool

SOURCE = Path(__file__).parent / "kafka" / "EventHubsSasl.java"
PROVIDER_CREATOR = "flinkaks.it.EventHubsSasl$ProviderCreator"
CREDENTIALS_PROPERTY = "flinkaks.eventhubs.credentials"


def build_plugin_jar(dist: KafkaDist) -> Path:
    source = SOURCE.read_bytes()
    digest = hashlib.sha256(source + dist.version.encode()).hexdigest()[:16]
    target = cache_root() / "jobs" / f"eventhubs-sasl-{digest}.jar"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="eventhubs-sasl-") as tmp:
        classes = Path(tmp) / "classes"
        command = [
            require_tool("javac"),
            "--release",
            "17",
            "-encoding",
            "UTF-8",
            "-cp",
            str(dist.jar("kafka-clients")),
            "-d",
            str(classes),
            str(SOURCE),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"javac failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
        staged = Path(tmp) / "plugin.jar"
        with zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as jar:
            for path in sorted(classes.rglob("*.class")):
                jar.write(path, path.relative_to(classes).as_posix())
        partial = target.with_suffix(".jar.partial")
        partial.write_bytes(staged.read_bytes())
        os.replace(partial, target)
    return target
