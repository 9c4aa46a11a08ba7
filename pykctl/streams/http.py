"""A streaming HTTP GET whose body arrives byte for byte as the server sent it, chunk by chunk
as it arrives (``logs``: a followed log stays open for hours, and every byte counts — carriage
returns, a last line without a newline — so the line-splitting ``Backend.stream`` will not do).

The connection is ``backends.upgrade``'s (TLS, client certificate, token or basic auth, as for
exec); the request asks for ``Connection: close``. The body is decoded from ``chunked``
transfer encoding, by ``Content-Length``, or read to the end of the connection.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from backends.base import ClusterInfo
from backends.errors import ConnectionFailed
from backends.upgrade import connect, read_head, request_head

_READ = 65536


class _Buffered:
    """A socket with a read buffer."""

    def __init__(self, sock: socket.socket, data: bytes) -> None:
        self.sock = sock
        self.buffer = bytearray(data)

    def fill(self) -> bool:
        chunk = self.sock.recv(_READ)
        self.buffer += chunk
        return bool(chunk)

    def take(self, size: int) -> bytes:
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def line(self) -> bytes | None:
        while b"\r\n" not in self.buffer:
            if not self.fill():
                return None
        end = self.buffer.index(b"\r\n")
        data = self.take(end)
        self.take(2)
        return data


def _chunked(reader: _Buffered) -> Iterator[bytes]:
    while True:
        line = reader.line()
        if line is None:
            return
        size = int(line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            return
        remaining = size
        while remaining:
            if not reader.buffer and not reader.fill():
                return
            data = reader.take(remaining)
            remaining -= len(data)
            yield data
        reader.line()


def _sized(reader: _Buffered, length: int) -> Iterator[bytes]:
    remaining = length
    while remaining:
        if not reader.buffer and not reader.fill():
            return
        data = reader.take(remaining)
        remaining -= len(data)
        yield data


def _to_end(reader: _Buffered) -> Iterator[bytes]:
    while reader.buffer or reader.fill():
        yield reader.take(len(reader.buffer))


@dataclass
class Response:
    """A response whose body is read lazily; ``close()`` drops the connection."""

    status: int
    headers: dict[str, str]
    sock: socket.socket
    _chunks: Iterator[bytes] = field(repr=False)

    def chunks(self) -> Iterator[bytes]:
        """The body as it arrives (connection errors end it, as an early end of the body)."""
        try:
            yield from self._chunks
        except OSError:
            return
        finally:
            self.close()

    def read(self) -> bytes:
        return b"".join(self.chunks())

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def get(
    info: ClusterInfo,
    path: str,
    query: list[tuple[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Send ``GET path?query`` and read the answer's head (ConnectionFailed when unreachable)."""
    sock = connect(info)
    try:
        sock.sendall(
            request_head(info, "GET", path, query, {**(headers or {}), "Connection": "close"})
        )
        head, rest = read_head(sock)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        code = int(status_line.split(" ", 2)[1])
    except (OSError, ValueError, IndexError) as err:
        with contextlib.suppress(OSError):
            sock.close()
        raise ConnectionFailed(urlsplit(info.server).netloc, str(err)) from None
    answer: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        answer[name.strip().lower()] = value.strip()
    sock.settimeout(None)
    reader = _Buffered(sock, rest)
    if "chunked" in answer.get("transfer-encoding", "").lower():
        body = _chunked(reader)
    elif answer.get("content-length", "").isdigit():
        body = _sized(reader, int(answer["content-length"]))
    else:
        body = _to_end(reader)
    return Response(code, answer, sock, body)
