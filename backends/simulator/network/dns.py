"""Cluster DNS (the kubernetes plugin of CoreDNS, in small): names of Services and Pods.

:class:`ClusterDns` answers over UDP and TCP on ``address:port`` (``port`` 53 so that the C
resolver can use it; binding it needs privilege), authoritative for ``cluster.local``:

* ``SVC.NS.svc.cluster.local``: A → the cluster IP; for a headless service one A per ready
  endpoint (every endpoint with ``publishNotReadyAddresses``); for an ExternalName a CNAME;
* ``HOST.SVC.NS.svc.cluster.local``: a headless service's endpoint by ``hostname`` (or its
  dashed IP);
* ``_PORT._PROTO.SVC.NS.svc.cluster.local``: SRV per named port (target the service name, or
  each endpoint's name for a headless service), with the A records as additional records;
* ``A-B-C-D.NS.pod.cluster.local``: A → A.B.C.D; ``D.C.B.A.in-addr.arpa``: PTR for cluster IPs;
* the short forms ``SVC``, ``SVC.NS``, ``SVC.NS.svc`` (default namespace when none is given) for
  clients without the pods' search path (``dig @ADDRESS web``);
* any other name is forwarded to the host's nameservers (CoreDNS's ``forward . /etc/resolv.conf``);
  an unknown name under ``cluster.local`` is NXDOMAIN; a known name without records of the
  asked type is an empty NOERROR. Records have a TTL of 5 seconds.

Endpoints come from the EndpointSlices labelled ``kubernetes.io/service-name``. Pods use it
through ``resolv_conf``, the kubelet's ``/etc/resolv.conf`` for a pod's ``dnsPolicy``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import struct
from typing import Any, cast

from backends.simulator.network import dnsmsg
from backends.simulator.network.dnsmsg import Message, Record
from backends.simulator.network.rules import SERVICE_NAME_LABEL
from backends.simulator.store import Store

log = logging.getLogger("pykctl.simulator.dns")
Obj = dict[str, Any]
DOMAIN = "cluster.local"
TTL = 5
UPSTREAM_TIMEOUT_SECONDS = 2.0
SLICES = "discovery.k8s.io/endpointslices"
Answer = tuple[int, list[Record], list[Record]]  # rcode, answers, additional


def host_nameservers(own: str, path: str = "/etc/resolv.conf") -> list[str]:
    """The host's nameservers (never ``own``), where names outside the cluster go."""
    found: list[str] = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "nameserver" and parts[1] != own:
                    found.append(parts[1])
    except OSError:
        pass
    return found


def host_search(path: str = "/etc/resolv.conf") -> list[str]:
    """The host's search domains (the kubelet appends them to a pod's)."""
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if parts and parts[0] in ("search", "domain"):
                    return parts[1:]
    except OSError:
        pass
    return []


def resolv_conf(pod: Obj, nameserver: str, host_domains: list[str] | None = None) -> str | None:
    """The ``/etc/resolv.conf`` the kubelet gives ``pod``; None for the host's own file
    (``dnsPolicy: Default``, or ``ClusterFirst`` with hostNetwork)."""
    spec = pod.get("spec") or {}
    namespace = str((pod.get("metadata") or {}).get("namespace") or "default")
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    config = spec.get("dnsConfig") or {}
    cluster = policy == "ClusterFirstWithHostNet" or (
        policy == "ClusterFirst" and not spec.get("hostNetwork")
    )
    options: dict[str, str | None] = {}
    if cluster:
        servers = [nameserver]
        search = [f"{namespace}.svc.{DOMAIN}", f"svc.{DOMAIN}", DOMAIN, *(host_domains or [])]
        options["ndots"] = "5"
    elif policy == "None":
        servers, search = [], []
    elif not config:
        return None
    else:
        servers, search = host_nameservers(nameserver), list(host_domains or [])
    servers += [str(s) for s in config.get("nameservers") or []]
    search += [str(s) for s in config.get("searches") or []]
    for option in config.get("options") or []:
        options[str(option.get("name"))] = option.get("value")
    lines = []
    if search:
        lines.append("search " + " ".join(dict.fromkeys(search)))
    lines += [f"nameserver {server}" for server in list(dict.fromkeys(servers))[:3]]
    if options:
        lines.append(
            "options "
            + " ".join(
                name if value is None else f"{name}:{value}" for name, value in options.items()
            )
        )
    return "\n".join(lines) + "\n"


def _dashed(ip: str) -> str:
    return ip.replace(".", "-")


