"""pods/portforward: what kube-apiserver, the kubelet and containerd do together to forward a
client's connections to a pod's ports, for the three protocols clients speak.

* SPDY tunnelled in a WebSocket (kubectl's first choice): ``GET`` offering the subprotocol
  ``SPDY/3.1+portforward.k8s.io``; every binary message carries raw bytes of one SPDY session.
* SPDY on the upgraded connection (kubectl's fallback, and the only way with
  ``KUBECTL_PORT_FORWARD_WEBSOCKETS=false``): ``POST`` with ``Upgrade: SPDY/3.1`` and
  ``X-Stream-Protocol-Version: portforward.k8s.io``; after the 101 the connection is the session.
  aiohttp knows nothing of SPDY: the handler sends the 101 itself and takes the connection's
  incoming bytes over (``set_parser``, as aiohttp's own WebSocket upgrade does).
* WebSocket channels (the client libraries' ``portforward``): ``v4.channel.k8s.io`` (or its
  base64 twin, or no subprotocol) with ``?ports=80,443``. Port i has a data channel 2i and an
  error channel 2i+1; both start with a frame holding the port (uint16, little endian).

In a SPDY session every forwarded connection is a pair of streams with headers ``streamtype``
(``error``/``data``), ``port`` and ``requestid``; a stream with a missing or bad header is reset,
as the kubelet rejects it. When the pair is complete the pod's port is dialled (through
``NodeAgents.port_forward``) and bytes are copied both ways; when one direction ends the other
gets a second to finish, as containerd allows, then the error stream and the data stream are
closed, in that order. A failure is written on the error stream (or channel) in the kubelet's
words: ``error forwarding port 8080 to pod <sandbox>, uid : failed to execute portforward in
network namespace "...": <containerd's message>`` — the pod's uid stands for the sandbox id.

Errors before the upgrade are kube-apiserver's: 404 for a missing pod, 400 ``pod P does not have
a host assigned`` for an unscheduled one, 400 ``Upgrade request required`` without an upgrade.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from aiohttp import WSMsgType, web

from backends.objects import spdy
from backends.simulator.apiserver import paths, status
from backends.simulator.kubelet import NotRunning, PortForwardError

if TYPE_CHECKING:
    from backends.simulator.apiserver.app import SubresourceHandler
    from backends.simulator.kubelet import NodeAgents
    from backends.simulator.server import Simulator

log = logging.getLogger("pykctl.simulator.portforward")

Obj = dict[str, Any]
PROTOCOL = "portforward.k8s.io"
TUNNEL = "SPDY/3.1+" + PROTOCOL
V4_BINARY = "v4.channel.k8s.io"
V4_BASE64 = "v4.base64.channel.k8s.io"
KUBELET_PORT = 10250
GRACE_SECONDS = 1.0  # containerd's wait for the second direction once the first has ended
WINDOW = 1024 * 1024


def handlers(simulator: Simulator) -> dict[str, SubresourceHandler]:
    """The subresource handlers this module serves, for ``ServerContext.subresource_handlers``."""
    return {"portforward": functools.partial(serve, simulator)}


# ---------------------------------------------------------------- the request and its pod


def _offered_protocols(request: web.Request) -> list[str]:
    header = ",".join(request.headers.getall("Sec-WebSocket-Protocol", []))
    return [p.strip() for p in header.split(",") if p.strip()]


def _is_websocket(request: web.Request) -> bool:
    return "upgrade" in request.headers.get("Connection", "").lower() and (
        request.headers.get("Upgrade", "").lower() == "websocket"
    )


def _ports(request: web.Request) -> list[int]:
    """The ``ports`` query parameters (repeated or comma-separated), as the kubelet reads them."""
    values = request.query.getall("ports", [])
    if not values:
        raise status.bad_request('query parameter "port" is required')
    ports = []
    for value in values:
        if not value:
            raise status.bad_request('query parameter "port" cannot be empty')
        for part in value.split(","):
            if not part.isdigit() or int(part) > 65535:
                raise status.bad_request(
                    f'unable to parse "{value}" as a port: strconv.ParseUint: parsing '
                    f'"{part}": {"value out of range" if part.isdigit() else "invalid syntax"}'
                )
            if int(part) < 1:
                raise status.bad_request(f'port "{value}" must be > 0')
            ports.append(int(part))
    return ports


def _agents(simulator: Simulator, pod: Obj) -> NodeAgents:
    """The agents running the pod's node (kube-apiserver's failed dial of the kubelet when
    nothing runs it)."""
    node = str((pod.get("spec") or {}).get("nodeName") or "")
    agents = simulator.kubelets
    if agents is not None and node in agents.kubelets:
        return agents
    found = simulator.rest.store.get("/nodes", "", node) or {}
    address = next(
        (
            str(a.get("address"))
            for a in (found.get("status") or {}).get("addresses") or []
            if a.get("type") == "InternalIP"
        ),
        node,
    )
    raise status.internal(
        f"error dialing backend: dial tcp {address}:{KUBELET_PORT}: connect: connection refused"
    )


async def serve(
    simulator: Simulator, request: web.Request, target: paths.Target
) -> web.StreamResponse:
    """One pods/portforward request (see the module docstring)."""
    resource = target.resource
    if resource.group or resource.plural != "pods" or target.name is None:
        raise status.ApiStatus(
            404,
            "NotFound",
            "the server could not find the requested resource "
            f"({request.method.lower()} {resource.plural} portforward)",
        )
    if request.method not in ("GET", "POST"):
        raise status.method_not_supported(resource, request.method.lower())
    pod = simulator.rest.get(paths.Target(resource, target.namespace, target.name, None))
    if not (pod.get("spec") or {}).get("nodeName"):
        raise status.bad_request(f"pod {target.name} does not have a host assigned")
    if _is_websocket(request):
        agents = _agents(simulator, pod)
        if TUNNEL in _offered_protocols(request):
            return await _serve_tunnel(request, agents, pod)
        return await _serve_channels(request, agents, pod, _ports(request))
    if request.headers.get("Upgrade", "").lower() == "spdy/3.1":
        agents = _agents(simulator, pod)
        return await _serve_spdy(request, agents, pod)
    raise status.bad_request("Upgrade request required")


# ------------------------------------------------------------------- forwarding one port


class Pipe(Protocol):
    """One forwarded connection's client side: bytes in (b"" at the end) and out."""

    async def read(self) -> bytes: ...

    async def write(self, data: bytes) -> None: ...


