"""The ``sasl.jaas.config`` line of a Kafka client with SASL PLAIN, for Event Hubs or any broker.

Event Hubs' Kafka endpoint takes SASL PLAIN with the literal user name
``$ConnectionString`` and a SAS connection string as the password; the stack's own
broker (``components/kafka_broker``) a user and password of its own. The result holds a
key or password: callers keep it a Pulumi secret.
"""

from __future__ import annotations

LOGIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule"
USERNAME = "$ConnectionString"
# JAAS quotes values with double quotes and escapes with backslashes; a connection string
# or the broker's password never holds either, nor a line break, so one that does is
# refused, not escaped.
FORBIDDEN = ('"', "\\", "\n", "\r")


def jaas_config(connection_string: str) -> str:
    """``…PlainLoginModule required username="$ConnectionString" password="<conn>";``"""
    if not connection_string.startswith("Endpoint=sb://"):
        raise ValueError("not an Event Hubs connection string (expected it to start with Endpoint=sb://)")
    return plain_jaas_config(USERNAME, connection_string)


def plain_jaas_config(username: str, password: str) -> str:
    """``…PlainLoginModule required username="<username>" password="<password>";``"""
    if not password or any(c in password for c in FORBIDDEN):
        raise ValueError(f"the password of {username} is empty or holds a quote, backslash or line break")
    return f'{LOGIN_MODULE} required username="{username}" password="{password}";'
