"""Service discovery objects: Service, Endpoints and EndpointSlice, plus the endpoint lists
that Service and Ingress descriptions show.

A Service's ``Endpoints:`` line for each port comes from the EndpointSlices labelled
``kubernetes.io/service-name=<service>``: ready addresses only, ``ip:port`` joined by commas,
at most three, then `` + N more...``; ``<none>`` when there is no slice at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backends.objects.selectors import format_labels
from pykctl.describe.events import describe_events
from pykctl.describe.format import (
    Obj,
    dig,
    items,
    mapping,
    number,
    string_map,
    text,
    write_metadata,
)
from pykctl.describe.writer import LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, Writer

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
_MAX_ENDPOINTS = 3


def _join_host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _ready(endpoint: Obj) -> bool:
    return dig(endpoint, "conditions", "ready") is not False


def format_endpoint_slices(slices: Sequence[Obj], port_names: set[str] | None) -> str:
    """kubectl's formatEndpointSlices (``port_names`` None: every port)."""
    if not slices:
        return "<none>"
    shown: list[str] = []
    more = False
    count = 0
    for eps in slices:
        endpoints = items(eps, "endpoints")
        ports = items(eps, "ports")
        if not ports:
            for endpoint in endpoints:
                if len(shown) == _MAX_ENDPOINTS:
                    more = True
                if not _ready(endpoint):
                    continue
                if not more:
                    shown.append(str((items(endpoint, "addresses") or [""])[0]))
                count += 1
            continue
        for port in ports:
            if port_names is not None and text(port, "name") not in port_names:
                continue
            for endpoint in endpoints:
                if len(shown) == _MAX_ENDPOINTS:
                    more = True
                if not _ready(endpoint):
                    continue
                if not more:
                    address = str((items(endpoint, "addresses") or [""])[0])
                    shown.append(_join_host_port(address, number(port, "port")))
                count += 1
    joined = ",".join(shown)
    return f"{joined} + {count - _MAX_ENDPOINTS} more..." if more else joined


def _load_balancer_ingress(ingress: list[Any]) -> str:
    rendered = []
    for entry in ingress:
        if text(entry, "ip"):
            value = text(entry, "ip")
            if dig(entry, "ipMode") is not None:
                value += f" ({text(entry, 'ipMode')})"
            rendered.append(value)
        else:
            rendered.append(text(entry, "hostname"))
    return ", ".join(rendered)


