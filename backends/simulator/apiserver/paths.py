"""Parsing REST paths: ``/api/v1/namespaces/NS/pods/NAME/log`` into what they address.

Shapes (kube-apiserver's RequestInfo):
``/api/v1/RES[/NAME[/SUB]]``, ``/api/v1/namespaces/NS/RES[/NAME[/SUB]]``,
``/apis/G/V/...`` likewise, and ``/api/v1/namespaces[/NAME[/SUB]]`` for namespaces themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from backends.simulator.apiserver.resources import ResourceType, lookup


@dataclass(frozen=True)
class Target:
    """What a REST path addresses. ``namespace`` is None for cluster-wide requests."""

    resource: ResourceType
    namespace: str | None
    name: str | None
    subresource: str | None

    @property
    def is_collection(self) -> bool:
        return self.name is None


class UnknownPath(Exception):
    """The path addresses nothing this server serves (404 "could not find the requested resource")."""


def parse(path: str) -> Target:
    """Parse a REST path; raises UnknownPath."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        raise UnknownPath(path)
    if not rest:
        raise UnknownPath(path)
    namespace: str | None = None
    if (
        rest[0] == "namespaces"
        and len(rest) >= 3
        and (group or rest[2] not in ("finalize", "status"))
    ):
        namespace, rest = rest[1], rest[2:]
    elif rest[0] == "namespaces" and len(rest) == 3:
        # /api/v1/namespaces/NAME/status|finalize: a subresource of a namespace
        pass
    if len(rest) > 3:
        raise UnknownPath(path)
    resource = lookup(group, version, rest[0])
    if resource is None:
        raise UnknownPath(path)
    name = rest[1] if len(rest) >= 2 else None
    subresource = rest[2] if len(rest) == 3 else None
    if resource.namespaced is False and namespace is not None:
        raise UnknownPath(path)
    if subresource is not None and resource.subresource(subresource) is None:
        raise UnknownPath(path)
    return Target(resource, namespace, name, subresource)
