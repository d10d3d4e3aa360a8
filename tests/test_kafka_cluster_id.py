"""The test broker's KRaft cluster id: the storage tool takes it as an argument, so one
starting with "-" (1 in 64 of URL-safe base64 ids) failed a run as an unknown option."""

from __future__ import annotations

import base64

from tests.integration.kafka_broker import new_cluster_id


def test_cluster_ids_are_16_random_bytes_and_never_look_like_an_option() -> None:
    ids = {new_cluster_id() for _ in range(2000)}  # the old ids started with "-" here ~31 times
    assert len(ids) == 2000
    assert not any(i.startswith("-") for i in ids)
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids)
