"""The stand-in for Entra ID: the ONLY stand-in of the workload-identity check.

Everything else in that chain is real: the ServiceAccount token is projected by the local
control plane's API server (TokenRequest, signed with its service-account key), Azure
Identity for Java performs the exchange inside the job, Kafka's own validator checks the
resulting JWT on the broker. What Entra ID does in Azure this server does on 127.0.0.1:

- ``POST /<tenant>/oauth2/v2.0/token`` (HTTPS, as MSAL requires): the client-credentials
  grant with a ``client_assertion`` of type ``urn:ietf:params:oauth:client-assertion-type:jwt-bearer``.
  The assertion must verify against the issuer's JWKS (the control plane's
  ``/openid/v1/jwks``) and match a federated identity credential of the identity named by
  ``client_id``: issuer, subject ``system:serviceaccount:<ns>:<sa>``, audience
  ``api://AzureADTokenExchange``, not expired. Otherwise 400/401 with an Entra-shaped error.
- the answer: an access token (RS256, ``iss=https://sts.windows.net/<tenant>/``,
  ``aud`` the requested resource, ``sub``/``oid`` the identity's object id) that lives only
  ``token_lifetime_s`` (Entra's live an hour or more), so clients must refresh often;
- ``GET /<tenant>/discovery/v2.0/keys`` (plain HTTP, second port): the signing key, for the
  broker's ``sasl.oauthbearer.jwks.endpoint.url``.

Every issued token is counted per identity (``issued``): the refreshes a run saw.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import ssl
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.integration.jwt_tokens import Claims, InvalidTokenError, rsa_jwk, sign_rs256, verify
from tests.integration.kafka_tls import TestTls, make_tls
from tests.integration.server import Server

EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEFAULT_SUFFIX = "/.default"
ASSERTION_SKEW_S = 30  # leeway on the assertion's nbf/exp, as token services allow


@dataclasses.dataclass(frozen=True)
class ManagedIdentity:
    """A user-assigned managed identity with one federated identity credential."""

    name: str
    issuer: str  # the cluster's OIDC issuer
    subject: str  # system:serviceaccount:<namespace>:<name>
    client_id: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))
    object_id: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))  # the token's sub

    @property
    def principal(self) -> str:
        """The Kafka principal the broker derives from the token's ``sub``."""
        return f"User:{self.object_id}"


def service_account_subject(namespace: str, name: str) -> str:
    return f"system:serviceaccount:{namespace}:{name}"


class ExchangeError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


