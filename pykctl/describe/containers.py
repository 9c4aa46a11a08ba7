"""The per-container blocks of pod and pod-template descriptions (kubectl's describeContainers).

For each container, in kubectl's order: name, status IDs and image, ports, command and args,
state (only when a status exists), resources, probes, environment (``envFrom`` then ``env``),
mounts and devices. Pod templates pass no statuses and no environment resolver, so their
``fieldRef`` variables print an empty value, as kubectl's do.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from backends.objects import gofmt
from backends.objects.quantity import Quantity
from pykctl.describe.format import (
    Obj,
    dig,
    go_list,
    go_value,
    int_or_string,
    items,
    mapping,
    number,
    or_none,
    parse_quantity,
    rfc1123z,
    sorted_resource_names,
    text,
    title_bool,
)
from pykctl.describe.writer import LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, Writer

EnvResolver = Callable[[Obj], str]


def describe_containers(
    w: Writer,
    label: str,
    containers: list[Any],
    statuses: list[Any] | None,
    resolver: EnvResolver | None,
    space: str,
) -> None:
    """A ``Containers:`` (or init/ephemeral) section."""
    by_name = {text(s, "name"): s for s in statuses or [] if isinstance(s, dict)}
    w.write(LEVEL_0, f"{space}{label}:{'' if containers else ' <none>'}\n")
    for container in containers:
        status = by_name.get(text(container, "name"))
        _basic_info(w, container, status, space)
        _command(w, container)
        if status is not None:
            _state(w, status)
        describe_resources(w, mapping(container, "resources"), LEVEL_2)
        _probes(w, container)
        if items(container, "envFrom"):
            _env_from(w, container)
        _env(w, container, resolver)
        _mounts(w, container)


def _basic_info(w: Writer, container: Obj, status: Obj | None, space: str) -> None:
    w.write(LEVEL_1, f"{' ' if space else ''}{text(container, 'name')}:\n")
    if status is not None:
        w.write(LEVEL_2, f"Container ID:\t{text(status, 'containerID')}\n")
    w.write(LEVEL_2, f"Image:\t{text(container, 'image')}\n")
    if status is not None:
        w.write(LEVEL_2, f"Image ID:\t{text(status, 'imageID')}\n")
    ports = items(container, "ports")
    container_ports = _ports(ports, "containerPort")
    if "," in container_ports:
        w.write(LEVEL_2, f"Ports:\t{container_ports}\n")
    else:
        w.write(LEVEL_2, f"Port:\t{or_none(container_ports)}\n")
    host_ports = _ports(ports, "hostPort")
    if "," in host_ports:
        w.write(LEVEL_2, f"Host Ports:\t{host_ports}\n")
    else:
        w.write(LEVEL_2, f"Host Port:\t{or_none(host_ports)}\n")
    seccomp = dig(container, "securityContext", "seccompProfile")
    if isinstance(seccomp, dict):
        w.write(LEVEL_2, f"SeccompProfile:\t{text(seccomp, 'type')}\n")
        if text(seccomp, "type") == "Localhost":
            w.write(LEVEL_3, f"LocalhostProfile:\t{text(seccomp, 'localhostProfile')}\n")


def _ports(ports: list[Any], field: str) -> str:
    rendered = []
    for port in ports:
        entry = f"{number(port, field)}/{text(port, 'protocol')}"
        if text(port, "name"):
            entry += f" ({text(port, 'name')})"
        rendered.append(entry)
    return ", ".join(rendered)


def _command(w: Writer, container: Obj) -> None:
    for title, field in (("Command", "command"), ("Args", "args")):
        values = items(container, field)
        if values:
            w.write(LEVEL_2, f"{title}:\n")
            for value in values:
                for part in str(value).split("\n"):
                    w.write(LEVEL_3, f"{part}\n")


def describe_resources(w: Writer, resources: Mapping[str, Any], level: int) -> None:
    """``Limits:`` and ``Requests:`` with their sorted quantities."""
    for title, field in (("Limits", "limits"), ("Requests", "requests")):
        values = mapping(resources, field)
        if values:
            w.write(level, f"{title}:\n")
        for name in sorted_resource_names(values):
            w.write(level + 1, f"{name}:\t{parse_quantity(values[name])}\n")


def _state(w: Writer, status: Obj) -> None:
    describe_state(w, "State", mapping(status, "state"))
    if isinstance(dig(status, "lastState", "terminated"), dict):
        describe_state(w, "Last State", mapping(status, "lastState"))
    w.write(LEVEL_2, f"Ready:\t{title_bool(dig(status, 'ready'))}\n")
    w.write(LEVEL_2, f"Restart Count:\t{number(status, 'restartCount')}\n")


def describe_state(w: Writer, name: str, state: Obj) -> None:
    """kubectl's describeStatus: Running, Waiting or Terminated with their details."""
    running, waiting, terminated = (dig(state, k) for k in ("running", "waiting", "terminated"))
    if isinstance(running, dict):
        w.write(LEVEL_2, f"{name}:\tRunning\n")
        w.write(LEVEL_3, f"Started:\t{rfc1123z(dig(running, 'startedAt'))}\n")
    elif isinstance(waiting, dict):
        w.write(LEVEL_2, f"{name}:\tWaiting\n")
        if text(waiting, "reason"):
            w.write(LEVEL_3, f"Reason:\t{text(waiting, 'reason')}\n")
    elif isinstance(terminated, dict):
        w.write(LEVEL_2, f"{name}:\tTerminated\n")
        if text(terminated, "reason"):
            w.write(LEVEL_3, f"Reason:\t{text(terminated, 'reason')}\n")
        if text(terminated, "message"):
            w.write(LEVEL_3, f"Message:\t{text(terminated, 'message')}\n")
        w.write(LEVEL_3, f"Exit Code:\t{number(terminated, 'exitCode')}\n")
        if number(terminated, "signal") > 0:
            w.write(LEVEL_3, f"Signal:\t{number(terminated, 'signal')}\n")
        w.write(LEVEL_3, f"Started:\t{rfc1123z(dig(terminated, 'startedAt'))}\n")
        w.write(LEVEL_3, f"Finished:\t{rfc1123z(dig(terminated, 'finishedAt'))}\n")
    else:
        w.write(LEVEL_2, f"{name}:\tWaiting\n")