def failure(pod: Obj, port: int, err: Exception) -> str:
    """The kubelet's error for a port that could not be forwarded."""
    sandbox = str((pod.get("metadata") or {}).get("uid") or "")
    detail = str(err)
    if isinstance(err, PortForwardError):
        namespace = f"/var/run/netns/cni-{sandbox}"
        detail = f'failed to execute portforward in network namespace "{namespace}": {detail}'
    return f"error forwarding port {port} to pod {sandbox}, uid : {detail}"


async def forward(agents: NodeAgents, pod: Obj, port: int, client: Pipe) -> str:
    """Copy between ``client`` and the pod's ``port`` until one side ends (plus the grace
    period); the kubelet's error message when the port cannot be reached, else ""."""
    try:
        reader, writer = await agents.port_forward(pod, port)
    except (NotRunning, PortForwardError) as err:
        message = failure(pod, port, err)
        log.info("%s", message)
        return message

    async def to_pod() -> None:
        while data := await client.read():
            writer.write(data)
            await writer.drain()

    async def to_client() -> None:
        while data := await reader.read(256 * 1024):
            await client.write(data)

    tasks = [asyncio.ensure_future(to_pod()), asyncio.ensure_future(to_client())]
    try:
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        if pending:
            await asyncio.wait(pending, timeout=GRACE_SECONDS)
    finally:
        writer.close()  # first: a cancellation of the awaits below must not leak the socket
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # copy errors end the copy only
    return ""


