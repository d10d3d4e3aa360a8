"""The reference pipeline on OAUTHBEARER with workload identity instead of SAS keys.

As ``ReferencePipeline``, but the job (ServiceAccount ``flink``) and the generator
(``generator``) reach the broker's ``OAUTH`` listener with tokens that Azure Identity for
Java gets from the Entra stand-in for their projected ServiceAccount tokens
(``workload_identity``). Roles as the stack grants them, as ACLs: the job's identity is a
Data Receiver on the input and a Data Sender on the output; the generator's a Data Sender
on the input; ``receiver-only`` is a Data Receiver on the input and nothing else.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from components.flink.kafka_secret import CONSUMER_PROPERTIES, PRODUCER_PROPERTIES
from tests.controlplane import start as start_control_plane
from tests.controlplane.client import KubeClient
from tests.integration.kafka_broker import KafkaBroker
from tests.integration.kafka_oauth import RECEIVER, SENDER, role_acls
from tests.integration.kafka_pipeline import (
    PROPERTIES_DIR_ENV,
    START_TIMEOUT_S,
    Log,
    ReferencePipeline,
    with_trust_store,
)
from tests.integration.workload_identity import IdentityChain, oauth_client_properties

JOB = "flink"
GENERATOR = "generator"
RECEIVER_ONLY = "receiver-only"


class WorkloadIdentityPipeline(ReferencePipeline):
    def __init__(self, work_dir: Path, kube: KubeClient, log: Log = print) -> None:
        super().__init__(work_dir, log)
        self.kube = kube
        self.issued_when_running = 0

    def start_kafka(self) -> KafkaBroker:
        self.chain = self.enter_context(
            IdentityChain(self.work_dir / "identity", self.kube, [JOB, GENERATOR, RECEIVER_ONLY]).start()
        )
        self.oauth = self.chain.oauth_listener
        broker = super().start_kafka()
        principal = {name: w.identity.principal for name, w in self.chain.workloads.items()}
        group = self.hubs.consumer_group
        bindings = [
            *role_acls(principal[JOB], RECEIVER, self.hubs.input_hub, group),
            *role_acls(principal[JOB], SENDER, self.hubs.output_hub, group),
            *role_acls(principal[GENERATOR], SENDER, self.hubs.input_hub, group),
            *role_acls(principal[RECEIVER_ONLY], RECEIVER, self.hubs.input_hub, group),
        ]
        admin = broker.admin()  # held: a dropped client cancels its requests
        for future in admin.create_acls(bindings).values():
            future.result(timeout=30)
        return broker

    def _write_secret_mount(self) -> tuple[Path, dict[str, str]]:
        """Property files without any secret; the env the webhook gives the job's pods."""
        servers = self.broker.oauth_bootstrap_servers
        files = {
            "input.properties": oauth_client_properties(
                servers, {"group.id": self.hubs.consumer_group, **CONSUMER_PROPERTIES}
            ),
            "output.properties": oauth_client_properties(servers, PRODUCER_PROPERTIES),
        }
        mount = self.work_dir / "secret-mount"
        mount.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (mount / name).write_text(with_trust_store(text, self.broker.tls.client_properties()))
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": servers,
            "KAFKA_INPUT_TOPIC": self.hubs.input_hub,
            "KAFKA_OUTPUT_TOPIC": self.hubs.output_hub,
            "KAFKA_CONSUMER_GROUP": self.hubs.consumer_group,
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_MECHANISM": "OAUTHBEARER",
            PROPERTIES_DIR_ENV: str(mount),
            **self.chain.workload_env(JOB),
        }
        return mount, env

    def generator_properties(self) -> Path:
        path = self.work_dir / "generator.properties"
        text = oauth_client_properties(self.broker.oauth_bootstrap_servers, PRODUCER_PROPERTIES)
        path.write_text(with_trust_store(text, self.broker.tls.client_properties()))
        return path

    def generator_env(self) -> dict[str, str]:
        return {**os.environ, **self.chain.workload_env(GENERATOR)}

    def wait_running(self, timeout_s: float = START_TIMEOUT_S) -> str:
        """Running means every client of the job has logged in: later tokens are refreshes."""
        job_id = super().wait_running(timeout_s)
        self.issued_when_running = self.chain.issued(JOB)
        return job_id

    def token_refreshes(self) -> int:
        """Tokens the stand-in issued to the job's identity since it ran (its refreshes)."""
        return self.chain.issued(JOB) - self.issued_when_running

    def auth_line(self) -> str:
        refused = len(self.chain.service.refused)
        return f"auth=workload-identity token_refreshes={self.token_refreshes()} exchanges_refused={refused}"


@contextlib.contextmanager
def started_with_control_plane(work_dir: Path, log: Log = print) -> Iterator[WorkloadIdentityPipeline]:
    """A local control plane (the ServiceAccounts' issuer) and the pipeline on it, for the bench."""
    plane = start_control_plane(work_dir / "controlplane", log)
    try:
        with WorkloadIdentityPipeline(work_dir / "pipeline", plane.admin, log) as pipeline:
            yield pipeline
    finally:
        plane.stop()
