"""The test CA the node's images trust: kept in the cache, so the image layer that trusts it
(``images/catalogue.trust_layer``) is built once per CA, not once per run.

The broker a node test starts (``tests/integration/kafka_broker``, on the bridge address)
gets a certificate for that run signed by this CA; the Flink images' Java trusts it the way
a pod's Java trusts Event Hubs' public CA: from its default trust store, with nothing in the
rendered client properties. The private key is a test key, readable by its owner only.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.cache import filled_once
from tests.integration.kafka_tls import Authority, make_authority

RECIPE = 1  # raise to make a new CA (and so a new trust layer)
VALIDITY = datetime.timedelta(days=3650)
CERTIFICATE = "ca.pem"
KEY = "ca-key.pem"


def ensure() -> Path:
    """The cache entry holding the CA's certificate and key, made once."""

    def fill(staged: Path, scratch: Path) -> None:
        authority = make_authority(VALIDITY)
        staged.mkdir()
        (staged / CERTIFICATE).write_bytes(authority.certificate.public_bytes(serialization.Encoding.PEM))
        key = staged / KEY
        key.touch(mode=0o600)
        key.write_bytes(
            authority.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )

    return filled_once(f"node-images/kafka-ca-{RECIPE}", lambda home: (home / KEY).is_file(), fill)


def certificate_pem() -> Path:
    return ensure() / CERTIFICATE


def authority() -> Authority:
    home = ensure()
    key = serialization.load_pem_private_key((home / KEY).read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError(f"{home / KEY}: an EC private key expected, found {type(key).__name__}")
    return Authority(x509.load_pem_x509_certificate((home / CERTIFICATE).read_bytes()), key)