# ---------------------------------------------------------------------------- SPDY sessions


def _stream_problem(headers: spdy.Headers) -> str:
    """Why the kubelet would reject a stream with these headers ("" when it accepts it)."""
    port = headers.get("port", "")
    if not port:
        return '"port" header is required'
    if not port.isdigit() or int(port) > 65535:
        return f'unable to parse "{port}" as a port'
    if int(port) < 1:
        return f'port "{port}" must be > 0'
    kind = headers.get("streamtype", "")
    if not kind:
        return '"streamType" header is required'
    if kind not in ("error", "data"):
        return f'invalid stream type "{kind}"'
    return ""


class _Pair:
    def __init__(self) -> None:
        self.error: spdy.AsyncStream | None = None
        self.data: spdy.AsyncStream | None = None


class SpdyForwarder:
    """The kubelet's stream handling for one SPDY session: pairs streams by request id and
    forwards each complete pair."""

    def __init__(self, agents: NodeAgents, pod: Obj) -> None:
        self.agents = agents
        self.pod = pod
        self.pairs: dict[str, _Pair] = {}

    async def on_stream(self, stream: spdy.AsyncStream) -> None:
        connection = stream.connection
        problem = _stream_problem(stream.headers)
        if problem:
            log.info("Stream rejected: %s", problem)
            await stream.cancel()
            return
        connection.state.reply(stream.id)
        await connection.flush()
        kind = stream.headers["streamtype"]
        request_id = stream.headers.get("requestid") or str(
            stream.id if kind == "error" else stream.id - 2  # clients without request ids
        )
        pair = self.pairs.setdefault(request_id, _Pair())
        if getattr(pair, kind) is not None:
            message = (
                f"error processing stream for request {request_id}: {kind} stream already assigned"
            )
            log.info("%s", message)
            if pair.error is not None:
                with contextlib.suppress(spdy.SpdyError):
                    await pair.error.write(message.encode())
            return
        setattr(pair, kind, stream)
        if pair.error is None or pair.data is None:
            return
        try:
            message = await forward(self.agents, self.pod, int(stream.headers["port"]), pair.data)
            with contextlib.suppress(spdy.SpdyError):
                if message:
                    await pair.error.write(message.encode())
            await pair.error.end()
            await pair.data.end()
        finally:
            self.pairs.pop(request_id, None)
            connection.forget(pair.error)
            connection.forget(pair.data)


async def _serve_tunnel(request: web.Request, agents: NodeAgents, pod: Obj) -> web.StreamResponse:
    """SPDY carried in WebSocket binary messages."""
    ws = web.WebSocketResponse(protocols=(TUNNEL,), max_msg_size=0)
    await ws.prepare(request)
    readable = asyncio.Event()
    readable.set()

    def pause(paused: bool) -> None:
        (readable.clear if paused else readable.set)()

    forwarder = SpdyForwarder(agents, pod)
    connection = spdy.AsyncConnection(
        ws.send_bytes, forwarder.on_stream, window=WINDOW, pause=pause
    )
    connection.start()
    try:
        async for message in ws:
            if message.type == WSMsgType.BINARY:
                connection.receive(bytes(message.data))
                await readable.wait()
    except spdy.SpdyError as err:
        log.info("port-forward session ended: %s", err)
    finally:
        await connection.close()
        await ws.close()
    return ws


class _SessionFeed:
    """What aiohttp's request handler feeds the upgraded connection's bytes to."""

    def __init__(self, connection: spdy.AsyncConnection) -> None:
        self.connection = connection

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        try:
            self.connection.receive(bytes(data))
        except spdy.SpdyError as err:
            log.info("port-forward session ended: %s", err)
            self.connection.lost()
        return False, b""

    def feed_eof(self) -> None:
        self.connection.lost()


