"""The sockets of kube-proxy in userspace: one listener per (address, port, protocol) that
forwards to the endpoint its :class:`~.balancer.Balancer` picks.

* TCP (:class:`TcpListener`): every accepted connection is paired with a new connection to the
  chosen endpoint and bytes are copied both ways with flow control (a side whose peer cannot
  keep up stops being read) and half-close (EOF is passed on). When there is no ready endpoint,
  or the endpoint refuses, the client's connection is reset, as kube-proxy's REJECT rule
  answers; the proxy closes the listener altogether while a service port has no endpoint, so
  new connections are refused by the kernel.
* UDP (:class:`UdpListener`): datagrams from one client address form a *flow* bound to one
  endpoint through a socket of its own; the endpoint's replies go back to the client from the
  service address. A flow idle for ``UDP_IDLE_SECONDS`` on the injected clock is dropped
  (conntrack's UDP timeout), checked every ``UDP_SWEEP_SECONDS``.

Invariant: ``close()`` closes the listening socket and every connection or flow socket it
opened; nothing it created outlives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Any, cast

from backends.simulator.clock import Clock
from backends.simulator.network.balancer import Balancer

CONNECT_TIMEOUT_SECONDS = 5.0
UDP_IDLE_SECONDS = 30.0
UDP_SWEEP_SECONDS = 5.0
_LINGER_RESET = struct.pack("ii", 1, 0)


def _reset(transport: asyncio.BaseTransport) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a REJECT --reject-with tcp-reset does."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
    transport.abort()  # type: ignore[attr-defined]


class _Side(asyncio.Protocol):
    """One end of a proxied TCP connection; ``peer`` is the other end."""

    def __init__(self, owner: TcpListener) -> None:
        self.owner = owner
        self.transport: asyncio.Transport | None = None
        self.peer: _Side | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.owner.transports.add(transport)

    def data_received(self, data: bytes) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.write(data)

    def eof_received(self) -> bool:
        peer = self.peer.transport if self.peer is not None else None
        if peer is not None and not peer.is_closing() and peer.can_write_eof():
            peer.write_eof()
        return True  # keep the other direction open (half-close)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.owner.transports.discard(self.transport)
        peer = self.peer.transport if self.peer is not None else None
        if peer is not None and not peer.is_closing():
            if exc is not None:
                peer.abort()
            else:
                peer.close()

    def pause_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.resume_reading()


class _Client(_Side):
    """The accepted side: pairs itself with a connection to an endpoint."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        assert self.transport is not None
        peer = self.transport.get_extra_info("peername")
        backend = self.owner.balancer.pick(str(peer[0]) if peer else "")
        if backend is None:
            _reset(self.transport)
            return
        self.transport.pause_reading()
        task = asyncio.get_running_loop().create_task(self._connect(backend.ip, backend.port))
        self.owner.tasks.add(task)
        task.add_done_callback(self.owner.tasks.discard)

    async def _connect(self, host: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        upstream = _Side(self.owner)
        upstream.peer = self
        try:
            await asyncio.wait_for(
                loop.create_connection(lambda: upstream, host, port), CONNECT_TIMEOUT_SECONDS
            )
        except (OSError, asyncio.TimeoutError):
            if self.transport is not None and not self.transport.is_closing():
                _reset(self.transport)
            return
        assert upstream.transport is not None
        if self.transport is None or self.transport.is_closing():
            upstream.transport.close()
            return
        self.peer = upstream
        self.transport.resume_reading()


class TcpListener:
    """A TCP frontend of one service port (see the module docstring)."""

    def __init__(self, host: str, port: int, balancer: Balancer) -> None:
        self.host = host
        self.port = port
        self.balancer = balancer
        self.transports: set[asyncio.Transport] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        """Bind and listen (OSError when the address cannot be bound)."""
        self._server = await asyncio.get_running_loop().create_server(
            lambda: _Client(self), self.host, self.port, reuse_address=True, backlog=1024
        )

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        for transport in list(self.transports):
            transport.abort()
        self.transports.clear()


class _Flow(asyncio.DatagramProtocol):
    """One UDP client's socket towards its endpoint; replies go back through the listener."""

    def __init__(self, owner: UdpListener, client: tuple[str, int]) -> None:
        self.owner = owner
        self.client = client
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: list[bytes] = []
        self.last_seen = owner.clock.monotonic()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # not a subclass at runtime
        for data in self.pending:
            self.transport.sendto(data)
        self.pending.clear()

    def send(self, data: bytes) -> None:
        self.last_seen = self.owner.clock.monotonic()
        if self.transport is None:
            self.pending.append(data)
        else:
            self.transport.sendto(data)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.last_seen = self.owner.clock.monotonic()
        front = self.owner.transport
        if front is not None:
            front.sendto(data, self.client)

    def error_received(self, exc: Exception) -> None:
        """An ICMP error from the endpoint (nothing listens): the flow ends."""
        self.owner.drop(self.client)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class UdpListener(asyncio.DatagramProtocol):
    """A UDP frontend of one service port (see the module docstring)."""

    def __init__(self, host: str, port: int, balancer: Balancer, clock: Clock) -> None:
        self.host = host
        self.port = port
        self.balancer = balancer
        self.clock = clock
        self.transport: asyncio.DatagramTransport | None = None
        self.flows: dict[tuple[str, int], _Flow] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self._sweeper: asyncio.TimerHandle | None = None

    async def start(self) -> None:
        """Bind (OSError when the address cannot be bound)."""
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: self, local_addr=(self.host, self.port))
        self._sweeper = loop.call_later(UDP_SWEEP_SECONDS, self._sweep_later)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # not a subclass at runtime

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        client = (str(addr[0]), int(addr[1]))
        flow = self.flows.get(client)
        if flow is None:
            backend = self.balancer.pick(client[0])
            if backend is None:
                return
            flow = _Flow(self, client)
            self.flows[client] = flow
            task = asyncio.get_running_loop().create_task(
                self._open(flow, backend.ip, backend.port)
            )
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        flow.send(data)

    async def _open(self, flow: _Flow, host: str, port: int) -> None:
        try:
            await asyncio.get_running_loop().create_datagram_endpoint(
                lambda: flow, remote_addr=(host, port)
            )
        except OSError:
            self.drop(flow.client)

    def drop(self, client: tuple[str, int]) -> None:
        flow = self.flows.pop(client, None)
        if flow is not None:
            flow.close()

    def sweep(self) -> None:
        """Drop the flows idle for longer than ``UDP_IDLE_SECONDS``."""
        now = self.clock.monotonic()
        for client, flow in list(self.flows.items()):
            if now - flow.last_seen > UDP_IDLE_SECONDS:
                self.drop(client)

    def _sweep_later(self) -> None:
        self.sweep()
        self._sweeper = asyncio.get_running_loop().call_later(UDP_SWEEP_SECONDS, self._sweep_later)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        for client in list(self.flows):
            self.drop(client)
        if self.transport is not None:
            self.transport.close()
            self.transport = None
