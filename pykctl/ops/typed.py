"""Objects as kubectl's typed Go structs print them (``create`` generators, ``create token``,
``autoscale``, ``rollout history -o``).

kubectl builds the objects of its create generators as Go structs and decodes the server's
answer into the same structs, so what it prints (``-o json``, ``-o yaml``, the annotation of
``--save-config``) is ``encoding/json`` of a struct, not of a map: fields in struct order, unknown
fields dropped, ``omitempty`` zero values left out, non-pointer structs always present (``{}``),
absent non-``omitempty`` lists and maps written as ``null``, a zero ``metav1.Time`` as ``null``.
``encode`` reproduces that from a JSON-like dict, using the struct facts in
``typed_fields.json`` (see its ``_source``).

Invariants: the input is never mutated; the result is a new dict whose key order is the Go
struct order (map-typed fields have sorted keys, as Go writes maps), so ``gojson.dumps(...,
sort_keys=False)`` gives kubectl's bytes. A present key means a non-nil Go value: ``[]`` and
``{}`` are empty but non-nil, a missing key or ``None`` is nil.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

Obj = dict[str, Any]
_MISSING = object()

# API group -> the package name the table uses for it.
_GROUP_PACKAGES = {
    "": "core",
    "apps": "apps",
    "batch": "batch",
    "networking.k8s.io": "networking",
    "rbac.authorization.k8s.io": "rbac",
    "policy": "policy",
    "scheduling.k8s.io": "scheduling",
    "authentication.k8s.io": "authentication",
    "autoscaling": "autoscaling",
}
_ZEROS: dict[str, Any] = {"string": "", "int": 0, "float": 0.0, "bool": False}


@functools.cache
def _structs() -> dict[str, list[list[Any]]]:
    path = resources.files("pykctl.ops") / "typed_fields.json"
    with path.open("rb") as f:
        data: dict[str, list[list[Any]]] = json.load(f)["structs"]
    return data


def struct_name(api_version: str, kind: str) -> str | None:
    """The table's name of the struct of a top-level kind (None for kinds it does not know)."""
    group, _, version = api_version.rpartition("/")
    package = _GROUP_PACKAGES.get(group)
    name = f"{package}/{version}.{kind}"
    return name if package is not None and name in _structs() else None


def encode(obj: Obj) -> Obj:
    """``obj`` as kubectl's typed struct for its apiVersion/kind writes it (unchanged if unknown)."""
    name = struct_name(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    if name is None:
        return obj
    return _struct(name, obj)


def _struct(name: str, value: Any) -> Obj:
    source = value if isinstance(value, dict) else {}
    out: Obj = {}
    for json_name, kind, element, flags in _structs()[name]:
        if "i" in flags:
            out.update(_struct(element, source))
            continue
        raw = source.get(json_name, _MISSING)
        encoded = _field(kind, element, flags, raw)
        if encoded is not _MISSING:
            out[json_name] = encoded
    return out


def _field(kind: str, element: Any, flags: str, raw: Any) -> Any:
    """One field's JSON value, or ``_MISSING`` when Go leaves it out."""
    pointer, omitempty = "p" in flags, "o" in flags
    absent = raw is _MISSING or raw is None
    if kind in ("slice", "map"):
        if absent:
            return _MISSING if omitempty else None
        if omitempty and not raw:
            return _MISSING
        return _collection(kind, element, raw)
    if pointer:
        if absent:
            return _MISSING if omitempty else None
        return _value(kind, element, raw)
    if kind == "struct":
        return _struct(element, raw)
    if kind == "time":
        if absent:
            return _MISSING if "z" in flags else None
        return raw
    if absent:
        raw = {"quantity": "0", "intorstring": 0, "bytes": None, "raw": None}.get(
            kind, _ZEROS.get(kind)
        )
    if omitempty and kind in _ZEROS and raw == _ZEROS[kind] and type(raw) is type(_ZEROS[kind]):
        return _MISSING
    if omitempty and kind in ("bytes", "raw") and not raw:
        return _MISSING
    return raw


def _value(kind: str, element: Any, raw: Any) -> Any:
    """A present (non-nil) value of ``kind``."""
    if kind == "struct":
        return _struct(element, raw)
    if kind in ("slice", "map"):
        return _collection(kind, element, raw)
    return raw


def _collection(kind: str, element: list[Any], raw: Any) -> Any:
    item_kind, item_element, item_pointer = element

    def item(value: Any) -> Any:
        if value is None and (item_pointer or item_kind in ("slice", "map", "raw")):
            return None
        return _value(item_kind, item_element, value)

    if kind == "slice":
        return [item(v) for v in raw] if isinstance(raw, list) else raw
    if isinstance(raw, dict):
        return {key: item(raw[key]) for key in sorted(raw)}
    return raw
