"""SPDY/3.1 framing and stream multiplexing, for port-forward on both ends of the wire.

kubectl, client-go and the kubelet speak SPDY/3.1 through moby/spdystream; this module speaks the
same subset: SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE
and DATA frames, header blocks compressed with zlib and the SPDY/3 dictionary. Three layers:

* the codec — ``Encoder``/``Decoder``: frames to bytes and back. Each direction of a connection
  has one compression context (``Encoder`` owns the compressor, ``Decoder`` the decompressor),
  shared by every header block that direction carries and flushed with ``Z_SYNC_FLUSH``, so one
  encoder must see every frame it sends, in order, and likewise for decoding. Names in a header
  block are lower case; a value with several parts holds them NUL-separated, as on the wire.
* ``Connection`` — the multiplexer without I/O: stream ids (odd from the client, even from the
  server, increasing), stream states, PINGs answered, GOAWAY, flow control. ``receive(bytes)``
  returns events; calls queue frames whose bytes ``data_to_send()`` hands out.
* adapters that move the bytes: ``AsyncConnection`` on an asyncio event loop (the simulator) and
  ``ThreadedConnection`` over a blocking socket with one I/O thread (pykctl).

Flow control follows what the peers really do. spdystream neither sends WINDOW_UPDATEs nor
honours them, so a sender that waited for windows would stall after 64 KiB against kubectl or a
kubelet. A ``Connection`` therefore always sends WINDOW_UPDATEs for data its application has
consumed, announces its window (SETTINGS INITIAL_WINDOW_SIZE and a session WINDOW_UPDATE) when
``initiate()`` is called, and limits its own sending only once the peer has shown that it takes
part (it sent SETTINGS INITIAL_WINDOW_SIZE or a WINDOW_UPDATE): two pykctl ends respect each
other's windows, a Go end is never waited for. Data beyond a window is accepted, never an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
import ssl
import struct
import threading
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = (
    1, 2, 3, 4, 6, 7, 8, 9,
)  # fmt: skip
FLAG_FIN = 0x01
FLAG_UNIDIRECTIONAL = 0x02
# RST_STREAM status codes
PROTOCOL_ERROR, INVALID_STREAM, REFUSED_STREAM, CANCEL, INTERNAL_ERROR = 1, 2, 3, 5, 6
# GOAWAY status codes
GOAWAY_OK, GOAWAY_PROTOCOL_ERROR, GOAWAY_INTERNAL_ERROR = 0, 1, 2
SETTINGS_INITIAL_WINDOW_SIZE = 7
DEFAULT_WINDOW = 65536
MAX_DATA_LENGTH = 0xFFFFFF
MAX_STREAM_ID = 0x7FFFFFFF
UNLIMITED = 1 << 62  # what may be sent to a peer that does no flow control

Headers = dict[str, str]

# The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1): these
# words, each preceded by its length as a 32-bit big-endian number, then the text of _TAIL.
_WORDS = (
    "options head post put delete trace accept accept-charset accept-encoding accept-language "
    "accept-ranges age allow authorization cache-control connection content-base "
    "content-encoding content-language content-length content-location content-md5 "
    "content-range content-type date etag expect expires from host if-match if-modified-since "
    "if-none-match if-range if-unmodified-since last-modified location max-forwards pragma "
    "proxy-authenticate proxy-authorization range referer retry-after server te trailer "
    "transfer-encoding upgrade user-agent vary via warning www-authenticate method get status "
    "200\x01OK version HTTP/1.1 url public set-cookie keep-alive origin"
).split()
_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 "
    "Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 "
    "Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, "
    "Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
    "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
    "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)
DICTIONARY = (
    b"".join(struct.pack(">I", len(word)) + word.replace("\x01", " ").encode() for word in _WORDS)
    + _TAIL.encode()
)


class SpdyError(Exception):
    """A malformed frame, or a stream or connection that cannot be used."""


# ------------------------------------------------------------------------------------ frames


@dataclass(frozen=True)
class SynStream:
    stream_id: int
    headers: Headers
    fin: bool = False
    unidirectional: bool = False
    associated_id: int = 0
    priority: int = 0
    slot: int = 0


@dataclass(frozen=True)
class SynReply:
    stream_id: int
    headers: Headers
    fin: bool = False


@dataclass(frozen=True)
class RstStream:
    stream_id: int
    status: int


@dataclass(frozen=True)
class Settings:
    """``values``: (flags, id, value) triples."""

    values: tuple[tuple[int, int, int], ...]
    clear: bool = False


@dataclass(frozen=True)
class Ping:
    ping_id: int


@dataclass(frozen=True)
class GoAway:
    last_stream_id: int
    status: int = GOAWAY_OK


@dataclass(frozen=True)
class HeadersFrame:
    stream_id: int
    headers: Headers
    fin: bool = False


@dataclass(frozen=True)
class WindowUpdate:
    stream_id: int  # 0: the whole connection
    delta: int


@dataclass(frozen=True)
class Data:
    stream_id: int
    data: bytes
    fin: bool = False


Frame = (
    SynStream | SynReply | RstStream | Settings | Ping | GoAway | HeadersFrame | WindowUpdate | Data
)


def _control(kind: int, flags: int, payload: bytes) -> bytes:
    if len(payload) > MAX_DATA_LENGTH:
        raise SpdyError("control frame too large")
    return struct.pack(">HHI", 0x8000 | VERSION, kind, (flags << 24) | len(payload)) + payload


class Encoder:
    """Frames to bytes, with the sending direction's header compression context."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(
            9, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY, DICTIONARY
        )

    def header_block(self, headers: Headers) -> bytes:
        parts = [struct.pack(">I", len(headers))]
        for name, value in headers.items():
            encoded_name, encoded_value = name.lower().encode(), value.encode()
            parts += [struct.pack(">I", len(encoded_name)), encoded_name]
            parts += [struct.pack(">I", len(encoded_value)), encoded_value]
        raw = b"".join(parts)
        return self._compressor.compress(raw) + self._compressor.flush(zlib.Z_SYNC_FLUSH)

    def encode(self, frame: Frame) -> bytes:
        if isinstance(frame, Data):
            if len(frame.data) > MAX_DATA_LENGTH:
                raise SpdyError("data frame too large")
            word = (FLAG_FIN if frame.fin else 0) << 24 | len(frame.data)
            return struct.pack(">II", frame.stream_id & MAX_STREAM_ID, word) + frame.data
        if isinstance(frame, SynStream):
            flags = (FLAG_FIN if frame.fin else 0) | (
                FLAG_UNIDIRECTIONAL if frame.unidirectional else 0
            )
            head = struct.pack(
                ">IIBB", frame.stream_id, frame.associated_id, (frame.priority & 7) << 5, frame.slot
            )
            return _control(SYN_STREAM, flags, head + self.header_block(frame.headers))
        if isinstance(frame, SynReply | HeadersFrame):
            kind = SYN_REPLY if isinstance(frame, SynReply) else HEADERS
            payload = struct.pack(">I", frame.stream_id) + self.header_block(frame.headers)
            return _control(kind, FLAG_FIN if frame.fin else 0, payload)
        if isinstance(frame, RstStream):
            return _control(RST_STREAM, 0, struct.pack(">II", frame.stream_id, frame.status))
        if isinstance(frame, Settings):
            payload = struct.pack(">I", len(frame.values)) + b"".join(
                struct.pack(">II", flags << 24 | ident, value)
                for flags, ident, value in frame.values
            )
            return _control(SETTINGS, 1 if frame.clear else 0, payload)
        if isinstance(frame, Ping):
            return _control(PING, 0, struct.pack(">I", frame.ping_id))
        if isinstance(frame, GoAway):
            return _control(GOAWAY, 0, struct.pack(">II", frame.last_stream_id, frame.status))
        return _control(WINDOW_UPDATE, 0, struct.pack(">II", frame.stream_id, frame.delta))


