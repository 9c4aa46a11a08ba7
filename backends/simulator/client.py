"""SimulatorBackend: the CLI's connection to a simulator, HTTP/1.1 over ``http.client``.

The standard library's client keeps a command's start-up short (``requests`` alone costs more
than the whole request to a local simulator). TLS trust comes from the kubeconfig's CA data
(loaded into an SSLContext, no temporary files); the bearer token goes in every request. One
kept-alive connection serves a command's requests in turn; a stream (watch, logs -f) gets a
connection of its own. A connection the server closed while idle is replaced once, silently.
A refused connection raises ConnectionFailed, which the CLI answers by starting the daemon
(see pykctl's backend selection) — this module never starts processes itself. Loopback only:
no proxies, and no environment variable overrides the simulator's CA.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Iterator, Mapping
from urllib.parse import urlencode, urlsplit

from backends.base import ClusterInfo, HttpResponse
from backends.errors import ConnectionFailed

USER_AGENT = "pykctl/0.1.0 (simulator)"
# What a kept-alive connection the server has since closed raises on reuse.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


def _merged_headers(response: http.client.HTTPResponse) -> dict[str, str]:
    """The response's headers as sent, repeated ones joined with ", " (as urllib3 does)."""
    merged: dict[str, str] = {}
    for name, value in response.getheaders():
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


class SimulatorBackend:
    """The Backend protocol for one simulator API server."""

    def __init__(self, info: ClusterInfo) -> None:
        self.info = info
        parts = urlsplit(info.server)
        self.host = parts.netloc
        self._secure = parts.scheme == "https"
        self._hostname = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._secure else 80)
        self._prefix = parts.path.rstrip("/")
        self._headers = {"User-Agent": USER_AGENT}
        if info.token:
            self._headers["Authorization"] = f"Bearer {info.token}"
        self._context: ssl.SSLContext | None = None
        if self._secure:
            if info.insecure:
                self._context = ssl.create_default_context()
                self._context.check_hostname = False
                self._context.verify_mode = ssl.CERT_NONE
            elif info.ca_data:
                self._context = ssl.create_default_context(cadata=info.ca_data.decode())
            else:
                self._context = ssl.create_default_context()
        self._idle: http.client.HTTPConnection | None = None

    def _connect(self, timeout: float | None) -> http.client.HTTPConnection:
        if self._secure:
            return http.client.HTTPSConnection(
                self._hostname, self._port, timeout=timeout, context=self._context
            )
        return http.client.HTTPConnection(self._hostname, self._port, timeout=timeout)

    def _target(self, path: str, query: list[tuple[str, str]] | None) -> str:
        return self._prefix + path + (f"?{urlencode(query)}" if query else "")

    def _failed(self, err: Exception) -> ConnectionFailed:
        if isinstance(err, TimeoutError):
            return ConnectionFailed(self.host, f"context deadline exceeded: {err}")
        return ConnectionFailed(
            self.host, str(err), refused=isinstance(err, ConnectionRefusedError)
        )

    def _send(
        self,
        connection: http.client.HTTPConnection,
        method: str,
        target: str,
        body: bytes | None,
        headers: Mapping[str, str] | None,
    ) -> http.client.HTTPResponse:
        connection.request(method, target, body=body, headers={**self._headers, **(headers or {})})
        return connection.getresponse()

    def request(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        target = self._target(path, query)
        connection, reused = self._idle, self._idle is not None
        self._idle = None
        try:
            if connection is None:
                connection = self._connect(self.info.timeout)
            try:
                response = self._send(connection, method, target, body, headers)
            except _STALE:
                if not reused:
                    raise
                connection.close()  # the server closed it while idle: once more, afresh
                connection = self._connect(self.info.timeout)
                response = self._send(connection, method, target, body, headers)
            data = response.read()
        except (OSError, http.client.HTTPException) as err:
            if connection is not None:
                connection.close()
            raise self._failed(err) from None
        if response.will_close:
            connection.close()
        else:
            self._idle = connection
        return HttpResponse(response.status, _merged_headers(response), data)

    def stream(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Mapping[str, str], Iterator[bytes]]:
        """The response on a connection of its own; its lines (without their ending) as they
        arrive. The connection closes when the lines run out or the iterator is closed."""
        connection = self._connect(None)
        try:
            response = self._send(connection, method, self._target(path, query), None, headers)
        except (OSError, http.client.HTTPException) as err:
            connection.close()
            raise self._failed(err) from None

        def lines() -> Iterator[bytes]:
            try:
                while True:
                    line = response.readline()
                    if not line:
                        return
                    yield line.rstrip(b"\r\n") if line.endswith(b"\n") else line
            except (OSError, http.client.HTTPException) as err:
                raise self._failed(err) from None
            finally:
                connection.close()

        return response.status, _merged_headers(response), lines()

    def close(self) -> None:
        if self._idle is not None:
            self._idle.close()
            self._idle = None
