"""SimulatorBackend: the CLI's connection to a simulator, over HTTPS with ``requests``.

TLS trust comes from the kubeconfig's CA data (loaded into an SSLContext, no temporary files);
the bearer token goes in every request. A refused connection raises ConnectionFailed, which the
CLI answers by starting the daemon (see pykctl's backend selection) — this module never starts
processes itself.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from backends.base import ClusterInfo, HttpResponse
from backends.errors import ConnectionFailed

USER_AGENT = "pykctl/0.1.0 (simulator)"


class _TLSAdapter(HTTPAdapter):
    """An adapter that verifies the server with our own SSLContext."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context
        super().__init__(pool_connections=4, pool_maxsize=16)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)


class SimulatorBackend:
    """A requests session bound to one simulator API server."""

    def __init__(self, info: ClusterInfo) -> None:
        self.info = info
        self.session = requests.Session()
        # Loopback only: no proxies, and no REQUESTS_CA_BUNDLE overriding the simulator's CA.
        self.session.trust_env = False
        self.session.headers["User-Agent"] = USER_AGENT
        if info.token:
            self.session.headers["Authorization"] = f"Bearer {info.token}"
        parts = urlsplit(info.server)
        self.host = parts.netloc
        if parts.scheme == "https":
            context = ssl.create_default_context()
            if info.insecure:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            elif info.ca_data:
                context = ssl.create_default_context(cadata=info.ca_data.decode())
            self.session.mount("https://", _TLSAdapter(context))

    def _url(self, path: str) -> str:
        return self.info.server.rstrip("/") + path

    def request(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        try:
            response = self.session.request(
                method,
                self._url(path),
                params=query,
                data=body,
                headers=dict(headers or {}),
                timeout=self.info.timeout,
            )
        except requests.exceptions.ConnectionError as err:
            raise ConnectionFailed(
                self.host, str(err), refused="refused" in str(err).lower()
            ) from None
        except requests.exceptions.Timeout as err:
            raise ConnectionFailed(self.host, f"context deadline exceeded: {err}") from None
        return HttpResponse(response.status_code, response.headers, response.content)

    def stream(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Mapping[str, str], Iterator[bytes]]:
        try:
            response = self.session.request(
                method,
                self._url(path),
                params=query,
                headers=dict(headers or {}),
                stream=True,
                timeout=None,
            )
        except requests.exceptions.ConnectionError as err:
            raise ConnectionFailed(
                self.host, str(err), refused="refused" in str(err).lower()
            ) from None
        return response.status_code, response.headers, response.iter_lines()

    def close(self) -> None:
        self.session.close()