def _u32(payload: bytes, offset: int) -> int:
    value: int = struct.unpack_from(">I", payload, offset)[0]
    return value


class Decoder:
    """Bytes to frames, incrementally, with the receiving direction's decompression context.
    Control frames of types this subset does not know are skipped, as SPDY requires."""

    def __init__(self) -> None:
        self._decompressor = zlib.decompressobj(zdict=DICTIONARY)
        self._buffer = bytearray()

    def header_block(self, block: bytes) -> Headers:
        try:
            raw = self._decompressor.decompress(block)
        except zlib.error as err:
            raise SpdyError(f"bad header block: {err}") from None
        try:
            count, offset, headers = _u32(raw, 0), 4, Headers()
            for _ in range(count):
                size = _u32(raw, offset)
                name = raw[offset + 4 : offset + 4 + size].decode()
                offset += 4 + size
                size = _u32(raw, offset)
                value = raw[offset + 4 : offset + 4 + size].decode()
                offset += 4 + size
                headers[name] = f"{headers[name]}\x00{value}" if name in headers else value
        except (struct.error, UnicodeDecodeError) as err:
            raise SpdyError(f"bad header block: {err}") from None
        if offset != len(raw):
            raise SpdyError("bad header block: trailing bytes")
        return headers

    def feed(self, data: bytes) -> list[Frame]:
        """The frames completed by ``data`` (partial frames wait for more)."""
        buffer = self._buffer
        buffer += data
        frames: list[Frame] = []
        position = 0
        while len(buffer) - position >= 8:
            first, second = struct.unpack_from(">II", buffer, position)
            length = second & 0xFFFFFF
            end = position + 8 + length
            if len(buffer) < end:
                break
            payload = bytes(buffer[position + 8 : end])
            position = end
            flags = second >> 24
            if first & 0x80000000:
                frame = self._control(first & 0xFFFF, flags, payload)
                if frame is not None:
                    frames.append(frame)
            else:
                frames.append(Data(first & MAX_STREAM_ID, payload, bool(flags & FLAG_FIN)))
        del buffer[:position]
        return frames

    def _control(self, kind: int, flags: int, payload: bytes) -> Frame | None:
        fin = bool(flags & FLAG_FIN)
        try:
            if kind == SYN_STREAM:
                stream_id, associated = (
                    _u32(payload, 0) & MAX_STREAM_ID,
                    _u32(payload, 4) & MAX_STREAM_ID,
                )
                priority, slot = payload[8] >> 5, payload[9]
                headers = self.header_block(payload[10:])
                unidirectional = bool(flags & FLAG_UNIDIRECTIONAL)
                return SynStream(
                    stream_id, headers, fin, unidirectional, associated, priority, slot
                )
            if kind in (SYN_REPLY, HEADERS):
                stream_id, headers = (
                    _u32(payload, 0) & MAX_STREAM_ID,
                    self.header_block(payload[4:]),
                )
                if kind == SYN_REPLY:
                    return SynReply(stream_id, headers, fin)
                return HeadersFrame(stream_id, headers, fin)
            if kind == RST_STREAM:
                return RstStream(_u32(payload, 0) & MAX_STREAM_ID, _u32(payload, 4))
            if kind == SETTINGS:
                values = []
                for index in range(_u32(payload, 0)):
                    word, value = struct.unpack_from(">II", payload, 4 + 8 * index)
                    values.append((word >> 24, word & 0xFFFFFF, value))
                return Settings(tuple(values), bool(flags & 1))
            if kind == PING:
                return Ping(_u32(payload, 0))
            if kind == GOAWAY:
                status = _u32(payload, 4) if len(payload) >= 8 else GOAWAY_OK
                return GoAway(_u32(payload, 0) & MAX_STREAM_ID, status)
            if kind == WINDOW_UPDATE:
                return WindowUpdate(
                    _u32(payload, 0) & MAX_STREAM_ID, _u32(payload, 4) & MAX_STREAM_ID
                )
        except (struct.error, IndexError):
            raise SpdyError(f"control frame of type {kind} is too short") from None
        return None


