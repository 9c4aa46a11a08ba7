"""Address allocation for Services, as kube-apiserver's service REST does it, and for
LoadBalancer ingress addresses, as a cloud's load balancer pool does.

Cluster IPs come from the simulator's service network (its slot's /18 of 127.96.0.0/12, see
slots.py; all of 127.96.0.0/12 when no network is given): ``.1`` is always the ``kubernetes``
service's (as kube-apiserver reserves it), ``.10`` is cluster DNS's and never handed out.
NodePorts come from 30000-32767. A requested clusterIP or nodePort is honoured when free and in
range, and refused with kube-apiserver's messages otherwise. ``clusterIP`` is immutable once
set. Allocations are derived from the stored services, so they survive restarts without state
of their own.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from backends.simulator.apiserver import status
from backends.simulator.network.slots import DNS_HOST, Network
from backends.simulator.store import Store

Obj = dict[str, Any]
SERVICE_CIDR = ipaddress.IPv4Network("127.96.0.0/12")
KUBERNETES_SERVICE_IP = str(SERVICE_CIDR.network_address + 1)
NODE_PORT_RANGE = range(30000, 32768)


def _cause(field: str, message: str, reason: str = "FieldValueInvalid") -> dict[str, str]:
    return {"reason": reason, "message": message, "field": field}


class ServiceAllocator:
    """Assigns clusterIPs and nodePorts to services as they are created or updated."""

    def __init__(self, store: Store, network: Network | None = None) -> None:
        self.store = store
        self.service_network: ipaddress.IPv4Network = (
            network.service_network if network is not None else SERVICE_CIDR
        )

    @property
    def kubernetes_ip(self) -> str:
        """The ``kubernetes`` service's address: the first of the range."""
        return str(self.service_network.network_address + 1)

    def _used(self, skip: tuple[str, str] | None) -> tuple[set[str], set[int]]:
        ips: set[str] = set()
        ports: set[int] = set()
        for svc in self.store.objects("/services"):
            metadata = svc.get("metadata") or {}
            if skip == (metadata.get("namespace"), metadata.get("name")):
                continue
            spec = svc.get("spec") or {}
            for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]:
                if ip and ip != "None":
                    ips.add(ip)
            for port in spec.get("ports") or []:
                if port.get("nodePort"):
                    ports.add(int(port["nodePort"]))
        return ips, ports

    def allocate(self, service: Obj, old: Obj | None) -> None:
        """Fill spec.clusterIP(s) and nodePorts in place (the caller owns ``service``)."""
        metadata = service.get("metadata") or {}
        spec = service.setdefault("spec", {})
        name = metadata.get("name", "")
        used_ips, used_ports = self._used((str(metadata.get("namespace") or ""), name))
        kind = spec.get("type") or "ClusterIP"
        if kind == "ExternalName":
            spec.pop("clusterIP", None)
            spec.pop("clusterIPs", None)
        elif (metadata.get("namespace"), name) == ("default", "kubernetes"):
            spec["clusterIP"] = self.kubernetes_ip
            spec["clusterIPs"] = [self.kubernetes_ip]
        elif old is not None and (old.get("spec") or {}).get("clusterIP"):
            old_ip = old["spec"]["clusterIP"]
            requested = spec.get("clusterIP")
            if requested and requested != old_ip:
                raise status.invalid(
                    "Service",
                    "",
                    name,
                    [
                        _cause(
                            "spec.clusterIPs[0]",
                            'Invalid value: []string{"' + requested + '"}: may not change once set',
                        )
                    ],
                )
            spec["clusterIP"] = old_ip
            spec["clusterIPs"] = (old.get("spec") or {}).get("clusterIPs") or [old_ip]
        else:
            requested = spec.get("clusterIP") or ""
            if requested == "None":
                spec["clusterIPs"] = ["None"]
            elif requested:
                self._check_requested_ip(name, requested, used_ips)
                spec["clusterIPs"] = [requested]
            else:
                ip = self._free_ip(name, used_ips)
                spec["clusterIP"] = ip
                spec["clusterIPs"] = [ip]
        if kind in ("NodePort", "LoadBalancer"):
            old_ports = {
                (p.get("port"), p.get("protocol", "TCP")): p.get("nodePort")
                for p in ((old or {}).get("spec") or {}).get("ports") or []
            }
            for i, port in enumerate(spec.get("ports") or []):
                requested_port = port.get("nodePort")
                if requested_port:
                    if int(requested_port) not in NODE_PORT_RANGE:
                        raise status.invalid(
                            "Service",
                            "",
                            name,
                            [
                                _cause(
                                    f"spec.ports[{i}].nodePort",
                                    f"Invalid value: {requested_port}: provided port is not in the valid range. The range of valid ports is 30000-32767",
                                )
                            ],
                        )
                    if int(requested_port) in used_ports:
                        raise status.invalid(
                            "Service",
                            "",
                            name,
                            [
                                _cause(
                                    f"spec.ports[{i}].nodePort",
                                    f"Invalid value: {requested_port}: provided port is already allocated",
                                )
                            ],
                        )
                    used_ports.add(int(requested_port))
                    continue
                previous = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
                chosen = (
                    previous
                    if previous and previous not in used_ports
                    else self._free_port(name, used_ports)
                )
                port["nodePort"] = chosen
                used_ports.add(chosen)
        else:
            for port in spec.get("ports") or []:
                port.pop("nodePort", None)

    def _check_requested_ip(self, name: str, requested: str, used: set[str]) -> None:
        try:
            address = ipaddress.ip_address(requested)
        except ValueError:
            raise status.invalid(
                "Service",
                "",
                name,
                [
                    _cause(
                        "spec.clusterIPs[0]",
                        f'Invalid value: "{requested}": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
                    )
                ],
            ) from None
        if address not in self.service_network:
            raise status.invalid(
                "Service",
                "",
                name,
                [
                    _cause(
                        "spec.clusterIPs",
                        f'Invalid value: []string{{"{requested}"}}: failed to allocate IP {requested}: the provided IP ({requested}) is not in the valid range. The range of valid IPs is {self.service_network}',
                    )
                ],
            )
        if requested in used:
            raise status.invalid(
                "Service",
                "",
                name,
                [
                    _cause(
                        "spec.clusterIPs",
                        f'Invalid value: []string{{"{requested}"}}: failed to allocate IP {requested}: provided IP is already allocated',
                    )
                ],
            )

    def _free_ip(self, name: str, used: set[str]) -> str:
        base = int(self.service_network.network_address)
        for value in range(base + 2, int(self.service_network.broadcast_address)):
            candidate = str(ipaddress.ip_address(value))
            if value == base + DNS_HOST:
                continue
            if candidate not in used:
                return candidate
        raise status.internal("failed to allocate a serviceIP: range is full")

    def _free_port(self, name: str, used: set[int]) -> int:
        for port in NODE_PORT_RANGE:
            if port not in used:
                return port
        raise status.internal("failed to allocate a nodePort: range is full")


def load_balancer_ips(store: Store) -> set[str]:
    """The ingress addresses the stored services hold."""
    return {
        str(ingress.get("ip"))
        for svc in store.objects("/services")
        for ingress in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        if ingress.get("ip")
    }


def free_load_balancer_ip(
    pool: ipaddress.IPv4Network, used: set[str], requested: str = ""
) -> str | None:
    """An address of ``pool`` not in ``used``: ``requested`` (spec.loadBalancerIP) when it is
    free and in the pool, else the first free one; None when the request cannot be met or the
    pool is exhausted."""
    if requested:
        try:
            wanted = ipaddress.ip_address(requested)
        except ValueError:
            return None
        return requested if wanted in pool and requested not in used else None
    for address in pool.hosts():
        if str(address) not in used:
            return str(address)
    return None
