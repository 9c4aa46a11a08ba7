"""Upgraded connections: one HTTP/1.1 request that switches protocols, then a raw socket.

exec, attach and port-forward cannot go through a Backend's REST transport: after ``101
Switching Protocols`` the connection carries WebSocket or SPDY frames, not HTTP. ``upgrade()``
opens the connection a ClusterInfo describes (TLS with its CA or none when insecure, its client
certificate, its server name; a bearer token or basic auth), sends one request and reads the
response head. On 101 the caller speaks the new protocol over ``Upgraded.sock``, starting with
``Upgraded.leftover`` (bytes that arrived with the head); any other status comes back with its
body, for the caller to turn into kubectl's error. The same code reaches the simulator and a
real cluster. Proxies (``proxy-url``) are not supported for upgrades.
"""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from backends.base import ClusterInfo
from backends.errors import ConnectionFailed

USER_AGENT = "pykctl/0.1.0"
CONNECT_TIMEOUT_SECONDS = 30.0
_MAX_HEAD = 64 * 1024


@dataclass
class Upgraded:
    """The answer to an upgrade request. ``sock`` is open (and owned by the caller) only when
    ``status`` is 101; ``headers`` have lower-case names."""

    status: int
    headers: dict[str, str]
    sock: socket.socket | None = None
    leftover: bytes = b""
    body: bytes = b""
    reason: str = ""

    def close(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None


def tls_context(info: ClusterInfo) -> ssl.SSLContext:
    """The SSLContext that verifies ``info``'s server and presents its client certificate."""
    if info.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif info.ca_data:
        context = ssl.create_default_context(cadata=info.ca_data.decode())
    else:
        context = ssl.create_default_context()
    if info.client_cert and info.client_key:
        # ssl loads certificates from files only: private files, removed at once.
        with tempfile.TemporaryDirectory(prefix="pykctl-") as directory:
            cert, key = os.path.join(directory, "cert"), os.path.join(directory, "key")
            for path, data in ((cert, info.client_cert), (key, info.client_key)):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
            context.load_cert_chain(cert, key)
    return context


def connect(info: ClusterInfo) -> socket.socket:
    parts = urlsplit(info.server)
    host = parts.hostname or "localhost"
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    try:
        sock = socket.create_connection(
            (host, port), timeout=info.timeout or CONNECT_TIMEOUT_SECONDS
        )
        if secure:
            sock = tls_context(info).wrap_socket(sock, server_hostname=info.tls_server_name or host)
    except ConnectionRefusedError as err:
        raise ConnectionFailed(parts.netloc, str(err), refused=True) from None
    except (OSError, ssl.SSLError) as err:
        raise ConnectionFailed(parts.netloc, str(err)) from None
    return sock


def request_head(
    info: ClusterInfo,
    method: str,
    path: str,
    query: list[tuple[str, str]] | None,
    headers: Mapping[str, str],
) -> bytes:
    parts = urlsplit(info.server)
    target = parts.path.rstrip("/") + path + (f"?{urlencode(query)}" if query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", f"User-Agent: {USER_AGENT}"]
    if info.token:
        lines.append(f"Authorization: Bearer {info.token}")
    elif info.username is not None and info.password is not None:
        basic = base64.b64encode(f"{info.username}:{info.password}".encode()).decode()
        lines.append(f"Authorization: Basic {basic}")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("the server closed the connection before answering")
        data += chunk
        if len(data) > _MAX_HEAD:
            raise ConnectionResetError("the server's answer has an oversized head")
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _read_body(sock: socket.socket, headers: Mapping[str, str], rest: bytes) -> bytes:
    """The body of a non-101 answer: by Content-Length, chunked, or up to the close."""
    length = headers.get("content-length")
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    data = rest
    while True:
        if length is not None and len(data) >= int(length):
            return data[: int(length)]
        if chunked and data.endswith(b"0\r\n\r\n"):
            break
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    if not chunked:
        return data
    body, position = b"", 0
    while position < len(data):
        line_end = data.find(b"\r\n", position)
        if line_end < 0:
            break
        size = int(data[position:line_end].split(b";")[0] or b"0", 16)
        if size == 0:
            break
        body += data[line_end + 2 : line_end + 2 + size]
        position = line_end + 2 + size + 2
    return body


def upgrade(
    info: ClusterInfo,
    method: str,
    path: str,
    query: list[tuple[str, str]] | None,
    headers: Mapping[str, str],
) -> Upgraded:
    """Send one upgrade request (``headers`` name the protocol) and read the answer's head;
    ConnectionFailed when the server cannot be reached."""
    sock = connect(info)
    try:
        sock.sendall(request_head(info, method, path, query, headers))
        head, rest = read_head(sock)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        _, code, *reason = status_line.split(" ", 2)
        answer: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            answer[name.strip().lower()] = value.strip()
        if int(code) == 101:
            sock.settimeout(None)
            return Upgraded(101, answer, sock, rest, reason=" ".join(reason))
        body = _read_body(sock, answer, rest)
    except (OSError, ValueError) as err:
        with contextlib.suppress(OSError):
            sock.close()
        raise ConnectionFailed(urlsplit(info.server).netloc, str(err)) from None
    with contextlib.suppress(OSError):
        sock.close()
    return Upgraded(int(code), answer, body=body, reason=" ".join(reason))
