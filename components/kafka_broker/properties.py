"""The broker's configuration files, rendered from its spec: pure.

``server.properties`` holds nothing secret (it goes into a ConfigMap); the users'
passwords are in the JAAS file and the private key in the key store, both in the Secret.
"""

from __future__ import annotations

from collections.abc import Mapping

from components.kafka_broker.spec import CLIENT_PORT, CONTROLLER_PORT, LOCAL_PORT, bootstrap_servers
from components.kafka_jaas import FORBIDDEN, LOGIN_MODULE

DATA_DIR = "/var/lib/kafka/data"
SECRETS_DIR = "/etc/kafka/secrets"  # the Secret: the JAAS file, the key store
CONFIG_DIR = "/etc/kafka/config"  # the ConfigMap: server.properties, log4j2.properties
KEY_STORE_FILE = "broker.pem"  # the private key (PKCS #8, unencrypted) and the certificate
JAAS_FILE = "jaas.conf"


def server_properties(namespace: str, partitions: int) -> str:
    """One node in both KRaft roles; clients on SASL_SSL (PLAIN), the rest on loopback."""
    lines = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{CONTROLLER_PORT}",
        "controller.listener.names": "CONTROLLER",
        "listeners": f"SASL_SSL://:{CLIENT_PORT},LOCAL://127.0.0.1:{LOCAL_PORT},CONTROLLER://127.0.0.1:{CONTROLLER_PORT}",
        "advertised.listeners": f"SASL_SSL://{bootstrap_servers(namespace)},LOCAL://127.0.0.1:{LOCAL_PORT}",
        "listener.security.protocol.map": "SASL_SSL:SASL_SSL,LOCAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "LOCAL",
        "sasl.enabled.mechanisms": "PLAIN",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": f"{SECRETS_DIR}/{KEY_STORE_FILE}",
        "log.dirs": DATA_DIR,
        "num.partitions": str(partitions),
        "auto.create.topics.enable": "false",  # the topics are created at start, with their partitions
        "offsets.topic.replication.factor": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
    }
    return "".join(f"{k}={v}\n" for k, v in lines.items())


def jaas_config(passwords: Mapping[str, str]) -> str:
    """The broker's login file: one ``user_<name>="<password>"`` per client."""
    for user, password in passwords.items():
        if not password or any(c in password for c in FORBIDDEN):
            raise ValueError(f"the password of Kafka user {user} is empty or holds a quote, backslash or line break")
    users = "".join(f'\n  user_{user}="{password}"' for user, password in sorted(passwords.items()))
    return f"KafkaServer {{\n  {LOGIN_MODULE} required{users};\n}};\n"
