"""The Backend protocol: how pykctl talks to a cluster, whatever the cluster is.

A backend is a REST transport, like client-go's RESTClient: it sends one HTTP request to the
cluster's API server and returns the status, headers and body (or a stream of lines, for watch
and logs). Everything above it — discovery, resource mapping, get, apply — is shared, so the
simulator and a real cluster behave the same by construction. Failures to reach the cluster
raise ``backends.errors`` exceptions; HTTP error statuses are returned, not raised (callers turn
them into ApiError with ``errors.from_response``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class ClusterInfo:
    """Where a context points: the server URL and how to trust and authenticate to it."""

    server: str
    ca_data: bytes | None = None
    insecure: bool = False
    token: str | None = None
    client_cert: bytes | None = None
    client_key: bytes | None = None
    username: str | None = None
    password: str | None = None
    tls_server_name: str = ""
    proxy_url: str = ""
    extensions: Mapping[str, Any] = field(default_factory=dict)
    timeout: float | None = None  # --request-timeout, seconds


@dataclass
class HttpResponse:
    """A complete response."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)


class Backend(Protocol):
    """A connection to one cluster."""

    info: ClusterInfo

    def request(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """Send one request; raise backends.errors.ConnectionFailed when the server is unreachable."""
        ...

    def stream(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Mapping[str, str], Iterator[bytes]]:
        """Send one request and yield the body line by line as it arrives (watch, logs -f)."""
        ...

    def close(self) -> None: ...
