"""``target.kafka.inCluster``: the stack's own broker, validated and rendered offline."""

from __future__ import annotations

from typing import Any

import pytest

from components.flink.kafka_secret import trust_properties
from components.kafka_broker.broker import kafka_cluster_id
from components.kafka_broker.image import KAFKA_IMAGE, KAFKA_UID
from components.kafka_broker.properties import jaas_config, server_properties
from infra.config.kafka_broker import InClusterBroker
from infra.config.settings import parse_settings
from infra.config.validation import ConfigError
from infra.render.offline import render_config
from tests.rendering import container, k8s_object

CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\nQUJD+/==\n-----END CERTIFICATE-----\n"
SECRETS = {
    "flink-aks:kafkaBrokerKey": "-----BEGIN PRIVATE KEY-----\nS2V5TTR0ZXJpYWw=\n-----END PRIVATE KEY-----\n",
    "flink-aks:kafkaInputPassword": "in-passw0rd-0123456789",
    "flink-aks:kafkaOutputPassword": "out-passw0rd-0123456789",
}
SECRET_KEYS = frozenset(SECRETS)


def in_cluster(**kafka: Any) -> dict[str, Any]:
    settings = {
        "inCluster": True,
        "inputTopic": "in",
        "outputTopic": "out",
        "partitions": 2,
        "certificate": CERTIFICATE,
    }
    return {
        "flink-aks:target": {"cluster": "existing", "kafka": {**settings, **kafka}},
        "flink-aks:flink": {"storageClass": "standard"},
        **SECRETS,
    }


def refusal(config: dict[str, Any], secret_keys: frozenset[str] = SECRET_KEYS) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings("local", config, secret_keys)
    return str(caught.value)


def test_an_in_cluster_broker_is_parsed_into_its_spec() -> None:
    existing = parse_settings("local", in_cluster(storageClass="local-rwo"), SECRET_KEYS).target.existing
    assert existing is not None
    kafka = existing.kafka
    assert kafka.bootstrap_servers is None
    assert isinstance(kafka.login, InClusterBroker)
    spec = kafka.login.spec
    assert (spec.input_topic, spec.output_topic, spec.partitions) == ("in", "out", 2)
    assert (spec.storage_class, spec.storage_size, spec.certificate) == ("local-rwo", "1Gi", CERTIFICATE)
    assert kafka.login.key_key == "flink-aks:kafkaBrokerKey"


@pytest.mark.parametrize(
    ("config", "secret_keys", "message"),
    [
        (in_cluster(bootstrapServers="b:9093"), SECRET_KEYS, 'flink-aks:target.kafka.bootstrapServers: got "b:9093"'),
        (
            {**in_cluster(), "flink-aks:kafkaInputJaasConfig": "x"},
            SECRET_KEYS,
            'flink-aks:kafkaInputJaasConfig: got "[not shown]"; allowed: nothing when target.kafka.inCluster is true',
        ),
        (in_cluster(certificate="not a certificate"), SECRET_KEYS, "flink-aks:target.kafka.certificate"),
        (in_cluster(certificate=None), SECRET_KEYS, "one PEM certificate"),
        (in_cluster(storageSize="lots"), SECRET_KEYS, "flink-aks:target.kafka.storageSize"),
        (
            {**in_cluster(), "flink-aks:kafkaInputPassword": 'sh"ort'},
            SECRET_KEYS,
            'flink-aks:kafkaInputPassword: got "[secret, not shown]"; allowed: 16-256 letters',
        ),
        (
            {
                **in_cluster(),
                "flink-aks:kafkaBrokerKey": "-----BEGIN RSA PRIVATE KEY-----\nQUJD\n-----END RSA PRIVATE KEY-----",
            },
            SECRET_KEYS,
            'flink-aks:kafkaBrokerKey: got "[secret, not shown]"; allowed: a PEM private key, PKCS #8',
        ),
        (in_cluster(inCluster="yes"), SECRET_KEYS, "flink-aks:target.kafka.inCluster"),
        (in_cluster(), SECRET_KEYS - {"flink-aks:kafkaBrokerKey"}, 'flink-aks:kafkaBrokerKey: got "[plain text'),
        (
            {k: v for k, v in in_cluster().items() if k != "flink-aks:kafkaOutputPassword"},
            SECRET_KEYS,
            "flink-aks:kafkaOutputPassword: got nothing (the key is not set)",
        ),
    ],
)
def test_in_cluster_settings_are_refused_naming_the_key(
    config: dict[str, Any], secret_keys: frozenset[str], message: str
) -> None:
    assert message in refusal(config, secret_keys)


