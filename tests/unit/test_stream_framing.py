"""The pieces under exec/attach/cp, without a server: RFC 6455 framing (masking, lengths,
fragments, ping/pong, close codes), the channel protocols on both sides (v4 vs v5, the error
channel's Status, resize messages), attach's detach keys and cp's path rules."""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Iterator
from typing import Any, cast

import pytest

from backends.simulator.streaming import channels
from pykctl.cli.commands import attach, cp
from pykctl.cli.errors import CommandError
from pykctl.streams import remotecommand, websocket
from pykctl.streams.websocket import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONTINUATION,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    FrameReader,
    WebSocket,
    WebSocketError,
    encode_frame,
)

KEY = b"\x01\x02\x03\x04"


def test_accept_value_is_rfc_6455s_example() -> None:
    assert websocket.accept_value("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_masking_is_an_involution() -> None:
    data = bytes(range(256)) * 3
    masked = websocket.mask(data, KEY)
    assert masked != data
    assert websocket.mask(masked, KEY) == data
    assert websocket.mask(b"", KEY) == b""


@pytest.mark.parametrize(
    ("size", "length_bytes"), [(0, 0), (125, 0), (126, 2), (65535, 2), (65536, 8)]
)
def test_frame_lengths(size: int, length_bytes: int) -> None:
    payload = b"x" * size
    frame = encode_frame(OP_BINARY, payload, key=KEY)
    assert frame[0] == 0x80 | OP_BINARY
    assert frame[1] & 0x80  # a client's frames are masked
    assert len(frame) == 2 + length_bytes + 4 + size
    read = FrameReader(_chunks(frame)).read()
    assert (read.fin, read.opcode, read.payload) == (True, OP_BINARY, payload)


def _chunks(data: bytes, size: int = 7) -> Any:
    """A recv() that hands ``data`` out a few bytes at a time, then b""."""
    parts: Iterator[bytes] = iter([data[i : i + size] for i in range(0, len(data), size)])
    return lambda _n: next(parts, b"")


@pytest.fixture
def pair() -> Iterator[tuple[WebSocket, socket.socket]]:
    ours, theirs = socket.socketpair()
    yield WebSocket(ours, protocol=remotecommand.V5), theirs
    ours.close()
    theirs.close()


def _read_client_frame(sock: socket.socket) -> tuple[int, bytes]:
    reader = FrameReader(sock.recv)
    frame = reader.read()
    return frame.opcode, frame.payload


def test_fragmented_messages_are_reassembled(pair: tuple[WebSocket, socket.socket]) -> None:
    ws, server = pair
    server.sendall(
        encode_frame(OP_BINARY, b"\x01hel", fin=False)
        + encode_frame(OP_PING, b"are you there")
        + encode_frame(OP_CONTINUATION, b"lo ", fin=False)
        + encode_frame(OP_CONTINUATION, b"world")
    )
    message = ws.receive()
    assert message is not None
    assert (message.opcode, message.data) == (OP_BINARY, b"\x01hello world")
    assert _read_client_frame(server) == (OP_PONG, b"are you there")


def test_sent_frames_are_masked(pair: tuple[WebSocket, socket.socket]) -> None:
    ws, server = pair
    ws.send_binary(b"\x00stdin data")
    raw = server.recv(100)
    assert raw[1] & 0x80
    assert b"stdin data" not in raw
    assert FrameReader(_chunks(raw)).read().payload == b"\x00stdin data"


def test_a_normal_close_ends_the_stream_and_is_answered(
    pair: tuple[WebSocket, socket.socket],
) -> None:
    ws, server = pair
    server.sendall(
        encode_frame(OP_TEXT, b"\x01out") + encode_frame(OP_CLOSE, struct.pack("!H", 1000))
    )
    message = ws.receive()
    assert message is not None and message.data == b"\x01out"
    assert ws.receive() is None
    assert ws.close_code == 1000
    assert _read_client_frame(server) == (OP_CLOSE, struct.pack("!H", 1000))


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        (struct.pack("!H", 1011) + b"boom", "websocket: close 1011 (internal server error): boom"),
        (b"", "websocket: close 1005 (no status)"),
        (struct.pack("!H", 4000), "websocket: close 4000"),
    ],
)
def test_other_closes_are_errors(
    pair: tuple[WebSocket, socket.socket], payload: bytes, text: str
) -> None:
    ws, server = pair
    server.sendall(encode_frame(OP_CLOSE, payload))
    with pytest.raises(WebSocketError) as raised:
        ws.receive()
    assert str(raised.value) == text


def test_a_connection_ending_without_close_is_abnormal(
    pair: tuple[WebSocket, socket.socket],
) -> None:
    ws, server = pair
    server.sendall(encode_frame(OP_BINARY, b"\x01partial")[:5])
    server.shutdown(socket.SHUT_WR)
    with pytest.raises(WebSocketError, match="close 1006 \\(abnormal closure\\): unexpected EOF"):
        ws.receive()


