"""Field sets in kube-apiserver's FieldsV1 form (structured-merge-diff's ``fieldpath`` package).

A field set is the set of paths a manager owns. kube-apiserver stores it in
``metadata.managedFields[].fieldsV1`` as a trie of *path elements*, and this module keeps it in
exactly that shape, as plain nested dicts, so decoding and encoding are (almost) free:

* keys are serialized path elements: ``f:<field name>`` (a struct field or map key),
  ``k:<json object>`` (an item of a list-map, by its key fields, names sorted, values in Go's JSON
  encoding), ``v:<json value>`` (an item of a set), ``i:<index>`` (an item of an atomic list);
* a node's value is the node's children; ``"."`` among them marks the node itself as a member
  of the set (the path is owned, not only paths below it); an empty dict is a member without
  children. The root is never a member.

Invariants: every function here is pure: inputs are never mutated, results may share unchanged
subtrees with the inputs (treat every set as read-only). Sets are *normalized* (a member-only
node is ``{}``, never ``{".": {}}``; no empty children) and *ordered* as structured-merge-diff
serializes them (``"."`` first, then field names, keys, values, indexes, each in its own order);
the set operations keep both properties when their inputs have them, and ``sort_set`` or
``parse`` establish them for sets built elsewhere. ``to_json`` writes a set byte for byte as
kube-apiserver does.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from typing import Any, TypeAlias

from backends.objects import gojson
from backends.objects.gofmt import format_g, quote

FieldSet: TypeAlias = dict[str, "FieldSet"]

MEMBER = "."

_KIND_RANK = {"f": 0, "k": 1, "v": 2, "i": 3}


class FieldsError(ValueError):
    """A ``fieldsV1`` value that is not a valid serialized field set."""


# -- path elements ----------------------------------------------------------------------------


def field(name: str) -> str:
    """The path element of a struct field or map key."""
    return "f:" + name


def key(fields: Sequence[tuple[str, Any]]) -> str:
    """The path element of a list-map item with these key fields (any order)."""
    ordered = sorted(fields, key=lambda item: item[0])
    body = ",".join(f"{gojson.encode_string(name)}:{gojson.dumps(v)}" for name, v in ordered)
    return "k:{" + body + "}"


def value(v: Any) -> str:
    """The path element of a set item."""
    return "v:" + gojson.dumps(v)


def index(i: int) -> str:
    """The path element of an atomic-list item."""
    return f"i:{i}"


def _go_string(v: Any) -> str:
    """structured-merge-diff's ``value.ToString``: how a value shows inside a path string."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return format_g(v)
    if isinstance(v, str):
        return quote(v)
    if isinstance(v, list):
        return "[" + ",".join(_go_string(item) for item in v) + "]"
    return "".join(f"{k}={_go_string(v[k])}" for k in sorted(v))


def element_string(pe: str) -> str:
    """A path element as conflict messages show it: ``.name``, ``[k="v"]``, ``[=v]``, ``[0]``."""
    kind, body = pe[0], pe[2:]
    if kind == "f":
        return "." + body
    if kind == "i":
        return f"[{body}]"
    decoded = json.loads(body)
    if kind == "v":
        return f"[={_go_string(decoded)}]"
    return "[" + ",".join(f"{k}={_go_string(v)}" for k, v in decoded.items()) + "]"


def path_string(path: Sequence[str]) -> str:
    """A path as conflict messages show it (``.spec.containers[name="c"].image``)."""
    return "".join(element_string(pe) for pe in path)


def _value_order(v: Any) -> tuple[Any, ...]:
    """structured-merge-diff's total order of values: numbers, strings, bools, lists, maps, null."""
    if isinstance(v, bool):
        return (2, v)
    if isinstance(v, (int, float)):
        return (0, v)
    if isinstance(v, str):
        return (1, v)
    if isinstance(v, list):
        return (3, tuple(_value_order(item) for item in v))
    if isinstance(v, dict):
        return (4, tuple((k, _value_order(v[k])) for k in sorted(v)))
    return (5,)


@functools.lru_cache(maxsize=65536)
def order(pe: str) -> tuple[Any, ...]:
    """The sort key of a serialized path element (``"."`` sorts first)."""
    if pe == MEMBER:
        return (-1,)
    kind, body = pe[0], pe[2:]
    if kind == "f":
        return (0, body)
    if kind == "i":
        return (3, int(body))
    decoded = json.loads(body)
    if kind == "v":
        return (2, _value_order(decoded))
    return (1, tuple((k, _value_order(v)) for k, v in decoded.items()))


# -- normalization, parsing, encoding -----------------------------------------------------------


def is_member(node: FieldSet) -> bool:
    """Whether the path of this node is itself in the set."""
    return not node or MEMBER in node


def _node(node: FieldSet) -> FieldSet | None:
    """``node`` normalized: None when empty, ``{}`` when only a member."""
    if not node:
        return None
    if len(node) == 1 and MEMBER in node:
        return {}
    return node


def sort_set(s: FieldSet) -> FieldSet:
    """``s`` in structured-merge-diff's order (a new dict wherever the order changes)."""
    if not s:
        return s
    keys = list(s)
    children = {k: sort_set(s[k]) for k in keys}
    ordered = sorted(keys, key=order)
    if ordered == keys and all(children[k] is s[k] for k in keys):
        return s
    return {k: children[k] for k in ordered}


