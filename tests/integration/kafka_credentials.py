"""Event Hubs-shaped credentials for the test broker.

Event Hubs' Kafka endpoint takes SASL PLAIN with the user ``$ConnectionString`` and a
connection string of a shared access rule as the password. Each rule here becomes its own
principal on the broker (``EventHubsSasl`` in ``kafka/``), which ACLs grant exactly what
Event Hubs grants the rule: ``Listen`` reads the hub (with its consumer group), ``Send``
writes it.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
from pathlib import Path

from components.kafka_jaas import jaas_config

NAMESPACE = "evhns-flink-aks-it"
LISTEN = "Listen"
SEND = "Send"


@dataclasses.dataclass(frozen=True)
class SharedAccessRule:
    name: str  # the rule's name; also the broker principal
    hub: str
    right: str  # LISTEN or SEND
    key: str

    @property
    def principal(self) -> str:
        return f"{self.hub}.{self.name}"

    @property
    def connection_string(self) -> str:
        return (
            f"Endpoint=sb://{NAMESPACE}.servicebus.windows.net/;SharedAccessKeyName={self.name};"
            f"SharedAccessKey={self.key};EntityPath={self.hub}"
        )

    @property
    def jaas_config(self) -> str:
        return jaas_config(self.connection_string)

    def with_key(self, key: str) -> SharedAccessRule:
        return dataclasses.replace(self, key=key)


def new_key() -> str:
    """As Azure's: 32 random bytes, base64."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def rule(name: str, hub: str, right: str) -> SharedAccessRule:
    if right not in (LISTEN, SEND):
        raise ValueError(f"right {right!r}: {LISTEN} or {SEND}")
    return SharedAccessRule(name, hub, right, new_key())


def write_credentials_file(rules: list[SharedAccessRule], path: Path) -> Path:
    """The broker's list of known connection strings: ``<principal>\\t<connection string>``."""
    path.write_text("".join(f"{r.principal}\t{r.connection_string}\n" for r in rules))
    path.chmod(0o600)
    return path
