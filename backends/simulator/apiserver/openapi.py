"""The OpenAPI v3 documents the simulator's API server serves (/openapi/v3 and one per group-version).

Each group-version document is built from the resource registry (``resources.RESOURCES``: which
paths and operations exist) and the Kubernetes v1.37 definitions (``schemas.definitions()``: what
the objects look like), converted from JSON schema to OpenAPI 3.0 the way kube-apiserver publishes
them: ``$ref`` points into ``#/components/schemas/`` (wrapped in ``allOf`` when the field carries a
description), nullable ``type: [T, "null"]`` becomes ``T``, and the ``enum`` that the definitions
add to ``apiVersion``/``kind`` is dropped. Descriptions, ``required``, formats and every
``x-kubernetes-*`` extension (GVK, patch strategy and merge key, list and map types) are kept.

What clients rely on, and therefore invariants of every document:

* every PATCH operation carries ``x-kubernetes-group-version-kind``, the ``fieldValidation`` query
  parameter and the patch content types the server accepts, including
  ``application/strategic-merge-patch+json``. kubectl looks at the first PATCH operation of a GVK
  it meets (in map order), so all of them must agree: this makes ``--validate=strict`` send
  ``fieldValidation=Strict``, and client-side ``apply`` compute its strategic merge patch from
  these schemas;
* collection and item paths carry the GVK on their operations and ``components.schemas`` holds a
  definition with that GVK (``kubectl explain`` finds both);
* every ``$ref`` resolves within the same document (components are the closure of the paths).

Documents are built once per process (about 0.2 s for all of them; calling ``index()`` at startup
builds them ahead of the first request) and cached as bytes: ``functools.cache``, so concurrent
first requests may build twice, harmlessly. Their ETag is the upper-case hex SHA-512 of those
bytes, as kube-openapi computes it; the index links each document with ``?hash=<ETag>``.
``/openapi/v2`` is answered 404: kubectl only accepts it as protobuf, and falls back cleanly.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

from backends.objects import schemas
from backends.simulator.apiserver.resources import (
    ResourceType,
    Subresource,
    group_versions,
    in_group_version,
)

JSON = "application/json"
PATCH_CONTENT_TYPES = (
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
)
KUBERNETES_VERSION = "v1.37.1"

_SOURCE_REF = "#/$defs/"
_REF = "#/components/schemas/"
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
# Upstream publishes this format; the JSON-schema definitions lost it.
_EXTRA = {"io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"format": "int-or-string"}}

Schema = dict[str, Any]


# -- schema conversion ----------------------------------------------------------------------------


def convert_schema(schema: Schema) -> Schema:
    """One JSON-schema definition (or part of one) as an OpenAPI 3.0 schema."""
    out: Schema = {}
    for key, value in schema.items():
        if key == "$ref":
            continue
        if key == "type" and isinstance(value, list):
            (out[key],) = (t for t in value if t != "null")
        elif key == "properties":
            out[key] = {name: convert_schema(prop) for name, prop in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = convert_schema(value)
        elif key in ("allOf", "oneOf", "anyOf"):
            out[key] = [convert_schema(s) for s in value]
        else:
            out[key] = value
    ref = schema.get("$ref")
    if ref is None:
        return out
    target = {"$ref": _REF + ref.removeprefix(_SOURCE_REF)}
    return {"allOf": [target], **out} if out else target


def _component(name: str) -> Schema:
    schema = convert_schema(schemas.definitions()[name])
    if schema.get("x-kubernetes-group-version-kind"):
        for prop in ("apiVersion", "kind"):
            (schema.get("properties") or {}).get(prop, {}).pop("enum", None)
    return schema | _EXTRA.get(name, {})


def _refs(node: Any) -> Iterator[str]:
    """The component names referenced anywhere in ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value.removeprefix(_REF)
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _closure(roots: Iterator[str]) -> dict[str, Schema]:
    """The components ``roots`` need, transitively, keyed and ordered by name."""
    found: dict[str, Schema] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name not in found:
            found[name] = _component(name)
            pending.extend(_refs(found[name]))
    return dict(sorted(found.items()))


# -- paths and operations -------------------------------------------------------------------------


def _param(name: str, kind: str = "string", where: str = "query") -> Schema:
    param: Schema = {"name": name, "in": where, "schema": {"type": kind}}
    if where == "path":
        param["required"] = True
    return param


