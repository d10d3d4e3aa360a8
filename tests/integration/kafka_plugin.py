"""Compile the test broker's SASL plugin (``kafka/EventHubsSasl.java``) against kafka-clients.

Cached by the hash of the source and the Kafka version, next to the other cached jars.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.cache import filled_once
from tests.integration.javac import compile_jar
from tests.integration.kafka_dist import KafkaDist

SOURCE = Path(__file__).parent / "kafka" / "EventHubsSasl.java"
PROVIDER_CREATOR = "flinkaks.it.EventHubsSasl$ProviderCreator"
CREDENTIALS_PROPERTY = "flinkaks.eventhubs.credentials"


def build_plugin_jar(dist: KafkaDist) -> Path:
    source = SOURCE.read_bytes()
    digest = hashlib.sha256(source + dist.version.encode()).hexdigest()[:16]

    def fill(staged: Path, scratch: Path) -> None:
        compile_jar(SOURCE, [dist.jar("kafka-clients")], "17", staged, scratch)

    return filled_once(f"jobs/eventhubs-sasl-{digest}.jar", Path.is_file, fill)
