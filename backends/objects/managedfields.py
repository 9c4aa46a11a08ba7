"""Server-side apply and ``metadata.managedFields``, as kube-apiserver v1.37 implements them.

kube-apiserver runs every write through its field manager (apimachinery's ``managedfields``
package over structured-merge-diff v6): ordinary creates, updates and patches record which
fields each manager changed (``operation: Update`` entries), and ``apply-patch+yaml`` requests
merge an applied configuration into the live object (``operation: Apply``). This module is that
field manager as a pure library the REST layer calls:

* ``apply``: the server-side apply merge: fields in the configuration are set (list-maps merged
  by key, sets by value, atomic lists and maps replaced), fields the manager applied before but
  no longer applies are removed unless someone else owns them, changing a field another
  manager owns is a conflict (409 with kube-apiserver's message and causes) unless forced,
  which takes the field over. It also does what the wrappers around the merge do: the
  ``before-first-apply`` entry for objects without managed fields, stripping of server-owned
  metadata, the client-side-apply upgrade for manager ``kubectl`` (conflicts on fields its
  last-applied annotation still matches are forced; the annotation is kept in sync).
* ``track_update``: the bookkeeping for every other write: what changed between the old and the
  new object is owned by the writer, removed from everyone else, empty entries are dropped,
  at most ten Update entries are kept (older ones merge into ``ancient-changes``); a client
  may send managedFields to replace them, and ``[]`` (or ``[{}]``) resets them.
* ``field_set``: the set of fields an object sets, in FieldsV1 form (``fieldpath``).

The schema of a kind is its OpenAPI definition (``schemas.for_kind``; None for kinds without
one, whose maps are granular and lists atomic). It gives list types
(``x-kubernetes-list-type`` / ``-list-map-keys``, falling back to the strategic-merge metadata
like kube-openapi's converter), map types (``x-kubernetes-map-type``) and the key defaults of
list-map items (``protocol: TCP`` of ports).

Invariants: inputs are never mutated; ``apply`` returns an object sharing nothing with its
inputs; ``track_update`` returns a new top-level object and metadata, whose managedFields may
share unchanged ``fieldsV1`` values with ``old`` (everything is read-only, as in the store).
Times are the caller's ``now`` (RFC 3339, UTC). Every failure is a ``FieldManagerError``
carrying kube-apiserver's Status (``status()``).

Known deviations: entries recorded at another apiVersion of the kind are compared as if at
this one (kube-apiserver converts the objects); ``1 == True`` inside otherwise equal values is
not a change (Python equality); scalar types and undeclared fields are not validated (the REST
layer validates); the ``/scale`` subresource's translation of managed fields between Scale and
its parent (``ScaleHandler``) is not done; the empty object a create starts from is
approximated from the schema (``metadata``, ``spec``, ``status``, required struct fields and a
few value structs), which decides only whether some intermediate fields get a ``.`` in the
creator's entry.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Final

from backends.objects import fieldpath, gojson, schemas
from backends.objects.fieldpath import MEMBER, FieldSet
from backends.objects.gofmt import quote

__all__ = [
    "LAST_APPLIED",
    "ApplyConflictError",
    "FieldManagerError",
    "apply",
    "default_manager",
    "field_set",
    "track_update",
]

LAST_APPLIED: Final = "kubectl.kubernetes.io/last-applied-configuration"
FIELD_MANAGER_MAX_LENGTH: Final = 128
MAX_UPDATE_MANAGERS: Final = 10
BEFORE_FIRST_APPLY: Final = "before-first-apply"
ANCIENT_CHANGES: Final = "ancient-changes"

Obj = dict[str, Any]


class FieldManagerError(Exception):
    """A request the field manager refuses, with kube-apiserver's answer."""

    def __init__(
        self, code: int, reason: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self) -> dict[str, Any]:
        """The Status object kube-apiserver sends."""
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
        }
        if self.reason:
            body["reason"] = self.reason
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def _bad_request(message: str) -> FieldManagerError:
    return FieldManagerError(400, "BadRequest", message)


def _internal(message: str) -> FieldManagerError:
    """An error kube-apiserver does not classify: 500, no reason, the text as is."""
    return FieldManagerError(500, "", message)


# -- schema types -----------------------------------------------------------------------------

_MAP, _LIST, _SCALAR = 1, 2, 3

# Defaults of list-map key fields (``+default=`` in types.go; the bundled schemas omit them).
_KEY_DEFAULTS: Final[dict[str, dict[str, Any]]] = {
    "io.k8s.api.core.v1.ContainerPort": {"protocol": "TCP"},
    "io.k8s.api.core.v1.ServicePort": {"protocol": "TCP"},
}
# Optional struct fields Go holds by value (present, empty, in a zero object).
_VALUE_STRUCTS: Final[dict[str, tuple[str, ...]]] = {
    "io.k8s.api.apps.v1.DeploymentSpec": ("strategy",),
    "io.k8s.api.apps.v1.DaemonSetSpec": ("updateStrategy",),
    "io.k8s.api.apps.v1.StatefulSetSpec": ("updateStrategy",),
}
# kube-openapi's converter makes these untyped leaves whatever they hold.
_UNTYPED_LEAVES: Final = frozenset(
    {
        "io.k8s.apimachinery.pkg.api.resource.Quantity",
        "io.k8s.apimachinery.pkg.runtime.RawExtension",
    }
)