_LIST_PARAMS = [
    _param("allowWatchBookmarks", "boolean"),
    _param("continue"),
    _param("fieldSelector"),
    _param("labelSelector"),
    _param("limit", "integer"),
    _param("resourceVersion"),
    _param("resourceVersionMatch"),
    _param("sendInitialEvents", "boolean"),
    _param("timeoutSeconds", "integer"),
    _param("watch", "boolean"),
]
_WRITE_PARAMS = [_param("dryRun"), _param("fieldManager"), _param("fieldValidation")]
_PATCH_PARAMS = [*_WRITE_PARAMS, _param("force", "boolean")]
_DELETE_PARAMS = [
    _param("dryRun"),
    _param("gracePeriodSeconds", "integer"),
    _param("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean"),
    _param("orphanDependents", "boolean"),
    _param("propagationPolicy"),
]
_WATCH = JSON + ";stream=watch"
_STATUS_TEXT = {200: "OK", 201: "Created", 202: "Accepted"}
_COLLECTION_METHODS = {"list": "get", "create": "post", "deletecollection": "delete"}
_METHODS = {"get": "get", "create": "post", "update": "put", "patch": "patch", "delete": "delete"}


def _ref(name: str) -> Schema:
    return {"$ref": _REF + name}


def _content(types: tuple[str, ...], schema: Schema) -> Schema:
    return {t: {"schema": schema} for t in types}


def _json(name: str, *codes: int) -> dict[int, Schema]:
    return dict.fromkeys(codes, _content((JSON,), _ref(name)))


def _definition(group: str, version: str, kind: str) -> str:
    name = schemas.definition_name(group, version, kind)
    if name is None:
        raise LookupError(f"no OpenAPI definition for {group}/{version} {kind}")
    return name


@dataclass(frozen=True)
class _Api:
    """Naming for one group-version: URL prefix, tag and operationId (as upstream names them)."""

    group: str
    version: str

    @property
    def prefix(self) -> str:
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"

    @property
    def tag(self) -> str:
        words = self.group.removesuffix(".k8s.io").split(".") if self.group else ["core"]
        return words[0] + "".join(w.capitalize() for w in words[1:]) + "_" + self.version

    def operation(
        self,
        op_id: str,
        description: str,
        responses: dict[int, Schema],
        *,
        action: str | None = None,
        gvk: Schema | None = None,
        request: Schema | None = None,
        parameters: list[Schema] | None = None,
    ) -> Schema:
        """One operation; ``op_id`` is verb + subject with a ``{gv}`` marker for ``CoreV1``."""
        name, _, version = self.tag.rpartition("_")
        gv = name[0].upper() + name[1:] + version.capitalize()
        operation: Schema = {"description": description, "operationId": op_id.format(gv=gv)}
        if parameters:
            operation["parameters"] = parameters
        if request is not None:
            operation["requestBody"] = {"content": request, "required": True}
        operation["responses"] = {
            **{
                str(code): {"content": c, "description": _STATUS_TEXT[code]}
                for code, c in responses.items()
            },
            "401": {"description": "Unauthorized"},
        }
        operation["tags"] = [self.tag]
        if action is not None:
            operation["x-kubernetes-action"] = action
        if gvk is not None:
            operation["x-kubernetes-group-version-kind"] = gvk
        return operation


@dataclass(frozen=True)
class _Target:
    """What the operations of one path act on: ``pods``, or a subresource such as ``pods/status``."""

    group: str
    version: str
    kind: str
    subject: str  # operationId tail: NamespacedPod, NamespacedPodStatus, Node, ...
    the: str  # "the specified Pod", "status of the specified Pod"
    a: str  # "a Pod", "eviction of a Pod"

    @property
    def gvk(self) -> Schema:
        return {"group": self.group, "kind": self.kind, "version": self.version}


