"""A real Apache Kafka broker (KRaft, one node) on 127.0.0.1, shaped like Event Hubs' Kafka endpoint.

- clients: ``SASL_SSL`` with ``PLAIN``, user ``$ConnectionString``, an Event Hubs-shaped
  connection string as the password (``kafka_credentials``); TLS 1.2+ from a CA made for
  the run, or one given (``kafka_tls``); on 127.0.0.1, or on another local address given
  (``host``: the one-node cluster's bridge address, which its pods reach);
- authorisation: ``StandardAuthorizer``; each shared access rule may do what Event Hubs
  lets it: ``Listen`` reads its hub (and commits in the consumer group), ``Send`` writes it;
- topics created up front (``auto.create.topics.enable=false``: hubs exist or not);
- optionally (``oauth=``) an ``OAUTH`` listener taking Entra-shaped JWTs over OAUTHBEARER
  (``kafka_oauth``);
- an ``ADMIN`` listener (plain text, 127.0.0.1 only) for the broker's own traffic and the
  test's set-up and verification; ``super.users`` is its anonymous principal.

``KafkaBroker`` is a context manager; leaving it stops the broker by PID.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    AdminClient,
    NewTopic,
    ResourcePatternType,
    ResourceType,
)

from tests.integration.kafka_credentials import LISTEN, SharedAccessRule, write_credentials_file
from tests.integration.kafka_dist import KafkaDist, ensure_kafka_dist
from tests.integration.kafka_oauth import LISTENER as OAUTH_LISTENER
from tests.integration.kafka_oauth import OAuthListener, jvm_options, server_properties
from tests.integration.kafka_plugin import CREDENTIALS_PROPERTY, PROVIDER_CREATOR, build_plugin_jar
from tests.integration.kafka_tls import Authority, TestTls, make_tls
from tests.integration.processes import ManagedProcess, start_process
from tests.integration.requirements import require_tool
from tests.integration.server import Server
from tests.ports import free_ports
from tests.waiting import wait_until

MAIN_CLASS = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"
START_TIMEOUT_S = 90.0
HEAP = "512m"
# librdkafka logs every failed connection attempt; the tests look at errors, not logs.
QUIET = logging.getLogger("flinkaks.kafka-clients")
QUIET.setLevel(logging.CRITICAL)
LOG4J2 = """\
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = INFO
"""


@dataclasses.dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    config: dict[str, str] = dataclasses.field(default_factory=dict)


def read_acls(rule: SharedAccessRule, consumer_group: str) -> list[AclBinding]:
    """What a shared access rule may do, as Event Hubs grants it."""
    principal = f"User:{rule.principal}"
    allow = AclPermissionType.ALLOW
    if rule.right == LISTEN:
        return [
            AclBinding(
                ResourceType.TOPIC, rule.hub, ResourcePatternType.LITERAL, principal, "*", AclOperation.READ, allow
            ),
            AclBinding(
                ResourceType.GROUP,
                consumer_group,
                ResourcePatternType.LITERAL,
                principal,
                "*",
                AclOperation.READ,
                allow,
            ),
        ]
    return [
        AclBinding(ResourceType.TOPIC, rule.hub, ResourcePatternType.LITERAL, principal, "*", AclOperation.WRITE, allow)
    ]


def new_cluster_id() -> str:
    """A random KRaft cluster id: 16 bytes, URL-safe base64, never starting with "-" (the
    storage tool would read it as an option; Kafka's own Uuid.randomUuid() avoids it too)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


class KafkaBroker(Server):
    """``with KafkaBroker(dir, rules, topics, group) as broker: broker.bootstrap_servers``."""

    def __init__(
        self,
        work_dir: Path,
        rules: list[SharedAccessRule],
        topics: list[Topic],
        consumer_group: str,
        oauth: OAuthListener | None = None,
        host: str = "127.0.0.1",
        authority: Authority | None = None,
    ) -> None:
        self.work_dir = work_dir
        self.host = host  # where the SASL_SSL listener binds and what it advertises
        self.authority = authority
        self.rules = rules
        self.topics = topics
        self.consumer_group = consumer_group
        self.oauth = oauth
        self.process: ManagedProcess | None = None
        self.port = self.admin_port = self.controller_port = self.oauth_port = 0

    @property
    def bootstrap_servers(self) -> str:
        """The Event Hubs-shaped endpoint (SASL_SSL)."""
        return f"{self.host}:{self.port}"

    @property
    def oauth_bootstrap_servers(self) -> str:
        """The OAUTHBEARER endpoint (SASL_SSL), when started with ``oauth``."""
        return f"127.0.0.1:{self.oauth_port}"

    @property
    def admin_bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.admin_port}"

    def client_config(self, rule: SharedAccessRule) -> dict[str, Any]:
        """librdkafka settings of a client holding ``rule``'s connection string."""
        return {
            "bootstrap.servers": self.bootstrap_servers,
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": "PLAIN",
            "sasl.username": "$ConnectionString",
            "sasl.password": rule.connection_string,
            "ssl.ca.location": str(self.tls.ca_pem),
            "logger": QUIET,
        }

    def admin(self) -> AdminClient:
        config: dict[str, Any] = {"bootstrap.servers": self.admin_bootstrap_servers, "logger": QUIET}
        return AdminClient(config)

    def _server_properties(self, log_dir: Path) -> str:
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": (
                f"SASL_SSL://{self.bootstrap_servers},ADMIN://127.0.0.1:{self.admin_port},"
                f"CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": f"SASL_SSL://{self.bootstrap_servers},ADMIN://127.0.0.1:{self.admin_port}",
            "listener.security.protocol.map": "SASL_SSL:SASL_SSL,ADMIN:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "ADMIN",
            "controller.listener.names": "CONTROLLER",
            "sasl.enabled.mechanisms": "PLAIN",
            "listener.name.sasl_ssl.plain.sasl.jaas.config": (
                "org.apache.kafka.common.security.plain.PlainLoginModule required;"
            ),
            "security.providers": PROVIDER_CREATOR,
            "ssl.keystore.location": str(self.tls.keystore),
            "ssl.keystore.type": "PKCS12",
            "ssl.keystore.password": self.tls.password,
            "ssl.enabled.protocols": "TLSv1.2,TLSv1.3",  # Event Hubs: TLS 1.2 at least
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": "User:ANONYMOUS",
            "allow.everyone.if.no.acl.found": "false",
            "auto.create.topics.enable": "false",
            "log.dirs": str(log_dir),
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
        }
        if self.oauth is not None:
            oauth = f"{OAUTH_LISTENER}://127.0.0.1:{self.oauth_port}"
            for key in ("listeners", "advertised.listeners"):
                settings[key] += f",{oauth}"
            settings["listener.security.protocol.map"] += f",{OAUTH_LISTENER}:SASL_SSL"
            settings.update(server_properties(self.oauth))
        return "".join(f"{k}={v}\n" for k, v in settings.items())

    def _java(self, dist: KafkaDist, plugin: Path, main: str, *args: str) -> list[str]:
        classpath = os.pathsep.join([*(str(p) for p in dist.classpath()), str(plugin)])
        return [
            require_tool("java"),
            f"-Xmx{HEAP}",
            f"-Xms{HEAP}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.work_dir / 'log4j2.properties'}",
            f"-D{CREDENTIALS_PROPERTY}={self.work_dir / 'credentials.tsv'}",
            *(jvm_options(self.oauth) if self.oauth is not None else []),
            "-cp",
            classpath,
            main,
            *args,
        ]

    def start(self) -> None:
        dist = ensure_kafka_dist()
        plugin = build_plugin_jar(dist)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        addresses = () if self.host == "127.0.0.1" else (self.host,)
        self.tls: TestTls = make_tls(self.work_dir / "tls", addresses, self.authority)
        write_credentials_file(self.rules, self.work_dir / "credentials.tsv")
        (self.work_dir / "log4j2.properties").write_text(LOG4J2)
        self.port, self.admin_port, self.controller_port, self.oauth_port = free_ports(4)
        config = self.work_dir / "server.properties"
        config.write_text(self._server_properties(self.work_dir / "data"))
        config.chmod(0o600)
        cluster_id = new_cluster_id()
        formatted = subprocess.run(
            self._java(dist, plugin, STORAGE_TOOL, "format", "-t", cluster_id, "-c", str(config)),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if formatted.returncode != 0:
            raise RuntimeError(f"kafka-storage format failed:\n{formatted.stdout}{formatted.stderr}")
        self.process = start_process("kafka", self._java(dist, plugin, MAIN_CLASS, str(config)), self.log_file)
        admin = self.admin()
        wait_until("the Kafka broker to answer", lambda: self._answers(admin), START_TIMEOUT_S, 0.25)
        self._create_topics(admin)
        bindings = [b for r in self.rules for b in read_acls(r, self.consumer_group)]
        for future in admin.create_acls(bindings).values():
            future.result(timeout=30)

    @property
    def log_file(self) -> Path:
        return self.work_dir / "kafka.log"

    def _answers(self, admin: AdminClient) -> bool:
        if self.process is not None and not self.process.alive():
            raise RuntimeError(f"the Kafka broker exited:\n{self.process.log_tail()}")
        try:
            admin.list_topics(timeout=2)
        except KafkaException:
            return False
        return True

    def _create_topics(self, admin: AdminClient) -> None:
        new = [
            NewTopic(t.name, num_partitions=t.partitions, replication_factor=1, config=t.config) for t in self.topics
        ]
        for future in admin.create_topics(new, operation_timeout=30).values():
            future.result(timeout=60)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(timeout_s=15)