def _canonical(pe: str) -> str | None:
    """A serialized path element in its canonical spelling; None for unknown element types."""
    if len(pe) < 2:
        raise FieldsError("key must be 2 characters long:")
    if pe[1] != ":":
        raise FieldsError(f"missing colon: {pe}")
    kind, body = pe[0], pe[2:]
    if kind == "f":
        return pe
    if kind not in "kvi":
        return None
    try:
        if kind == "i":
            return index(int(body))
        decoded = json.loads(body)
    except ValueError as err:
        raise FieldsError(f"parsing key as path element: {err}") from None
    if kind == "v":
        return value(decoded)
    if not isinstance(decoded, dict):
        raise FieldsError("parsing key as path element: expected an object")
    return key(list(decoded.items()))


def parse(raw: Any) -> FieldSet:
    """A ``fieldsV1`` value (decoded JSON) as a normalized, ordered field set.

    Keys are re-spelled canonically, unknown element types are dropped (as a newer writer's
    elements are), anything else malformed raises FieldsError.
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise FieldsError("fieldsV1 must be a JSON object")
    out: FieldSet = {}
    for pe, child in raw.items():
        if pe == MEMBER:
            continue
        canonical = _canonical(pe)
        if canonical is None:
            continue
        if not isinstance(child, dict):
            raise FieldsError(f"the value of {pe!r} must be a JSON object")
        parsed = parse(child)
        if child and (MEMBER in child or not parsed):
            parsed = {MEMBER: {}, **parsed} if parsed else {}
        previous = out.get(canonical)
        out[canonical] = parsed if previous is None else _union_node(previous, parsed)
    return sort_set(out)


def to_json(s: FieldSet) -> str:
    """The exact text kube-apiserver stores for this (ordered) field set."""
    return gojson.dumps(s, sort_keys=False)


# -- set operations ---------------------------------------------------------------------------


def _union_node(a: FieldSet, b: FieldSet) -> FieldSet:
    if a is b or (not b and is_member(a)):
        return a
    if not a and is_member(b):
        return b
    if not a or not b:
        return {MEMBER: {}, **(a or b)}
    return union(a, b)


def union(a: FieldSet, b: FieldSet) -> FieldSet:
    """Every path in ``a`` or ``b``."""
    if not b or a is b:
        return a
    if not a:
        return b
    if len(b) > len(a):
        a, b = b, a
    out: FieldSet | None = None
    inserted = False
    for pe, bn in b.items():
        an = a.get(pe)
        if an is None:
            un = bn
            inserted = True
        else:
            un = _union_node(an, bn)
            if un is an:
                continue
        if out is None:
            out = dict(a)
        out[pe] = un
    if out is None:
        return a
    if inserted:
        out = dict(sorted(out.items(), key=lambda item: order(item[0])))
    return out


def _difference_node(a: FieldSet, b: FieldSet) -> FieldSet | None:
    if not b:
        if MEMBER not in a:
            return a or None
        return {pe: node for pe, node in a.items() if pe != MEMBER}
    if not a:
        return None if MEMBER in b else a
    return _node(difference(a, b))


def difference(a: FieldSet, b: FieldSet) -> FieldSet:
    """The paths of ``a`` that are not in ``b`` (members only: ``b`` owning a node does not
    remove what lies below it)."""
    if not a or not b:
        return a
    out: FieldSet | None = None
    for pe, bn in b.items():
        an = a.get(pe)
        if an is None:
            continue
        dn = _difference_node(an, bn)
        if dn is an:
            continue
        if out is None:
            out = dict(a)
        if dn is None:
            del out[pe]
        else:
            out[pe] = dn
    return a if out is None else out


def _intersection_node(a: FieldSet, b: FieldSet) -> FieldSet | None:
    if a is b:
        return a
    if not a:
        return {} if is_member(b) else None
    if not b:
        return {} if MEMBER in a else None
    return _node(intersection(a, b))


def intersection(a: FieldSet, b: FieldSet) -> FieldSet:
    """The paths in both ``a`` and ``b``."""
    if not a or not b:
        return {}
    if len(b) < len(a):
        a, b = b, a
    out: FieldSet = {}
    for pe, an in a.items():
        bn = b.get(pe)
        if bn is not None:
            inn = _intersection_node(an, bn)
            if inn is not None:
                out[pe] = inn
    return out


def recursive_difference(a: FieldSet, b: FieldSet) -> FieldSet:
    """The paths of ``a`` not in ``b`` and not below a member of ``b`` (an excluded node
    takes everything below it along)."""
    if not a or not b:
        return a
    out: FieldSet | None = None
    for pe, bn in b.items():
        an = a.get(pe)
        if an is None or (not an and not is_member(bn)):
            continue
        dn = None if is_member(bn) else _node(recursive_difference(an, bn))
        if dn is an:
            continue
        if out is None:
            out = dict(a)
        if dn is None:
            del out[pe]
        else:
            out[pe] = dn
    return a if out is None else out


def paths(s: FieldSet, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every path of the set, in structured-merge-diff's iteration order (a node's members,
    then its children's paths)."""
    for pe, node in s.items():
        if pe != MEMBER and is_member(node):
            yield (*prefix, pe)
    for pe, node in s.items():
        if pe != MEMBER and node:
            yield from paths(node, (*prefix, pe))


def from_paths(*paths: Sequence[str]) -> FieldSet:
    """The set of the given paths (each a sequence of serialized path elements)."""
    out: FieldSet = {}
    for path in paths:
        node: FieldSet = {}
        for pe in reversed(path):
            node = {pe: node}
        out = union(out, sort_set(node))
    return out


def has(s: FieldSet, path: Sequence[str]) -> bool:
    """Whether ``path`` is a member of the set."""
    node: FieldSet | None = s
    for pe in path:
        if node is None or not node:
            return False
        node = node.get(pe)
    return node is not None and is_member(node)
