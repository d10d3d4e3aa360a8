"""The reference job on OAUTHBEARER with workload identity, through the real broker.

The chain is the real one from the projected token on: the local control plane signs the
ServiceAccounts' tokens, Azure Identity for Java exchanges them at the Entra stand-in (the
only stand-in), Kafka's own validator checks the access tokens on the broker, and the
broker's ACLs are the role assignments. Tokens live 20 s, so the job must refresh.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import KafkaError, Producer

from tests.controlplane import ControlPlane
from tests.integration.entra_standin import ASSERTION_TYPE, ExchangeError, ManagedIdentity
from tests.integration.kafka_accounting import account
from tests.integration.kafka_broker import QUIET
from tests.integration.kafka_oauth import librdkafka_config
from tests.integration.load_schedule import phase_line, run_schedule
from tests.integration.projected_token import request_token
from tests.integration.reference_job import GENERATOR_CLASS
from tests.integration.requirements import require_tool
from tests.integration.workload_identity import EVENT_HUBS_RESOURCE, K8S_NAMESPACE, SCOPE
from tests.integration.workload_identity_pipeline import GENERATOR, JOB, RECEIVER_ONLY, WorkloadIdentityPipeline

pytestmark = pytest.mark.integration

SCHEDULE = [(1000, 10), (10_000, 20)]


@pytest.fixture(scope="module")
def pipeline(
    tmp_path_factory: pytest.TempPathFactory, control_plane: ControlPlane
) -> Iterator[WorkloadIdentityPipeline]:
    work_dir = tmp_path_factory.mktemp("wi-pipeline")
    with WorkloadIdentityPipeline(work_dir, control_plane.admin) as started, started.described_on_failure():
        started.start()
        started.wait_running()
        yield started


def send_one(pipeline: WorkloadIdentityPipeline, token: str, topic: str) -> tuple[list[object], list[KafkaError]]:
    """(delivery results, client errors) of one message sent with ``token`` as it is."""
    broker = pipeline.broker
    delivered: list[object] = []
    errors: list[KafkaError] = []
    config = librdkafka_config(broker.oauth_bootstrap_servers, str(broker.tls.ca_pem), token, QUIET)
    producer = Producer({**config, "message.timeout.ms": 10000, "error_cb": errors.append})
    producer.produce(topic, b"{}", on_delivery=lambda error, _message: delivered.append(error))
    producer.flush(15)
    return delivered, errors


def exchanged_token(pipeline: WorkloadIdentityPipeline, account: str) -> str:
    """An access token for ``account``'s identity, exchanged for its real projected token."""
    identity = pipeline.chain.workloads[account].identity
    return exchange(pipeline, identity, request_token(pipeline.kube, K8S_NAMESPACE, account))["access_token"]


def exchange(pipeline: WorkloadIdentityPipeline, identity: ManagedIdentity, assertion: str) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_id": identity.client_id,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": SCOPE,
    }
    return pipeline.chain.service.exchange(pipeline.chain.tenant_id, form)


def test_the_job_runs_on_oauthbearer_and_refreshes_its_tokens(pipeline: WorkloadIdentityPipeline) -> None:
    result = run_schedule(pipeline, SCHEDULE)
    for phase in result.phases:
        print(f"\n{phase_line(phase)}")
    print(pipeline.auth_line())
    whole = account(result.events, result.records, result.started_ms, result.ended_ms)
    assert whole.events_in >= 0.9 * sum(rate * seconds for rate, seconds in SCHEDULE)
    assert whole.lost == 0 and whole.duplicated == 0 and whole.counted == whole.events_in
    assert pipeline.token_refreshes() >= 2, pipeline.auth_line()
    assert pipeline.chain.service.refused == []


def test_a_token_for_another_namespace_is_refused(pipeline: WorkloadIdentityPipeline) -> None:
    identity = pipeline.chain.workloads[GENERATOR].identity
    token = pipeline.chain.service.issue(identity, "https://evhns-another.servicebus.windows.net")
    delivered, errors = send_one(pipeline, token, pipeline.hubs.input_hub)
    assert delivered and delivered[0] is not None, "the message was not delivered"
    assert KafkaError._AUTHENTICATION in [e.code() for e in errors], errors


def test_an_expired_token_is_refused(pipeline: WorkloadIdentityPipeline) -> None:
    identity = pipeline.chain.workloads[GENERATOR].identity
    token = pipeline.chain.service.issue(identity, EVENT_HUBS_RESOURCE, lifetime_s=-10)
    delivered, errors = send_one(pipeline, token, pipeline.hubs.input_hub)
    assert delivered and delivered[0] is not None, "the message was not delivered"
    assert KafkaError._AUTHENTICATION in [e.code() for e in errors], errors


def test_a_receiver_only_identity_cannot_write_the_output(pipeline: WorkloadIdentityPipeline) -> None:
    token = exchanged_token(pipeline, RECEIVER_ONLY)
    delivered, _ = send_one(pipeline, token, pipeline.hubs.output_hub)
    assert [e.code() if isinstance(e, KafkaError) else e for e in delivered] == [KafkaError.TOPIC_AUTHORIZATION_FAILED]


def test_entra_refuses_a_service_account_without_federation(pipeline: WorkloadIdentityPipeline) -> None:
    identity = pipeline.chain.workloads[JOB].identity
    other = request_token(pipeline.kube, K8S_NAMESPACE, GENERATOR)  # real, but another subject
    with pytest.raises(ExchangeError, match="AADSTS700213"):
        exchange(pipeline, identity, other)


def test_entra_refuses_a_projected_token_for_another_audience(pipeline: WorkloadIdentityPipeline) -> None:
    identity = pipeline.chain.workloads[JOB].identity
    token = request_token(pipeline.kube, K8S_NAMESPACE, JOB, audience="https://kubernetes.default.svc")
    with pytest.raises(ExchangeError, match="AADSTS700212"):
        exchange(pipeline, identity, token)


def generator_failure(pipeline: WorkloadIdentityPipeline, env: dict[str, str]) -> str:
    """The output of a generator that must not start with ``env``."""
    classpath = os.pathsep.join([str(pipeline.job_jar), *(str(p) for p in pipeline.layout.dist.classpath())])
    argv = [require_tool("java"), "-cp", classpath, GENERATOR_CLASS, "--producer-config"]
    argv += [str(pipeline.generator_properties()), "--topic", pipeline.hubs.input_hub, "--seconds", "1"]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    return result.stdout + result.stderr


def test_a_missing_token_file_is_named(pipeline: WorkloadIdentityPipeline, tmp_path: Path) -> None:
    env = {**pipeline.generator_env(), "AZURE_FEDERATED_TOKEN_FILE": str(tmp_path / "absent")}
    output = generator_failure(pipeline, env)
    assert f"AZURE_FEDERATED_TOKEN_FILE={tmp_path / 'absent'} does not exist" in output


def test_missing_webhook_variables_are_named(pipeline: WorkloadIdentityPipeline) -> None:
    env = {k: v for k, v in pipeline.generator_env().items() if k not in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID")}
    output = generator_failure(pipeline, env)
    assert "AZURE_CLIENT_ID, AZURE_TENANT_ID are not set" in output
