"""The test broker's OAUTHBEARER listener, shaped like Event Hubs with Entra ID tokens.

A second ``SASL_SSL`` listener (``OAUTH``) takes only OAUTHBEARER and validates each JWT
with Kafka's own ``OAuthBearerValidatorCallbackHandler``: signature against the JWKS the
Entra stand-in serves, expected audience (the namespace) and issuer (the tenant), expiry
with a one-second clock skew. The principal is the token's ``sub`` (the identity's object
id). Connections re-authenticate before their token expires (``connections.max.reauth.ms``),
so a client that stopped refreshing loses its connections, as it would at Event Hubs.

What a role assignment grants, as ACLs: ``Azure Event Hubs Data Receiver`` on a hub reads it
(and commits offsets in the consumer group), ``Data Sender`` writes it.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from confluent_kafka.admin import AclBinding, AclOperation, AclPermissionType, ResourcePatternType, ResourceType

LISTENER = "OAUTH"
VALIDATOR = "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler"
# Kafka 4.1's default (DefaultJwtValidator), built without a key resolver, falls back to the
# client-side checks: no signature, no audience, no issuer. The broker's must be named.
JWT_VALIDATOR = "org.apache.kafka.common.security.oauthbearer.BrokerJwtValidator"
LOGIN_MODULE = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
ALLOWED_URLS_PROPERTY = "org.apache.kafka.sasl.oauthbearer.allowed.urls"  # Kafka 4: URLs it may fetch
CLOCK_SKEW_S = 1
MAX_REAUTH_MS = 3_600_000  # a session ends with its token; this only caps it
RECEIVER = "Azure Event Hubs Data Receiver"
SENDER = "Azure Event Hubs Data Sender"


@dataclasses.dataclass(frozen=True)
class OAuthListener:
    jwks_url: str
    audience: str  # https://<namespace>.servicebus.windows.net
    issuer: str  # https://sts.windows.net/<tenant>/


def server_properties(oauth: OAuthListener) -> dict[str, str]:
    """The broker settings of the ``OAUTH`` listener (its address is the broker's to add)."""
    prefix = f"listener.name.{LISTENER.lower()}"
    return {
        f"{prefix}.sasl.enabled.mechanisms": "OAUTHBEARER",
        f"{prefix}.oauthbearer.sasl.jaas.config": f"{LOGIN_MODULE} required;",
        f"{prefix}.oauthbearer.sasl.server.callback.handler.class": VALIDATOR,
        f"{prefix}.oauthbearer.connections.max.reauth.ms": str(MAX_REAUTH_MS),
        "sasl.oauthbearer.jwt.validator.class": JWT_VALIDATOR,
        "sasl.oauthbearer.jwks.endpoint.url": oauth.jwks_url,
        "sasl.oauthbearer.expected.audience": oauth.audience,
        "sasl.oauthbearer.expected.issuer": oauth.issuer,
        "sasl.oauthbearer.clock.skew.seconds": str(CLOCK_SKEW_S),
    }


def jvm_options(oauth: OAuthListener) -> list[str]:
    return [f"-D{ALLOWED_URLS_PROPERTY}={oauth.jwks_url}"]


def role_acls(principal: str, role: str, hub: str, consumer_group: str) -> list[AclBinding]:
    """What an Event Hubs data-plane role on ``hub`` lets ``principal`` do."""
    allow = AclPermissionType.ALLOW
    literal = ResourcePatternType.LITERAL
    if role == RECEIVER:
        return [
            AclBinding(ResourceType.TOPIC, hub, literal, principal, "*", AclOperation.READ, allow),
            AclBinding(ResourceType.GROUP, consumer_group, literal, principal, "*", AclOperation.READ, allow),
        ]
    if role == SENDER:
        return [AclBinding(ResourceType.TOPIC, hub, literal, principal, "*", AclOperation.WRITE, allow)]
    raise ValueError(f"role {role!r}: {RECEIVER!r} or {SENDER!r}")


def librdkafka_config(bootstrap_servers: str, ca_pem: str, token: str, logger: Any) -> dict[str, Any]:
    """A Python client that presents ``token`` as it is (for the refusal tests)."""

    def present(_config: str) -> tuple[str, float]:
        return token, time.time() + 300  # librdkafka's own idea of the expiry; the broker reads the JWT

    return {
        "bootstrap.servers": bootstrap_servers,
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "OAUTHBEARER",
        "oauth_cb": present,
        "ssl.ca.location": ca_pem,
        "logger": logger,
    }