class Resolver:
    """Answers questions from the store's Services and EndpointSlices (pure over the store)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _service(self, namespace: str, name: str) -> Obj | None:
        return self.store.get("/services", namespace, name)

    def _endpoints(self, service: Obj) -> list[tuple[str, str]]:
        """(ip, hostname) of the endpoints a headless service publishes."""
        metadata = service["metadata"]
        publish_all = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
        found: dict[str, str] = {}
        for item in self.store.objects(SLICES, str(metadata.get("namespace") or "")):
            labels = (item.get("metadata") or {}).get("labels") or {}
            if labels.get(SERVICE_NAME_LABEL) != metadata.get("name"):
                continue
            if item.get("addressType", "IPv4") != "IPv4":
                continue
            for endpoint in item.get("endpoints") or []:
                ready = (endpoint.get("conditions") or {}).get("ready")
                if ready is False and not publish_all:
                    continue
                for address in endpoint.get("addresses") or []:
                    found.setdefault(str(address), str(endpoint.get("hostname") or ""))
        return sorted(found.items())

    def _service_ports(self, service: Obj, port: str, protocol: str) -> list[Obj]:
        return [
            p
            for p in (service.get("spec") or {}).get("ports") or []
            if p.get("name") == port and str(p.get("protocol") or "TCP").lower() == protocol
        ]

    def _namespace_exists(self, namespace: str) -> bool:
        return self.store.get("/namespaces", "", namespace) is not None

    def answer(self, name: str, qtype: int) -> Answer | None:
        """The answer for ``name``; None when the name is not the cluster's (forward it)."""
        name = dnsmsg.normal(name)
        if name.endswith(".in-addr.arpa"):
            return self._reverse(name, qtype)
        suffix = "." + DOMAIN
        if name == DOMAIN or name.endswith(suffix):
            labels = name[: -len(suffix)].split(".") if name != DOMAIN else []
            return self._cluster(name, labels, qtype) or (dnsmsg.NXDOMAIN, [], [])
        return self._short(name, qtype)

    def _short(self, name: str, qtype: int) -> Answer | None:
        labels = name.split(".")
        if labels[-1] == "svc":
            labels = labels[:-1]
        if len(labels) == 1:
            labels.append("default")
        if len(labels) != 2 or not self._namespace_exists(labels[1]):
            return None
        if self._service(labels[1], labels[0]) is None:
            return None
        return self._cluster(name, [*labels, "svc"], qtype)

    def _cluster(self, name: str, labels: list[str], qtype: int) -> Answer | None:
        if len(labels) == 3 and labels[2] == "pod":
            try:
                ip = str(ipaddress.IPv4Address(labels[0].replace("-", ".")))
            except ValueError:
                return None
            return (
                dnsmsg.NOERROR,
                [dnsmsg.a(name, ip, TTL)] if qtype in (dnsmsg.A, dnsmsg.ANY) else [],
                [],
            )
        if len(labels) < 3 or labels[-1] != "svc":
            return None
        namespace, service_name = labels[-2], labels[-3]
        service = self._service(namespace, service_name)
        if service is None:
            return None
        fqdn = f"{service_name}.{namespace}.svc.{DOMAIN}"
        if len(labels) == 3:
            return self._service_answer(name, service, qtype)
        if len(labels) == 5 and labels[0].startswith("_") and labels[1].startswith("_"):
            return self._srv(name, fqdn, service, labels[0][1:], labels[1][1:], qtype)
        if len(labels) == 4:
            for ip, hostname in self._endpoints(service) if self._headless(service) else []:
                if labels[0] in (hostname, _dashed(ip)):
                    records = [dnsmsg.a(name, ip, TTL)] if qtype in (dnsmsg.A, dnsmsg.ANY) else []
                    return dnsmsg.NOERROR, records, []
        return None

    @staticmethod
    def _headless(service: Obj) -> bool:
        return (service.get("spec") or {}).get("clusterIP") == "None"

    def _service_answer(self, name: str, service: Obj, qtype: int) -> Answer:
        spec = service.get("spec") or {}
        if spec.get("type") == "ExternalName":
            return dnsmsg.NOERROR, [dnsmsg.cname(name, str(spec.get("externalName")), TTL)], []
        if qtype not in (dnsmsg.A, dnsmsg.ANY):
            return dnsmsg.NOERROR, [], []
        if self._headless(service):
            ips = [ip for ip, _ in self._endpoints(service)]
        else:
            ips = [ip for ip in spec.get("clusterIPs") or [spec.get("clusterIP")] if ip]
        return dnsmsg.NOERROR, [dnsmsg.a(name, ip, TTL) for ip in ips if ":" not in ip], []

    def _srv(
        self, name: str, fqdn: str, service: Obj, port: str, protocol: str, qtype: int
    ) -> Answer | None:
        ports = self._service_ports(service, port, protocol)
        if not ports:
            return None
        if qtype not in (dnsmsg.SRV, dnsmsg.ANY):
            return dnsmsg.NOERROR, [], []
        answers: list[Record] = []
        extra: list[Record] = []
        if self._headless(service):
            endpoints = self._endpoints(service)
            weight = 100 // max(1, len(endpoints))
            for ip, hostname in endpoints:
                target = f"{hostname or _dashed(ip)}.{fqdn}"
                answers.append(dnsmsg.srv(name, 0, weight, int(ports[0]["port"]), target, TTL))
                extra.append(dnsmsg.a(target, ip, TTL))
        else:
            answers.append(dnsmsg.srv(name, 0, 100, int(ports[0]["port"]), fqdn, TTL))
            extra.append(dnsmsg.a(fqdn, str(service["spec"]["clusterIP"]), TTL))
        return dnsmsg.NOERROR, answers, extra

    def _reverse(self, name: str, qtype: int) -> Answer | None:
        octets = name[: -len(".in-addr.arpa")].split(".")
        if len(octets) != 4:
            return None
        ip = ".".join(reversed(octets))
        for service in self.store.objects("/services"):
            spec = service.get("spec") or {}
            if ip in (spec.get("clusterIPs") or [spec.get("clusterIP")]):
                metadata = service["metadata"]
                target = f"{metadata['name']}.{metadata['namespace']}.svc.{DOMAIN}"
                records = (
                    [dnsmsg.ptr(name, target, TTL)] if qtype in (dnsmsg.PTR, dnsmsg.ANY) else []
                )
                return dnsmsg.NOERROR, records, []
        return None


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: ClusterDns) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # not a subclass at runtime

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.server.spawn(self._reply(data, addr))

    async def _reply(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        reply = await self.server.handle(data, udp=True)
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


class _Upstream(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.reply: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if not self.reply.done():
            self.reply.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.reply.done():
            self.reply.set_exception(exc)


class ClusterDns:
    """The DNS server (see the module docstring); ``start()`` binds UDP and TCP."""

    def __init__(
        self,
        store: Store,
        address: str,
        port: int = 53,
        upstream: list[str] | None = None,
    ) -> None:
        self.resolver = Resolver(store)
        self.address = address
        self.port = port
        self.upstream = host_nameservers(address) if upstream is None else upstream
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connections: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        """Listen (OSError when the address cannot be bound)."""
        loop = asyncio.get_running_loop()
        self._udp, _ = await loop.create_datagram_endpoint(
            lambda: _Udp(self), local_addr=(self.address, self.port)
        )
        try:
            self._tcp = await asyncio.start_server(
                self._serve_tcp, self.address, self.port, reuse_address=True
            )
        except OSError:
            self._udp.close()
            self._udp = None
            raise

    async def stop(self) -> None:
        if self._tcp is not None:
            self._tcp.close()
            self._tcp = None
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for writer in list(self._connections):
            writer.close()

    def spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def handle(self, data: bytes, udp: bool) -> bytes | None:
        """The reply to one message (None for garbage that has no header to answer)."""
        try:
            request = dnsmsg.parse(data)
        except dnsmsg.FormatError:
            if len(data) < 2:
                return None
            return dnsmsg.encode(
                Message(struct.unpack_from("!H", data)[0], dnsmsg.QR | dnsmsg.FORMERR)
            )
        if request.flags & dnsmsg.QR or len(request.questions) != 1:
            return dnsmsg.encode(dnsmsg.response(request, dnsmsg.FORMERR))
        question = request.questions[0]
        found = self.resolver.answer(question.name, question.qtype)
        if found is None:
            forwarded = await self._forward(data)
            if forwarded is not None:
                return forwarded
            found = (dnsmsg.SERVFAIL if self.upstream else dnsmsg.NXDOMAIN, [], [])
        rcode, answers, extra = found
        reply = dnsmsg.response(request, rcode, answers, extra)
        return dnsmsg.encode_udp(reply) if udp else dnsmsg.encode(reply)

    async def _forward(self, data: bytes) -> bytes | None:
        loop = asyncio.get_running_loop()
        for server in self.upstream:
            transport: asyncio.DatagramTransport | None = None
            try:
                transport, protocol = await loop.create_datagram_endpoint(
                    _Upstream, remote_addr=(server, 53)
                )
                transport.sendto(data)
                return await asyncio.wait_for(protocol.reply, UPSTREAM_TIMEOUT_SECONDS)
            except (OSError, asyncio.TimeoutError):
                continue
            finally:
                if transport is not None:
                    transport.close()
        return None

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        try:
            while True:
                size = struct.unpack("!H", await reader.readexactly(2))[0]
                reply = await self.handle(await reader.readexactly(size), udp=False)
                if reply is None:
                    break
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._connections.discard(writer)
            writer.close()