# ------------------------------------------------------------------------ the multiplexer


@dataclass(frozen=True)
class StreamOpened:
    """The peer opened a stream (reply with ``Connection.reply`` or reset it)."""

    stream_id: int
    headers: Headers


@dataclass(frozen=True)
class StreamReplied:
    stream_id: int
    headers: Headers


@dataclass(frozen=True)
class DataReceived:
    stream_id: int
    data: bytes


@dataclass(frozen=True)
class StreamEnded:
    """The peer will send nothing more on this stream (FIN)."""

    stream_id: int


@dataclass(frozen=True)
class StreamReset:
    stream_id: int
    status: int


@dataclass(frozen=True)
class WindowUpdated:
    """More may be sent on this stream (0: on every stream)."""

    stream_id: int


@dataclass(frozen=True)
class PingAnswered:
    ping_id: int


@dataclass(frozen=True)
class GoAwayReceived:
    last_stream_id: int
    status: int


Event = (
    StreamOpened | StreamReplied | DataReceived | StreamEnded | StreamReset | WindowUpdated
    | PingAnswered | GoAwayReceived
)  # fmt: skip


@dataclass
class _Stream:
    send_window: int
    unacknowledged: int = 0  # received and consumed, not yet returned by a WINDOW_UPDATE
    local_closed: bool = False
    remote_closed: bool = False


