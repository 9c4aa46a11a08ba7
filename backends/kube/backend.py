"""KubeBackend: REST requests through the official client's transport (kubernetes.client.rest).

The client's RESTClientObject carries TLS (CA data, client certificates, server name), proxies
and timeouts; this class only adapts it to the Backend protocol. Client certificates given as
data are written to private temporary files for the life of the backend (urllib3 needs files).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from urllib.parse import urlencode, urlsplit

import urllib3
from kubernetes.client import Configuration
from kubernetes.client.rest import RESTClientObject

from backends.base import ClusterInfo, HttpResponse
from backends.errors import ConnectionFailed


class KubeBackend:
    """One real cluster."""

    def __init__(self, info: ClusterInfo) -> None:
        self.info = info
        self._files: list[str] = []
        config = Configuration()
        config.host = info.server.rstrip("/")
        config.verify_ssl = not info.insecure
        if info.ca_data:
            config.ca_cert_data = info.ca_data.decode()
        if info.client_cert and info.client_key:
            config.cert_file = self._private_file(info.client_cert)
            config.key_file = self._private_file(info.client_key)
        if info.tls_server_name:
            config.tls_server_name = info.tls_server_name
        if info.proxy_url:
            config.proxy = info.proxy_url
        self._headers: dict[str, str] = {}
        if info.token:
            self._headers["Authorization"] = f"Bearer {info.token}"
        elif info.username is not None and info.password is not None:
            self._headers.update(
                urllib3.make_headers(basic_auth=f"{info.username}:{info.password}")
            )
        self._client = RESTClientObject(config)
        self.host = urlsplit(info.server).netloc

    def _private_file(self, data: bytes) -> str:
        fd, path = tempfile.mkstemp(prefix="pykctl-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        self._files.append(path)
        return path

    def _url(self, path: str, query: list[tuple[str, str]] | None) -> str:
        url = self.info.server.rstrip("/") + path
        return f"{url}?{urlencode(query)}" if query else url

    def request(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        try:
            response = self._client.pool_manager.request(
                method,
                self._url(path, query),
                body=body,
                headers={**self._headers, **(headers or {})},
                timeout=self.info.timeout,
                preload_content=True,
            )
        except urllib3.exceptions.HTTPError as err:
            raise ConnectionFailed(
                self.host, str(err), refused="refused" in str(err).lower()
            ) from None
        return HttpResponse(response.status, dict(response.headers), response.data)

    def stream(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Mapping[str, str], Iterator[bytes]]:
        try:
            response = self._client.pool_manager.request(
                method,
                self._url(path, query),
                headers={**self._headers, **(headers or {})},
                preload_content=False,
                timeout=None,
            )
        except urllib3.exceptions.HTTPError as err:
            raise ConnectionFailed(
                self.host, str(err), refused="refused" in str(err).lower()
            ) from None

        def lines() -> Iterator[bytes]:
            pending = b""
            for chunk in response.stream(4096, decode_content=True):
                pending += chunk
                *complete, pending = pending.split(b"\n")
                yield from complete
            if pending:
                yield pending

        return response.status, dict(response.headers), lines()

    def close(self) -> None:
        for path in self._files:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        self._files.clear()
