"""The Kubernetes v1.37 OpenAPI definitions, as shipped by ``kubernetes-validate``.

One file, ``_definitions.json``, holds every definition (``io.k8s.api.core.v1.Pod``, ...) with
descriptions, ``x-kubernetes-group-version-kind`` and the strategic-merge metadata
(``x-kubernetes-patch-merge-key``, ``-patch-strategy``, ``-list-type``, ``-list-map-keys``).
It is loaded once, lazily, and never mutated: callers must copy before changing anything.
References are JSON-schema style (``{"$ref": "#/$defs/NAME"}``); types may be lists such as
``["string", "null"]``.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

KUBERNETES_VERSION = "v1.37.0"
_DIRECTORY = f"kubernetes-json-schema/{KUBERNETES_VERSION}-local"
_REF_PREFIX = "#/$defs/"

Schema = dict[str, Any]


@functools.cache
def definitions() -> dict[str, Schema]:
    """Every definition by its full name."""
    path = resources.files("kubernetes_validate") / _DIRECTORY / "_definitions.json"
    with path.open("rb") as f:
        data: dict[str, Schema] = json.load(f)["$defs"]
    return data


@functools.cache
def _by_gvk() -> dict[tuple[str, str, str], str]:
    index: dict[tuple[str, str, str], str] = {}
    for name, schema in definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind") or []:
            index.setdefault((gvk.get("group", ""), gvk["version"], gvk["kind"]), name)
    return index


def definition_name(group: str, version: str, kind: str) -> str | None:
    """The definition name of a top-level kind (``("apps", "v1", "Deployment")``)."""
    return _by_gvk().get((group, version, kind))


def for_kind(group: str, version: str, kind: str) -> Schema | None:
    """The schema of a top-level kind, or None for kinds the schemas do not know (CRDs)."""
    name = definition_name(group, version, kind)
    return definitions()[name] if name else None


def resolve(schema: Schema | None) -> Schema | None:
    """Follow ``$ref`` (also inside ``allOf`` with one element) to the referenced definition."""
    while schema is not None:
        ref = schema.get("$ref")
        if ref is None and len(schema.get("allOf") or []) == 1:
            ref = schema["allOf"][0].get("$ref")
        if ref is None:
            return schema
        schema = definitions().get(ref.removeprefix(_REF_PREFIX))
    return None


def property_schema(schema: Schema | None, name: str) -> Schema | None:
    """The (resolved) schema of field ``name`` of an object schema."""
    schema = resolve(schema)
    if schema is None:
        return None
    prop = (schema.get("properties") or {}).get(name)
    if prop is None:
        additional = schema.get("additionalProperties")
        prop = additional if isinstance(additional, dict) else None
    return prop


def items_schema(schema: Schema | None) -> Schema | None:
    """The schema of the elements of an array schema."""
    schema = resolve(schema)
    if schema is None:
        return None
    items = schema.get("items")
    return items if isinstance(items, dict) else None


def types(schema: Schema | None) -> set[str]:
    """The JSON types a schema allows (``{"string", "null"}``)."""
    schema = resolve(schema)
    if not schema:
        return set()
    value = schema.get("type")
    if value is None:
        return set()
    return {value} if isinstance(value, str) else set(value)
