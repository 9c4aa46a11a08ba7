"""Ingress and IngressClass.

An Ingress names each backend service as ``service:port`` followed by its ready endpoints in
parentheses, or by the error met while looking the service up (``(<error: services "api" not
found>)``); the command resolves every referenced service first and passes a ``BackendInfo`` per
service name. Annotations come after the rules, as in kubectl.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pykctl.describe.events import describe_events
from pykctl.describe.format import (
    Obj,
    annotations_multiline,
    annotations_of,
    dig,
    items,
    labels_multiline,
    labels_of,
    mapping,
    number,
    text,
    write_metadata,
)
from pykctl.describe.service import format_endpoint_slices
from pykctl.describe.writer import LEVEL_0, LEVEL_1, LEVEL_2, Writer


@dataclass
class BackendInfo:
    """What the server said about one backend service: the error, or the service and its
    EndpointSlices."""

    error: str = ""
    service: Obj = field(default_factory=dict)
    slices: list[Obj] = field(default_factory=list)


def backend_services(ingress: Obj) -> list[str]:
    """Names of every service the ingress sends traffic to, in first-use order."""
    backends = [dig(ingress, "spec", "defaultBackend")]
    for rule in items(ingress, "spec", "rules"):
        backends.extend(dig(path, "backend") for path in items(rule, "http", "paths"))
    names: list[str] = []
    for backend in backends:
        name = text(backend, "service", "name")
        if isinstance(dig(backend, "service"), dict) and name not in names:
            names.append(name)
    return names


def _service_backend(service: Obj) -> str:
    port = mapping(service, "port")
    shown = str(number(port, "number")) if number(port, "number") else text(port, "name")
    return f"{text(service, 'name')}:{shown}"


def _describe_backend(backend: Obj, infos: Mapping[str, BackendInfo]) -> str:
    service = dig(backend, "service")
    if isinstance(service, dict):
        label = _service_backend(service)
        info = infos.get(text(service, "name"), BackendInfo())
        if info.error:
            return f"{label} (<error: {info.error}>)"
        wanted_number = number(service, "port", "number")
        wanted_name = text(service, "port", "name")
        port_name = ""
        for port in items(info.service, "spec", "ports"):
            if (wanted_number and wanted_number == number(port, "port")) or (
                wanted_name and wanted_name == text(port, "name")
            ):
                port_name = text(port, "name")
        return f"{label} ({format_endpoint_slices(info.slices, {port_name})})"
    resource = dig(backend, "resource")
    if isinstance(resource, dict):
        group = dig(resource, "apiGroup")
        return (
            f"APIGroup: {'<none>' if group is None else group}, "
            f"Kind: {text(resource, 'kind')}, Name: {text(resource, 'name')}"
        )
    return ""


def _address(ingress: Obj) -> str:
    found = set()
    for entry in items(ingress, "status", "loadBalancer", "ingress"):
        if text(entry, "ip"):
            found.add(text(entry, "ip"))
        elif text(entry, "hostname"):
            found.add(text(entry, "hostname"))
    return ",".join(sorted(found))


def describe_ingress(
    ingress: Obj,
    backends: Mapping[str, BackendInfo],
    events: Sequence[Obj] | None,
    now: datetime,
) -> str:
    """``kubectl describe ingress``."""
    spec = mapping(ingress, "spec")
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(ingress, 'metadata', 'name')}\n")
    labels_multiline(w, "Labels", labels_of(ingress))
    w.write(LEVEL_0, f"Namespace:\t{text(ingress, 'metadata', 'namespace')}\n")
    w.write(LEVEL_0, f"Address:\t{_address(ingress)}\n")
    class_name = dig(spec, "ingressClassName")
    w.write(LEVEL_0, f"Ingress Class:\t{'<none>' if class_name is None else class_name}\n")
    default = dig(spec, "defaultBackend")
    default_text = (
        _describe_backend(default, backends) if isinstance(default, dict) else "<default>"
    )
    w.write(LEVEL_0, f"Default backend:\t{default_text}\n")
    tls = items(spec, "tls")
    if tls:
        w.write(LEVEL_0, "TLS:\n")
        for entry in tls:
            hosts = ",".join(map(str, items(entry, "hosts")))
            if not text(entry, "secretName"):
                w.write(LEVEL_1, f"SNI routes {hosts}\n")
            else:
                w.write(LEVEL_1, f"{text(entry, 'secretName')} terminates {hosts}\n")
    w.write(LEVEL_0, "Rules:\n  Host\tPath\tBackends\n")
    w.write(LEVEL_1, "----\t----\t--------\n")
    count = 0
    for rule in items(spec, "rules"):
        if not isinstance(dig(rule, "http"), dict):
            continue
        count += 1
        w.write(LEVEL_1, f"{text(rule, 'host') or '*'}\t\n")
        for path in items(rule, "http", "paths"):
            backend = _describe_backend(mapping(path, "backend"), backends)
            w.write(LEVEL_2, f"\t{text(path, 'path')} \t{backend}\n")
    if count == 0:
        w.write(LEVEL_1, f"*\t*\t{default_text}\n")
    annotations_multiline(w, "Annotations", annotations_of(ingress))
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


def describe_ingress_class(ingress_class: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe ingressclass``."""
    w = Writer()
    write_metadata(w, ingress_class, namespace=False)
    w.write(LEVEL_0, f"Controller:\t{text(ingress_class, 'spec', 'controller')}\n")
    parameters = dig(ingress_class, "spec", "parameters")
    if isinstance(parameters, dict):
        w.write(LEVEL_0, "Parameters:\n")
        if dig(parameters, "apiGroup") is not None:
            w.write(LEVEL_1, f"APIGroup:\t{text(parameters, 'apiGroup')}\n")
        w.write(LEVEL_1, f"Kind:\t{text(parameters, 'kind')}\n")
        w.write(LEVEL_1, f"Name:\t{text(parameters, 'name')}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()
