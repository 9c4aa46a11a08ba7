"""The remote-command client of exec, attach and cp: client-go's WebSocket executor.

``run(info, path, query, streams)`` upgrades ``GET path?query`` to a WebSocket offering
``v5.channel.k8s.io`` (as kubectl does; a ``v4.channel.k8s.io`` answer works too), then copies
stdin to channel 0 in chunks of up to 32 KiB — on v5 its end is the close signal ``[255, 0]`` —
writes channels 1 and 2 to stdout and stderr (stderr is never expected with a tty), sends each
terminal size as ``{"Width":W,"Height":H}`` on channel 4, and pings every 5 seconds. When the
server closes, the Status gathered on channel 3 decides the outcome, as client-go's
``errorDecoderV4``: Success returns; ``NonZeroExitCode`` raises ``ExitCodeError`` (``command
terminated with exit code N``); any other Failure raises ``RemoteError`` with its message.

Before the upgrade, an answer other than 101 is what kubectl reports after its SPDY fallback
gets the same answer: the server's Status as an ``ApiError``, else ``unable to upgrade
connection: <body>``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from backends.base import ClusterInfo, HttpResponse
from backends.errors import from_response
from backends.upgrade import upgrade
from pykctl.streams import websocket
from pykctl.streams.stdio import Reader, Writer

V5 = "v5.channel.k8s.io"
V4 = "v4.channel.k8s.io"
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
STDIN_CHUNK = 32 * 1024
PING_SECONDS = 5.0


class RemoteError(Exception):
    """The session failed; ``str()`` is the text kubectl prints after ``error: ``."""


class ExitCodeError(Exception):
    """The remote command exited with a non-zero code."""

    def __init__(self, code: int) -> None:
        super().__init__(f"command terminated with exit code {code}")
        self.code = code


@dataclass
class Streams:
    """What to connect: ``stdin`` reads up to n bytes (b"" at the end); ``sizes`` yields the
    terminal's sizes (width, height) until it ends."""

    stdin: Reader | None = None
    stdout: Writer | None = None
    stderr: Writer | None = None
    tty: bool = False
    sizes: Iterator[tuple[int, int]] | None = None


def stream_query(
    container: str,
    command: list[str],
    stdin: bool,
    stdout: bool,
    stderr: bool,
    tty: bool,
) -> list[tuple[str, str]]:
    """The PodExecOptions/PodAttachOptions query as kubectl encodes it (true values only)."""
    query = [("command", c) for c in command]
    if container:
        query.append(("container", container))
    for name, value in (("stderr", stderr), ("stdin", stdin), ("stdout", stdout), ("tty", tty)):
        if value:
            query.append((name, "true"))
    return query


def decode_status(message: bytes) -> None:
    """client-go's errorDecoderV4 (see the module docstring)."""
    try:
        status = json.loads(message)
    except ValueError as err:
        raise RemoteError(
            f"error stream protocol error: {err} in {json.dumps(message.decode('utf-8', 'replace'))}"
        ) from None
    if not isinstance(status, dict):
        raise RemoteError("error stream protocol error: unknown error")
    outcome = status.get("status")
    if outcome == "Success":
        return
    if outcome != "Failure":
        raise RemoteError("error stream protocol error: unknown error")
    if status.get("reason") == "NonZeroExitCode":
        details = status.get("details")
        if not isinstance(details, dict):
            raise RemoteError("error stream protocol error: details must be set")
        for cause in details.get("causes") or []:
            if cause.get("reason") != "ExitCode":
                continue
            text = str(cause.get("message", ""))
            if not text.isdigit() or int(text) > 255:
                raise RemoteError(
                    f"error stream protocol error: invalid exit code value {json.dumps(text)}"
                )
            raise ExitCodeError(int(text))
        raise RemoteError("error stream protocol error: no ExitCode cause given")
    raise RemoteError(str(status.get("message", "")))


def connect(info: ClusterInfo, path: str, query: list[tuple[str, str]]) -> websocket.WebSocket:
    """The upgraded connection; errors as described in the module docstring."""
    key = websocket.new_key()
    answer = upgrade(info, "GET", path, query, websocket.handshake_headers(key, [V5]))
    if answer.status != 101 or answer.sock is None:
        response = HttpResponse(answer.status, answer.headers, answer.body)
        try:
            body = json.loads(answer.body)
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("kind") == "Status":
            raise from_response(response)
        text = answer.body.decode("utf-8", "replace").strip()
        raise RemoteError(f"unable to upgrade connection: {text}")
    protocol = answer.headers.get("sec-websocket-protocol", "")
    if answer.headers.get("sec-websocket-accept") != websocket.accept_value(
        key
    ) or protocol not in (
        V5,
        V4,
    ):
        answer.close()
        raise RemoteError(f"unable to upgrade connection: unexpected protocol {protocol!r}")
    return websocket.WebSocket(answer.sock, answer.leftover, protocol)


class _Session:
    """One connected session: the copying threads and the demultiplexing loop."""

    def __init__(self, ws: websocket.WebSocket, streams: Streams) -> None:
        self.ws = ws
        self.streams = streams
        self.done = threading.Event()

    def _background(self, target: Callable[[], None]) -> None:
        threading.Thread(target=target, daemon=True).start()

    def _copy_stdin(self) -> None:
        read = self.streams.stdin
        assert read is not None
        try:
            while not self.done.is_set():
                data = read(STDIN_CHUNK)
                if not data:
                    break
                self.ws.send_binary(bytes([STDIN]) + data)
            if self.ws.protocol == V5 and not self.done.is_set():
                self.ws.send_binary(bytes([CLOSE, STDIN]))
        except (OSError, ValueError, websocket.WebSocketError):
            pass

    def _send_sizes(self) -> None:
        sizes = self.streams.sizes
        assert sizes is not None
        try:
            for width, height in sizes:
                if self.done.is_set():
                    return
                size = json.dumps({"Width": width, "Height": height}, separators=(",", ":"))
                self.ws.send_binary(bytes([RESIZE]) + size.encode() + b"\n")
        except (OSError, websocket.WebSocketError):
            pass

    def _heartbeat(self) -> None:
        try:
            while not self.done.wait(PING_SECONDS):
                self.ws.ping()
        except (OSError, websocket.WebSocketError):
            pass

    def run(self) -> bytes:
        """Copy until the server closes; the error channel's bytes."""
        streams = self.streams
        if streams.stdin is not None:
            self._background(self._copy_stdin)
        if streams.tty and streams.sizes is not None:
            self._background(self._send_sizes)
        self._background(self._heartbeat)
        error = bytearray()
        try:
            while True:
                message = self.ws.receive()
                if message is None:
                    return bytes(error)
                if not message.data:
                    continue
                channel, data = message.data[0], message.data[1:]
                if channel == STDOUT and streams.stdout is not None:
                    streams.stdout(data)
                elif channel == STDERR and streams.stderr is not None and not streams.tty:
                    streams.stderr(data)
                elif channel == ERROR:
                    error += data
        except websocket.WebSocketError as err:
            raise RemoteError(f"error reading from error stream: next reader: {err}") from None
        finally:
            self.done.set()
            self.ws.sock.close()


def run(info: ClusterInfo, path: str, query: list[tuple[str, str]], streams: Streams) -> None:
    """Run one remote-command session (see the module docstring)."""
    ws = connect(info, path, query)
    message = _Session(ws, streams).run()
    if message:
        decode_status(message)
