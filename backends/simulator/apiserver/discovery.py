"""The discovery documents the simulator's API server serves: /api, /apis, /api/v1, /apis/G[/V], /version.

Everything here is derived from the resource registry (``resources.RESOURCES``), so discovery,
routing and OpenAPI can never disagree about which resources exist, plus the resources of groups
other parts of the simulator serve (``extra``: metrics.k8s.io), listed after the built-in groups
as kube-apiserver lists aggregated APIs. Two forms are served:

* aggregated discovery (``apidiscovery.k8s.io/v2`` ``APIGroupDiscoveryList``) on ``/api`` and
  ``/apis``, only when the request's Accept header asks for it (``as=APIGroupDiscoveryList``);
  clients pick the format from the response Content-Type, so that header is exact;
* legacy discovery (``APIVersions``, ``APIGroupList``, ``APIGroup``, ``APIResourceList``) for every
  other Accept header: the python client's DynamicClient only understands this form, and it
  compares ``preferredVersion`` with an entry of ``versions`` by dict equality.

Invariants: documents are pure functions of the registry and ``extra`` (plus the server address
for ``APIVersions``); builders return fresh dicts the caller may change, and only the encoded aggregated
documents are cached; bodies are compact, key-sorted JSON, so equal documents have equal bytes and
ETags; subresources follow their parent resource, as kube-apiserver lists them.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from backends.simulator.apiserver.resources import (
    ResourceType,
    Subresource,
    group_versions,
    in_group_version,
)

JSON = "application/json"
AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

# What the server reports on /version: the release kubectl v1.37.1 was built from.
VERSION_INFO: dict[str, str] = {
    "major": "1",
    "minor": "37",
    "emulationMajor": "1",
    "emulationMinor": "37",
    "minCompatibilityMajor": "1",
    "minCompatibilityMinor": "36",
    "gitVersion": "v1.37.1",
    "gitCommit": "f78e722310e50bcaca9276be22276d9e91d91308",
    "gitTreeState": "clean",
    "buildDate": "2026-09-23T17:10:04Z",
    "goVersion": "go1.26.8",
    "compiler": "gc",
    "platform": "linux/amd64",
}

Body = dict[str, Any]


@dataclass(frozen=True)
class Document:
    """A discovery response: body bytes, exact Content-Type and (aggregated only) a quoted ETag."""

    body: bytes
    content_type: str
    etag: str | None = None


def _encode(document: Body) -> bytes:
    """Compact, key-sorted JSON: the same document always has the same bytes."""
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def wants_aggregated(accept: str | None) -> bool:
    """True when an Accept header asks for apidiscovery.k8s.io/v2 APIGroupDiscoveryList as JSON."""
    for clause in (accept or "").split(","):
        media_type, *raw_params = (part.strip() for part in clause.split(";"))
        params = dict(p.partition("=")[::2] for p in raw_params)
        if (
            media_type.lower() == JSON
            and params.get("as") == "APIGroupDiscoveryList"
            and params.get("g") == "apidiscovery.k8s.io"
            and params.get("v") == "v2"
        ):
            return True
    return False


def _group_version(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


Extra = tuple[ResourceType, ...]


def _group_versions(extra: Extra) -> list[tuple[str, str]]:
    """(group, version) pairs served: the registry's, then those of ``extra``."""
    served = group_versions()
    for r in extra:
        if (r.group, r.version) not in served:
            served.append((r.group, r.version))
    return served


def _in_group_version(group: str, version: str, extra: Extra) -> list[ResourceType]:
    found = in_group_version(group, version)
    return found + [r for r in extra if (r.group, r.version) == (group, version)]


def _groups(extra: Extra = ()) -> list[tuple[str, list[str]]]:
    """Named groups (core excluded) with their versions, preferred version first."""
    grouped: dict[str, list[str]] = {}
    for group, version in _group_versions(extra):
        if group:
            grouped.setdefault(group, []).append(version)
    return list(grouped.items())


def _sub_group_version(parent: ResourceType, sub: Subresource) -> tuple[str, str]:
    group = parent.group if sub.group is None else sub.group
    return group, sub.version or parent.version


def _response_kind(group: str, version: str, kind: str) -> Body:
    return {"group": group, "version": version, "kind": kind}


