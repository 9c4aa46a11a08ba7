"""Service account tokens: JWTs signed with the simulator's service-account key (ES256), with
the claims kube-apiserver's TokenRequest puts in them (iss, sub, aud, iat, nbf, exp, jti and the
``kubernetes.io`` block naming the namespace and service account)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import uuid
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ISSUER = "https://kubernetes.default.svc.cluster.local"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    """Signs service account tokens; the key is PEM (generated when not given)."""

    def __init__(self, key_pem: bytes | None = None) -> None:
        if key_pem is None:
            key = ec.generate_private_key(ec.SECP256R1())
        else:
            loaded = serialization.load_pem_private_key(key_pem, password=None)
            assert isinstance(loaded, ec.EllipticCurvePrivateKey)
            key = loaded
        self.key = key
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.key_id = _b64(hashlib.sha256(public).digest())

    @staticmethod
    def generate_pem() -> bytes:
        return ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def issue(
        self,
        namespace: str,
        name: str,
        uid: str,
        audiences: list[str],
        seconds: int,
        now: datetime.datetime,
    ) -> str:
        issued = int(now.timestamp())
        claims: dict[str, Any] = {
            "aud": audiences,
            "exp": issued + seconds,
            "iat": issued,
            "iss": ISSUER,
            "jti": str(uuid.uuid4()),
            "kubernetes.io": {"namespace": namespace, "serviceaccount": {"name": name, "uid": uid}},
            "nbf": issued,
            "sub": f"system:serviceaccount:{namespace}:{name}",
        }
        header = {"alg": "ES256", "kid": self.key_id}
        signing_input = f"{_b64(json.dumps(header, separators=(',', ':')).encode())}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
        der = self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return f"{signing_input}.{_b64(signature)}"