class Connection:
    """One SPDY/3.1 connection's state, without I/O (see the module docstring)."""

    def __init__(self, client: bool, window: int = DEFAULT_WINDOW) -> None:
        self.client = client
        self.window = window
        self._encoder = Encoder()
        self._decoder = Decoder()
        self._out = bytearray()
        self._next_stream_id = 1 if client else 2
        self._next_ping_id = 1 if client else 2
        self._last_received_id = 0
        self.streams: dict[int, _Stream] = {}
        self.peer_flow_control = False
        self._peer_initial_window = DEFAULT_WINDOW
        self._session_send_window = DEFAULT_WINDOW
        self._session_unacknowledged = 0
        self._session_window = DEFAULT_WINDOW
        self.going_away = False

    def _send(self, frame: Frame) -> None:
        self._out += self._encoder.encode(frame)

    def data_to_send(self) -> bytes:
        """The bytes of every frame queued since the last call."""
        out, self._out = bytes(self._out), bytearray()
        return out

    @property
    def has_output(self) -> bool:
        return bool(self._out)

    def writable(self, stream_id: int) -> bool:
        """Is the stream open for sending (not reset, not half-closed by this end)?"""
        stream = self.streams.get(stream_id)
        return stream is not None and not stream.local_closed

    # ---- what this end does

    def initiate(self) -> None:
        """Announce this end's receive windows (which makes a pykctl peer respect them)."""
        self._send(Settings(((0, SETTINGS_INITIAL_WINDOW_SIZE, self.window),)))
        if self.window > DEFAULT_WINDOW:
            self._send(WindowUpdate(0, self.window - DEFAULT_WINDOW))
        self._session_window = max(self.window, DEFAULT_WINDOW)

    def open_stream(self, headers: Headers, fin: bool = False) -> int:
        """Queue a SYN_STREAM; returns the new stream's id."""
        if self.going_away:
            raise SpdyError("the connection is going away")
        stream_id = self._next_stream_id
        if stream_id > MAX_STREAM_ID:
            raise SpdyError("Unable to get new stream id")
        self._next_stream_id += 2
        self.streams[stream_id] = _Stream(self._peer_initial_window, local_closed=fin)
        self._send(SynStream(stream_id, headers, fin))
        return stream_id

    def reply(self, stream_id: int, headers: Headers | None = None, fin: bool = False) -> None:
        self._send(SynReply(stream_id, headers or {}, fin))
        if fin:
            self._local_close(stream_id)

    def sendable(self, stream_id: int) -> int:
        """How many bytes of data the windows let this end send on the stream now."""
        stream = self.streams.get(stream_id)
        if stream is None or stream.local_closed:
            return 0
        if not self.peer_flow_control:
            return UNLIMITED
        return max(0, min(stream.send_window, self._session_send_window))

    def send_data(self, stream_id: int, data: bytes, fin: bool = False) -> None:
        """Queue DATA frames (callers keep to ``sendable`` when they care for the peer)."""
        stream = self.streams.get(stream_id)
        if stream is None or stream.local_closed:
            raise SpdyError(f"stream {stream_id} is closed")
        for start in range(0, len(data), MAX_DATA_LENGTH):
            chunk = data[start : start + MAX_DATA_LENGTH]
            last = start + MAX_DATA_LENGTH >= len(data)
            self._send(Data(stream_id, chunk, fin and last))
        if not data and fin:
            self._send(Data(stream_id, b"", True))
        stream.send_window -= len(data)
        self._session_send_window -= len(data)
        if fin:
            self._local_close(stream_id)

    def end_stream(self, stream_id: int) -> None:
        """Half-close: an empty DATA frame with FIN (nothing when already closed)."""
        stream = self.streams.get(stream_id)
        if stream is not None and not stream.local_closed:
            self.send_data(stream_id, b"", fin=True)

    def reset_stream(self, stream_id: int, status: int = CANCEL) -> None:
        if self.streams.pop(stream_id, None) is not None:
            self._send(RstStream(stream_id, status))

    def ping(self) -> int:
        ping_id = self._next_ping_id
        self._next_ping_id = ping_id + 2 if ping_id < 0x7FFFFFFE else ping_id - 0x7FFFFFFE
        self._send(Ping(ping_id))
        return ping_id

    def go_away(self, status: int = GOAWAY_OK) -> None:
        if not self.going_away:
            self.going_away = True
            self._send(GoAway(self._last_received_id, status))

    def acknowledge(self, stream_id: int, size: int) -> None:
        """The application consumed ``size`` received bytes: return them to the peer's windows."""
        self._session_unacknowledged += size
        if self._session_unacknowledged >= self._session_window // 2:
            self._send(WindowUpdate(0, self._session_unacknowledged))
            self._session_unacknowledged = 0
        stream = self.streams.get(stream_id)
        if stream is None or stream.remote_closed:
            return
        stream.unacknowledged += size
        if stream.unacknowledged >= self.window // 2:
            self._send(WindowUpdate(stream_id, stream.unacknowledged))
            stream.unacknowledged = 0

    def _local_close(self, stream_id: int) -> None:
        stream = self.streams.get(stream_id)
        if stream is not None:
            stream.local_closed = True
            if stream.remote_closed:
                del self.streams[stream_id]

    def _remote_close(self, stream_id: int) -> None:
        stream = self.streams.get(stream_id)
        if stream is not None:
            stream.remote_closed = True
            if stream.local_closed:
                del self.streams[stream_id]

    # ---- what the peer does

    def receive(self, data: bytes) -> list[Event]:
        """Take bytes from the peer; the events they carry (SpdyError when malformed)."""
        events: list[Event] = []
        for frame in self._decoder.feed(data):
            self._handle(frame, events)
        return events

    def _handle(self, frame: Frame, events: list[Event]) -> None:
        if isinstance(frame, Data):
            if frame.stream_id in self.streams:
                if frame.data:
                    events.append(DataReceived(frame.stream_id, frame.data))
                if frame.fin:
                    self._remote_close(frame.stream_id)
                    events.append(StreamEnded(frame.stream_id))
            elif frame.data:  # a stream already gone: its bytes still count for the session
                self.acknowledge(0, len(frame.data))
        elif isinstance(frame, SynStream):
            self._opened(frame, events)
        elif isinstance(frame, SynReply | HeadersFrame):
            if frame.stream_id in self.streams:
                if isinstance(frame, SynReply):
                    events.append(StreamReplied(frame.stream_id, frame.headers))
                if frame.fin:
                    self._remote_close(frame.stream_id)
                    events.append(StreamEnded(frame.stream_id))
        elif isinstance(frame, RstStream):
            if self.streams.pop(frame.stream_id, None) is not None:
                events.append(StreamReset(frame.stream_id, frame.status))
        elif isinstance(frame, Settings):
            self._settings(frame, events)
        elif isinstance(frame, Ping):
            if frame.ping_id % 2 == self._next_ping_id % 2:
                events.append(PingAnswered(frame.ping_id))
            else:
                self._send(frame)
        elif isinstance(frame, GoAway):
            self.going_away = True
            events.append(GoAwayReceived(frame.last_stream_id, frame.status))
        else:
            self.peer_flow_control = True
            if frame.stream_id == 0:
                self._session_send_window += frame.delta
            elif frame.stream_id in self.streams:
                self.streams[frame.stream_id].send_window += frame.delta
            events.append(WindowUpdated(frame.stream_id))

    def _opened(self, frame: SynStream, events: list[Event]) -> None:
        peer_parity = 0 if self.client else 1
        if (
            frame.stream_id % 2 != peer_parity
            or frame.stream_id <= self._last_received_id
            or self.going_away
        ):
            self._send(RstStream(frame.stream_id, PROTOCOL_ERROR))
            return
        self._last_received_id = frame.stream_id
        self.streams[frame.stream_id] = _Stream(
            self._peer_initial_window, local_closed=frame.unidirectional
        )
        events.append(StreamOpened(frame.stream_id, frame.headers))
        if frame.fin:
            self._remote_close(frame.stream_id)
            events.append(StreamEnded(frame.stream_id))

    def _settings(self, frame: Settings, events: list[Event]) -> None:
        for _flags, ident, value in frame.values:
            if ident == SETTINGS_INITIAL_WINDOW_SIZE:
                delta, self._peer_initial_window = value - self._peer_initial_window, value
                for stream in self.streams.values():
                    stream.send_window += delta
                self.peer_flow_control = True
                events.append(WindowUpdated(0))