class _Type:
    """A schema type as structured-merge-diff sees it: which of map / list / scalar a value
    may be, and for maps and lists whether they are atomic, their fields, keys and items."""

    __slots__ = (
        "_field_schemas",
        "_fields",
        "_item",
        "_item_schema",
        "elem",
        "keys",
        "list",
        "list_atomic",
        "map",
        "map_atomic",
        "name",
        "primary",
        "required",
        "scalar",
    )

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.scalar = self.map = self.list = False
        self.map_atomic = self.list_atomic = False
        self.keys: tuple[str, ...] | None = None
        self.required: tuple[str, ...] = ()
        self.elem: _Type | None = None
        self._field_schemas: Mapping[str, schemas.Schema] = {}
        self._fields: dict[str, _Type] = {}
        self._item_schema: schemas.Schema | None = None
        self._item: _Type | None = None
        self.primary = _SCALAR

    def declares(self, name: str) -> bool:
        return name in self._field_schemas

    def field(self, name: str) -> _Type:
        """The type of field (or map key) ``name``."""
        t = self._fields.get(name)
        if t is None:
            schema = self._field_schemas.get(name)
            t = _compile(schema) if schema is not None else (self.elem or _DEDUCED)
            self._fields[name] = t
        return t

    @property
    def item(self) -> _Type:
        if self._item is None:
            self._item = _compile(self._item_schema) if self._item_schema else _UNTYPED_ATOMIC
        return self._item

    @property
    def key_defaults(self) -> dict[str, Any]:
        item = self.item
        defaults = dict(_KEY_DEFAULTS.get(item.name, {}))
        for k, schema in item._field_schemas.items():
            if "default" in schema:
                defaults[k] = schema["default"]
        return defaults

    def is_struct(self) -> bool:
        return self.map and not self.map_atomic and bool(self._field_schemas)


def _facets(t: _Type, *, scalar: bool, map_: bool, list_: bool) -> _Type:
    t.scalar, t.map, t.list = scalar, map_, list_
    t.primary = _MAP if map_ else _SCALAR if scalar else _LIST
    return t


_DEDUCED = _facets(_Type("__untyped_deduced_"), scalar=True, map_=True, list_=True)
_DEDUCED.list_atomic = True
_DEDUCED.elem = _DEDUCED
_UNTYPED_ATOMIC = _facets(_Type("__untyped_atomic_"), scalar=True, map_=True, list_=True)
_UNTYPED_ATOMIC.map_atomic = _UNTYPED_ATOMIC.list_atomic = True
_UNTYPED_ATOMIC.elem = _UNTYPED_ATOMIC


def _ref_name(schema: schemas.Schema) -> str | None:
    ref = schema.get("$ref")
    if ref is None and len(schema.get("allOf") or []) == 1:
        ref = schema["allOf"][0].get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


@functools.cache
def _named(name: str, map_type: str | None) -> _Type:
    if name in _UNTYPED_LEAVES:
        return _UNTYPED_ATOMIC
    schema = schemas.definitions().get(name)
    if schema is None:
        return _DEDUCED
    return _build(schema, name, map_type)


def _compile(schema: schemas.Schema | None) -> _Type:
    if schema is None:
        return _DEDUCED
    name = _ref_name(schema)
    if name is not None:
        return _named(name, schema.get("x-kubernetes-map-type"))
    return _build(schema, "", None)


def _build(schema: schemas.Schema, name: str, map_type: str | None) -> _Type:
    types = schemas.types(schema) - {"null"}
    t = _Type(name)
    if types & {"string", "integer", "number", "boolean"} and not types & {"object", "array"}:
        return _facets(t, scalar=True, map_=False, list_=False)
    is_map = "object" in types or not types
    is_list = "array" in types or not types
    _facets(t, scalar=not types, map_=is_map, list_=is_list)
    if is_map:
        t.map_atomic = (map_type or schema.get("x-kubernetes-map-type")) == "atomic"
        t._field_schemas = schema.get("properties") or {}
        t.required = tuple(schema.get("required") or ())
        additional = schema.get("additionalProperties")
        if isinstance(additional, dict) and not schema.get("x-kubernetes-preserve-unknown-fields"):
            t.elem = _compile(additional)
    if is_list:
        t._item_schema = schema.get("items") if isinstance(schema.get("items"), dict) else None
        list_type = schema.get("x-kubernetes-list-type")
        if list_type is None and schema.get("x-kubernetes-patch-strategy") in (
            "merge",
            "merge,retainKeys",
        ):
            merge_key = schema.get("x-kubernetes-patch-merge-key")
            t.keys = (merge_key,) if merge_key else None
        elif list_type == "map":
            t.keys = tuple(schema.get("x-kubernetes-list-map-keys") or ()) or None
        elif list_type != "set":
            t.list_atomic = True
    return t


@functools.cache
def _definition_names() -> dict[int, str]:
    return {id(schema): name for name, schema in schemas.definitions().items()}


def _root_type(schema: schemas.Schema | None) -> _Type:
    if schema is None:
        return _DEDUCED
    name = _definition_names().get(id(schema))
    return _named(name, None) if name is not None else _compile(schema)


# -- typed walks ------------------------------------------------------------------------------


class _Missing:
    """The absence of a value (as opposed to ``None``, an explicit null)."""

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Final = _Missing()


class _Invalid(Exception):
    """A value the schema cannot hold as structured-merge-diff requires (list keys)."""


def _facet(t: _Type, v: Any) -> int:
    if isinstance(v, dict):
        return _MAP if t.map else _SCALAR
    if isinstance(v, list):
        return _LIST if t.list else _SCALAR
    if v is None:
        return t.primary
    return _SCALAR


def _pair_facet(t: _Type, left: Any, right: Any) -> int:
    """How two present values compare or merge: by their common facet, else as leaves."""
    if left is None:
        return _facet(t, right)
    if right is None:
        return _facet(t, left)
    f = _facet(t, right)
    return f if f == _facet(t, left) else _SCALAR


