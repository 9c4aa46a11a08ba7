"""Cluster DNS: the message codec (RFC 1035) and the answers built from the store's
Services and EndpointSlices, over real UDP and TCP sockets on loopback."""

from __future__ import annotations

import asyncio
import asyncio.base_events
import struct
from typing import Any

import pytest

from backends.simulator.network import dnsmsg
from backends.simulator.network.dns import ClusterDns, Resolver
from backends.simulator.store import Store

Obj = dict[str, Any]


def test_query_round_trip_and_compressed_names() -> None:
    wire = dnsmsg.query(0x1234, "Web.Default.svc.cluster.local.", dnsmsg.A)
    assert wire[:12] == bytes.fromhex("123401000001000000000000")
    message = dnsmsg.parse(wire)
    assert message.questions == [dnsmsg.Question("web.default.svc.cluster.local", dnsmsg.A)]
    reply = dnsmsg.response(
        message, dnsmsg.NOERROR, [dnsmsg.a("web.default.svc.cluster.local", "127.96.0.5", 5)]
    )
    # the same answer with its owner name compressed to a pointer at the question (offset 12)
    compressed = (
        dnsmsg.encode(dnsmsg.response(message, dnsmsg.NOERROR))[:4]
        + struct.pack("!HHHH", 1, 1, 0, 0)
        + dnsmsg.encode(message)[12:]
        + b"\xc0\x0c"
        + struct.pack("!HHIH", dnsmsg.A, 1, 5, 4)
        + bytes([127, 96, 0, 5])
    )
    for data in (dnsmsg.encode(reply), compressed):
        parsed = dnsmsg.parse(data)
        assert parsed.flags & dnsmsg.QR and parsed.rcode == dnsmsg.NOERROR
        assert [(r.name, r.rtype, r.ttl, r.value()) for r in parsed.answers] == [
            ("web.default.svc.cluster.local", dnsmsg.A, 5, "127.96.0.5")
        ]
    srv = dnsmsg.srv("_http._tcp.web", 0, 100, 80, "web.default.svc.cluster.local", 5)
    assert srv.value() == "0 100 80 web.default.svc.cluster.local"


ONE_QUESTION = struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0)


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01",  # no header
        ONE_QUESTION + b"\x05ab",  # a label past the end
        ONE_QUESTION + b"\xc0",  # half a pointer
        ONE_QUESTION + b"\x03web\x00\x00",  # no class
        ONE_QUESTION + b"\x80web\x00\x00\x01\x00\x01",  # reserved label type
    ],
)
def test_malformed_messages_are_format_errors(data: bytes) -> None:
    with pytest.raises(dnsmsg.FormatError):
        dnsmsg.parse(data)


def test_a_pointer_loop_is_a_format_error() -> None:
    with pytest.raises(dnsmsg.FormatError):
        dnsmsg.parse(ONE_QUESTION + b"\xc0\x0c\x00\x01\x00\x01")


def test_oversized_udp_answers_are_truncated() -> None:
    request = dnsmsg.parse(dnsmsg.query(1, "many.default.svc.cluster.local", dnsmsg.A))
    answers = [dnsmsg.a("many.default.svc.cluster.local", f"127.244.1.{i}", 5) for i in range(40)]
    reply = dnsmsg.response(request, dnsmsg.NOERROR, answers)
    truncated = dnsmsg.parse(dnsmsg.encode_udp(reply))
    assert truncated.flags & dnsmsg.TC and truncated.answers == []
    assert len(dnsmsg.parse(dnsmsg.encode(reply)).answers) == 40


def cluster() -> Store:
    store = Store()
    for namespace in ("default", "team"):
        store.create("/namespaces", {"metadata": {"name": namespace}})
    store.create(
        "/services",
        {
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "clusterIP": "127.96.0.5",
                "clusterIPs": ["127.96.0.5"],
                "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
            },
        },
    )
    store.create(
        "/services",
        {
            "metadata": {"name": "db", "namespace": "team"},
            "spec": {"clusterIP": "None", "ports": [{"name": "pg", "port": 5432}]},
        },
    )
    store.create(
        "/services",
        {
            "metadata": {"name": "search", "namespace": "team"},
            "spec": {"type": "ExternalName", "externalName": "search.example.com"},
        },
    )
    store.create(
        "discovery.k8s.io/endpointslices",
        {
            "metadata": {
                "name": "db-1",
                "namespace": "team",
                "labels": {"kubernetes.io/service-name": "db"},
            },
            "addressType": "IPv4",
            "endpoints": [
                {"addresses": ["127.244.1.7"], "hostname": "db-0", "conditions": {"ready": True}},
                {"addresses": ["127.244.1.8"], "conditions": {"ready": True}},
                {"addresses": ["127.244.1.9"], "conditions": {"ready": False}},
            ],
            "ports": [{"name": "pg", "port": 5432, "protocol": "TCP"}],
        },
    )
    return store


