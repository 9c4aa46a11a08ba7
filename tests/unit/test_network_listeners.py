"""kube-proxy's sockets over real loopback connections: TCP is copied both ways with
half-close, a missing or refusing endpoint resets the client, UDP flows carry replies back and
end after their idle timeout; closing a listener leaves no socket behind (ResourceWarnings are
errors here)."""

from __future__ import annotations

import asyncio
import asyncio.base_events
from typing import Any

from backends.simulator.clock import FakeClock
from backends.simulator.network import listeners
from backends.simulator.network.balancer import Balancer
from backends.simulator.network.listeners import TcpListener, UdpListener
from backends.simulator.network.rules import Backend


async def echo_server() -> tuple[asyncio.AbstractServer, int]:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = await reader.read()  # until the client's EOF (half-close)
        writer.write(b"echo:" + data)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def bound_port(listener: TcpListener) -> int:
    server = listener._server
    assert isinstance(server, asyncio.base_events.Server)
    return int(server.sockets[0].getsockname()[1])


async def exchange(port: int, payload: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        writer.write_eof()
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
        await writer.wait_closed()


def test_tcp_is_forwarded_both_ways_with_half_close() -> None:
    async def scenario() -> list[bytes]:
        server, backend_port = await echo_server()
        balancer = Balancer(FakeClock())
        balancer.update([Backend("127.0.0.1", backend_port)], None)
        listener = TcpListener("127.0.0.1", 0, balancer)
        await listener.start()
        port = bound_port(listener)
        big = b"x" * 3_000_000  # more than the transports buffer: flow control engages
        try:
            return [await exchange(port, b"hello"), await exchange(port, big)]
        finally:
            await listener.close()
            server.close()
            await server.wait_closed()

    small, big = asyncio.run(scenario())
    assert small == b"echo:hello"
    assert big == b"echo:" + b"x" * 3_000_000


def test_no_endpoint_or_a_refusing_one_resets_the_client() -> None:
    async def attempt(balancer: Balancer) -> str:
        listener = TcpListener("127.0.0.1", 0, balancer)
        await listener.start()
        port = bound_port(listener)
        try:
            return repr(await exchange(port, b"hi"))
        except ConnectionResetError:
            return "reset"
        finally:
            await listener.close()

    async def scenario() -> list[str]:
        empty = Balancer(FakeClock())
        closed = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        dead_port = closed.sockets[0].getsockname()[1]
        closed.close()
        await closed.wait_closed()
        refusing = Balancer(FakeClock())
        refusing.update([Backend("127.0.0.1", dead_port)], None)
        return [await attempt(empty), await attempt(refusing)]

    assert asyncio.run(scenario()) == ["reset", "reset"]


def test_udp_flows_answer_from_the_service_address_and_expire() -> None:
    clock = FakeClock()

    class Echo(asyncio.DatagramProtocol):
        def connection_made(self, transport: Any) -> None:
            self.transport = transport

        def datagram_received(self, data: bytes, addr: Any) -> None:
            self.transport.sendto(b"echo:" + data, addr)

    class Client(asyncio.DatagramProtocol):
        def __init__(self) -> None:
            self.replies: asyncio.Queue[tuple[bytes, Any]] = asyncio.Queue()

        def datagram_received(self, data: bytes, addr: Any) -> None:
            self.replies.put_nowait((data, addr))

    async def scenario() -> tuple[list[bytes], Any, int, int]:
        loop = asyncio.get_running_loop()
        echo, _ = await loop.create_datagram_endpoint(Echo, local_addr=("127.0.0.1", 0))
        balancer = Balancer(clock)
        balancer.update([Backend("127.0.0.1", echo.get_extra_info("sockname")[1])], None)
        listener = UdpListener("127.0.0.1", 0, balancer, clock)
        await listener.start()
        assert listener.transport is not None
        service = listener.transport.get_extra_info("sockname")
        client_transport, client = await loop.create_datagram_endpoint(Client, remote_addr=service)
        try:
            replies = []
            for payload in (b"one", b"two"):
                client_transport.sendto(payload)
                data, source = await asyncio.wait_for(client.replies.get(), 5)
                replies.append(data)
            flows = len(listener.flows)
            clock.advance(listeners.UDP_IDLE_SECONDS + 1)
            listener.sweep()
            return replies, source, flows, len(listener.flows)
        finally:
            client_transport.close()
            await listener.close()
            echo.close()

    replies, source, flows, after = asyncio.run(scenario())
    assert replies == [b"echo:one", b"echo:two"]
    assert source[0] == "127.0.0.1" and flows == 1 and after == 0