def _go_strings(items: Iterable[str]) -> str:
    """Go's %q of a []string."""
    return "[" + " ".join(quote(s) for s in items) + "]"


def _item_element(item: Any, t: _Type) -> str:
    """The path element of an item of granular list type ``t``."""
    if t.keys is None:
        if isinstance(item, dict):
            raise _Invalid("associative list without keys has an element that's a map type")
        if isinstance(item, list):
            raise _Invalid("not supported: associative list with lists as elements")
        if item is None:
            raise _Invalid("associative list without keys has an element that's an explicit null")
        return fieldpath.value(item)
    if item is None:
        raise _Invalid("associative list with keys may not have a null element")
    if not isinstance(item, dict):
        raise _Invalid("associative list with keys may not have non-map elements")
    if len(t.keys) == 1 and t.keys[0] in item:
        k = t.keys[0]
        return "k:{" + gojson.encode_string(k) + ":" + gojson.dumps(item[k]) + "}"
    fields: list[tuple[str, Any]] = []
    defaults: dict[str, Any] | None = None
    for k in t.keys:
        if k in item:
            fields.append((k, item[k]))
            continue
        if defaults is None:
            defaults = t.key_defaults
        if k in defaults:
            fields.append((k, defaults[k]))
    if not fields:
        raise _Invalid(
            "associative list with keys has an element that omits all key fields "
            f"{_go_strings(t.keys)} (and doesn't have default values for any key fields)"
        )
    return fieldpath.key(fields)


def _group(items: list[Any] | None, t: _Type) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for item in items or ():
        groups.setdefault(_item_element(item, t), []).append(item)
    return groups


def _validate(
    v: Any, t: _Type, path: tuple[str, ...], allow_duplicates: bool, errors: list[str]
) -> None:
    """structured-merge-diff's validation of list keys (element errors, duplicate keys)."""

    def report(message: str) -> None:
        where = fieldpath.path_string(path)
        errors.append(f"{where}: {message}" if where else message)

    f = _facet(t, v)
    if f == _MAP and v:
        for k, child in v.items():
            _validate(child, t.field(k), (*path, fieldpath.field(k)), allow_duplicates, errors)
    elif f == _LIST and v:
        associative = not t.list_atomic
        seen: set[str] = set()
        for i, item in enumerate(v):
            if associative:
                try:
                    pe = _item_element(item, t)
                except _Invalid as err:
                    report(f"element {i}: {err}")
                    return
                if pe in seen and not allow_duplicates:
                    report(f"duplicate entries for key {fieldpath.element_string(pe)}")
                seen.add(pe)
            else:
                pe = fieldpath.index(i)
            _validate(item, t.item, (*path, pe), allow_duplicates, errors)


def _node(member: bool, children: FieldSet) -> FieldSet | None:
    if children:
        return {MEMBER: {}, **children} if member else children
    return {} if member else None


def _collect(v: Any, t: _Type) -> tuple[bool, FieldSet]:
    """The fields value ``v`` sets: (whether it is a leaf, the fields below it)."""
    f = _facet(t, v)
    if f == _MAP:
        if t.map_atomic:
            return True, {}
        out: FieldSet = {}
        for k, child in (v or {}).items():
            leaf, below = _collect(child, t.field(k))
            member = (
                leaf
                or child is None
                or (isinstance(child, dict) and not child)
                or not t.declares(k)
            )
            node = _node(member, below)
            if node is not None:
                out[fieldpath.field(k)] = node
        return False, out
    if f == _LIST:
        if t.list_atomic:
            return True, {}
        out = {}
        for pe, items in _group(v, t).items():
            if len(items) > 1:
                out[pe] = {}
            else:
                _, below = _collect(items[0], t.item)
                out[pe] = _node(True, below) or {}
        return False, out
    return True, {}


def _everything(v: Any, t: _Type) -> FieldSet:
    """The node of a value that is entirely new (or entirely gone): it and all below it."""
    f = _facet(t, v)
    children: FieldSet = {}
    if f == _MAP and v and not t.map_atomic:
        for k, child in v.items():
            children[fieldpath.field(k)] = _everything(child, t.field(k))
    elif f == _LIST and v and not t.list_atomic:
        for pe, items in _group(v, t).items():
            children[pe] = _everything(items[0], t.item) if len(items) == 1 else {}
    return {MEMBER: {}, **children} if children else {}


def _add_member(s: FieldSet, pe: str) -> None:
    node = s.get(pe)
    if node is None:
        s[pe] = {}
    elif node and MEMBER not in node:
        s[pe] = {MEMBER: {}, **node}


@dataclass
class _Comparison:
    added: FieldSet
    modified: FieldSet
    removed: FieldSet

    def without(self, ignored: FieldSet | None) -> _Comparison:
        if not ignored:
            return self
        return _Comparison(
            fieldpath.recursive_difference(self.added, ignored),
            fieldpath.recursive_difference(self.modified, ignored),
            fieldpath.recursive_difference(self.removed, ignored),
        )