# ------------------------------------------------------------------------ asyncio adapter


class AsyncStream:
    """One stream of an ``AsyncConnection``."""

    def __init__(self, connection: AsyncConnection, stream_id: int, headers: Headers) -> None:
        self.connection = connection
        self.id = stream_id
        self.headers = headers
        self._chunks: deque[bytes] = deque()
        self._readable = asyncio.Event()
        self._writable = asyncio.Event()
        self.ended = False  # the peer sent FIN, reset the stream or went away
        self.reset = False

    def _push(self, data: bytes) -> None:
        self._chunks.append(data)
        self._readable.set()

    def _end(self, reset: bool = False) -> None:
        self.ended = True
        self.reset = self.reset or reset
        self._readable.set()
        self._writable.set()

    async def read(self) -> bytes:
        """The next bytes from the peer; b"" once the stream ended."""
        while not self._chunks:
            if self.ended:
                return b""
            self._readable.clear()
            await self._readable.wait()
        data = self._chunks.popleft()
        self.connection._consumed(self.id, len(data))
        return data

    async def write(self, data: bytes) -> None:
        """Send ``data`` within the peer's windows; SpdyError when the stream is closed."""
        view = memoryview(data)
        while view:
            if self.reset or not self.connection.state.writable(self.id):
                raise SpdyError(f"stream {self.id} is closed")
            allowed = self.connection.state.sendable(self.id)
            if allowed == 0:
                self._writable.clear()
                await self._writable.wait()
                continue
            chunk, view = bytes(view[:allowed]), view[allowed:]
            self.connection.state.send_data(self.id, chunk)
            await self.connection.flush()

    async def end(self) -> None:
        """Half-close this end (FIN)."""
        self.connection.state.end_stream(self.id)
        await self.connection.flush()

    async def cancel(self) -> None:
        """Reset the stream (RST_STREAM CANCEL)."""
        self.connection.state.reset_stream(self.id)
        self._end(reset=True)
        await self.connection.flush()