def test_oversized_control_frames_are_refused() -> None:
    frame = bytes([0x80 | OP_PING, 126]) + struct.pack("!H", 200) + b"x" * 200
    with pytest.raises(WebSocketError, match="control frame length > 125"):
        FrameReader(_chunks(frame)).read()


# --- the channel protocols -----------------------------------------------------------------


def test_the_error_channel_status() -> None:
    remotecommand.decode_status(b'{"metadata":{},"status":"Success"}')
    exit_status = json.dumps(channels.exit_status(3, ["sh", "-c", "exit 3"])).encode()
    with pytest.raises(remotecommand.ExitCodeError, match=r"^command terminated with exit code 3$"):
        remotecommand.decode_status(exit_status)
    failure = json.dumps(channels.internal_error('container not found ("c")')).encode()
    with pytest.raises(remotecommand.RemoteError, match=r"^Internal error occurred: container"):
        remotecommand.decode_status(failure)
    with pytest.raises(remotecommand.RemoteError, match=r"^error stream protocol error: "):
        remotecommand.decode_status(b"not json")


def test_the_kubelets_exit_status_text() -> None:
    assert channels.exit_status(3, ["sh", "-c", "exit 3"]) == {
        "metadata": {},
        "status": "Failure",
        "message": "command terminated with non-zero exit code: error executing command "
        "[sh -c exit 3], exit code 3",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": "3"}]},
    }


class _Socket:
    def __init__(self, protocol: str) -> None:
        self.ws_protocol = protocol


@pytest.mark.parametrize("protocol", [channels.V5, channels.V4])
def test_the_server_decodes_client_messages(protocol: str) -> None:
    socket_ = channels.ChannelSocket(cast(Any, _Socket(protocol)))
    assert socket_._decode(channels.STDIN, b"data") == [channels.Input("stdin", b"data")]
    closing = socket_._decode(channels.CLOSE, bytes([channels.STDIN]))
    # only v5 has the close signal; v4 ignores channel 255
    assert closing == ([channels.Input("close", channel=0)] if protocol == channels.V5 else [])
    assert socket_._decode(channels.RESIZE, b'{"Width":80,') == []
    assert socket_._decode(channels.RESIZE, b'"Height":24}{"Width":100,"Height":30}') == [
        channels.Input("resize", width=80, height=24),
        channels.Input("resize", width=100, height=30),
    ]


def test_kubectls_query_for_exec() -> None:
    assert remotecommand.stream_query("c", ["sh", "-c", "x"], True, True, True, False) == [
        ("command", "sh"),
        ("command", "-c"),
        ("command", "x"),
        ("container", "c"),
        ("stderr", "true"),
        ("stdin", "true"),
        ("stdout", "true"),
    ]


# --- attach's detach keys ------------------------------------------------------------------


def test_detach_keys() -> None:
    assert attach.detach_bytes("ctrl-p,ctrl-q") == b"\x10\x11"
    assert attach.detach_bytes("a,ctrl-@,DEL") == b"a\x00\x7f"
    with pytest.raises(CommandError, match="Unknown character: 'ctrl-1'"):
        attach.detach_bytes("ctrl-1")


def test_typing_the_detach_keys_ends_the_input() -> None:
    typed = iter([b"a", b"\x10", b"b", b"\x10", b"\x11", b"never"])
    reader = attach.DetachableReader(lambda _n: next(typed), b"\x10\x11")
    assert [reader(1), reader(1), reader(1)] == [b"a", b"\x10b", b""]


# --- cp's paths ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "clean", "directory", "base"),
    [
        ("", ".", ".", "."),
        ("a", "a", ".", "a"),
        ("/tmp/d/", "/tmp/d", "/tmp/d", "d"),
        ("/tmp/../tmp/d", "/tmp/d", "/tmp", "d"),
        ("//x//y", "/x/y", "/x", "y"),
        ("/", "/", "/", "/"),
    ],
)
def test_gos_path_rules(path: str, clean: str, directory: str, base: str) -> None:
    assert (cp.go_clean(path), cp.go_dir(path), cp.go_base(path)) == (clean, directory, base)


def test_file_specs() -> None:
    assert cp.file_spec("dir/") == cp.FileSpec("dir")
    assert cp.file_spec("pod:/tmp/x/") == cp.FileSpec("/tmp/x", "pod")
    assert cp.file_spec("ns/pod:x") == cp.FileSpec("x", "pod", "ns")
    for bad in (":x", "a/b/c:x"):
        with pytest.raises(CommandError, match="canonical format"):
            cp.file_spec(bad)


def test_path_shortcuts_and_relative_targets() -> None:
    assert cp.strip_path_shortcuts("../../etc/passwd") == "etc/passwd"
    assert cp.strip_path_shortcuts("..") == ""
    assert cp.is_relative("out", "out/a/b")
    assert not cp.is_relative("out", "elsewhere")
