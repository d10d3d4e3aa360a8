"""The data path with real processes: an Event Hubs-shaped Kafka broker, the reference job
on real Flink with the Secret's client files as the stack renders them, the generator.

One pipeline serves the module (starting it costs a minute on a busy machine).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaError, Producer

from tests.integration.kafka_accounting import account
from tests.integration.kafka_pipeline import ReferencePipeline
from tests.integration.load_schedule import phase_line, run_schedule

pytestmark = pytest.mark.integration

SMOKE_SCHEDULE = [(1000, 10), (10_000, 10)]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReferencePipeline]:
    with ReferencePipeline(tmp_path_factory.mktemp("pipeline")) as started, started.described_on_failure():
        started.start()
        started.wait_running()
        yield started


def delivery_errors(config: dict[str, object], topic: str) -> tuple[list[KafkaError | None], list[KafkaError]]:
    """(delivery results, client errors) of one message sent with ``config``."""
    delivered: list[KafkaError | None] = []
    client: list[KafkaError] = []
    producer = Producer({**config, "message.timeout.ms": 10000, "error_cb": client.append})
    producer.produce(topic, b"{}", on_delivery=lambda error, _message: delivered.append(error))
    producer.flush(15)
    return delivered, client


def test_listen_rule_cannot_write(pipeline: ReferencePipeline) -> None:
    delivered, _ = delivery_errors(pipeline.broker.client_config(pipeline.listen), pipeline.hubs.input_hub)
    assert [e.code() if e else None for e in delivered] == [KafkaError.TOPIC_AUTHORIZATION_FAILED]


def test_wrong_key_is_refused(pipeline: ReferencePipeline) -> None:
    forged = pipeline.generator_rule.with_key(pipeline.send.key)  # a real key, of another rule
    delivered, client = delivery_errors(pipeline.broker.client_config(forged), pipeline.hubs.input_hub)
    assert len(delivered) == 1 and delivered[0] is not None, "the message was not delivered"
    assert KafkaError._AUTHENTICATION in [e.code() for e in client], client


def test_send_rule_cannot_read(pipeline: ReferencePipeline) -> None:
    config = {**pipeline.broker.client_config(pipeline.send), "group.id": pipeline.hubs.consumer_group}
    consumer = Consumer({**config, "auto.offset.reset": "earliest"})
    consumer.subscribe([pipeline.hubs.output_hub])
    try:
        deadline = time.monotonic() + 30
        error = None
        while error is None and time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is not None and message.error():
                error = message.error()
    finally:
        consumer.close()
    assert error is not None and error.code() in (
        KafkaError.TOPIC_AUTHORIZATION_FAILED,
        KafkaError.GROUP_AUTHORIZATION_FAILED,
    ), error


def test_events_flow_end_to_end_with_the_right_counts(pipeline: ReferencePipeline, tmp_path: Path) -> None:
    result = run_schedule(pipeline, SMOKE_SCHEDULE)
    for phase in result.phases:
        print(f"\n{phase_line(phase)}")
    whole = account(result.events, result.records, result.started_ms, result.ended_ms)
    assert whole.events_in >= 0.9 * sum(rate * seconds for rate, seconds in SMOKE_SCHEDULE)
    assert whole.lost == 0, "every input event is counted"
    assert whole.duplicated == 0, "nothing failed, so nothing is written twice"
    assert whole.overcounted == 0
    assert whole.counted == whole.events_in
    key = pipeline.listen.key
    for process in [*pipeline.jobmanagers, pipeline.taskmanager]:
        assert key not in Path(f"/proc/{process.pid}/cmdline").read_text(errors="replace")
        assert key not in process.log_path.read_text(errors="replace")
    for log in pipeline.layout.log_dir.glob("*.log"):
        assert key not in log.read_text(errors="replace"), f"{log.name} holds the Listen key"