def _compare_into(
    left: Any, right: Any, t: _Type, pe: str, added: FieldSet, modified: FieldSet, removed: FieldSet
) -> None:
    """Record under ``pe`` how ``right`` differs from ``left`` (either may be missing)."""
    if left is _MISSING:
        added[pe] = _everything(right, t)
        return
    if right is _MISSING:
        removed[pe] = _everything(left, t)
        return
    if left == right:
        return
    f = _pair_facet(t, left, right)
    if f == _SCALAR:
        modified[pe] = {}
        return
    if f == _MAP:
        if t.map_atomic or (not left and not right):
            modified[pe] = {}
            return
        a: FieldSet = {}
        m: FieldSet = {}
        r: FieldSet = {}
        lmap: dict[str, Any] = left or {}
        rmap: dict[str, Any] = right or {}
        for k, lv in lmap.items():
            _compare_into(lv, rmap.get(k, _MISSING), t.field(k), fieldpath.field(k), a, m, r)
        for k, rv in rmap.items():
            if k not in lmap:
                a[fieldpath.field(k)] = _everything(rv, t.field(k))
    else:
        if t.list_atomic or (not left and not right):
            modified[pe] = {}
            return
        a, m, r = {}, {}, {}
        lgroups, rgroups = _group(left, t), _group(right, t)
        item = t.item
        for ipe in lgroups.keys() | rgroups.keys():
            litems, ritems = lgroups.get(ipe, []), rgroups.get(ipe, [])
            if len(litems) <= 1 and len(ritems) <= 1:
                lv = litems[0] if litems else _MISSING
                rv = ritems[0] if ritems else _MISSING
                _compare_into(lv, rv, item, ipe, a, m, r)
            elif len(litems) >= 2 and len(ritems) >= 2:
                if litems != ritems:
                    _add_member(m, ipe)
            elif len(litems) >= 2:
                if ritems:
                    _compare_into(_MISSING, ritems[0], item, ipe, a, m, r)
                _add_member(r, ipe)
            else:
                if litems:
                    _compare_into(litems[0], _MISSING, item, ipe, a, m, r)
                _add_member(a, ipe)
    if a:
        added[pe] = a
    if m:
        modified[pe] = m
    if r:
        removed[pe] = r


def _compare(left: Obj, right: Obj, t: _Type) -> _Comparison:
    """Which fields ``right`` added, modified and removed relative to ``left``."""
    root_added: FieldSet = {}
    root_modified: FieldSet = {}
    root_removed: FieldSet = {}
    _compare_into(left, right, t, MEMBER, root_added, root_modified, root_removed)
    return _Comparison(
        fieldpath.sort_set(root_added.get(MEMBER, {})),
        fieldpath.sort_set(root_modified.get(MEMBER, {})),
        fieldpath.sort_set(root_removed.get(MEMBER, {})),
    )


def _merge(left: Any, right: Any, t: _Type) -> Any:
    """The applied value ``right`` merged into the live value ``left``."""
    if left is _MISSING or left == right:
        return right
    f = _pair_facet(t, left, right)
    if f == _MAP:
        if t.map_atomic or (not left and not right):
            return right
        lmap: dict[str, Any] = left or {}
        rmap: dict[str, Any] = right or {}
        out = {k: (_merge(lv, rmap[k], t.field(k)) if k in rmap else lv) for k, lv in lmap.items()}
        for k, rv in rmap.items():
            if k not in lmap:
                out[k] = rv
        return out
    if f == _LIST and not t.list_atomic and (left or right):
        return _merge_list(left or [], right or [], t)
    return right


def _merge_list(left: list[Any], right: list[Any], t: _Type) -> list[Any]:
    """Granular lists merged by key: structured-merge-diff's ordering, which keeps the live
    order where it can and follows the applied order for the items it holds."""
    right_pes = [_item_element(item, t) for item in right]
    right_items = dict(zip(right_pes, right, strict=True))
    left_pes: list[str] = []
    left_items: dict[str, Any] = {}
    for item in left:
        pe = _item_element(item, t)
        left_items[pe] = None if pe in left_items else item
        left_pes.append(pe)
    shared = [pe for pe in right_pes if pe in left_items]
    next_index = 1
    next_shared = shared[0] if shared else None

    def advance() -> None:
        nonlocal next_index, next_shared
        next_shared = shared[next_index] if next_index < len(shared) else None
        next_index += 1

    out: list[Any] = []
    done: set[str] = set()
    li = ri = 0
    while li < len(left_pes) or ri < len(right_pes):
        if li < len(left_pes) and ri < len(right_pes):
            pe = left_pes[li]
            if pe == right_pes[ri]:
                done.add(pe)
                out.append(_merge(left_items[pe], right_items[pe], t.item))
                li += 1
                ri += 1
                advance()
                continue
            if pe in right_items and next_shared is not None and next_shared != pe:
                li += 1
                continue
        if li < len(left_pes):
            pe = left_pes[li]
            if pe not in right_items:
                out.append(left[li])
                li += 1
                continue
            if pe in done:
                li += 1
        if ri < len(right_pes):
            pe = right_pes[ri]
            done.add(pe)
            out.append(_merge(left_items.get(pe, _MISSING), right_items[pe], t.item))
            ri += 1
            if next_shared is not None and next_shared == pe:
                advance()
    return out


def _remove(v: Any, s: FieldSet, t: _Type) -> Any:
    """``v`` without the paths in ``s`` (relative to ``v``); _MISSING when nothing is left."""
    f = _facet(t, v)
    if f == _MAP and v and not t.map_atomic:
        out: dict[str, Any] = {}
        for k, child in v.items():
            node = s.get(fieldpath.field(k))
            if node is None:
                out[k] = child
            elif not fieldpath.is_member(node):
                kept = _remove(child, node, t.field(k))
                if kept is not _MISSING:
                    out[k] = kept
        return out if out else _MISSING
    if f == _LIST and v and not t.list_atomic:
        items: list[Any] = []
        for item in v:
            node = s.get(_item_element(item, t))
            if node is None:
                items.append(item)
            elif not fieldpath.is_member(node):
                kept = _remove(item, node, t.item)
                if kept is not _MISSING:
                    items.append(kept)
        return items if items else _MISSING
    return v