def _aggregated_resource(r: ResourceType) -> Body:
    resource: Body = {
        "resource": r.plural,
        "responseKind": _response_kind(r.group, r.version, r.kind),
        "scope": "Namespaced" if r.namespaced else "Cluster",
        "singularResource": r.singular,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        resource["shortNames"] = list(r.short_names)
    if r.categories:
        resource["categories"] = list(r.categories)
    if r.subresources:
        resource["subresources"] = [
            {
                "subresource": sub.name,
                "responseKind": _response_kind(*_sub_group_version(r, sub), sub.kind),
                "verbs": list(sub.verbs),
            }
            for sub in r.subresources
        ]
    return resource


def _aggregated_group(name: str, versions: list[str], extra: Extra = ()) -> Body:
    return {
        "metadata": {"name": name},
        "versions": [
            {
                "version": version,
                "resources": [
                    _aggregated_resource(r) for r in _in_group_version(name, version, extra)
                ],
                "freshness": "Current",
            }
            for version in versions
        ],
    }


def aggregated_discovery(core: bool, extra: Extra = ()) -> Body:
    """The APIGroupDiscoveryList for /api (``core``) or /apis."""
    items = (
        [_aggregated_group("", ["v1"])]
        if core
        else [_aggregated_group(*g, extra) for g in _groups(extra)]
    )
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    }


def api_versions(server_address: str) -> Body:
    """The legacy /api document (``APIVersions``); ``server_address`` is ``host:port``."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def _api_group(name: str, versions: list[str]) -> Body:
    entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": entries, "preferredVersion": dict(entries[0])}


def api_group_list(extra: Extra = ()) -> Body:
    """The legacy /apis document (``APIGroupList``)."""
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [_api_group(*g) for g in _groups(extra)],
    }


def api_group(group: str, extra: Extra = ()) -> Body | None:
    """The legacy /apis/GROUP document (``APIGroup``), or None for a group not served."""
    for name, versions in _groups(extra):
        if name == group:
            return {"kind": "APIGroup", "apiVersion": "v1", **_api_group(name, versions)}
    return None


def _legacy_resources(r: ResourceType) -> list[Body]:
    main: Body = {
        "name": r.plural,
        "singularName": r.singular,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        main["shortNames"] = list(r.short_names)
    if r.categories:
        main["categories"] = list(r.categories)
    entries = [main]
    for sub in r.subresources:
        entry: Body = {
            "name": f"{r.plural}/{sub.name}",
            "singularName": "",
            "namespaced": r.namespaced,
        }
        group, version = _sub_group_version(r, sub)
        if (group, version) != (r.group, r.version):
            entry["group"], entry["version"] = group, version
        entry["kind"] = sub.kind
        entry["verbs"] = list(sub.verbs)
        entries.append(entry)
    return entries


def api_resource_list(group: str, version: str, extra: Extra = ()) -> Body | None:
    """The ``APIResourceList`` of /api/v1 (group "") or /apis/GROUP/VERSION; None if not served."""
    if (group, version) not in _group_versions(extra):
        return None
    document: Body = {"kind": "APIResourceList"}
    if group:
        document["apiVersion"] = "v1"
    document["groupVersion"] = _group_version(group, version)
    document["resources"] = [
        e for r in _in_group_version(group, version, extra) for e in _legacy_resources(r)
    ]
    return document


def version_info() -> Body:
    """The /version document."""
    return dict(VERSION_INFO)


@functools.cache
def _aggregated_document(core: bool, extra: Extra) -> Document:
    body = _encode(aggregated_discovery(core, extra))
    etag = '"' + hashlib.sha256(body).hexdigest() + '"'
    return Document(body, AGGREGATED_CONTENT_TYPE, etag)


def discovery_document(
    path: str, accept: str | None, server_address: str, extra: Extra = ()
) -> Document | None:
    """The discovery response for a GET of ``path``, or None if ``path`` is no discovery document.

    Trailing slashes are ignored (kr8s asks for ``/api/``); query strings must already be
    stripped. ``/api`` and ``/apis`` are aggregated exactly when ``wants_aggregated(accept)``.
    """
    parts = [p for p in path.split("/") if p]
    body: Body | None = None
    match parts:
        case ["version"]:
            body = version_info()
        case ["api"]:
            if wants_aggregated(accept):
                return _aggregated_document(True, ())
            body = api_versions(server_address)
        case ["apis"]:
            if wants_aggregated(accept):
                return _aggregated_document(False, extra)
            body = api_group_list(extra)
        case ["api", version]:
            body = api_resource_list("", version)
        case ["apis", group]:
            body = api_group(group, extra)
        case ["apis", group, version]:
            body = api_resource_list(group, version, extra)
    return None if body is None else Document(_encode(body), JSON)
