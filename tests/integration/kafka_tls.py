"""TLS for one test broker: a CA (made for the run, or one kept elsewhere), the broker's key
store, the clients' trust store.

The broker's certificate names localhost and its addresses (127.0.0.1, and any other it
listens on), so clients verify the host name as they do against Event Hubs
(``ssl.endpoint.identification.algorithm=https``). Key and trust stores are PKCS12; the
trust store is written by ``keytool`` (Java recognises trusted-certificate entries only with
its own attribute, which keytool sets).
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import secrets
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from tests.integration.requirements import require_tool

VALIDITY = datetime.timedelta(days=2)


@dataclasses.dataclass(frozen=True)
class TestTls:
    ca_pem: Path  # for non-Java clients (librdkafka's ssl.ca.location)
    truststore: Path  # PKCS12, the CA only
    keystore: Path  # PKCS12, the broker's key and certificate chain
    password: str  # of both stores (a throw-away made for the run)

    def client_properties(self) -> dict[str, str]:
        """What a Java client adds to trust the test CA (Event Hubs' is publicly trusted)."""
        return {
            "ssl.truststore.location": str(self.truststore),
            "ssl.truststore.type": "PKCS12",
            "ssl.truststore.password": self.password,
        }


@dataclasses.dataclass(frozen=True)
class Authority:
    """A CA that signs broker certificates: its certificate and private key."""

    certificate: x509.Certificate
    key: CertificateIssuerPrivateKeyTypes


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_authority(validity: datetime.timedelta = VALIDITY) -> Authority:
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("flink-aks test CA"))
        .issuer_name(_name("flink-aks test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return Authority(ca, ca_key)


def make_tls(directory: Path, addresses: tuple[str, ...] = (), authority: Authority | None = None) -> TestTls:
    """Stores for a broker on 127.0.0.1 and ``addresses``, signed by ``authority`` (default: a new CA)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    signer = authority or make_authority()
    ca, ca_key = signer.certificate, signer.key
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in ("127.0.0.1", *addresses)]
    broker_key = ec.generate_private_key(ec.SECP256R1())
    broker = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(broker_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(
            x509.SubjectAlternativeName(names),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    password = secrets.token_hex(16)
    tls = TestTls(directory / "ca.pem", directory / "truststore.p12", directory / "broker.p12", password)
    tls.ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    tls.keystore.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"broker", broker_key, broker, [ca], serialization.BestAvailableEncryption(password.encode())
        )
    )
    command = [
        require_tool("keytool"),
        "-importcert",
        "-noprompt",
        "-alias",
        "test-ca",
        "-file",
        str(tls.ca_pem),
        "-keystore",
        str(tls.truststore),
        "-storetype",
        "PKCS12",
        "-storepass:env",
        "STOREPASS",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False, env={"STOREPASS": password})
    if result.returncode != 0:
        raise RuntimeError(f"keytool -importcert failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    return tls