def _remove_paths(obj: Obj, s: FieldSet, t: _Type) -> Obj:
    if not s:
        return obj
    kept = _remove(obj, s, t)
    return {} if kept is _MISSING else kept


def _named_fields_as_members(s: FieldSet, t: _Type | None) -> FieldSet:
    """``s`` with every struct field that has owned fields below it owned itself (so that
    removing it removes the whole field)."""
    if t is None or not s:
        return s
    out: FieldSet = {}
    for pe, node in s.items():
        child_type: _Type | None = None
        declared = False
        if pe[0] == "f" and pe != MEMBER and t.map:
            name = pe[2:]
            child_type = t.field(name)
            declared = t.declares(name)
        elif pe[0] == "k" and t.list:
            child_type = t.item
        child = _named_fields_as_members(node, child_type) if node else node
        if declared and child and MEMBER not in child:
            child = {MEMBER: {}, **child}
        out[pe] = child
    return out


def _fields_of(obj: Any, t: _Type) -> FieldSet:
    return fieldpath.sort_set(_collect(obj, t)[1])


def field_set(obj: Obj, schema: schemas.Schema | None) -> FieldSet:
    """The fields ``obj`` sets, in FieldsV1 form, as server-side apply records an applied
    configuration (before server-owned metadata is stripped)."""
    return _fields_of(obj, _root_type(schema))


# -- managed fields entries -------------------------------------------------------------------

_STRIPPED: Final = fieldpath.from_paths(
    ("f:apiVersion",),
    ("f:kind",),
    ("f:metadata",),
    *(
        ("f:metadata", fieldpath.field(name))
        for name in (
            "name",
            "namespace",
            "creationTimestamp",
            "selfLink",
            "uid",
            "clusterName",
            "generation",
            "managedFields",
            "resourceVersion",
        )
    ),
)


@dataclass
class _Entry:
    """One managedFields entry: who, how, at which version, when, and the fields."""

    manager: str
    operation: str
    api_version: str
    subresource: str
    time: str | None
    fields: FieldSet

    @property
    def identifier(self) -> str:
        """kube-apiserver's manager identifier: the entry's JSON without fields and time (and
        without apiVersion for appliers)."""
        return _identifier(self.manager, self.operation, self.api_version, self.subresource)

    def described(self) -> str:
        """How conflict messages name the manager."""
        text = quote(self.manager)
        if self.subresource:
            text += f" with subresource {quote(self.subresource)}"
        if self.operation == "Update":
            text += f" using {self.api_version}"
        return text


def _identifier(manager: str, operation: str, api_version: str, subresource: str) -> str:
    parts = []
    if manager:
        parts.append(f'"manager":{gojson.encode_string(manager)}')
    parts.append(f'"operation":{gojson.encode_string(operation)}')
    if operation != "Apply" and api_version:
        parts.append(f'"apiVersion":{gojson.encode_string(api_version)}')
    if subresource:
        parts.append(f'"subresource":{gojson.encode_string(subresource)}')
    return "{" + ",".join(parts) + "}"


Managed = dict[str, _Entry]


@functools.lru_cache(maxsize=4096)
def _parse_time(text: str) -> datetime:
    normalized = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    parsed = datetime.fromisoformat(normalized)
    if parsed.tzinfo is None:
        raise ValueError(f"time without a zone: {text!r}")
    return parsed.astimezone(timezone.utc)


def _canonical_time(text: str) -> str:
    return _parse_time(text).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seconds(text: str | None) -> int:
    return int(_parse_time(text).timestamp()) if text else 0


def _is_reset(entries: Any) -> bool:
    """``[]`` or ``[{}]``: the client asks to drop all managed fields."""
    if not isinstance(entries, list):
        return False
    if not entries:
        return True
    only = entries[0]
    return (
        len(entries) == 1
        and isinstance(only, dict)
        and all(v is None or v == "" for v in only.values())
    )


def _decode(entries: Any, trusted: bool) -> Managed:
    """managedFields as entries by identifier; ValueError when any entry is invalid.

    ``trusted`` entries were written by this module (stored objects): their fieldsV1 are used
    as they are (and written back as they were while unchanged) instead of being parsed and
    re-spelled.
    """
    managed: Managed = {}
    if entries is None:
        return managed
    if not isinstance(entries, list):
        raise ValueError("managedFields must be a list")
    for i, raw in enumerate(entries):
        if not isinstance(raw, dict):
            raise ValueError(f"managed fields entry {i} is not an object")
        operation = raw.get("operation")
        if operation not in ("Apply", "Update"):
            raise ValueError("operation must be `Apply` or `Update`")
        api_version = raw.get("apiVersion") or ""
        if not api_version:
            raise ValueError("apiVersion must not be empty")
        fields_type = raw.get("fieldsType") or ""
        if fields_type != "FieldsV1":
            if not fields_type:
                raise ValueError(f"missing fieldsType in managed fields entry {i}")
            raise ValueError(f"invalid fieldsType {fields_type!r} in managed fields entry {i}")
        fields_v1 = raw.get("fieldsV1")
        time = raw.get("time")
        if trusted and isinstance(fields_v1, dict):
            fields = fields_v1
        else:
            try:
                fields = fieldpath.parse(fields_v1)
                time = _canonical_time(str(time)) if time is not None else None
            except (fieldpath.FieldsError, ValueError) as err:
                raise ValueError(f"error decoding set: {err}") from None
        entry = _Entry(
            manager=str(raw.get("manager") or ""),
            operation=operation,
            api_version=api_version,
            subresource=str(raw.get("subresource") or ""),
            time=time,
            fields=fields,
        )
        managed[entry.identifier] = entry
    return managed


