"""Just enough JSON Web Token for the workload-identity tests: sign (RS256) and verify
(RS256, ES256) compact JWS against a JWKS, with the key types the local control plane
(ES256 service-account tokens) and the Entra stand-in (RS256, as Entra ID) use.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

Claims = dict[str, Any]
ES256_PART = 32  # bytes of r and of s in a P-256 JWS signature


class InvalidTokenError(ValueError):
    """A token that is malformed or whose signature no key of the JWKS verifies."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _from_int(text: str) -> int:
    return int.from_bytes(unb64url(text), "big")


def rsa_jwk(public_key: rsa.RSAPublicKey, kid: str) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": _int(numbers.n), "e": _int(numbers.e)}


def sign_rs256(claims: Claims, key: rsa.RSAPrivateKey, kid: str) -> str:
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": kid}).encode())
    payload = b64url(json.dumps(claims).encode())
    signature = key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{b64url(signature)}"


def unverified_claims(token: str) -> Claims:
    """The payload without any check (for reports; never for decisions)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidTokenError("not a compact JWS (three dot-separated parts)")
    claims = json.loads(unb64url(parts[1]))
    if not isinstance(claims, dict):
        raise InvalidTokenError("the payload is not a JSON object")
    return claims


def verify(token: str, jwks: dict[str, Any]) -> Claims:
    """The claims of ``token`` if a key of ``jwks`` (by ``kid``) verifies its signature."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidTokenError("not a compact JWS (three dot-separated parts)")
    try:
        header = json.loads(unb64url(parts[0]))
        signature = unb64url(parts[2])
    except ValueError as error:
        raise InvalidTokenError(f"undecodable token: {error}") from error
    keys = [k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")]
    if not keys:
        raise InvalidTokenError(f"no key with kid {header.get('kid')!r} in the issuer's JWKS")
    signed = f"{parts[0]}.{parts[1]}".encode()
    try:
        _check_signature(header.get("alg"), keys[0], signed, signature)
    except InvalidSignature as error:
        raise InvalidTokenError("the signature does not verify") from error
    return unverified_claims(token)


def _check_signature(alg: object, jwk: dict[str, str], signed: bytes, signature: bytes) -> None:
    if alg == "RS256" and jwk.get("kty") == "RSA":
        rsa_key = rsa.RSAPublicNumbers(_from_int(jwk["e"]), _from_int(jwk["n"])).public_key()
        rsa_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "ES256" and jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
        if len(signature) != 2 * ES256_PART:
            raise InvalidSignature
        ec_key = ec.EllipticCurvePublicNumbers(_from_int(jwk["x"]), _from_int(jwk["y"]), ec.SECP256R1()).public_key()
        r, s = _from_int(b64url(signature[:ES256_PART])), _from_int(b64url(signature[ES256_PART:]))
        ec_key.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
    else:
        raise InvalidTokenError(f"algorithm {alg!r} with a {jwk.get('kty')} key is not supported")


def es256_signature(der: bytes) -> bytes:
    """A DER ECDSA signature as JWS wants it (r || s); for tests that sign like the API server."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(ES256_PART, "big") + s.to_bytes(ES256_PART, "big")
