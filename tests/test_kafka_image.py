"""The broker's image and the integration tests' broker jars are pinned apart: the same Kafka."""

from __future__ import annotations

import re

from components.kafka_broker.image import KAFKA_IMAGE
from tests.integration.kafka_dist import pinned_version


def test_the_image_names_the_kafka_version_the_integration_tests_pin() -> None:
    name, digest = KAFKA_IMAGE.split("@")
    repository, tag = name.rsplit(":", 1)
    assert (repository, tag) == ("apache/kafka", pinned_version())
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest)