def test_broker_settings_are_refused_for_an_existing_endpoint() -> None:
    kafka = {"bootstrapServers": "b:9093", "inputTopic": "in", "outputTopic": "out", "partitions": 2}
    jaas = {"flink-aks:kafkaInputJaasConfig": "a", "flink-aks:kafkaOutputJaasConfig": "b"}
    config = {"flink-aks:target": {"cluster": "existing", "kafka": {**kafka, "storageSize": "2Gi"}}, **jaas}
    assert "flink-aks:target.kafka.storageSize" in refusal(config, frozenset(jaas))
    config = {"flink-aks:target": {"cluster": "existing", "kafka": kafka}, **jaas, **SECRETS}
    message = refusal(config, frozenset(jaas) | SECRET_KEYS)
    assert "flink-aks:kafkaBrokerKey" in message and "unless target.kafka.inCluster is true" in message


def test_the_stack_renders_its_broker_and_points_the_job_at_it() -> None:
    rendering = render_config("local", in_cluster(), secret_keys=SECRET_KEYS)
    statefulset = k8s_object(rendering, "StatefulSet", "kafka")
    broker = container(statefulset["spec"]["template"], "kafka")
    assert broker["image"] == KAFKA_IMAGE
    assert broker["securityContext"]["readOnlyRootFilesystem"] is True
    assert statefulset["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == KAFKA_UID
    env = {e["name"]: e["value"] for e in broker["env"]}
    assert env["KAFKA_TOPICS"] == "in out" and env["KAFKA_PARTITIONS"] == "2"
    assert set(k8s_object(rendering, "Secret", "kafka-broker")["stringData"].values()) == {"[secret]"}
    assert set(k8s_object(rendering, "Secret", "flink-kafka")["stringData"].values()) == {"[secret]"}
    server = k8s_object(rendering, "ConfigMap", "kafka-broker")["data"]["server.properties"]
    assert "advertised.listeners=SASL_SSL://kafka.flink.svc.cluster.local:9093," in server
    assert rendering.outputs["kafkaBootstrapServers"] == "kafka.flink.svc.cluster.local:9093"
    policy = k8s_object(rendering, "NetworkPolicy", "kafka")["spec"]
    assert policy["egress"] == [] and policy["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 9093}]
    flink_egress = k8s_object(rendering, "NetworkPolicy", "flink-taskmanager")["spec"]["egress"]
    assert {
        "to": [{"podSelector": {"matchLabels": statefulset["spec"]["selector"]["matchLabels"]}}],
        "ports": [{"protocol": "TCP", "port": 9093}],
    } in flink_egress
    document = rendering.to_json()
    for secret in ("S2V5TTR0ZXJpYWw", "in-passw0rd", "out-passw0rd"):
        assert secret not in document


def test_the_broker_has_a_user_per_client_and_refuses_what_jaas_cannot_quote() -> None:
    text = jaas_config({"output": "o-pw", "input": "i-pw"})
    assert 'user_input="i-pw"' in text and 'user_output="o-pw"' in text and text.startswith("KafkaServer {")
    with pytest.raises(ValueError, match="user input"):
        jaas_config({"input": 'a"b'})


def test_the_server_properties_keep_plaintext_on_loopback() -> None:
    lines = dict(line.split("=", 1) for line in server_properties("ns", 3).splitlines())
    for listener in lines["listeners"].split(","):
        assert listener.startswith(("SASL_SSL://:", "LOCAL://127.0.0.1:", "CONTROLLER://127.0.0.1:"))
    assert lines["num.partitions"] == "3" and lines["auto.create.topics.enable"] == "false"


def test_clients_trust_the_certificate_in_one_property_line() -> None:
    trust = trust_properties(CERTIFICATE)
    assert trust["ssl.truststore.type"] == "PEM"
    assert "\n" not in trust["ssl.truststore.certificates"]
    assert trust["ssl.truststore.certificates"].replace("\\n", "\n") == CERTIFICATE.strip()
    assert trust_properties(None) == {}


def test_the_cluster_id_is_a_stable_base64_uuid() -> None:
    first = kafka_cluster_id("flink-aks-local")
    assert first == kafka_cluster_id("flink-aks-local") != kafka_cluster_id("flink-aks-other")
    assert len(first) == 22