def _sort_key(entry: _Entry) -> tuple[str, int, str, str, str]:
    return (
        entry.operation,
        _seconds(entry.time),
        entry.manager,
        entry.api_version,
        entry.subresource,
    )


def _encode(managed: Managed) -> list[dict[str, Any]]:
    """The managedFields list kube-apiserver writes: Apply entries first, then by time."""
    out: list[dict[str, Any]] = []
    for entry in sorted(managed.values(), key=_sort_key):
        encoded: dict[str, Any] = {}
        if entry.manager:
            encoded["manager"] = entry.manager
        encoded["operation"] = entry.operation
        encoded["apiVersion"] = entry.api_version
        if entry.time:
            encoded["time"] = entry.time
        encoded["fieldsType"] = "FieldsV1"
        encoded["fieldsV1"] = entry.fields
        if entry.subresource:
            encoded["subresource"] = entry.subresource
        out.append(encoded)
    return out


def _copy_managed(managed: Managed) -> Managed:
    return {identifier: replace(entry) for identifier, entry in managed.items()}


def _cap_update_managers(managed: Managed) -> None:
    """Merge the oldest Update entries into ``ancient-changes`` buckets (one per apiVersion)
    until at most ten Update entries are left."""
    updaters = [identifier for identifier, e in managed.items() if e.operation != "Apply"]
    if len(updaters) <= MAX_UPDATE_MANAGERS:
        return
    updaters.sort(key=lambda identifier: (_seconds(managed[identifier].time), identifier))
    first_of_version: dict[str, str] = {}
    remaining = len(updaters)
    for identifier in updaters:
        if remaining <= MAX_UPDATE_MANAGERS:
            break
        entry = managed[identifier]
        version = entry.api_version
        bucket = _identifier(ANCIENT_CHANGES, "Update", version, "")
        first = first_of_version.get(version)
        if first is None:
            first_of_version[version] = identifier
            continue
        if bucket not in managed:
            moved = managed.pop(first)
            managed[bucket] = _Entry(
                ANCIENT_CHANGES, "Update", version, "", moved.time, moved.fields
            )
        target = managed[bucket]
        target.fields = fieldpath.union(entry.fields, target.fields)
        target.time = entry.time
        del managed[identifier]
        remaining -= 1


# -- the field manager --------------------------------------------------------------------------


class ApplyConflictError(FieldManagerError):
    """An apply that would change fields other managers own (409 Conflict).

    ``conflicts`` lists (manager as conflict messages name it, field path) pairs.
    """

    def __init__(self, conflicts: Sequence[tuple[_Entry, tuple[str, ...]]]) -> None:
        by_manager: dict[str, tuple[_Entry, list[str]]] = {}
        causes = []
        for entry, path in conflicts:
            text = fieldpath.path_string(path)
            by_manager.setdefault(entry.identifier, (entry, []))[1].append(text)
            causes.append(
                {
                    "reason": "FieldManagerConflict",
                    "message": f"conflict with {entry.described()}",
                    "field": text,
                }
            )
        if len(conflicts) == 1:
            entry, path = conflicts[0]
            message = (
                f"Apply failed with 1 conflict: conflict with {entry.described()}: "
                f"{fieldpath.path_string(path)}"
            )
        else:
            lines = []
            for identifier in sorted(by_manager):
                entry, texts = by_manager[identifier]
                lines.append(f"conflicts with {entry.described()}:")
                lines.extend(f"- {text}" for text in texts)
            message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
        super().__init__(409, "Conflict", message, {"causes": causes})
        self.conflicts = [(entry.described(), path) for entry, path in conflicts]


class _Conflicts(Exception):
    def __init__(self, conflicts: list[tuple[_Entry, tuple[str, ...]]]) -> None:
        super().__init__(len(conflicts))
        self.conflicts = conflicts


def _reassign(managed: Managed, comparison: _Comparison, workflow: str | None, force: bool) -> None:
    """Take changed fields from every manager but ``workflow`` (a conflict unless forced),
    forget removed fields, drop entries left empty."""
    changed = fieldpath.union(comparison.modified, comparison.added)
    conflicts: list[tuple[str, FieldSet]] = []
    if changed:
        for identifier, entry in managed.items():
            if identifier != workflow:
                taken = fieldpath.intersection(entry.fields, changed)
                if taken:
                    conflicts.append((identifier, taken))
    if conflicts and not force:
        ordered = sorted(conflicts, key=lambda item: item[0])
        raise _Conflicts(
            [(managed[i], path) for i, taken in ordered for path in fieldpath.paths(taken)]
        )
    for identifier, taken in conflicts:
        managed[identifier].fields = fieldpath.difference(managed[identifier].fields, taken)
    if comparison.removed:
        for identifier, entry in managed.items():
            if identifier != workflow:
                entry.fields = fieldpath.difference(entry.fields, comparison.removed)
    for identifier in [i for i, entry in managed.items() if not entry.fields]:
        del managed[identifier]


def _record_update(
    managed: Managed,
    live: Obj,
    new: Obj,
    t: _Type,
    entry: _Entry,
    ignored: FieldSet | None,
) -> None:
    """The Update bookkeeping of one write (``entry`` names the writer; its time is now)."""
    comparison = _compare(live, new, t).without(ignored)
    _reassign(managed, comparison, None, True)
    changed = fieldpath.union(comparison.modified, comparison.added)
    changed = fieldpath.difference(changed, _STRIPPED)
    if changed:
        previous = managed.get(entry.identifier)
        if previous is not None:
            changed = fieldpath.union(changed, previous.fields)
        entry.fields = changed
        managed[entry.identifier] = entry
    _cap_update_managers(managed)