def values(found: Any) -> tuple[int, list[str], list[str]]:
    assert found is not None
    rcode, answers, extra = found
    return rcode, [r.value() for r in answers], [f"{r.name} {r.value()}" for r in extra]


def test_resolver_answers_services_pods_and_srv() -> None:
    resolver = Resolver(cluster())
    a, aaaa, srv = dnsmsg.A, dnsmsg.AAAA, dnsmsg.SRV
    for name in ("web", "web.default", "web.default.svc", "web.default.svc.cluster.local."):
        assert values(resolver.answer(name, a)) == (0, ["127.96.0.5"], [])
    assert values(resolver.answer("web.default.svc.cluster.local", aaaa)) == (0, [], [])
    assert values(resolver.answer("db.team.svc.cluster.local", a)) == (
        0, ["127.244.1.7", "127.244.1.8"], [],
    )  # fmt: skip
    assert values(resolver.answer("db-0.db.team.svc.cluster.local", a)) == (0, ["127.244.1.7"], [])
    assert values(resolver.answer("127-244-1-8.db.team.svc.cluster.local", a)) == (
        0, ["127.244.1.8"], [],
    )  # fmt: skip
    assert values(resolver.answer("_http._tcp.web.default.svc.cluster.local", srv)) == (
        0,
        ["0 100 80 web.default.svc.cluster.local"],
        ["web.default.svc.cluster.local 127.96.0.5"],
    )
    assert values(resolver.answer("_pg._tcp.db.team.svc.cluster.local", srv)) == (
        0,
        [
            "0 50 5432 db-0.db.team.svc.cluster.local",
            "0 50 5432 127-244-1-8.db.team.svc.cluster.local",
        ],
        [
            "db-0.db.team.svc.cluster.local 127.244.1.7",
            "127-244-1-8.db.team.svc.cluster.local 127.244.1.8",
        ],
    )
    assert values(resolver.answer("search.team.svc.cluster.local", a)) == (
        0, ["search.example.com"], [],
    )  # fmt: skip
    assert values(resolver.answer("127-244-1-2.team.pod.cluster.local", a)) == (
        0, ["127.244.1.2"], [],
    )  # fmt: skip
    assert values(resolver.answer("5.0.96.127.in-addr.arpa", dnsmsg.PTR)) == (
        0, ["web.default.svc.cluster.local"], [],
    )  # fmt: skip
    for missing in (
        "nope.default.svc.cluster.local",
        "web.team.svc.cluster.local",
        "x.cluster.local",
    ):
        assert values(resolver.answer(missing, a)) == (dnsmsg.NXDOMAIN, [], [])
    assert resolver.answer("example.com", a) is None  # not ours: forwarded
    assert resolver.answer("web.nowhere", a) is None


def test_server_answers_over_udp_and_tcp() -> None:
    async def scenario() -> tuple[dnsmsg.Message, dnsmsg.Message, dnsmsg.Message]:
        server = ClusterDns(cluster(), "127.0.0.1", 0, upstream=[])
        server.port = 0
        loop = asyncio.get_running_loop()
        await server.start()
        try:
            assert server._udp is not None
            assert isinstance(server._tcp, asyncio.base_events.Server)
            udp_port = server._udp.get_extra_info("sockname")[1]
            tcp_port = server._tcp.sockets[0].getsockname()[1]
            reply: asyncio.Future[bytes] = loop.create_future()

            class Client(asyncio.DatagramProtocol):
                def datagram_received(self, data: bytes, addr: Any) -> None:
                    reply.set_result(data)

            transport, _ = await loop.create_datagram_endpoint(
                Client, remote_addr=("127.0.0.1", udp_port)
            )
            transport.sendto(dnsmsg.query(9, "web", dnsmsg.A))
            udp = dnsmsg.parse(await asyncio.wait_for(reply, 5))
            transport.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", tcp_port)
            answers = []
            for name in ("db.team.svc.cluster.local", "elsewhere.example"):
                query = dnsmsg.query(10, name, dnsmsg.A)
                writer.write(struct.pack("!H", len(query)) + query)
                size = struct.unpack("!H", await reader.readexactly(2))[0]
                answers.append(dnsmsg.parse(await reader.readexactly(size)))
            writer.close()
            await writer.wait_closed()
            return udp, answers[0], answers[1]
        finally:
            await server.stop()

    udp, tcp, unknown = asyncio.run(scenario())
    assert (
        udp.id == 9 and udp.flags & dnsmsg.AA and [r.value() for r in udp.answers] == ["127.96.0.5"]
    )
    assert [r.value() for r in tcp.answers] == ["127.244.1.7", "127.244.1.8"]
    assert unknown.rcode == dnsmsg.NXDOMAIN  # no upstream to forward to