def _probes(w: Writer, container: Obj) -> None:
    for title, field in (
        ("Liveness", "livenessProbe"),
        ("Readiness", "readinessProbe"),
        ("Startup", "startupProbe"),
    ):
        probe = dig(container, field)
        if isinstance(probe, dict):
            w.write(LEVEL_2, f"{title}:\t{describe_probe(probe)}\n")


def describe_probe(probe: Obj) -> str:
    """kubectl's DescribeProbe: ``http-get http://:80/ delay=0s timeout=1s ...``."""
    attrs = (
        f"delay={number(probe, 'initialDelaySeconds')}s "
        f"timeout={number(probe, 'timeoutSeconds')}s "
        f"period={number(probe, 'periodSeconds')}s "
        f"successThreshold={number(probe, 'successThreshold')} "
        f"failureThreshold={number(probe, 'failureThreshold')}"
    )
    if isinstance(dig(probe, "exec"), dict):
        return f"exec {go_list(items(probe, 'exec', 'command'))} {attrs}"
    http = dig(probe, "httpGet")
    if isinstance(http, dict):
        return f"http-get {_probe_url(http)} {attrs}"
    tcp = dig(probe, "tcpSocket")
    if isinstance(tcp, dict):
        return f"tcp-socket {text(tcp, 'host')}:{_port(tcp)} {attrs}"
    grpc = dig(probe, "grpc")
    if isinstance(grpc, dict):
        return f"grpc <pod>:{number(grpc, 'port')} {text(grpc, 'service')} {attrs}"
    return f"unknown {attrs}"


def _port(action: Obj) -> str:
    port = dig(action, "port")
    return "0" if port is None else int_or_string(port)


def _probe_url(http: Obj) -> str:
    """Go's url.URL{Scheme, Host: JoinHostPort(host, port), Path}.String()."""
    scheme = text(http, "scheme").lower()
    host = text(http, "host")
    port = _port(http)
    if port:
        host = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    path = text(http, "path")
    out = f"{scheme}:" if scheme else ""
    if scheme or host:
        if host or path:
            out += "//"
        out += host
    escaped = quote(path, safe="/$&+,:;=@")
    if escaped and not escaped.startswith("/") and host:
        out += "/"
    return out + escaped


