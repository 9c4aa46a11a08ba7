"""What kube-proxy programs for a Service, computed from the API objects alone (pure).

``service_rules(service, slices, nodes)`` gives one :class:`PortRule` per Service port: the
addresses it answers on (frontends) and the endpoints it sends to (backends), as kube-proxy's
``ServicePortInfo`` and ``EndpointsMap`` describe them:

* frontends: ``clusterIP:port`` (and every clusterIPs entry); ``externalIPs`` on loopback;
  for NodePort and LoadBalancer services ``NODE_IP:nodePort`` for every node and
  ``127.0.0.1:nodePort``; for LoadBalancer services ``INGRESS_IP:port`` for every
  ``status.loadBalancer.ingress`` IP;
* backends: from the EndpointSlices labelled ``kubernetes.io/service-name=<service>`` in the
  service's namespace, the slice port with the service port's name and protocol; an endpoint
  counts when ``conditions.ready`` is not false (kube-proxy reads a missing condition as ready);
  its first address is used; duplicates across slices count once. Terminating endpoints
  (ready false) are never used.

Headless services (clusterIP None) and ExternalName services get no rules, as in kube-proxy;
nor does a service annotated ``pykctl.io/served-by: daemon`` (kube-dns: the daemon's cluster DNS
answers on its clusterIP itself, see kubelet/daemon_pods.py).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from backends.simulator.kubelet.daemon_pods import served_by_daemon
from backends.simulator.kubelet.kubelet import REMAP_OFFSET

Obj = dict[str, Any]
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
DEFAULT_AFFINITY_SECONDS = 10800.0
LOCALHOST = "127.0.0.1"


@dataclass(frozen=True, order=True)
class Backend:
    """One ready endpoint of a service port."""

    ip: str
    port: int

    def reached(self, privileged: bool) -> Backend:
        """Where the endpoint really listens: the kubelet shifts ports below 1024 by
        ``REMAP_OFFSET`` when the daemon may not bind them."""
        if not privileged and self.port < 1024:
            return Backend(self.ip, self.port + REMAP_OFFSET)
        return self


@dataclass(frozen=True)
class PortRule:
    """One service port as kube-proxy programs it."""

    namespace: str
    service: str
    port_name: str
    protocol: str
    port: int
    frontends: tuple[tuple[str, int], ...]
    backends: tuple[Backend, ...]
    affinity_seconds: float | None  # None: no session affinity

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The service port's identity (kube-proxy's ServicePortName)."""
        return (self.namespace, self.service, self.port_name, self.protocol)


def _has_cluster_ip(spec: Obj) -> bool:
    ip = spec.get("clusterIP")
    return bool(ip) and ip != "None"


def _is_loopback(ip: object) -> bool:
    try:
        return ipaddress.ip_address(str(ip)).is_loopback
    except ValueError:
        return False


def slice_backends(slices: Iterable[Obj], port_name: str, protocol: str) -> tuple[Backend, ...]:
    """The ready endpoints of the named port across ``slices`` (sorted, deduplicated)."""
    found: set[Backend] = set()
    for endpoint_slice in slices:
        if endpoint_slice.get("addressType", "IPv4") != "IPv4":
            continue
        port = next(
            (
                p
                for p in endpoint_slice.get("ports") or []
                if str(p.get("name") or "") == port_name
                and str(p.get("protocol") or "TCP") == protocol
            ),
            None,
        )
        if port is None or not port.get("port"):
            continue
        for endpoint in endpoint_slice.get("endpoints") or []:
            addresses = endpoint.get("addresses") or []
            ready = (endpoint.get("conditions") or {}).get("ready")
            if addresses and ready is not False:
                found.add(Backend(str(addresses[0]), int(port["port"])))
    return tuple(sorted(found))


def _affinity(spec: Obj) -> float | None:
    if spec.get("sessionAffinity") != "ClientIP":
        return None
    config = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
    return float(config.get("timeoutSeconds") or DEFAULT_AFFINITY_SECONDS)


def service_rules(service: Obj, slices: Sequence[Obj], node_ips: Sequence[str]) -> list[PortRule]:
    """The rules of ``service`` given its EndpointSlices and the nodes' InternalIPs."""
    metadata = service.get("metadata") or {}
    spec = service.get("spec") or {}
    kind = spec.get("type") or "ClusterIP"
    if kind == "ExternalName" or not _has_cluster_ip(spec) or served_by_daemon(service):
        return []  # (the daemon serves its own components' addresses itself)
    cluster_ips = [ip for ip in spec.get("clusterIPs") or [spec["clusterIP"]] if ip != "None"]
    external = [ip for ip in spec.get("externalIPs") or [] if _is_loopback(ip)]
    ingress = [
        str(item["ip"])
        for item in ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        if kind == "LoadBalancer" and item.get("ip")
    ]
    rules = []
    for port in spec.get("ports") or []:
        number = int(port.get("port") or 0)
        if not number:
            continue
        name = str(port.get("name") or "")
        protocol = str(port.get("protocol") or "TCP")
        frontends = [(ip, number) for ip in [*cluster_ips, *external, *ingress]]
        node_port = int(port.get("nodePort") or 0)
        if node_port and kind in ("NodePort", "LoadBalancer"):
            frontends += [(ip, node_port) for ip in [*node_ips, LOCALHOST]]
        rules.append(
            PortRule(
                str(metadata.get("namespace") or ""),
                str(metadata.get("name") or ""),
                name,
                protocol,
                number,
                tuple(dict.fromkeys(frontends)),
                slice_backends(slices, name, protocol),
                _affinity(spec),
            )
        )
    return rules