class AsyncConnection:
    """A ``Connection`` on an asyncio loop. The owner feeds the peer's bytes to ``receive`` (a
    plain call, usable from a protocol's data_received) and gives ``send``, an awaitable that
    writes bytes out; ``on_stream`` runs as a task for each stream the peer opens. ``pause`` is
    called with True when more than HIGH_WATER bytes wait unread (stop reading the peer) and
    with False when they are read again."""

    HIGH_WATER = 4 * 1024 * 1024

    def __init__(
        self,
        send: Callable[[bytes], Awaitable[None]],
        on_stream: Callable[[AsyncStream], Awaitable[None]],
        client: bool = False,
        window: int = DEFAULT_WINDOW,
        pause: Callable[[bool], None] | None = None,
    ) -> None:
        self.state = Connection(client, window)
        self._send = send
        self._on_stream = on_stream
        self._pause = pause
        self._paused = False
        self._buffered = 0
        self.streams: dict[int, AsyncStream] = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self.closed = asyncio.Event()

    def start(self) -> None:
        """Announce the windows (see ``Connection.initiate``)."""
        self.state.initiate()
        self._spawn(self.flush())

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        async def run() -> None:
            await coroutine

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        """Write out every queued frame (in order: one writer at a time)."""
        async with self._lock:
            data = self.state.data_to_send()
            if data and not self.closed.is_set():
                await self._send(data)

    def receive(self, data: bytes) -> None:
        """Bytes from the peer (SpdyError when they are not SPDY)."""
        for event in self.state.receive(data):
            self._dispatch(event)
        if self.state.has_output:
            self._spawn(self.flush())

    def _dispatch(self, event: Event) -> None:
        if isinstance(event, StreamOpened):
            stream = AsyncStream(self, event.stream_id, event.headers)
            self.streams[event.stream_id] = stream
            self._spawn(self._on_stream(stream))
            return
        if isinstance(event, WindowUpdated):
            targets = (
                self.streams.values()
                if event.stream_id == 0
                else [self.streams.get(event.stream_id)]
            )
            for target in targets:
                if target is not None:
                    target._writable.set()
            return
        if isinstance(event, PingAnswered | GoAwayReceived):
            return
        found = self.streams.get(event.stream_id)
        if found is None:
            return
        if isinstance(event, DataReceived):
            found._push(event.data)
            self._buffered += len(event.data)
            if self._pause is not None and not self._paused and self._buffered > self.HIGH_WATER:
                self._paused = True
                self._pause(True)
        elif isinstance(event, StreamEnded):
            found._end()
        elif isinstance(event, StreamReset):
            found._end(reset=True)

    def _consumed(self, stream_id: int, size: int) -> None:
        self._buffered -= size
        if self._paused and self._pause is not None and self._buffered <= self.HIGH_WATER // 2:
            self._paused = False
            self._pause(False)
        self.state.acknowledge(stream_id, size)
        if self.state.has_output:
            self._spawn(self.flush())

    def forget(self, stream: AsyncStream) -> None:
        """The application is done with ``stream``."""
        self.streams.pop(stream.id, None)

    def lost(self) -> None:
        """The transport is gone: every stream ends."""
        self.closed.set()
        for stream in self.streams.values():
            stream._end(reset=True)

    async def close(self) -> None:
        """Reset what is still open, say GOAWAY, and stop."""
        for stream_id in list(self.state.streams):
            self.state.reset_stream(stream_id)
        self.state.go_away()
        with contextlib.suppress(Exception):
            await self.flush()
        self.lost()
        for task in list(self._tasks):
            task.cancel()


