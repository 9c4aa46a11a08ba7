"""The channel.k8s.io remote-command protocols, server side, over an aiohttp WebSocket.

What the kubelet and kube-apiserver speak to ``kubectl exec``/``attach`` and to the client
libraries: every binary (or text) message carries one channel byte then data — 0 stdin (client
to server), 1 stdout, 2 stderr, 3 the error channel (one JSON Status, sent once, at the end), 4
resize (``{"Width":W,"Height":H}`` JSON, client to server). ``v5.channel.k8s.io`` adds channel
255, a close signal whose one byte names the channel the client closed (``[255, 0]``: end of
stdin); ``v4.channel.k8s.io`` is v5 without it. The server picks the first protocol the client
offers that it supports; after the Status it closes the connection with code 1000, which is
how clients learn that stdout and stderr ended.

Invariants: nothing is sent after the Status; pings are answered (aiohttp's autoping), as
kubectl pings every 5 s and gives up after a minute without a pong.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

V5 = "v5.channel.k8s.io"
V4 = "v4.channel.k8s.io"
PROTOCOLS = (V5, V4)

STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255

SUCCESS: dict[str, Any] = {"metadata": {}, "status": "Success"}


def offered(request: web.Request) -> list[str]:
    """The subprotocols the client offers, in its order."""
    header = ",".join(request.headers.getall("Sec-WebSocket-Protocol", []))
    return [p.strip() for p in header.split(",") if p.strip()]


def exit_status(code: int, command: list[str]) -> dict[str, Any]:
    """The Status of a command that exited with ``code`` != 0, as the kubelet writes it (the
    message is containerd's ``error executing command [argv], exit code N``)."""
    return {
        "metadata": {},
        "status": "Failure",
        "message": (
            "command terminated with non-zero exit code: "
            f"error executing command [{' '.join(command)}], exit code {code}"
        ),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
    }


def internal_error(message: str) -> dict[str, Any]:
    """apimachinery's NewInternalError as the error channel carries it (no kind/apiVersion)."""
    return {
        "metadata": {},
        "status": "Failure",
        "message": f"Internal error occurred: {message}",
        "reason": "InternalError",
        "details": {"causes": [{"message": message}]},
        "code": 500,
    }


@dataclass(frozen=True)
class Input:
    """Something the client sent: ``stdin`` data, ``close`` of a channel, or a ``resize``."""

    kind: str
    data: bytes = b""
    channel: int = 0
    width: int = 0
    height: int = 0


class ChannelSocket:
    """One upgraded remote-command connection."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.protocol = ws.ws_protocol or ""
        self._resize = b""
        self._finished = False

    async def send(self, channel: int, data: bytes) -> None:
        """``data`` on ``channel`` (dropped once the client is gone or the Status was sent)."""
        if data and not self._finished and not self.ws.closed:
            with contextlib.suppress(ConnectionError):
                await self.ws.send_bytes(bytes([channel]) + data)

    async def finish(self, status: dict[str, Any]) -> None:
        """Send the final Status on the error channel, then close normally."""
        if self._finished:
            return
        self._finished = True
        if not self.ws.closed:
            payload = json.dumps(status, separators=(",", ":")).encode()
            try:
                await self.ws.send_bytes(bytes([ERROR]) + payload)
            except ConnectionError:
                return
        await self.ws.close(code=1000)

    async def inputs(self) -> AsyncIterator[Input]:
        """What the client sends, until it closes the connection."""
        async for message in self.ws:
            if message.type == WSMsgType.BINARY:
                data = bytes(message.data)
            elif message.type == WSMsgType.TEXT:
                data = str(message.data).encode()
            else:  # CLOSE / ERROR end the iteration in aiohttp; nothing else carries data
                continue
            if not data:
                continue
            for item in self._decode(data[0], data[1:]):
                yield item

    def _decode(self, channel: int, data: bytes) -> list[Input]:
        if channel == STDIN:
            return [Input("stdin", data)] if data else []
        if channel == CLOSE and self.protocol == V5:
            return [Input("close", channel=data[0])] if data else []
        if channel == RESIZE:
            return self._sizes(data)
        return []

    def _sizes(self, data: bytes) -> list[Input]:
        """Terminal sizes: a stream of JSON objects, which may be split across messages."""
        self._resize += data
        decoder = json.JSONDecoder()
        sizes = []
        text = self._resize.decode("utf-8", "replace")
        position = 0
        while True:
            while position < len(text) and text[position].isspace():
                position += 1
            if position >= len(text):
                break
            try:
                value, position = decoder.raw_decode(text, position)
            except ValueError:
                break
            if isinstance(value, dict):
                width, height = value.get("Width"), value.get("Height")
                if isinstance(width, int) and isinstance(height, int):
                    sizes.append(Input("resize", width=width, height=height))
        self._resize = text[position:].encode()
        return sizes
