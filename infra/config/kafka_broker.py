"""``flink-aks:target.kafka`` with ``inCluster: true``: the stack runs its own broker.

For a cluster with no Kafka to point at (a laptop's kind or minikube, the local stack).
Its certificate is a setting (PEM; clients trust exactly it), its private key and the two
users' passwords are secrets: ``flink-aks:kafkaBrokerKey``, ``flink-aks:kafkaInputPassword``
and ``flink-aks:kafkaOutputPassword`` (``scripts/stack.sh local`` makes all four).
Pure: the settings carry which keys hold the secrets, never their values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.kafka_broker.spec import KafkaBrokerSpec
from infra.config import validation as v
from infra.config.validation import ConfigError, key

IN_CLUSTER_KEYS = ("inCluster", "certificate", "storageClass", "storageSize")
KEY_SECRET = "kafkaBrokerKey"
INPUT_PASSWORD_SECRET = "kafkaInputPassword"
OUTPUT_PASSWORD_SECRET = "kafkaOutputPassword"
BROKER_SECRET_KEYS = (KEY_SECRET, INPUT_PASSWORD_SECRET, OUTPUT_PASSWORD_SECRET)
DEFAULT_STORAGE_SIZE = "1Gi"
CERTIFICATE = r"-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n?"
PRIVATE_KEY = r"-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----"
# JAAS quotes a password with double quotes: no quote, backslash or line break in one.
PASSWORD = r"[A-Za-z0-9._~+/=-]{16,256}"


@dataclass(frozen=True)
class InClusterBroker:
    spec: KafkaBrokerSpec
    key_key: str  # the config key of the certificate's private key (a secret)
    input_password_key: str  # the config keys of the users' passwords (secrets)
    output_password_key: str


def parse_in_cluster(
    obj: Mapping[str, Any], config: Mapping[str, Any], secret_keys: frozenset[str], topics: tuple[str, str, int]
) -> InClusterBroker:
    """The broker's settings from ``target.kafka`` (already checked for unknown keys)."""
    certificate = obj.get("certificate")
    if not isinstance(certificate, str) or re.fullmatch(CERTIFICATE, certificate.strip() + "\n") is None:
        raise ConfigError(
            key("target.kafka.certificate"),
            certificate,
            "one PEM certificate (-----BEGIN CERTIFICATE----- …) naming the broker's Service: "
            "scripts/stack.sh local makes one",
        )
    input_topic, output_topic, partitions = topics
    return InClusterBroker(
        spec=KafkaBrokerSpec(
            input_topic=input_topic,
            output_topic=output_topic,
            partitions=partitions,
            certificate=certificate.strip() + "\n",
            storage_size=v.quantity(key("target.kafka.storageSize"), obj.get("storageSize", DEFAULT_STORAGE_SIZE)),
            storage_class=None
            if obj.get("storageClass") is None
            else v.storage_class(key("target.kafka.storageClass"), obj["storageClass"]),
        ),
        key_key=_shaped(config, secret_keys, KEY_SECRET, PRIVATE_KEY, "a PEM private key, PKCS #8, unencrypted"),
        input_password_key=_shaped(config, secret_keys, INPUT_PASSWORD_SECRET, PASSWORD, PASSWORD_RULE),
        output_password_key=_shaped(config, secret_keys, OUTPUT_PASSWORD_SECRET, PASSWORD, PASSWORD_RULE),
    )


PASSWORD_RULE = "16-256 letters, digits and . _ ~ + / = -"


def _shaped(config: Mapping[str, Any], secret_keys: frozenset[str], name: str, pattern: str, rule: str) -> str:
    """The full key of a required secret whose value has the shape ``pattern``; the value is never shown."""
    full = v.secret(config, secret_keys, name)
    value = config[full]
    if not isinstance(value, str) or re.fullmatch(pattern, value.strip()) is None:
        raise ConfigError(full, "[secret, not shown]", rule)
    return full
