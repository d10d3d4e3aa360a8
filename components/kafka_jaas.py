"""The ``sasl.jaas.config`` line a Kafka client needs to reach Event Hubs.

Event Hubs' Kafka endpoint takes SASL PLAIN with the literal user name
``$ConnectionString`` and a SAS connection string as the password. The result holds a
key: callers keep it a Pulumi secret.
"""

from __future__ import annotations

LOGIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule"
USERNAME = "$ConnectionString"
# JAAS quotes values with double quotes and escapes with backslashes; a connection
# string never holds either, nor a line break, so one that does is refused, not escaped.
FORBIDDEN = ('"', "\\", "\n", "\r")


def jaas_config(connection_string: str) -> str:
    """``…PlainLoginModule required username="$ConnectionString" password="<conn>";``"""
    if not connection_string.startswith("Endpoint=sb://"):
        raise ValueError("not an Event Hubs connection string (expected it to start with Endpoint=sb://)")
    if any(c in connection_string for c in FORBIDDEN):
        raise ValueError("connection string holds a quote, backslash or line break")
    return f'{LOGIN_MODULE} required username="{USERNAME}" password="{connection_string}";'
