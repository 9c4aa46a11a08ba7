"""The ingress controller's TLS: one server SSLContext that presents, by SNI, the certificate of
the ``kubernetes.io/tls`` Secret chosen for the requested host.

:class:`Certificates` keeps one SSLContext per host (exact names and ``*.domain`` wildcards),
built from the Secret's ``tls.crt`` and ``tls.key`` and cached by the Secret's uid and
resourceVersion, so an unchanged Secret is not parsed again. ``update`` returns the problems
(missing Secret, wrong type, unusable key pair) for the controller to report; such a host has no
certificate. The listening context's ``sni_callback`` switches each connection to its host's
context; a client that sends no server name, or one no Secret covers, gets an
``unrecognized_name`` alert, as Envoy closes a connection no filter chain matches.

Invariant: ``server_context`` is one object for the controller's life; ``update`` only swaps the
per-host contexts it consults.
"""

from __future__ import annotations

import base64
import binascii
import os
import ssl
import tempfile
from collections.abc import Callable, Mapping
from typing import Any

from backends.simulator.network.ingress_routes import SecretRef, certificate_host

Obj = dict[str, Any]
TLS_TYPE = "kubernetes.io/tls"
GetSecret = Callable[[str, str], "Obj | None"]


def context_from_pem(cert_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    """A server context for one key pair (ssl.SSLError when unusable)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_alpn_protocols(["http/1.1"])
    fd, path = tempfile.mkstemp(prefix="pykctl-ingress-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(key_pem.rstrip(b"\n") + b"\n" + cert_pem)
        context.load_cert_chain(path)
    finally:
        os.unlink(path)
    return context


def _secret_problem(ref: SecretRef, secret: Obj | None) -> str | None:
    if secret is None:
        return f'secret "{ref.namespace}/{ref.name}" not found'
    if secret.get("type") != TLS_TYPE:
        return f'secret "{ref.namespace}/{ref.name}" is not of type {TLS_TYPE}'
    data = secret.get("data") or {}
    if not data.get("tls.crt") or not data.get("tls.key"):
        return f'secret "{ref.namespace}/{ref.name}" has no tls.crt or tls.key'
    return None


class Certificates:
    """Per-host certificates behind one SNI-switching server context (see the docstring)."""

    def __init__(self) -> None:
        self.hosts: dict[str, ssl.SSLContext] = {}
        self._cache: dict[tuple[str, str], ssl.SSLContext] = {}
        self.server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_context.set_alpn_protocols(["http/1.1"])
        self.server_context.sni_callback = self._select

    def _select(self, connection: ssl.SSLObject, name: str | None, _: ssl.SSLContext) -> int | None:
        host = certificate_host(name, self.hosts) if name else None
        if host is None:
            return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
        connection.context = self.hosts[host]
        return None

    def update(
        self, chosen: Mapping[str, SecretRef], get_secret: GetSecret
    ) -> list[tuple[SecretRef, str]]:
        """Use ``chosen`` (host → Secret); the (Secret, problem) pairs of unusable ones."""
        hosts: dict[str, ssl.SSLContext] = {}
        cache: dict[tuple[str, str], ssl.SSLContext] = {}
        problems: list[tuple[SecretRef, str]] = []
        for host, ref in chosen.items():
            secret = get_secret(ref.namespace, ref.name)
            problem = _secret_problem(ref, secret)
            if problem is None:
                assert secret is not None
                meta = secret.get("metadata") or {}
                version = (str(meta.get("uid")), str(meta.get("resourceVersion")))
                context = cache.get(version) or self._cache.get(version)
                if context is None:
                    try:
                        data = secret["data"]
                        context = context_from_pem(
                            base64.b64decode(data["tls.crt"]), base64.b64decode(data["tls.key"])
                        )
                    except (ssl.SSLError, binascii.Error, ValueError) as err:
                        problem = (
                            f'secret "{ref.namespace}/{ref.name}" holds no usable key pair: '
                            f"{getattr(err, 'reason', None) or err}"
                        )
                if context is not None:
                    cache[version] = hosts[host] = context
            if problem is not None:
                problems.append((ref, problem))
        self.hosts = hosts
        self._cache = cache
        return problems
