"""An RFC 6455 WebSocket client over a socket that ``backends.upgrade`` switched to it.

``handshake_headers(key, protocols)`` are the request headers of the upgrade and
``accept_value(key)`` the ``Sec-WebSocket-Accept`` the server must answer. ``WebSocket`` then
frames messages on the open socket: every client frame is masked with a fresh key (servers'
frames must not be); fragmented messages are reassembled; pings are answered with pongs;
control frames are at most 125 bytes and never fragmented. ``receive()`` returns one data
message at a time and None once the server closed normally (code 1000); a close with any other
code (no code is 1005), or a connection that ends without a close frame, is a ``WebSocketError``
worded as gorilla/websocket words it (``websocket: close 1006 (abnormal closure): unexpected
EOF``), since kubectl prints those. Sending is safe from several threads; one thread receives.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
DATA_OPCODES = (OP_CONTINUATION, OP_TEXT, OP_BINARY)
CONTROL_OPCODES = (OP_CLOSE, OP_PING, OP_PONG)

CLOSE_NORMAL = 1000
CLOSE_NO_STATUS = 1005
CLOSE_ABNORMAL = 1006
MAX_CONTROL_PAYLOAD = 125
MAX_MESSAGE = 64 * 1024 * 1024

# gorilla/websocket's texts for close codes (CloseError.Error)
_CLOSE_TEXTS = {
    1000: "(normal)",
    1001: "(going away)",
    1002: "(protocol error)",
    1003: "(unsupported data)",
    1005: "(no status)",
    1006: "(abnormal closure)",
    1007: "(invalid payload data)",
    1008: "(policy violation)",
    1009: "(message too big)",
    1010: "(mandatory extension missing)",
    1011: "(internal server error)",
    1015: "(TLS handshake error)",
}


class WebSocketError(Exception):
    """The connection broke, was closed abnormally, or broke the protocol."""


def close_text(code: int, reason: str) -> str:
    """gorilla/websocket's CloseError text: ``websocket: close 1011 (internal server error): x``."""
    text = f"websocket: close {code}"
    if code in _CLOSE_TEXTS:
        text += " " + _CLOSE_TEXTS[code]
    return f"{text}: {reason}" if reason else text


def new_key(random: Callable[[int], bytes] = os.urandom) -> str:
    """A fresh ``Sec-WebSocket-Key``."""
    return base64.b64encode(random(16)).decode()


