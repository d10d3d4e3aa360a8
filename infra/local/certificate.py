"""The in-cluster broker's certificate and key, made once when the local stack is created.

Self-signed, naming the broker's Service; the job's clients trust exactly this
certificate (``target.kafka.certificate``), so no CA is involved. The key is ECDSA P-256
in unencrypted PKCS #8 PEM, the form Kafka's PEM key store reads.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=5 * 365)  # then: a new certificate and key (docs/local-stack.md)


@dataclass(frozen=True)
class BrokerCertificate:
    certificate_pem: str
    key_pem: str  # a secret


def broker_certificate(host: str, now: datetime.datetime | None = None) -> BrokerCertificate:
    """A new key and a self-signed certificate for ``host``, valid from ``now`` for ``VALIDITY``."""
    start = now or datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - datetime.timedelta(minutes=5))
        .not_valid_after(start + VALIDITY)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return BrokerCertificate(
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
    )