async def _serve_spdy(request: web.Request, agents: NodeAgents, pod: Obj) -> web.StreamResponse:
    """SPDY on the connection itself, after the kubelet's protocol handshake."""
    offered = [
        p.strip()
        for value in request.headers.getall("X-Stream-Protocol-Version", [])
        for p in value.split(",")
        if p.strip()
    ]
    if not offered:
        raise status.bad_request("unable to upgrade: X-Stream-Protocol-Version is required")
    if PROTOCOL not in offered:
        raise status.forbidden(
            "unable to upgrade: unable to negotiate protocol: client supports "
            f"[{' '.join(offered)}], server accepts [{PROTOCOL}]"
        )
    response = web.StreamResponse(
        status=101,
        headers={
            "Connection": "Upgrade",
            "Upgrade": "SPDY/3.1",
            "X-Stream-Protocol-Version": PROTOCOL,
        },
    )
    response.force_close()
    await response.prepare(request)
    transport = request.transport
    assert transport is not None

    def pause(paused: bool) -> None:
        with contextlib.suppress(RuntimeError):
            (transport.pause_reading if paused else transport.resume_reading)()

    forwarder = SpdyForwarder(agents, pod)
    connection = spdy.AsyncConnection(
        response.write, forwarder.on_stream, window=WINDOW, pause=pause
    )
    request.protocol.set_parser(cast(Any, _SessionFeed(connection)))
    connection.start()
    try:
        await connection.closed.wait()
    finally:
        await connection.close()
    return response


# ------------------------------------------------------------------------ WebSocket channels


class _Channel:
    """A port's data channel as a Pipe."""

    def __init__(self, send: Callable[[bytes], Awaitable[None]]) -> None:
        self._send = send
        self._chunks: deque[bytes] = deque()
        self._ready = asyncio.Event()
        self.ended = False

    def push(self, data: bytes) -> None:
        self._chunks.append(data)
        self._ready.set()

    def end(self) -> None:
        self.ended = True
        self._ready.set()

    async def read(self) -> bytes:
        while not self._chunks and not self.ended:
            self._ready.clear()
            await self._ready.wait()
        return self._chunks.popleft() if self._chunks else b""

    async def write(self, data: bytes) -> None:
        await self._send(data)


async def _serve_channels(
    request: web.Request, agents: NodeAgents, pod: Obj, ports: list[int]
) -> web.StreamResponse:
    """The kubelet's WebSocket port-forward: one connection per port, two channels each."""
    ws = web.WebSocketResponse(protocols=(V4_BINARY, V4_BASE64), max_msg_size=0)
    await ws.prepare(request)
    text = ws.ws_protocol == V4_BASE64

    async def send(channel: int, data: bytes) -> None:
        if ws.closed:
            return
        if text:
            await ws.send_str(chr(ord("0") + channel) + base64.b64encode(data).decode())
        else:
            await ws.send_bytes(bytes([channel]) + data)

    channels = [_Channel(functools.partial(send, 2 * i)) for i in range(len(ports))]
    for i, port in enumerate(ports):
        prefix = port.to_bytes(2, "little")
        await send(2 * i, prefix)
        await send(2 * i + 1, prefix)

    async def one(index: int) -> None:
        message = await forward(agents, pod, ports[index], channels[index])
        if message:
            await send(2 * index + 1, message.encode())

    async def all_ports() -> None:
        await asyncio.gather(*(one(i) for i in range(len(ports))))
        await ws.close()

    done = asyncio.ensure_future(all_ports())
    try:
        async for message in ws:
            if message.type == WSMsgType.BINARY:
                data = bytes(message.data)
            elif message.type == WSMsgType.TEXT and text and message.data:
                data = bytes([ord(message.data[0]) - ord("0")]) + base64.b64decode(message.data[1:])
            else:
                continue
            if data and data[0] % 2 == 0 and data[0] // 2 < len(channels) and data[1:]:
                channels[data[0] // 2].push(data[1:])
    finally:
        for channel in channels:
            channel.end()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(done), GRACE_SECONDS + 1)
        done.cancel()
        await asyncio.gather(done, return_exceptions=True)
        await ws.close()
    return ws