class TokenService:
    """The exchange itself, without HTTP (unit tests call it directly)."""

    def __init__(
        self,
        tenant_id: str,
        identities: list[ManagedIdentity],
        issuer_jwks: Callable[[], dict[str, Any]],
        token_lifetime_s: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.tenant_id = tenant_id
        self.identities = {i.client_id: i for i in identities}
        self.issuer_jwks = issuer_jwks
        self.token_lifetime_s = token_lifetime_s
        self.clock = clock
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        self.issued: collections.Counter[str] = collections.Counter()
        self.refused: list[str] = []
        self._lock = threading.Lock()

    @property
    def issuer(self) -> str:
        return f"https://sts.windows.net/{self.tenant_id}/"

    def jwks(self) -> dict[str, Any]:
        return {"keys": [rsa_jwk(self.key.public_key(), self.kid)]}

    def issue(self, identity: ManagedIdentity, audience: str, lifetime_s: int | None = None) -> str:
        """An access token for ``identity`` (tests also mint expired or foreign ones with this)."""
        now = int(self.clock())
        lifetime = self.token_lifetime_s if lifetime_s is None else lifetime_s
        claims: Claims = {
            "aud": audience,
            "iss": self.issuer,
            "iat": min(now, now + lifetime),
            "nbf": min(now, now + lifetime),
            "exp": now + lifetime,
            "sub": identity.object_id,
            "oid": identity.object_id,
            "appid": identity.client_id,
            "tid": self.tenant_id,
            "idtyp": "app",
            "ver": "1.0",
        }
        return sign_rs256(claims, self.key, self.kid)

    def exchange(self, tenant: str, form: dict[str, str]) -> dict[str, Any]:
        """The token response for a client-credentials request, or ``ExchangeError``."""
        try:
            identity, resource = self._check(tenant, form)
        except ExchangeError as refused:
            with self._lock:
                self.refused.append(refused.description)
            raise
        token = self.issue(identity, resource)
        with self._lock:
            self.issued[identity.name] += 1
        lifetime = self.token_lifetime_s
        return {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token}

    def _check(self, tenant: str, form: dict[str, str]) -> tuple[ManagedIdentity, str]:
        if tenant != self.tenant_id:
            raise ExchangeError(400, "invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            raise ExchangeError(400, "unsupported_grant_type", f"grant_type {form.get('grant_type')!r}")
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
            raise ExchangeError(400, "invalid_request", "a client_assertion of type jwt-bearer is required")
        identity = self.identities.get(form.get("client_id", ""))
        if identity is None:
            raise ExchangeError(
                400, "unauthorized_client", f"AADSTS700016: application {form.get('client_id')!r} not found"
            )
        resources = [s[: -len(DEFAULT_SUFFIX)] for s in form.get("scope", "").split() if s.endswith(DEFAULT_SUFFIX)]
        if len(resources) != 1:
            raise ExchangeError(
                400, "invalid_scope", f"AADSTS1002012: scope {form.get('scope')!r}: one <resource>/.default"
            )
        claims = self._assertion_claims(form["client_assertion"], identity)
        if claims.get("sub") != identity.subject:
            raise ExchangeError(
                400,
                "invalid_client",
                f"AADSTS700213: No matching federated identity record found for presented assertion subject "
                f"'{claims.get('sub')}'.",
            )
        return identity, resources[0]

    def _assertion_claims(self, assertion: str, identity: ManagedIdentity) -> Claims:
        try:
            claims = verify(assertion, self.issuer_jwks())
        except InvalidTokenError as error:
            raise ExchangeError(
                401, "invalid_client", f"AADSTS50027: the client assertion is invalid: {error}"
            ) from error
        if claims.get("iss") != identity.issuer:
            raise ExchangeError(
                400,
                "invalid_client",
                f"AADSTS700211: No matching federated identity record found for presented assertion issuer "
                f"'{claims.get('iss')}'.",
            )
        audiences = claims.get("aud")
        audiences = [audiences] if isinstance(audiences, str) else list(audiences or [])
        if EXCHANGE_AUDIENCE not in audiences:
            raise ExchangeError(
                400,
                "invalid_client",
                f"AADSTS700212: No matching federated identity record found for presented assertion audience "
                f"{audiences}.",
            )
        now = self.clock()
        if not (int(claims.get("nbf", 0)) - ASSERTION_SKEW_S <= now < int(claims.get("exp", 0)) + ASSERTION_SKEW_S):
            raise ExchangeError(
                400, "invalid_client", "AADSTS700024: Client assertion is not within its valid time range."
            )
        return claims


class EntraStandIn(Server):
    """``with EntraStandIn(dir, service) as entra: entra.authority_host, entra.jwks_url``."""

    def __init__(self, work_dir: Path, service: TokenService) -> None:
        self.work_dir = work_dir
        self.service = service
        self.requests: list[str] = []
        self._servers: list[ThreadingHTTPServer] = []

    @property
    def authority_host(self) -> str:
        """``AZURE_AUTHORITY_HOST`` for the clients."""
        return f"https://localhost:{self._servers[0].server_address[1]}/"

    @property
    def jwks_url(self) -> str:
        return f"http://127.0.0.1:{self._servers[1].server_address[1]}/{self.service.tenant_id}/discovery/v2.0/keys"

    def start(self) -> None:
        self.tls: TestTls = make_tls(self.work_dir / "tls")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*self._pem_files())
        token_server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        token_server.socket = context.wrap_socket(token_server.socket, server_side=True)
        self._servers = [token_server, ThreadingHTTPServer(("127.0.0.1", 0), self._handler())]
        for server in self._servers:
            threading.Thread(target=server.serve_forever, name="entra-standin", daemon=True).start()

    def _pem_files(self) -> tuple[str, str]:
        key, cert, _chain = pkcs12.load_key_and_certificates(self.tls.keystore.read_bytes(), self.tls.password.encode())
        if key is None or cert is None:
            raise RuntimeError("the stand-in's key store lacks its key or certificate")
        cert_file, key_file = self.work_dir / "tls" / "standin.pem", self.work_dir / "tls" / "standin.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        key_file.chmod(0o600)
        return str(cert_file), str(key_file)

    def java_trust_options(self) -> list[str]:
        """JVM options that trust the stand-in's test CA (Entra's certificate is publicly trusted)."""
        return [
            f"-Djavax.net.ssl.trustStore={self.tls.truststore}",
            "-Djavax.net.ssl.trustStoreType=PKCS12",
            f"-Djavax.net.ssl.trustStorePassword={self.tls.password}",
        ]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
                standin.requests.append(f"{self.command} {self.path.split('?')[0]}")

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if self.path == f"/{standin.service.tenant_id}/discovery/v2.0/keys":
                    self._answer(200, standin.service.jwks())
                else:
                    self._answer(404, {"error": "not_found", "error_description": self.path})

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                parts = self.path.split("?")[0].strip("/").split("/")
                if len(parts) != 4 or parts[1:] != ["oauth2", "v2.0", "token"]:
                    self._answer(404, {"error": "not_found", "error_description": self.path})
                    return
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                try:
                    self._answer(200, standin.service.exchange(parts[0], form))
                except ExchangeError as refused:
                    self._answer(refused.status, {"error": refused.error, "error_description": refused.description})
                except Exception as error:  # noqa: BLE001 - answered, not swallowed: the client sees it
                    self._answer(500, {"error": "server_error", "error_description": repr(error)})

        return Handler

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []
