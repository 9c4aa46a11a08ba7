"""A container's environment, as the kubelet builds it (``makeEnvironmentVariables``).

Order of precedence, lowest first: the image's ENV, the service link variables (the
``service_env`` hook, see ``network/envvars.py``), ``envFrom`` sources in order (with their
prefix), then ``env`` in order. ``value`` strings expand ``$(NAME)`` references to variables defined before them (or
service variables); ``$$`` escapes a dollar. ``valueFrom`` resolves the Downward API
(``fieldRef``, ``resourceFieldRef``, defaulting unset limits to the node's allocatable),
``configMapKeyRef`` and ``secretKeyRef``, honouring ``optional``. A missing object or key that is
not optional raises :class:`ConfigError` with the kubelet's message (``configmap "x" not
found``, ``couldn't find key k in ConfigMap ns/x``), which becomes CreateContainerConfigError.

Everything here is pure: objects are read through the ``Lookup`` callables, never fetched.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from backends.objects.gofmt import quote
from backends.objects.quantity import Quantity, QuantityError

Obj = dict[str, Any]
Lookup = Callable[[str, str], Obj | None]  # (namespace, name) → object or None


class ConfigError(Exception):
    """The container's configuration cannot be built; the message is the kubelet's."""


@dataclass(frozen=True)
class PodAddresses:
    """What the Downward API reports for status.* fields."""

    pod_ips: tuple[str, ...] = ()
    host_ips: tuple[str, ...] = ()


def expand(text: str, lookup: Callable[[str], str | None]) -> str:
    """Kubernetes' ``$(VAR)`` expansion (third_party/forked/golang/expansion)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "$" or i + 1 >= len(text):
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "(":
            close = text.find(")", i + 2)
            if close == -1:
                out.append("$(")
                i += 2
                continue
            name = text[i + 2 : close]
            value = lookup(name)
            out.append(value if value is not None else f"$({name})")
            i = close + 1
        else:
            out.append("$" + nxt)
            i += 2
    return "".join(out)


def format_map(values: Mapping[str, str]) -> str:
    """``k="v"`` lines, sorted (the Downward API's rendering of labels/annotations)."""
    return "\n".join(f"{key}={quote(values[key])}" for key in sorted(values))


def field_value(pod: Obj, field_path: str, addresses: PodAddresses) -> str:
    """A Downward API ``fieldRef`` value; ConfigError for an unsupported path."""
    metadata = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    simple = {
        "metadata.name": metadata.get("name"),
        "metadata.namespace": metadata.get("namespace"),
        "metadata.uid": metadata.get("uid"),
        "spec.nodeName": spec.get("nodeName"),
        "spec.serviceAccountName": spec.get("serviceAccountName"),
        "status.hostIP": addresses.host_ips[0] if addresses.host_ips else "",
        "status.hostIPs": ",".join(addresses.host_ips),
        "status.podIP": addresses.pod_ips[0] if addresses.pod_ips else "",
        "status.podIPs": ",".join(addresses.pod_ips),
    }
    if field_path in simple:
        return str(simple[field_path] or "")
    for kind in ("labels", "annotations"):
        values = metadata.get(kind) or {}
        if field_path == f"metadata.{kind}":
            return format_map(values)
        prefix = f"metadata.{kind}['"
        if field_path.startswith(prefix) and field_path.endswith("']"):
            return str(values.get(field_path[len(prefix) : -2], ""))
    raise ConfigError(f"unsupported fieldPath: {field_path}")


def _quantity(value: object, default: str = "0") -> Quantity:
    try:
        return Quantity.parse(str(value if value is not None else default))
    except QuantityError:
        return Quantity.parse(default)


def resource_value(
    container: Obj, resource: str, divisor: object, allocatable: Mapping[str, Any]
) -> str:
    """A Downward API ``resourceFieldRef`` value (limits default to the node's allocatable)."""
    kind, _, name = resource.partition(".")
    resources = container.get("resources") or {}
    values = resources.get(kind) or {}
    raw = values.get(name)
    if raw is None and kind == "limits":
        raw = allocatable.get(name)
    amount = _quantity(raw)
    unit = _quantity(divisor, "1")
    if unit.is_zero():
        unit = Quantity.parse("1")
    if name == "cpu":
        return str(math.ceil(amount.milli_value() / unit.milli_value()))
    return str(math.ceil(amount.value() / max(1, unit.value())))


