"""The Entra stand-in's token exchange: what it accepts and what it refuses, without processes.

Assertions here are signed like the API server's service-account tokens (ES256, a key of
the issuer's JWKS); the integration tests use real ones from the local control plane.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from tests.integration.entra_standin import (
    ASSERTION_TYPE,
    EXCHANGE_AUDIENCE,
    ExchangeError,
    ManagedIdentity,
    TokenService,
    service_account_subject,
)
from tests.integration.jwt_tokens import b64url, es256_signature, verify

ISSUER = "https://kubernetes.default.svc.cluster.local"
TENANT = "00000000-0000-0000-0000-0000000000aa"
SCOPE = "https://evhns-example.servicebus.windows.net/.default"
LIFETIME_S = 20


class Issuer:
    """Signs service-account tokens as the control plane's API server does."""

    def __init__(self, kid: str = "sa-key") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = kid

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        x, y = (b64url(v.to_bytes(32, "big")) for v in (numbers.x, numbers.y))
        return {"keys": [{"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": self.kid, "x": x, "y": y}]}

    def token(self, subject: str, audience: str = EXCHANGE_AUDIENCE, issuer: str = ISSUER, age_s: int = 0) -> str:
        now = int(time.time()) - age_s
        header = b64url(json.dumps({"alg": "ES256", "kid": self.kid}).encode())
        claims = {"iss": issuer, "sub": subject, "aud": [audience], "iat": now, "nbf": now, "exp": now + 600}
        payload = b64url(json.dumps(claims).encode())
        der = self.key.sign(f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
        return f"{header}.{payload}.{b64url(es256_signature(der))}"


@pytest.fixture
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture
def job() -> ManagedIdentity:
    return ManagedIdentity("id-flink", ISSUER, service_account_subject("flink-aks", "flink"))


@pytest.fixture
def service(issuer: Issuer, job: ManagedIdentity) -> TokenService:
    return TokenService(TENANT, [job], issuer.jwks, LIFETIME_S)


def form(identity: ManagedIdentity, assertion: str, scope: str = SCOPE) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": identity.client_id,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": scope,
    }


def refusal(service: TokenService, identity: ManagedIdentity, assertion: str) -> str:
    with pytest.raises(ExchangeError) as refused:
        service.exchange(TENANT, form(identity, assertion))
    return refused.value.description


def test_a_projected_token_of_the_federated_service_account_gets_an_access_token(
    service: TokenService, issuer: Issuer, job: ManagedIdentity
) -> None:
    answer = service.exchange(TENANT, form(job, issuer.token(job.subject)))
    claims = verify(answer["access_token"], service.jwks())
    assert answer["token_type"] == "Bearer" and answer["expires_in"] == LIFETIME_S
    assert claims["aud"] == "https://evhns-example.servicebus.windows.net"
    assert claims["iss"] == f"https://sts.windows.net/{TENANT}/"
    assert claims["sub"] == job.object_id and claims["appid"] == job.client_id
    assert claims["exp"] - claims["iat"] == LIFETIME_S
    assert service.issued[job.name] == 1


def test_an_assertion_for_another_audience_is_refused(
    service: TokenService, issuer: Issuer, job: ManagedIdentity
) -> None:
    assert "AADSTS700212" in refusal(service, job, issuer.token(job.subject, audience="https://kubernetes.default"))


def test_an_expired_assertion_is_refused(service: TokenService, issuer: Issuer, job: ManagedIdentity) -> None:
    assert "AADSTS700024" in refusal(service, job, issuer.token(job.subject, age_s=3600))


def test_another_service_account_is_refused(service: TokenService, issuer: Issuer, job: ManagedIdentity) -> None:
    other = service_account_subject("flink-aks", "default")
    assert "AADSTS700213" in refusal(service, job, issuer.token(other))


def test_another_issuer_is_refused(service: TokenService, issuer: Issuer, job: ManagedIdentity) -> None:
    assert "AADSTS700211" in refusal(service, job, issuer.token(job.subject, issuer="https://other.example"))


def test_a_token_the_issuer_did_not_sign_is_refused(service: TokenService, job: ManagedIdentity) -> None:
    assert "AADSTS50027" in refusal(service, job, Issuer().token(job.subject))


def test_an_unknown_client_id_is_refused(service: TokenService, issuer: Issuer, job: ManagedIdentity) -> None:
    stranger = ManagedIdentity("id-stranger", ISSUER, job.subject)
    assert "AADSTS700016" in refusal(service, stranger, issuer.token(job.subject))
    assert service.issued[job.name] == 0
