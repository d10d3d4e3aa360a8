"""The local stack's file and certificate (``infra/local``), and the script's pins: no cluster needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from components.kafka_broker.spec import service_host
from infra.compose.stack import NAMESPACE
from infra.config.kafka_broker import InClusterBroker
from infra.config.settings import parse_settings
from infra.local import __main__ as local_main
from infra.local.certificate import broker_certificate
from infra.local.stack_file import FILE, laid_over, local_config
from tests.controlplane.kubeconfig import CONTEXT as NODE_CONTEXT
from tests.rendering import ROOT
from tests.test_kafka_broker import SECRETS

HOST = service_host(NAMESPACE)


def test_the_certificate_names_the_broker_and_matches_its_key() -> None:
    made = broker_certificate(HOST)
    certificate = x509.load_pem_x509_certificate(made.certificate_pem.encode())
    key = serialization.load_pem_private_key(made.key_pem.encode(), password=None)
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == [HOST]
    assert certificate.public_key() == key.public_key()
    assert made.key_pem.startswith("-----BEGIN PRIVATE KEY-----")  # PKCS #8, unencrypted: Kafka's PEM key store
    assert broker_certificate(HOST).key_pem != made.key_pem  # a new key each time


def test_the_written_file_is_a_valid_stack_with_its_own_broker() -> None:
    certificate = broker_certificate(HOST).certificate_pem
    config = local_config("kind-kind", certificate, {"flink-aks:flink": {"image": "flink-aks/reference-job:local"}})
    settings = parse_settings("local", {**config, **SECRETS}, frozenset(SECRETS))
    existing = settings.target.existing
    assert existing is not None and existing.context == "kind-kind"
    assert isinstance(existing.kafka.login, InClusterBroker)
    assert existing.kafka.login.spec.certificate == certificate
    assert settings.flink.image == "flink-aks/reference-job:local"
    assert settings.flink.task_managers == 1 and settings.zookeeper.replicas == 1


def test_settings_are_laid_over_key_by_key() -> None:
    base = {"a": {"b": 1, "c": {"d": 2}}, "e": 3}
    assert laid_over(base, {"a": {"c": {"d": 4}}, "f": 5}) == {"a": {"b": 1, "c": {"d": 4}}, "e": 3, "f": 5}


def test_a_named_context_without_the_job_image_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match="name the job's image for context kind-kind: JOB_IMAGE="):
        local_main.main(["init", "--context", "kind-kind"])
    assert not (tmp_path / FILE).exists()


def test_no_file_is_left_without_its_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no Pulumi CLI: the secrets cannot be set
    with pytest.raises(SystemExit, match="error: pulumi stack select --create"):
        local_main.main(["init", "--context", "kind-kind", "--job-image", "job:1"])
    assert not (tmp_path / FILE).exists()


def test_another_context_than_the_files_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    document = {"config": local_config("kind-kind", "PEM", {"flink-aks:flink": {"image": "job:1"}})}
    (tmp_path / FILE).write_text(yaml.safe_dump(document))
    with pytest.raises(SystemExit, match="flink-aks:target.context is kind-kind, not minikube: another cluster"):
        local_main.main(["init", "--context", "minikube"])
    local_main.main(["init", "--context", "kind-kind", "--job-image", "job:2"])  # same cluster: the image follows
    updated = yaml.safe_load((tmp_path / FILE).read_text())["config"]
    assert updated["flink-aks:flink"]["image"] == "job:2"
    assert updated["flink-aks:target"]["kafka"]["certificate"] == "PEM"


def test_the_script_knows_the_one_node_clusters_context() -> None:
    script = (ROOT / "scripts" / "local_cluster.sh").read_text()
    assert re.search(rf"^node_context={re.escape(NODE_CONTEXT)} ", script, flags=re.MULTILINE)