def describe_service(
    service: Obj, slices: Sequence[Obj], events: Sequence[Obj] | None, now: datetime
) -> str:
    """``kubectl describe service``."""
    spec = mapping(service, "spec")
    w = Writer()
    write_metadata(w, service)
    w.write(LEVEL_0, f"Selector:\t{format_labels(string_map(dig(spec, 'selector')))}\n")
    w.write(LEVEL_0, f"Type:\t{text(spec, 'type')}\n")
    if dig(spec, "ipFamilyPolicy") is not None:
        w.write(LEVEL_0, f"IP Family Policy:\t{text(spec, 'ipFamilyPolicy')}\n")
    families = items(spec, "ipFamilies")
    w.write(LEVEL_0, f"IP Families:\t{','.join(map(str, families)) if families else '<none>'}\n")
    w.write(LEVEL_0, f"IP:\t{text(spec, 'clusterIP')}\n")
    cluster_ips = items(spec, "clusterIPs")
    w.write(LEVEL_0, f"IPs:\t{','.join(map(str, cluster_ips)) if cluster_ips else '<none>'}\n")
    if items(spec, "externalIPs"):
        w.write(LEVEL_0, f"External IPs:\t{','.join(map(str, items(spec, 'externalIPs')))}\n")
    if text(spec, "loadBalancerIP"):
        w.write(LEVEL_0, f"Desired LoadBalancer IP:\t{text(spec, 'loadBalancerIP')}\n")
    if text(spec, "externalName"):
        w.write(LEVEL_0, f"External Name:\t{text(spec, 'externalName')}\n")
    lb_ingress = items(service, "status", "loadBalancer", "ingress")
    if lb_ingress:
        w.write(LEVEL_0, f"LoadBalancer Ingress:\t{_load_balancer_ingress(lb_ingress)}\n")
    for port in items(spec, "ports"):
        name = text(port, "name") or "<unset>"
        protocol = text(port, "protocol")
        w.write(LEVEL_0, f"Port:\t{name}\t{number(port, 'port')}/{protocol}\n")
        target = dig(port, "targetPort")
        if isinstance(target, str):
            w.write(LEVEL_0, f"TargetPort:\t{target}/{protocol}\n")
        else:
            w.write(LEVEL_0, f"TargetPort:\t{number(port, 'targetPort')}/{protocol}\n")
        if dig(port, "appProtocol") is not None:
            w.write(LEVEL_0, f"AppProtocol:\t{text(port, 'appProtocol')}\n")
        if number(port, "nodePort"):
            w.write(LEVEL_0, f"NodePort:\t{name}\t{number(port, 'nodePort')}/{protocol}\n")
        endpoints = format_endpoint_slices(slices, {text(port, "name")})
        w.write(LEVEL_0, f"Endpoints:\t{endpoints}\n")
    w.write(LEVEL_0, f"Session Affinity:\t{text(spec, 'sessionAffinity')}\n")
    if text(spec, "externalTrafficPolicy"):
        w.write(LEVEL_0, f"External Traffic Policy:\t{text(spec, 'externalTrafficPolicy')}\n")
    if dig(spec, "internalTrafficPolicy") is not None:
        w.write(LEVEL_0, f"Internal Traffic Policy:\t{text(spec, 'internalTrafficPolicy')}\n")
    if number(spec, "healthCheckNodePort"):
        w.write(LEVEL_0, f"HealthCheck NodePort:\t{number(spec, 'healthCheckNodePort')}\n")
    ranges = items(spec, "loadBalancerSourceRanges")
    if ranges:
        w.write(LEVEL_0, f"LoadBalancer Source Ranges:\t{','.join(map(str, ranges))}\n")
    if dig(spec, "trafficDistribution") is not None:
        w.write(LEVEL_0, f"Traffic Distribution:\t{text(spec, 'trafficDistribution')}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


def describe_endpoints(endpoints: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe endpoints``."""
    w = Writer()
    write_metadata(w, endpoints)
    w.write(LEVEL_0, "Subsets:\n")
    for subset in items(endpoints, "subsets"):
        ready = ",".join(text(a, "ip") for a in items(subset, "addresses"))
        w.write(LEVEL_1, f"Addresses:\t{ready or '<none>'}\n")
        not_ready = ",".join(text(a, "ip") for a in items(subset, "notReadyAddresses"))
        w.write(LEVEL_1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        ports = items(subset, "ports")
        if ports:
            w.write(LEVEL_1, "Ports:\n")
            w.write(LEVEL_2, "Name\tPort\tProtocol\n")
            w.write(LEVEL_2, "----\t----\t--------\n")
            for port in ports:
                name = text(port, "name") or "<unset>"
                w.write(LEVEL_2, f"{name}\t{number(port, 'port')}\t{text(port, 'protocol')}\n")
        w.write(LEVEL_0, "\n")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


def describe_endpoint_slice(eps: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe endpointslice``."""
    w = Writer()
    write_metadata(w, eps)
    w.write(LEVEL_0, f"AddressType:\t{text(eps, 'addressType')}\n")
    ports = items(eps, "ports")
    if not ports:
        w.write(LEVEL_0, "Ports: <unset>\n")
    else:
        w.write(LEVEL_0, "Ports:\n")
        w.write(LEVEL_1, "Name\tPort\tProtocol\n")
        w.write(LEVEL_1, "----\t----\t--------\n")
        for port in ports:
            name = text(port, "name") or "<unset>"
            number_text = "<unset>" if dig(port, "port") is None else str(number(port, "port"))
            w.write(LEVEL_1, f"{name}\t{number_text}\t{text(port, 'protocol')}\n")
    endpoints = items(eps, "endpoints")
    if not endpoints:
        w.write(LEVEL_0, "Endpoints: <none>\n")
    else:
        w.write(LEVEL_0, "Endpoints:\n")
        for endpoint in endpoints:
            addresses = ", ".join(map(str, items(endpoint, "addresses")))
            w.write(LEVEL_1, f"- Addresses:\t{addresses or '<none>'}\n")
            w.write(LEVEL_2, "Conditions:\n")
            ready = dig(endpoint, "conditions", "ready")
            w.write(
                LEVEL_3, f"Ready:\t{'<unset>' if ready is None else str(ready is True).lower()}\n"
            )
            hostname = dig(endpoint, "hostname")
            w.write(LEVEL_2, f"Hostname:\t{'<unset>' if hostname is None else hostname}\n")
            if isinstance(dig(endpoint, "targetRef"), dict):
                ref = mapping(endpoint, "targetRef")
                w.write(LEVEL_2, f"TargetRef:\t{text(ref, 'kind')}/{text(ref, 'name')}\n")
            node = dig(endpoint, "nodeName")
            w.write(LEVEL_2, f"NodeName:\t{'<unset>' if node is None else node}\n")
            zone = dig(endpoint, "zone")
            w.write(LEVEL_2, f"Zone:\t{'<unset>' if zone is None else zone}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()