# ---------------------------------------------------------------------- threaded adapter


@dataclass
class _StreamBuffers:
    chunks: deque[bytes] = field(default_factory=deque)
    replied: bool = False
    ended: bool = False
    reset: bool = False


class ThreadedStream:
    """One stream of a ``ThreadedConnection``; its methods block."""

    def __init__(self, connection: ThreadedConnection, stream_id: int, headers: Headers) -> None:
        self.connection = connection
        self.id = stream_id
        self.headers = headers
        self._buffers = connection._buffers[stream_id]

    def read(self) -> bytes:
        """The next bytes from the peer; b"" once the stream ended or was reset."""
        connection = self.connection
        with connection._changed:
            while not self._buffers.chunks and not self._buffers.ended:
                connection._changed.wait()
            if not self._buffers.chunks:
                return b""
            data = self._buffers.chunks.popleft()
            connection.state.acknowledge(self.id, len(data))
        connection._wake()
        return data

    def write(self, data: bytes) -> None:
        """Send ``data`` within the peer's windows; SpdyError once the stream is closed."""
        connection, view = self.connection, memoryview(data)
        while view:
            with connection._changed:
                while True:
                    closed = self._buffers.reset or connection.closed.is_set()
                    if closed or not connection.state.writable(self.id):
                        raise SpdyError(f"stream {self.id} is closed")
                    allowed = connection.state.sendable(self.id)
                    if allowed and connection._backlog < connection.BACKLOG:
                        break
                    connection._changed.wait()
                allowed = min(allowed, 64 * 1024)
                chunk, view = bytes(view[:allowed]), view[allowed:]
                connection.state.send_data(self.id, chunk)
                connection._backlog += len(chunk)
            connection._wake()

    def end(self) -> None:
        """Half-close this end (FIN)."""
        with self.connection._changed:
            self.connection.state.end_stream(self.id)
        self.connection._wake()

    def cancel(self) -> None:
        """Reset the stream (RST_STREAM CANCEL); pending reads return b""."""
        with self.connection._changed:
            self.connection.state.reset_stream(self.id)
            self._buffers.ended = self._buffers.reset = True
            self.connection._changed.notify_all()
        self.connection._wake()

    def forget(self) -> None:
        """The application is done with this stream."""
        with self.connection._changed:
            self.connection._buffers.pop(self.id, None)


