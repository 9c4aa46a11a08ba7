"""SPDY/3.1 framing and multiplexing (backends/objects/spdy.py): frames round-trip, header blocks
share one compression context per direction (with kubectl's own bytes as the reference), the
multiplexer's stream rules, flow control as spdystream peers and pykctl peers practise it, and
both I/O adapters moving megabytes through each other."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import zlib
from collections.abc import Iterator

import pytest

from backends.objects import spdy

# What kubectl 1.37.1 sent for one forwarded connection (direct SPDY): SYN_STREAM 1 (the error
# stream), its FIN, SYN_STREAM 3 (the data stream, compressed against the same context).
KUBECTL_SYN_ERROR = bytes.fromhex(
    "800300010000003e0000000100000000000078f9e3c6a7c202253a48f95b044eea160616060c0c0c9c4590f8"
    "ca04a5634603704a2c294a4dcc851636aca9a0a800000000ffff"
)
KUBECTL_FIN = bytes.fromhex("0000000101000000")
KUBECTL_SYN_DATA = bytes.fromhex(
    "800300010000001a00000003000000000000826a469502954389848d04000000ffff"
)
FRAMES: list[spdy.Frame] = [
    spdy.SynStream(1, {"streamtype": "error", "port": "80"}, fin=True, priority=3, slot=1),
    spdy.SynStream(3, {"a": "b\x00c"}, unidirectional=True, associated_id=1),
    spdy.SynReply(1, {}),
    spdy.SynReply(3, {"x": "y"}, fin=True),
    spdy.HeadersFrame(3, {"k": "v"}),
    spdy.Data(1, b"hello", fin=False),
    spdy.Data(1, b"", fin=True),
    spdy.RstStream(5, spdy.CANCEL),
    spdy.Settings(((0, spdy.SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20), (1, 4, 100))),
    spdy.Ping(7),
    spdy.GoAway(9, spdy.GOAWAY_PROTOCOL_ERROR),
    spdy.WindowUpdate(0, 12345),
]


def test_the_dictionary_is_spdy3s() -> None:
    assert len(spdy.DICTIONARY) == 1423
    assert zlib.adler32(spdy.DICTIONARY) == 0xE3C6A7C2  # the dictionary id in kubectl's blocks
    assert spdy.DICTIONARY.startswith(b"\x00\x00\x00\x07options\x00\x00\x00\x04head")
    assert b"\x00\x00\x00\x06200 OK" in spdy.DICTIONARY
    assert spdy.DICTIONARY.endswith(b",*,enq=0.")


def test_frames_round_trip_fed_a_byte_at_a_time() -> None:
    encoder, decoder = spdy.Encoder(), spdy.Decoder()
    wire = b"".join(encoder.encode(frame) for frame in FRAMES)
    decoded: list[spdy.Frame] = []
    for i in range(len(wire)):
        decoded += decoder.feed(wire[i : i + 1])
    assert decoded == FRAMES


def test_kubectls_frames_decode() -> None:
    decoder = spdy.Decoder()
    assert decoder.feed(KUBECTL_SYN_ERROR + KUBECTL_FIN + KUBECTL_SYN_DATA) == [
        spdy.SynStream(1, {"port": "8080", "requestid": "0", "streamtype": "error"}),
        spdy.Data(1, b"", fin=True),
        spdy.SynStream(3, {"streamtype": "data", "port": "8080", "requestid": "0"}),
    ]


def test_header_blocks_share_one_context_per_direction() -> None:
    encoder = spdy.Encoder()
    first = encoder.encode(spdy.SynReply(1, {"streamtype": "data"}))
    second = encoder.encode(spdy.SynReply(3, {"streamtype": "data"}))
    assert len(second) < len(first)  # the second block refers back to the first
    with pytest.raises(spdy.SpdyError):  # so it cannot be read without having read the first
        spdy.Decoder().feed(second)
    block = first[12:]
    raw = zlib.decompressobj(zdict=spdy.DICTIONARY).decompress(block)
    assert raw == b"\x00\x00\x00\x01\x00\x00\x00\x0astreamtype\x00\x00\x00\x04data"
    assert block.endswith(b"\x00\x00\xff\xff")  # each block ends with a sync flush


def test_unknown_control_frames_are_skipped_and_short_ones_refused() -> None:
    decoder = spdy.Decoder()
    noop = b"\x80\x03\x00\x05\x00\x00\x00\x00"
    assert decoder.feed(noop + spdy.Encoder().encode(spdy.Ping(1))) == [spdy.Ping(1)]
    with pytest.raises(spdy.SpdyError):
        spdy.Decoder().feed(b"\x80\x03\x00\x03\x00\x00\x00\x02\x00\x01")


def _pair(window: int = spdy.DEFAULT_WINDOW) -> tuple[spdy.Connection, spdy.Connection]:
    return spdy.Connection(client=True, window=window), spdy.Connection(client=False, window=window)


def _pass(source: spdy.Connection, target: spdy.Connection) -> list[spdy.Event]:
    return target.receive(source.data_to_send())


def test_streams_open_reply_half_close_and_go_away() -> None:
    client, server = _pair()
    assert (client.open_stream({"a": "1"}), client.open_stream({"a": "2"})) == (1, 3)
    assert _pass(client, server) == [
        spdy.StreamOpened(1, {"a": "1"}),
        spdy.StreamOpened(3, {"a": "2"}),
    ]
    server.reply(1)
    server.send_data(1, b"pong", fin=True)
    assert _pass(server, client) == [
        spdy.StreamReplied(1, {}),
        spdy.DataReceived(1, b"pong"),
        spdy.StreamEnded(1),
    ]
    client.end_stream(1)
    assert _pass(client, server) == [spdy.StreamEnded(1)]
    assert 1 not in client.streams and 1 not in server.streams  # closed both ways
    client.reset_stream(3)
    assert _pass(client, server) == [spdy.StreamReset(3, spdy.CANCEL)]
    server.go_away()
    assert _pass(server, client) == [spdy.GoAwayReceived(3, spdy.GOAWAY_OK)]
    with pytest.raises(spdy.SpdyError):
        client.open_stream({})


def test_a_peers_bad_stream_id_is_refused() -> None:
    client, server = _pair()
    client.open_stream({})
    _pass(client, server)
    forged = spdy.Encoder()
    forged.encode(spdy.SynStream(1, {}))  # keep the forger's context where the client's is
    assert server.receive(forged.encode(spdy.SynStream(1, {}))) == []  # not increasing
    assert spdy.Decoder().feed(server.data_to_send()) == [spdy.RstStream(1, spdy.PROTOCOL_ERROR)]


def test_pings_are_echoed_or_answered() -> None:
    client, server = _pair()
    ping = client.ping()
    assert ping == 1 and _pass(client, server) == []  # the server echoes it
    assert _pass(server, client) == [spdy.PingAnswered(1)]
    assert client.ping() == 3


def test_a_peer_without_flow_control_is_never_waited_for() -> None:
    client, server = _pair()
    client.open_stream({})
    _pass(client, server)
    server.reply(1)
    server.send_data(1, b"x" * (3 * spdy.DEFAULT_WINDOW))  # kubectl never sends WINDOW_UPDATE
    assert server.sendable(1) == spdy.UNLIMITED
    events = _pass(server, client)
    assert sum(len(e.data) for e in events if isinstance(e, spdy.DataReceived)) == 196608


def test_windows_are_kept_once_the_peer_announces_them() -> None:
    client, server = _pair(window=1000)
    client.initiate()
    stream_id = client.open_stream({})
    assert _pass(client, server) == [spdy.WindowUpdated(0), spdy.StreamOpened(1, {})]
    server.reply(stream_id)
    assert server.sendable(stream_id) == 1000
    server.send_data(stream_id, b"x" * 1000)
    assert server.sendable(stream_id) == 0
    _pass(server, client)
    client.acknowledge(stream_id, 400)
    assert client.data_to_send() == b""  # less than half the window: nothing yet
    client.acknowledge(stream_id, 200)
    assert _pass(client, server) == [spdy.WindowUpdated(stream_id)]
    assert server.sendable(stream_id) == 600
    client.acknowledge(stream_id, 400)
    assert _pass(client, server) == []
    server.send_data(stream_id, b"x" * 600)
    _pass(server, client)
    client.acknowledge(stream_id, 600)
    assert _pass(client, server) == [spdy.WindowUpdated(stream_id)]
    assert server.sendable(stream_id) == 1000


def test_a_larger_window_opens_the_session_too() -> None:
    client, server = _pair(window=1 << 20)
    client.initiate()
    stream_id = client.open_stream({})
    _pass(client, server)
    server.reply(stream_id)
    assert server.sendable(stream_id) == 1 << 20


# ---------------------------------------------------------------------------- the adapters


class _AsyncEcho:
    """An AsyncConnection server on an event loop in a thread, echoing every stream."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self.main())
        finally:
            loop.close()

    async def main(self) -> None:
        reader, writer = await asyncio.open_connection(sock=self.sock)

        async def send(data: bytes) -> None:
            writer.write(data)
            await writer.drain()

        async def echo(stream: spdy.AsyncStream) -> None:
            stream.connection.state.reply(stream.id)
            await stream.connection.flush()
            while data := await stream.read():
                await stream.write(data)
            await stream.end()

        connection = spdy.AsyncConnection(send, echo, window=256 * 1024)
        connection.start()
        while data := await reader.read(65536):
            connection.receive(data)
        connection.lost()
        writer.close()