def _prune(merged: Obj, managed: Managed, identifier: str, last: FieldSet | None, t: _Type) -> Obj:
    """Remove what the applier applied last time but not now, unless someone owns it."""
    if not last:
        return merged
    last_fields = _named_fields_as_members(last, t)
    pruned = _remove_paths(merged, last_fields, t)
    owned: FieldSet = {}
    for entry in managed.values():
        owned = fieldpath.union(owned, entry.fields)
    merged_fields = _named_fields_as_members(_fields_of(merged, t), t)
    keep = fieldpath.union(
        _named_fields_as_members(_fields_of(pruned, t), t), _named_fields_as_members(owned, t)
    )
    pruned = _remove_paths(merged, fieldpath.difference(merged_fields, keep), t)
    pruned_fields = _named_fields_as_members(_fields_of(pruned, t), t)
    dangling = fieldpath.intersection(
        fieldpath.difference(merged_fields, pruned_fields), last_fields
    )
    return _remove_paths(merged, dangling, t)


def _apply_once(
    live: Obj,
    config: Obj,
    managed: Managed,
    entry: _Entry,
    force: bool,
    t: _Type,
    ignored: FieldSet | None,
) -> tuple[Obj, bool]:
    """One server-side apply merge; updates ``managed``; (the object, whether it changed)."""
    merged = _merge(live, config, t)
    previous = managed.get(entry.identifier)
    applied = _fields_of(config, t)
    if ignored:
        applied = fieldpath.recursive_difference(applied, ignored)
    entry.fields = applied
    entry.time = previous.time if previous is not None else None
    managed[entry.identifier] = entry
    merged = _prune(merged, managed, entry.identifier, previous.fields if previous else None, t)
    comparison = _compare(live, merged, t).without(ignored)
    _reassign(managed, comparison, entry.identifier, force)
    return merged, merged != live


def _allowed_by_last_applied(live: Obj, version: str, t: _Type) -> FieldSet | None:
    """The fields the live object's last-applied annotation sets to their live values (which
    ``kubectl`` may take over from client-side apply); None without a usable annotation."""
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    text = annotations.get(LAST_APPLIED) if isinstance(annotations, dict) else None
    if not text or not isinstance(text, str):
        return None
    try:
        last_applied = json.loads(text)
    except ValueError:
        return None
    if not isinstance(last_applied, dict) or last_applied.get("apiVersion") != version:
        return None
    errors: list[str] = []
    _validate(last_applied, t, (), False, errors)
    if errors:
        return None
    try:
        fields = _fields_of(last_applied, t)
        comparison = _compare(last_applied, live, t)
    except _Invalid:
        return None
    for changed in (comparison.modified, comparison.added, comparison.removed):
        fields = fieldpath.difference(fields, changed)
    return fields


def _without_managed_fields(obj: Obj) -> Obj:
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict) or "managedFields" not in metadata:
        return obj
    return {
        **obj,
        "metadata": {k: v for k, v in metadata.items() if k != "managedFields"},
    }


def _with_managed_fields(obj: Obj, managed: Managed) -> Obj:
    metadata = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "managedFields"}
    if managed:
        metadata["managedFields"] = _encode(managed)
    return {**obj, "metadata": metadata}


def _zero_struct(t: _Type, depth: int) -> Obj:
    out: Obj = {}
    names = (*t.required, *_VALUE_STRUCTS.get(t.name, ()), "metadata", "spec")
    for name in names:
        if not t.declares(name) or name in out:
            continue
        child = t.field(name)
        if child.is_struct() and depth < 8:
            out[name] = _zero_struct(child, depth + 1)
        elif name in t.required:
            out[name] = None
    return out


def _zero_object(t: _Type) -> Obj:
    """The JSON of the kind's empty Go object, which a create is compared against."""
    out: Obj = {}
    for name in ("metadata", "spec", "status"):
        if t.declares(name) and t.field(name).is_struct():
            out[name] = {} if name == "metadata" else _zero_struct(t.field(name), 1)
    return out


def _gvk_string(obj: Obj) -> str:
    api_version = str(obj.get("apiVersion") or "")
    group, _, version = api_version.rpartition("/")
    if api_version.count("/") > 1:
        group = version = ""
    return f"{group}/{version}, Kind={obj.get('kind') or ''}"


def _object_description(obj: Obj) -> str:
    metadata = obj.get("metadata") or {}
    return f"{metadata.get('namespace', '')}/{metadata.get('name', '')}; {_gvk_string(obj)}"


def _check_lists(obj: Obj, t: _Type, what: str, allow_duplicates: bool) -> None:
    errors: list[str] = []
    _validate(obj, t, (), allow_duplicates, errors)
    if errors:
        text = errors[0] if len(errors) == 1 else "errors:\n  " + "\n  ".join(errors)
        raise _internal(f"failed to create typed {what} ({_object_description(obj)}): {text}")