def _operation(api: _Api, verb: str, t: _Target) -> Schema:
    """The operation for one registry verb (list, create, get, update, patch, delete, ...)."""
    name = _definition(t.group, t.version, t.kind)
    body = _content(("*/*",), _ref(name))
    delete_options = _content(("*/*",), _ref(_META + "DeleteOptions"))
    match verb:
        case "list":
            listing = _ref(_definition(t.group, t.version, t.kind + "List"))
            return api.operation(
                "list{gv}" + t.subject,
                f"list or watch objects of kind {t.kind}",
                {200: _content((JSON, _WATCH), listing)},
                action="list",
                gvk=t.gvk,
                parameters=_LIST_PARAMS,
            )
        case "create":
            return api.operation(
                "create{gv}" + t.subject,
                f"create {t.a}",
                _json(name, 200, 201, 202),
                action="post",
                gvk=t.gvk,
                request=body,
                parameters=_WRITE_PARAMS,
            )
        case "deletecollection":
            return api.operation(
                "delete{gv}Collection" + t.subject,
                f"delete collection of {t.kind}",
                _json(_META + "Status", 200),
                action="deletecollection",
                gvk=t.gvk,
                request=delete_options,
                parameters=[*_DELETE_PARAMS, *_LIST_PARAMS],
            )
        case "get":
            return api.operation(
                "read{gv}" + t.subject, f"read {t.the}", _json(name, 200), action="get", gvk=t.gvk
            )
        case "update":
            return api.operation(
                "replace{gv}" + t.subject,
                f"replace {t.the}",
                _json(name, 200, 201),
                action="put",
                gvk=t.gvk,
                request=body,
                parameters=_WRITE_PARAMS,
            )
        case "patch":
            return api.operation(
                "patch{gv}" + t.subject,
                f"partially update {t.the}",
                _json(name, 200, 201),
                action="patch",
                gvk=t.gvk,
                parameters=_PATCH_PARAMS,
                request=_content(PATCH_CONTENT_TYPES, _ref(_META + "Patch")),
            )
        case "delete":
            return api.operation(
                "delete{gv}" + t.subject,
                f"delete {t.a}",
                _json(name, 200, 202),
                action="delete",
                gvk=t.gvk,
                request=delete_options,
                parameters=_DELETE_PARAMS,
            )
    raise ValueError(f"no operation for verb {verb!r}")


def _subresource_operations(api: _Api, r: ResourceType, sub: Subresource, scope: str) -> Schema:
    """The operations of ``pods/{name}/status`` and friends, by HTTP method."""
    group = r.group if sub.group is None else sub.group
    t = _Target(
        group,
        sub.version or r.version,
        sub.kind,
        scope + r.kind + sub.name.capitalize(),
        f"{sub.name} of the specified {r.kind}",
        f"{sub.name} of a {r.kind}",
    )
    methods = [(verb, _METHODS[verb]) for verb in sub.verbs]
    if sub.kind.endswith("Options"):  # exec, attach, portforward, proxy: streams, no schema
        streamed = {200: _content(("*/*",), {"type": "string"})}
        return {
            method: api.operation(
                "connect{gv}" + method.capitalize() + t.subject,
                f"connect {method.upper()} requests to {sub.name} of {r.kind}",
                streamed,
                action="connect",
                gvk=t.gvk,
            )
            for _, method in methods
        }
    if sub.name == "log":
        text = {200: _content(("text/plain",), {"type": "string"})}
        return {
            "get": api.operation(
                "read{gv}" + t.subject,
                f"read log of the specified {r.kind}",
                text,
                action="get",
                gvk=t.gvk,
            )
        }
    return {method: _operation(api, verb, t) for verb, method in methods}


def _resource_paths(api: _Api, r: ResourceType) -> dict[str, Schema]:
    """Every path of one resource with its operations (paths without operations left out)."""
    scope = "Namespaced" if r.namespaced else ""
    t = _Target(
        r.group, r.version, r.kind, scope + r.kind, f"the specified {r.kind}", f"a {r.kind}"
    )
    namespace = [_param("namespace", where="path")] if r.namespaced else []
    collection = api.prefix + ("/namespaces/{namespace}/" if r.namespaced else "/") + r.plural
    item = collection + "/{name}"
    on_collection = {_COLLECTION_METHODS[v]: v for v in r.verbs if v in _COLLECTION_METHODS}
    on_item = {_METHODS[v]: v for v in r.verbs if v in _METHODS and v != "create"}
    paths: dict[str, Schema] = {}

    def add(path: str, operations: Schema, parameters: list[Schema]) -> None:
        if operations:
            paths[path] = {**operations, "parameters": [*parameters, _param("pretty")]}

    add(collection, {m: _operation(api, v, t) for m, v in on_collection.items()}, namespace)
    item_params = [_param("name", where="path"), *namespace]
    add(item, {m: _operation(api, v, t) for m, v in on_item.items()}, item_params)
    if r.namespaced and "list" in r.verbs:
        everywhere = _Target(r.group, r.version, r.kind, r.kind + "ForAllNamespaces", "", "")
        add(f"{api.prefix}/{r.plural}", {"get": _operation(api, "list", everywhere)}, [])
    for sub in r.subresources:
        add(f"{item}/{sub.name}", _subresource_operations(api, r, sub, scope), item_params)
    return paths


