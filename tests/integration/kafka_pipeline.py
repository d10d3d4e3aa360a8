"""The data path on this machine: Kafka (Event Hubs-shaped) ─▶ reference job on Flink ─▶ Kafka.

- a real Kafka broker (``KafkaBroker``) with the dev stack's hubs, partitions and consumer
  group, and three shared access rules: the job's ``Listen`` on the input and ``Send`` on
  the output (what the stack creates), and a ``Send`` on the input for the generator;
- the ``flink-kafka`` Secret's content exactly as ``components.flink.kafka_secret`` renders
  it for that endpoint: the ``KAFKA_*`` variables in the JobManager's and TaskManager's
  environment, the two property files in a directory standing in for the Secret mount;
  only the trust store of the test CA is added to the files;
- ZooKeeper, a JobManager (application mode, the reference job, no arguments) and a
  TaskManager with the dev stack's rendered config (pinned RPC port: no sidecar here);
- the generator (from the job's jar) as a separate process.

``ReferencePipeline`` is a ``ProcessGroup``: leaving it stops every process by PID.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from confluent_kafka import TIMESTAMP_NOT_AVAILABLE, Consumer, TopicPartition

from components.event_hubs_spec import EventHubsSpec
from components.flink.kafka_secret import (
    PRODUCER_PROPERTIES,
    PROPERTY_FILES,
    client_properties,
    endpoint_env,
    property_files,
)
from infra.config.settings import parse_settings
from infra.render.project_files import stack_config
from tests.integration.flink_dist import ensure_flink_dist
from tests.integration.flink_processes import FlinkLayout, prepare_layout, start_jobmanager, start_taskmanager
from tests.integration.flink_rest import FlinkRest
from tests.integration.kafka_broker import QUIET, KafkaBroker, Topic
from tests.integration.kafka_credentials import LISTEN, SEND, rule
from tests.integration.kafka_oauth import OAuthListener
from tests.integration.kafka_tls import Authority
from tests.integration.local_config import REPO_ROOT, STACK, LocalPorts, write_local_config
from tests.integration.process_group import ProcessGroup
from tests.integration.processes import ManagedProcess, start_process
from tests.integration.reference_job import GENERATOR_CLASS, JOB_CLASS, build_reference_job
from tests.integration.requirements import require_tool
from tests.integration.zookeeper_server import ZooKeeperServer
from tests.log import Log

PROPERTIES_DIR_ENV = "KAFKA_CLIENT_PROPERTIES_DIR"  # the job's override of /opt/flink/kafka
START_TIMEOUT_S = 180.0
READ_TIMEOUT_S = 120.0


def event_hubs_settings() -> EventHubsSpec:
    return parse_settings(STACK, stack_config(REPO_ROOT, STACK)).event_hubs


def with_trust_store(properties: str, trust: dict[str, str]) -> str:
    return properties + "".join(f"{k}={v}\n" for k, v in trust.items())


@dataclasses.dataclass(frozen=True)
class InputEvent:
    device: str
    event_ms: int  # createdAt


@dataclasses.dataclass(frozen=True)
class OutputRecord:
    device: str
    window_ms: int
    count: int
    latest_event_ms: int
    appended_ms: int  # the output topic's log-append time


def iso_ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


class ReferencePipeline(ProcessGroup):
    def __init__(self, work_dir: Path, log: Log = print) -> None:
        super().__init__(work_dir, log)
        self.hubs = event_hubs_settings()
        self.listen = rule("flink-listen", self.hubs.input_hub, LISTEN)
        self.send = rule("flink-send", self.hubs.output_hub, SEND)
        self.generator_rule = rule("generator-send", self.hubs.input_hub, SEND)
        self.jobmanagers: list[ManagedProcess] = []
        self.oauth: OAuthListener | None = None  # the broker's OAUTHBEARER listener, if any
        self.broker_host = "127.0.0.1"  # where the broker's SASL_SSL listener is
        self.authority: Authority | None = None  # the CA of its certificate (None: one made for the run)

    # --- start -----------------------------------------------------------------------
    def start_kafka(self) -> KafkaBroker:
        partitions = self.hubs.partitions
        topics = [
            Topic(self.hubs.input_hub, partitions),
            Topic(self.hubs.output_hub, partitions, {"message.timestamp.type": "LogAppendTime"}),
        ]
        self.broker = self.enter_context(
            KafkaBroker(
                self.work_dir / "kafka",
                [self.listen, self.send, self.generator_rule],
                topics,
                self.hubs.consumer_group,
                self.oauth,
                self.broker_host,
                self.authority,
            )
        )
        return self.broker

    def secret(self) -> dict[str, str]:
        """The ``flink-kafka`` Secret's files and ConfigMap's variables as the stack renders them for this endpoint."""
        servers = self.broker.bootstrap_servers
        return {
            **endpoint_env(servers, self.hubs.input_hub, self.hubs.output_hub, self.hubs.consumer_group),
            **property_files(servers, self.hubs.consumer_group, self.listen.jaas_config, self.send.jaas_config),
        }

    def _write_secret_mount(self) -> tuple[Path, dict[str, str]]:
        secret = self.secret()
        mount = self.work_dir / "secret-mount"
        mount.mkdir(parents=True, exist_ok=True)
        trust = self.broker.tls.client_properties()
        for name in PROPERTY_FILES:
            path = mount / name
            path.write_text(with_trust_store(secret[name], trust))
            path.chmod(0o600)
        env = {k: v for k, v in secret.items() if k.startswith("KAFKA_")}
        env[PROPERTIES_DIR_ENV] = str(mount)
        return mount, env

    def start(self) -> ReferencePipeline:
        require_tool("java")
        self.dist = dist = ensure_flink_dist()
        self.job_jar = build_reference_job()
        self.start_kafka()
        self.secret_mount, job_env = self._write_secret_mount()
        self.zookeeper = self.enter_context(ZooKeeperServer(self.work_dir / "zookeeper"))
        self.ports = LocalPorts.pick()
        config = write_local_config("pinned", self.zookeeper.connect_string, self.ports, self.work_dir)
        layout = prepare_layout(dist, self.work_dir, config.config_dir, self.job_jar, config.effective)
        self.layout: FlinkLayout = dataclasses.replace(layout, job_env=job_env)
        self.rest = FlinkRest(self.ports.rest)
        self.start_jobmanager()
        self.taskmanager = self.track(start_taskmanager(self.layout, "taskmanager"))
        return self

    def start_jobmanager(self) -> ManagedProcess:
        process = self.track(start_jobmanager(self.layout, f"jobmanager-{len(self.jobmanagers) + 1}", JOB_CLASS, []))
        self.jobmanagers.append(process)
        return process

    def vital(self) -> Sequence[ManagedProcess | None]:
        return [self.jobmanagers[-1], self.taskmanager, self.broker.process]

    def reported(self) -> Sequence[ManagedProcess | None]:
        return [*self.jobmanagers, getattr(self, "taskmanager", None)]

    def wait_running(self, timeout_s: float = START_TIMEOUT_S) -> str:
        def running() -> str | None:
            job_id = self.rest.single_job_id()
            return job_id if job_id and self.rest.job_fully_running(job_id) else None

        return self.wait("the reference job to run", running, timeout_s, 0.25)

    # --- the generator ---------------------------------------------------------------
    def generator_properties(self) -> Path:
        """A load tester's producer file: the output file's shape with the generator's Send rule."""
        path = self.work_dir / "generator.properties"
        text = client_properties(self.broker.bootstrap_servers, self.generator_rule.jaas_config, PRODUCER_PROPERTIES)
        path.write_text(with_trust_store(text, self.broker.tls.client_properties()))
        path.chmod(0o600)
        return path

    def start_generator(self, schedule: list[tuple[int, int]], devices: int = 1000) -> ManagedProcess:
        # As in the job image: the job jar and Flink's lib/ (slf4j and log4j for Kafka's client).
        classpath = [str(self.job_jar), *(str(p) for p in self.dist.classpath())]
        argv = [
            require_tool("java"),
            "-Xmx256m",
            "-cp",
            os.pathsep.join(classpath),
            GENERATOR_CLASS,
            "--producer-config",
            str(self.generator_properties()),
            "--topic",
            self.hubs.input_hub,
            "--devices",
            str(devices),
            "--schedule",
            ",".join(f"{rate}:{seconds}" for rate, seconds in schedule),
        ]
        log = self.work_dir / "generator.log"
        return self.track(start_process("generator", argv, log, env=self.generator_env(), cwd=self.work_dir))

    def generator_env(self) -> dict[str, str] | None:
        """The generator's environment (None: this process's)."""
        return None

    # --- reading the topics (the ADMIN listener: the test's view, not a client's) ---------
    def _records(self, topic: str) -> Iterator[Any]:
        consumer = Consumer(
            {
                "bootstrap.servers": self.broker.admin_bootstrap_servers,
                "group.id": "verifier",
                "enable.auto.commit": False,
                "logger": QUIET,
            }
        )
        try:
            partitions = [
                TopicPartition(topic, p) for p in consumer.list_topics(topic, timeout=10).topics[topic].partitions
            ]
            ends = {tp.partition: consumer.get_watermark_offsets(tp, timeout=10)[1] for tp in partitions}
            pending = {p for p, end in ends.items() if end > 0}
            consumer.assign([TopicPartition(topic, p, 0) for p in pending])
            deadline = time.monotonic() + READ_TIMEOUT_S
            while pending:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"reading {topic} to its end took over {READ_TIMEOUT_S:g}s")
                for message in consumer.consume(10_000, timeout=1.0):
                    if message.error():
                        continue
                    partition, offset = message.partition(), message.offset()
                    if partition is None or offset is None:
                        continue
                    if offset < ends[partition]:
                        yield message
                    if offset >= ends[partition] - 1:
                        pending.discard(partition)
        finally:
            consumer.close()

    def input_events(self) -> list[InputEvent]:
        events = []
        for message in self._records(self.hubs.input_hub):
            value = json.loads(message.value())
            events.append(InputEvent(value["deviceId"], iso_ms(value["createdAt"])))
        return events

    def output_records(self) -> list[OutputRecord]:
        records = []
        for message in self._records(self.hubs.output_hub):
            kind, appended = message.timestamp()
            if kind == TIMESTAMP_NOT_AVAILABLE:
                raise AssertionError("an output record without a timestamp")
            value = json.loads(message.value())
            records.append(
                OutputRecord(
                    value["deviceId"],
                    iso_ms(value["windowStart"]),
                    int(value["count"]),
                    iso_ms(value["latestEventTime"]),
                    appended,
                )
            )
        return records
