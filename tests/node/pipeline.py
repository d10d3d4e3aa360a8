"""The reference pipeline's Kafka side for the node's pods: the test broker on the bridge
address, the generator and the topics read back on the host.

The broker (``tests/integration/kafka_broker``) listens for clients on the node's bridge
address (``layout.GATEWAY``: the pods reach it there, as the host reaches CoreDNS and the
API server; the firewall chain only drops traffic leaving the bridge), with a certificate for
that address signed by the node's cached CA (``kafka_ca``), which the Flink images trust.
The job in the pods gets exactly the stack's rendered ``flink-kafka`` Secret: the bootstrap
servers and the shared access rules' JAAS lines come in through the stack's config.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.integration.flink_dist import ensure_flink_dist
from tests.integration.kafka_pipeline import ReferencePipeline
from tests.integration.processes import ManagedProcess
from tests.integration.reference_job import build_reference_job
from tests.log import Log
from tests.node import kafka_ca, layout


class NodePipeline(ReferencePipeline):
    """``with NodePipeline(dir) as kafka: kafka.start(); stack_config(kafka.stack_kafka(), …)``."""

    def __init__(self, work_dir: Path, log: Log = print) -> None:
        super().__init__(work_dir, log)
        self.broker_host = layout.GATEWAY
        self.authority = kafka_ca.authority()

    def start(self) -> NodePipeline:
        """The broker (topics, rules, ACLs) only: the job runs in the pods."""
        self.dist = ensure_flink_dist()
        self.job_jar = build_reference_job()  # the generator's classes (the image holds the same jar)
        self.start_kafka()
        return self

    def vital(self) -> Sequence[ManagedProcess | None]:
        return [self.broker.process]

    def stack_kafka(self) -> dict[str, Any]:
        """The existing-cluster target's ``kafka`` object for this broker."""
        return {
            "bootstrapServers": self.broker.bootstrap_servers,
            "inputTopic": self.hubs.input_hub,
            "outputTopic": self.hubs.output_hub,
            "consumerGroup": self.hubs.consumer_group,
            "partitions": self.hubs.partitions,
        }

    def stack_secrets(self) -> dict[str, str]:
        """The stack's JAAS secrets: the job's Listen rule on the input, Send rule on the output."""
        return {
            "flink-aks:kafkaInputJaasConfig": self.listen.jaas_config,
            "flink-aks:kafkaOutputJaasConfig": self.send.jaas_config,
        }