class ThreadedConnection:
    """The client end of a ``Connection`` over a connected socket (TLS or not).

    One I/O thread owns the socket (an ``ssl.SSLSocket`` must not be read and written from two
    threads at once): it reads, sends what the other threads queued, and wakes waiters. Other
    threads call ``open_stream`` and the streams' methods. ``closed`` is set once the
    connection is gone, whoever ended it.
    """

    BACKLOG = 1024 * 1024  # queued, unsent bytes beyond which writers wait
    REPLY_TIMEOUT = 30.0  # client-go's createStreamResponseTimeout

    def __init__(
        self, sock: socket.socket, leftover: bytes = b"", window: int = 1024 * 1024
    ) -> None:
        self.sock = sock
        self.state = Connection(client=True, window=window)
        self._leftover = leftover
        self._changed = threading.Condition()
        self._buffers: dict[int, _StreamBuffers] = {}
        self._backlog = 0
        self._closing = False
        self.closed = threading.Event()
        self._wake_read, self._wake_write = socket.socketpair()
        self._thread = threading.Thread(target=self._run, name="spdy-io", daemon=True)

    def start(self) -> None:
        with self._changed:
            self.state.initiate()
        self._thread.start()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_write.send(b"\0")

    def open_stream(self, headers: Headers) -> ThreadedStream:
        """Open a stream and wait for the peer's reply; SpdyError when it refuses, times out
        or the connection is gone."""
        with self._changed:
            if self.closed.is_set():
                raise SpdyError("connection closed")
            stream_id = self.state.open_stream(headers)
            buffers = self._buffers[stream_id] = _StreamBuffers()
        self._wake()
        with self._changed:
            answered = self._changed.wait_for(
                lambda: buffers.replied or buffers.reset or self.closed.is_set(),
                self.REPLY_TIMEOUT,
            )
            if not answered:
                raise SpdyError("Timeout occurred")
            if buffers.reset or not buffers.replied:
                raise SpdyError("Stream reset")
        return ThreadedStream(self, stream_id, headers)

    def close(self) -> None:
        """Reset every stream, say GOAWAY, and close the socket once that is sent."""
        with self._changed:
            if not self.closed.is_set() and not self._closing:
                for stream_id in list(self.state.streams):
                    self.state.reset_stream(stream_id)
                self.state.go_away()
                self._closing = True
        self._wake()
        if threading.current_thread() is not self._thread and self._thread.is_alive():
            self._thread.join(5)

    # ---- the I/O thread

    def _run(self) -> None:
        try:
            self.sock.setblocking(False)
            if self._leftover:
                self._received(self._leftover)
            self._loop()
        except (OSError, SpdyError):
            pass
        finally:
            self._finish()

    def _loop(self) -> None:
        # TLS retries a write with the very same bytes: the chunk in flight stays as it is.
        outgoing, in_flight = bytearray(), b""
        while True:
            with self._changed:
                outgoing += self.state.data_to_send()
                closing = self._closing
            if not in_flight and outgoing:
                in_flight = bytes(outgoing[: 256 * 1024])
                del outgoing[: len(in_flight)]
            if closing and not in_flight:
                return
            pending = isinstance(self.sock, ssl.SSLSocket) and self.sock.pending() > 0
            readable: Iterable[object] = [self.sock]
            if not pending:
                readable, writable, _ = select.select(
                    [self.sock, self._wake_read], [self.sock] if in_flight else [], []
                )
            else:
                writable = [self.sock] if in_flight else []
            if self._wake_read in readable:
                self._wake_read.recv(4096)
            if self.sock in readable and not self._read():
                return
            if self.sock in writable and in_flight:
                in_flight = in_flight[self._write(in_flight) :]
                with self._changed:
                    self._backlog = len(outgoing) + len(in_flight)
                    self._changed.notify_all()

    def _read(self) -> bool:
        """Read what is there; False at the end of the connection."""
        try:
            data = self.sock.recv(256 * 1024)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            return True
        if not data:
            return False
        self._received(data)
        return True

    def _write(self, data: bytes) -> int:
        try:
            return self.sock.send(data)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            return 0

    def _received(self, data: bytes) -> None:
        with self._changed:
            for event in self.state.receive(data):
                self._dispatch(event)
            self._changed.notify_all()

    def _dispatch(self, event: Event) -> None:
        if isinstance(event, StreamOpened):  # a client accepts no streams from the server
            self.state.reset_stream(event.stream_id, REFUSED_STREAM)
            return
        if isinstance(event, WindowUpdated | PingAnswered):
            return
        if isinstance(event, GoAwayReceived):
            self._closing = True
            return
        buffers = self._buffers.get(event.stream_id)
        if buffers is None:
            return
        if isinstance(event, StreamReplied):
            buffers.replied = True
        elif isinstance(event, DataReceived):
            buffers.chunks.append(event.data)
        elif isinstance(event, StreamEnded):
            buffers.ended = True
        else:
            buffers.ended = buffers.reset = True

    def _finish(self) -> None:
        with self._changed:
            self.closed.set()
            for buffers in self._buffers.values():
                buffers.ended = True
            self._changed.notify_all()
        for sock in (self.sock, self._wake_read, self._wake_write):
            with contextlib.suppress(OSError):
                sock.close()