@dataclass
class Sources:
    """Where references resolve: ConfigMaps, Secrets, the node, and the service hook."""

    config_maps: Lookup
    secrets: Lookup
    allocatable: Mapping[str, Any]
    service_env: Callable[[Obj], Mapping[str, str]] = lambda pod: {}


def secret_data(secret: Obj) -> dict[str, str]:
    data = secret.get("data") or {}
    out = {key: base64.b64decode(value).decode("utf-8", "replace") for key, value in data.items()}
    for key, value in (secret.get("stringData") or {}).items():
        out[key] = value
    return out


class _Cache:
    """Objects read once per environment build, with the kubelet's not-found messages."""

    def __init__(self, sources: Sources, namespace: str) -> None:
        self.sources = sources
        self.namespace = namespace
        self._seen: dict[tuple[str, str], dict[str, str] | None] = {}

    def data(self, kind: str, name: str, optional: bool) -> dict[str, str] | None:
        key = (kind, name)
        if key not in self._seen:
            lookup = self.sources.config_maps if kind == "ConfigMap" else self.sources.secrets
            obj = lookup(self.namespace, name)
            if obj is None:
                self._seen[key] = None
            elif kind == "ConfigMap":
                self._seen[key] = {k: str(v) for k, v in (obj.get("data") or {}).items()}
            else:
                self._seen[key] = secret_data(obj)
        found = self._seen[key]
        if found is None and not optional:
            raise ConfigError(f'{kind.lower()} "{name}" not found')
        return found


def container_env(
    pod: Obj,
    container: Obj,
    addresses: PodAddresses,
    sources: Sources,
    image_env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment the container's process gets (insertion order kept)."""
    namespace = str((pod.get("metadata") or {}).get("namespace") or "")
    cache = _Cache(sources, namespace)
    declared: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        prefix = str(source.get("prefix") or "")
        for kind, ref_key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            ref = source.get(ref_key)
            if ref is None:
                continue
            data = cache.data(kind, str(ref.get("name") or ""), bool(ref.get("optional")))
            for key, value in (data or {}).items():
                declared[prefix + key] = value
    service = dict(sources.service_env(pod))

    def lookup(name: str) -> str | None:
        return declared.get(name, service.get(name))

    for var in container.get("env") or []:
        name = str(var.get("name") or "")
        value = var.get("value")
        value_from = var.get("valueFrom")
        if value:
            declared[name] = expand(str(value), lookup)
            continue
        if not value_from:
            declared[name] = ""
            continue
        resolved = _value_from(pod, container, value_from, addresses, sources, cache)
        if resolved is not None:
            declared[name] = resolved
    env = dict(image_env or {})
    for key, value in service.items():
        if key not in declared:
            env[key] = value
    env.update(declared)
    return env


def _value_from(
    pod: Obj,
    container: Obj,
    value_from: Obj,
    addresses: PodAddresses,
    sources: Sources,
    cache: _Cache,
) -> str | None:
    """One ``valueFrom``; None when an optional source is missing."""
    namespace = cache.namespace
    if value_from.get("fieldRef"):
        return field_value(pod, str(value_from["fieldRef"].get("fieldPath") or ""), addresses)
    if value_from.get("resourceFieldRef"):
        ref = value_from["resourceFieldRef"]
        target = container
        if ref.get("containerName"):
            spec = pod.get("spec") or {}
            for candidate in (spec.get("containers") or []) + (spec.get("initContainers") or []):
                if candidate.get("name") == ref["containerName"]:
                    target = candidate
        return resource_value(
            target, str(ref.get("resource") or ""), ref.get("divisor"), sources.allocatable
        )
    for kind, ref_key in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
        ref = value_from.get(ref_key)
        if ref is None:
            continue
        name = str(ref.get("name") or "")
        key = str(ref.get("key") or "")
        optional = bool(ref.get("optional"))
        data = cache.data(kind, name, optional)
        if data is None:
            return None
        if key not in data:
            if optional:
                return None
            raise ConfigError(f"couldn't find key {key} in {kind} {namespace}/{name}")
        return data[key]
    return None


def expand_argv(argv: list[str], env: Mapping[str, str]) -> list[str]:
    """command/args with ``$(VAR)`` expanded from the container's environment."""
    return [expand(arg, env.get) for arg in argv]