@pytest.fixture
def echo_server() -> Iterator[socket.socket]:
    near, far = socket.socketpair()
    server = _AsyncEcho(far)
    server.thread.start()
    yield near
    near.close()
    server.thread.join(10)


def test_megabytes_go_both_ways_through_both_adapters(echo_server: socket.socket) -> None:
    connection = spdy.ThreadedConnection(echo_server, window=128 * 1024)
    connection.start()
    blobs = [os.urandom(3 * 1024 * 1024) for _ in range(2)]
    results: list[bytes] = [b"", b""]

    def one(index: int) -> None:
        stream = connection.open_stream({"n": str(index)})

        def send() -> None:
            stream.write(blobs[index])
            stream.end()

        writer = threading.Thread(target=send)
        writer.start()
        results[index] = b"".join(iter(stream.read, b""))
        writer.join()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == blobs
    assert connection.state.peer_flow_control  # the server's windows were respected
    connection.close()
    assert connection.closed.is_set()


def test_a_reset_stream_cannot_be_written_and_reads_end(echo_server: socket.socket) -> None:
    connection = spdy.ThreadedConnection(echo_server)
    connection.start()
    stream = connection.open_stream({})
    stream.cancel()
    assert stream.read() == b""
    with pytest.raises(spdy.SpdyError):
        stream.write(b"x")
    connection.close()
    with pytest.raises(spdy.SpdyError):
        connection.open_stream({})