def group_version_document(group: str, version: str) -> Schema | None:
    """The OpenAPI v3 document of one served group-version, or None if it is not served.

    Built anew on each call (serving uses the cached bytes); it shares leaf values with the
    definitions and module constants, so treat it as read-only.
    """
    if (group, version) not in group_versions():
        return None
    api = _Api(group, version)
    resources = _json(_META + "APIResourceList", 200)
    discovery = api.operation("get{gv}APIResources", "get available resources", resources)
    paths: dict[str, Schema] = {api.prefix + "/": {"get": discovery}}
    for r in in_group_version(group, version):
        paths.update(_resource_paths(api, r))
    paths = dict(sorted(paths.items()))
    components = _closure(_refs(paths))
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
        "paths": paths,
        "components": {"schemas": components},
    }


# -- serving --------------------------------------------------------------------------------------


def gv_path(group: str, version: str) -> str:
    """The index key (and URL tail) of a group-version: ``api/v1``, ``apis/apps/v1``."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _etag(body: bytes) -> str:
    return hashlib.sha512(body).hexdigest().upper()


def _encode(document: Schema) -> bytes:
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


@functools.cache
def _documents() -> dict[str, tuple[bytes, str]]:
    """Every group-version document as (JSON bytes, ETag), keyed by ``gv_path``."""
    built: dict[str, tuple[bytes, str]] = {}
    for group, version in group_versions():
        document = group_version_document(group, version)
        assert document is not None
        body = _encode(document)
        built[gv_path(group, version)] = (body, _etag(body))
    return built


def index() -> Schema:
    """The /openapi/v3 document: each group-version's URL, pinned to its content hash."""
    return {
        "paths": {
            path: {"serverRelativeURL": f"/openapi/v3/{path}?hash={etag}"}
            for path, (_, etag) in _documents().items()
        }
    }


@functools.cache
def _index_bytes() -> tuple[bytes, str]:
    body = _encode(index())
    return body, _etag(body)


@dataclass(frozen=True)
class Response:
    """A complete HTTP answer: status, headers (Content-Type included) and body."""

    status: int
    headers: dict[str, str]
    body: bytes = b""


def _not_found() -> Response:
    status = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "the server could not find the requested resource",
        "reason": "NotFound",
        "details": {},
        "code": 404,
    }
    return Response(404, {"Content-Type": JSON}, _encode(status))


_ETAG_LIST = re.compile(r'(?:W/)?"([^"]*)"|\*')


def _not_modified(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    return any(m.group(0) == "*" or m.group(1) == etag for m in _ETAG_LIST.finditer(if_none_match))


def _accepts_json(accept: str | None) -> bool:
    for clause in (accept or "*/*").split(","):
        media_type = clause.split(";")[0].strip().lower()
        if media_type in (JSON, "application/*", "*/*"):
            return True
    return False


def _serve(body: bytes, etag: str, headers: dict[str, str], if_none_match: str | None) -> Response:
    headers = {"Content-Type": JSON, "Etag": f'"{etag}"', **headers}
    if _not_modified(if_none_match, etag):
        return Response(304, headers)
    return Response(200, headers, body)


def serve(
    path: str,
    hash_: str | None,
    if_none_match: str | None,
    accept: str | None = None,
    *,
    now: datetime | None = None,
) -> Response | None:
    """The answer to ``GET path`` (query ``hash``), or None if ``path`` is not an OpenAPI URL.

    Like kube-apiserver: the index and unhashed documents are served with an ETag and
    ``Cache-Control: no-cache, private``; a current ``hash`` adds ``public, immutable`` and a
    one-year ``Expires``; a stale ``hash`` is redirected (301) to the current URL; a matching
    If-None-Match gives 304; an Accept without JSON (protobuf only) gives 406.
    """
    if path == "/openapi/v2" or path.startswith("/openapi/v2/"):
        return _not_found()
    if path.rstrip("/") == "/openapi/v3":
        body, etag = _index_bytes()
        return _serve(body, etag, {"Cache-Control": "no-cache, private"}, if_none_match)
    if not path.startswith("/openapi/v3/"):
        return None
    name = path.removeprefix("/openapi/v3/").strip("/")
    document = _documents().get(name)
    if document is None:
        return _not_found()
    if not _accepts_json(accept):
        return Response(
            406, {"Content-Type": "text/plain"}, b"not acceptable: only application/json"
        )
    body, etag = document
    if hash_ and hash_ != etag:
        return Response(301, {"Location": f"/openapi/v3/{name}?hash={etag}"})
    if not hash_:
        return _serve(
            body, etag, {"Cache-Control": "no-cache, private", "Vary": "Accept"}, if_none_match
        )
    expires = (now or datetime.now(timezone.utc)) + timedelta(days=365)
    immutable = {
        "Cache-Control": "public, immutable",
        "Expires": format_datetime(expires.astimezone(timezone.utc), usegmt=True),
        "Vary": "Accept",
    }
    return _serve(body, etag, immutable, if_none_match)