def accept_value(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` a server answers to ``key``."""
    digest = hashlib.sha1((key + GUID).encode(), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode()


def handshake_headers(key: str, protocols: list[str]) -> dict[str, str]:
    """The headers of a WebSocket upgrade request offering ``protocols``."""
    return {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": key,
        "Sec-WebSocket-Protocol": ", ".join(protocols),
    }


def mask(data: bytes, key: bytes) -> bytes:
    """``data`` XOR the repeated 4-byte ``key`` (masking and unmasking are the same)."""
    if not data:
        return b""
    size = len(data)
    stream = (key * (size // 4 + 1))[:size]
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(size, "big")


def encode_frame(opcode: int, payload: bytes, fin: bool = True, key: bytes | None = None) -> bytes:
    """One frame; masked with ``key`` (4 bytes) when given, as a client must."""
    head = bytearray([(0x80 if fin else 0) | opcode])
    bit = 0x80 if key is not None else 0
    size = len(payload)
    if size < 126:
        head.append(bit | size)
    elif size < 1 << 16:
        head.append(bit | 126)
        head += struct.pack("!H", size)
    else:
        head.append(bit | 127)
        head += struct.pack("!Q", size)
    if key is None:
        return bytes(head) + payload
    return bytes(head) + key + mask(payload, key)


@dataclass(frozen=True)
class Frame:
    fin: bool
    opcode: int
    payload: bytes


@dataclass(frozen=True)
class Message:
    """A complete data message."""

    opcode: int
    data: bytes


class FrameReader:
    """Frames from a byte source (``recv(n)`` returning b"" at the end)."""

    def __init__(self, recv: Callable[[int], bytes], leftover: bytes = b"") -> None:
        self._recv = recv
        self._buffer = bytearray(leftover)

    def _exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = self._recv(65536)
            if not chunk:
                raise WebSocketError(close_text(CLOSE_ABNORMAL, "unexpected EOF"))
            self._buffer += chunk
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def read(self) -> Frame:
        first, second = self._exactly(2)
        if first & 0x70:
            raise WebSocketError("websocket: RSV1 set, RSV2 set, RSV3 set, bad opcode or bad data")
        opcode = first & 0x0F
        fin = bool(first & 0x80)
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", self._exactly(2))
        elif size == 127:
            (size,) = struct.unpack("!Q", self._exactly(8))
        if opcode not in DATA_OPCODES + CONTROL_OPCODES:
            raise WebSocketError(f"websocket: bad opcode {opcode}")
        if opcode in CONTROL_OPCODES and (size > MAX_CONTROL_PAYLOAD or not fin):
            raise WebSocketError("websocket: control frame length > 125 or fragmented")
        if size > MAX_MESSAGE:
            raise WebSocketError("websocket: read limit exceeded")
        key = self._exactly(4) if second & 0x80 else None
        payload = self._exactly(size)
        return Frame(fin, opcode, mask(payload, key) if key is not None else payload)


class WebSocket:
    """A client connection (see the module docstring)."""

    def __init__(
        self,
        sock: socket.socket,
        leftover: bytes = b"",
        protocol: str = "",
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.sock = sock
        self.protocol = protocol  # the subprotocol the server chose
        self._random = random
        self._reader = FrameReader(sock.recv, leftover)
        self._lock = threading.Lock()
        self._close_sent = False
        self.close_code: int | None = None

    def _send(self, opcode: int, payload: bytes) -> None:
        frame = encode_frame(opcode, payload, True, self._random(4))
        with self._lock:
            if self._close_sent and opcode != OP_CLOSE:
                raise WebSocketError("websocket: close sent")
            self.sock.sendall(frame)

    def send_binary(self, data: bytes) -> None:
        self._send(OP_BINARY, data)

    def ping(self, data: bytes = b"") -> None:
        self._send(OP_PING, data)

    def close(self, code: int = CLOSE_NORMAL, reason: str = "") -> None:
        """Send a close frame (once)."""
        with self._lock:
            if self._close_sent:
                return
            self._close_sent = True
        payload = struct.pack("!H", code) + reason.encode() if code != CLOSE_NO_STATUS else b""
        with contextlib.suppress(OSError):
            self._send(OP_CLOSE, payload)

    def receive(self) -> Message | None:
        """The next data message; None after a normal close (see the module docstring)."""
        opcode: int | None = None
        parts: list[bytes] = []
        while True:
            try:
                frame = self._reader.read()
            except OSError as err:
                raise WebSocketError(close_text(CLOSE_ABNORMAL, str(err))) from None
            if frame.opcode == OP_PING:
                with contextlib.suppress(OSError, WebSocketError):
                    self._send(OP_PONG, frame.payload)
                continue
            if frame.opcode == OP_PONG:
                continue
            if frame.opcode == OP_CLOSE:
                self._closed(frame.payload)
                return None
            if frame.opcode == OP_CONTINUATION and opcode is None:
                raise WebSocketError("websocket: continuation after final message frame")
            if frame.opcode != OP_CONTINUATION and opcode is not None:
                raise WebSocketError("websocket: data before FIN")
            if opcode is None:
                opcode = frame.opcode
            parts.append(frame.payload)
            if frame.fin:
                return Message(opcode, b"".join(parts))

    def _closed(self, payload: bytes) -> None:
        """Answer the server's close; raise unless it was a normal one."""
        code = CLOSE_NO_STATUS
        reason = ""
        if len(payload) >= 2:
            (code,) = struct.unpack("!H", payload[:2])
            reason = payload[2:].decode("utf-8", "replace")
        self.close_code = code
        self.close(code if len(payload) >= 2 else CLOSE_NO_STATUS)
        if code != CLOSE_NORMAL:
            raise WebSocketError(close_text(code, reason))