def _env_from(w: Writer, container: Obj) -> None:
    w.write(LEVEL_2, "Environment Variables from:\n")
    for source in items(container, "envFrom"):
        origin, name, optional = "", "", False
        if isinstance(dig(source, "configMapRef"), dict):
            origin, name = "ConfigMap", text(source, "configMapRef", "name")
            optional = dig(source, "configMapRef", "optional") is True
        elif isinstance(dig(source, "secretRef"), dict):
            origin, name = "Secret", text(source, "secretRef", "name")
            optional = dig(source, "secretRef", "optional") is True
        prefix = text(source, "prefix")
        if prefix:
            origin += f" with prefix '{prefix}'"
        w.write(LEVEL_3, f"{name}\t{origin}\tOptional: {go_value(optional)}\n")


def _env(w: Writer, container: Obj, resolver: EnvResolver | None) -> None:
    env = items(container, "env")
    w.write(LEVEL_2, f"Environment:{'' if env else chr(9) + '<none>'}\n")
    for var in env:
        name = text(var, "name")
        source = dig(var, "valueFrom")
        if source is None:
            for i, part in enumerate(text(var, "value").split("\n")):
                w.write(LEVEL_3, f"{name}:\t{part}\n" if i == 0 else f"\t{part}\n")
            continue
        if isinstance(dig(source, "fieldRef"), dict):
            ref = mapping(source, "fieldRef")
            value = resolver(ref) if resolver is not None else ""
            w.write(
                LEVEL_3,
                f"{name}:\t{value} ({text(ref, 'apiVersion')}:{text(ref, 'fieldPath')})\n",
            )
        elif isinstance(dig(source, "resourceFieldRef"), dict):
            ref = mapping(source, "resourceFieldRef")
            value = container_resource_value(ref, container)
            resource = text(ref, "resource")
            if value == "0" and resource in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.write(LEVEL_3, f"{name}:\t{value} ({resource})\n")
        elif isinstance(dig(source, "secretKeyRef"), dict):
            ref = mapping(source, "secretKeyRef")
            w.write(
                LEVEL_3,
                f"{name}:\t<set to the key '{text(ref, 'key')}' in secret '{text(ref, 'name')}'>"
                f"\tOptional: {go_value(dig(ref, 'optional') is True)}\n",
            )
        elif isinstance(dig(source, "configMapKeyRef"), dict):
            ref = mapping(source, "configMapKeyRef")
            w.write(
                LEVEL_3,
                f"{name}:\t<set to the key '{text(ref, 'key')}' of config map '{text(ref, 'name')}'>"
                f"\tOptional: {go_value(dig(ref, 'optional') is True)}\n",
            )


def container_resource_value(ref: Obj, container: Obj) -> str:
    """kubectl's ExtractContainerResourceValue: the resource divided by the divisor, rounded up
    (``""`` for a resource it does not know)."""
    divisor = parse_quantity(dig(ref, "divisor"))
    if divisor.is_zero():
        divisor = Quantity(1)
    kind, _, name = text(ref, "resource").partition(".")
    if kind not in ("limits", "requests") or not (
        name in ("cpu", "memory", "ephemeral-storage") or name.startswith("hugepages-")
    ):
        return ""
    value = parse_quantity(dig(container, "resources", kind, name))
    if name == "cpu":
        return str(_go_ceil_div(value.milli_value(), divisor.milli_value()))
    return str(_go_ceil_div(value.value(), divisor.value()))


def _go_ceil_div(numerator: int, denominator: int) -> int:
    """``int64(math.Ceil(float64(n) / float64(d)))`` with Go's float semantics."""
    try:
        result = math.ceil(float(numerator) / float(denominator))
    except ZeroDivisionError:
        return -(1 << 63)
    except OverflowError:
        return -(1 << 63)
    return result if -(1 << 63) <= result < (1 << 63) else -(1 << 63)


def _mounts(w: Writer, container: Obj) -> None:
    mounts = items(container, "volumeMounts")
    none = "" if mounts else "\t<none>"
    w.write(LEVEL_2, f"Mounts:{none}\n")
    for mount in sorted(mounts, key=lambda m: text(m, "mountPath")):
        flags = ["ro" if dig(mount, "readOnly") is True else "rw"]
        if text(mount, "subPath"):
            flags.append(f"path={gofmt.quote(text(mount, 'subPath'))}")
        w.write(
            LEVEL_3, f"{text(mount, 'mountPath')} from {text(mount, 'name')} ({','.join(flags)})\n"
        )
    devices = items(container, "volumeDevices")
    if devices:
        w.write(LEVEL_2, f"Devices:{none}\n")
        for device in sorted(devices, key=lambda d: text(d, "devicePath")):
            w.write(LEVEL_3, f"{text(device, 'devicePath')} from {text(device, 'name')}\n")