def apply(
    live: Obj | None,
    applied: Obj,
    manager: str,
    force: bool,
    schema: schemas.Schema | None,
    now: str,
    subresource: str = "",
    *,
    ignored: FieldSet | None = None,
) -> Obj:
    """Server-side apply of the configuration ``applied`` by ``manager`` to ``live`` (None:
    the object does not exist yet). Returns the new object with its managedFields; raises
    ApplyConflictError (409), or FieldManagerError (400 for a mismatched kind or a
    configuration carrying managedFields, 500 for list items without keys or duplicated).

    ``ignored`` are the fields the endpoint resets (a field set, e.g. ``{"f:status": {}}``
    for the main resource): nobody gains or loses them here.
    """
    t = _root_type(schema)
    now = _canonical_time(now)
    if live is not None and (applied.get("apiVersion"), applied.get("kind")) != (
        live.get("apiVersion"),
        live.get("kind"),
    ):
        raise _bad_request(f"invalid object type: {_gvk_string(applied)}")
    if isinstance((applied.get("metadata") or {}).get("managedFields"), list):
        raise _bad_request("metadata.managedFields must be nil")
    version = str(applied.get("apiVersion") or "")
    base = _without_managed_fields(live) if live is not None else {}
    try:
        managed = _decode(((live or {}).get("metadata") or {}).get("managedFields"), trusted=True)
    except ValueError as err:
        raise _internal(f"failed to decode managed fields: {err}") from None
    _check_lists(applied, t, "patch object", allow_duplicates=False)
    if live is not None:
        _check_lists(base, t, "live object", allow_duplicates=True)
        if not managed:
            first = _Entry(BEFORE_FIRST_APPLY, "Update", version, subresource, now, {})
            _record_update(managed, _zero_object(t), base, t, first, ignored)
    entry = _Entry(manager, "Apply", version, subresource, None, {})
    attempt = _copy_managed(managed)
    try:
        merged, changed = _apply_once(base, applied, attempt, replace(entry), force, t, ignored)
    except _Conflicts as err:
        allowed = _allowed_by_last_applied(base, version, t) if manager == "kubectl" else None
        if allowed is None:
            raise ApplyConflictError(err.conflicts) from None
        remaining = [(e, p) for e, p in err.conflicts if not fieldpath.has(allowed, p)]
        if remaining:
            raise ApplyConflictError(remaining) from None
        attempt = _copy_managed(managed)
        merged, changed = _apply_once(base, applied, attempt, replace(entry), True, t, ignored)
    mine = attempt.get(entry.identifier)
    if mine is not None:
        mine.fields = fieldpath.difference(mine.fields, _STRIPPED)
        if not mine.fields:
            del attempt[entry.identifier]
        elif changed:
            mine.time = now
    result = merged if changed else base
    if manager == "kubectl":
        result = _sync_last_applied(result, applied)
    return copy.deepcopy(_with_managed_fields(result, attempt))


def _sync_last_applied(obj: Obj, applied: Obj) -> Obj:
    """Keep a client-side-apply annotation in step with what ``kubectl`` applied server-side."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if not annotations.get(LAST_APPLIED):
        return obj
    config = _without_annotation(applied)
    text = gojson.dumps(config) + "\n"
    metadata = dict(obj["metadata"])
    metadata["annotations"] = {**annotations, LAST_APPLIED: text}
    return {**obj, "metadata": metadata}


def _without_annotation(applied: Obj) -> Obj:
    metadata = applied.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("annotations"), dict):
        return applied
    annotations = {k: v for k, v in metadata["annotations"].items() if k != LAST_APPLIED}
    return {**applied, "metadata": {**metadata, "annotations": annotations}}


def track_update(
    old: Obj | None,
    new: Obj,
    manager: str,
    schema: schemas.Schema | None,
    now: str,
    operation: str = "Update",
    *,
    subresource: str = "",
    ignored: FieldSet | None = None,
) -> Obj:
    """``new`` with the managedFields kube-apiserver records when ``manager`` writes it over
    ``old`` (None for a create) by an ordinary create, update or patch.

    managedFields sent in ``new`` replace the live ones when they decode (not on
    subresources); ``[]`` or ``[{}]`` resets them, after which updates are not tracked until
    the next apply. An empty ``manager`` is recorded as ``unknown``.
    """
    t = _root_type(schema)
    now = _canonical_time(now)
    old_entries = ((old or {}).get("metadata") or {}).get("managedFields")
    sent = (new.get("metadata") or {}).get("managedFields")
    managed: Managed | None = None
    if subresource:
        managed = _decode_or_empty(old_entries, trusted=True)
    elif _is_reset(sent):
        managed = {}
    else:
        if sent:
            trusted = sent is old_entries or sent == old_entries
            try:
                managed = _decode(sent, trusted=trusted)
            except ValueError:
                managed = None
        if not managed:
            managed = _decode_or_empty(old_entries, trusted=True)
    base = _without_managed_fields(new)
    if not managed and old is not None:
        return _with_managed_fields(base, {})
    writer = _Entry(
        manager or "unknown", operation, str(new.get("apiVersion") or ""), subresource, now, {}
    )
    live = _without_managed_fields(old) if old is not None else _zero_object(t)
    try:
        _record_update(managed, live, base, t, writer, ignored)
    except _Invalid:
        metadata = dict(base.get("metadata") or {})
        if old_entries:
            metadata["managedFields"] = old_entries
        return {**base, "metadata": metadata}
    return _with_managed_fields(base, managed)


def _decode_or_empty(entries: Any, trusted: bool) -> Managed:
    try:
        return _decode(entries, trusted=trusted)
    except ValueError:
        return {}


def default_manager(user_agent: str) -> str:
    """The manager kube-apiserver records when a request names none: the User-Agent up to its
    first ``/``, printable characters only, at most 128 bytes."""
    out: list[str] = []
    size = 0
    for ch in user_agent.split("/", 1)[0]:
        if not ch.isprintable():
            continue
        width = len(ch.encode())
        if size + width > FIELD_MANAGER_MAX_LENGTH:
            break
        out.append(ch)
        size += width
    return "".join(out)
