"""The broker's image and the integration tests' broker jars are pinned apart: the same Kafka."""

from __future__ import annotations

from components.kafka_broker.image import KAFKA_IMAGE
from tests.integration.kafka_dist import pinned_version


def test_the_image_names_the_kafka_version_the_integration_tests_pin() -> None:
    repository, tag = KAFKA_IMAGE.rsplit(":", 1)
    assert (repository, tag) == ("apache/kafka", pinned_version())
