"""Strategic-merge-patch primitives shared by applying (``patch.py``) and creating (``diff.py``).

Kubernetes implements strategic merge patch in ``k8s.io/apimachinery/pkg/util/strategicpatch``;
kube-apiserver applies patches with it and kubectl creates them with it. Both halves need the
same pieces, which live here:

* ``PatchSchema``: patch metadata lookup over the bundled OpenAPI definitions, behaving like
  Go's lookup over compiled-in structs (what kube-apiserver and a kubectl without OpenAPI use):
  ``x-kubernetes-patch-strategy`` / ``-patch-merge-key`` of a field, the schema of its value or
  of its list elements, and Go's errors for unknown fields and for looking into a non-struct;
* Go value semantics: typed equality (``int`` is Go's ``int64``, ``float`` is ``float64``, they
  never compare equal, nor do ``bool`` and ``int``), ``fmt`` renderings used in sort keys and
  error texts, the scalar and merge-key sort orders, the swap-with-last de-duplication;
* the list ordering machinery (``normalizeSliceOrder``, ``mergeSortedSlice``) including Go's
  ``sort.SliceStable`` algorithm, so results match even when the ordering rule is inconsistent;
* ``PatchError``, whose ``code``/``reason``/``message`` are what kube-apiserver answers with.

Invariants: values are JSON-decoded Python data (dict, list, str, int, float, bool, None) and are
never mutated here (``dedupe_in_place`` works on the array it is given, that being its job).
Known deviations: ``sort.Sort`` is emulated as an insertion sort (what Go runs for up to 12
elements), so for longer lists the relative order of elements with equal sort keys could differ
from Go's pdqsort; and the schemas do not tell pointer from value struct fields, so a list where
a struct belongs is merged as a list of that struct (Go does so for pointer fields only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from backends.objects import schemas
from backends.objects.gofmt import format_g

JSONMap = dict[str, Any]

DIRECTIVE = "$patch"
RETAIN_KEYS = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
SET_ELEMENT_ORDER = "$setElementOrder"

ERR_NO_LIST_OF_LISTS = "lists of lists are not supported"
ERR_BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
ERR_BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
ERR_BAD_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list"

UNPROCESSABLE_MESSAGE = "the server rejected our request due to an error in our request"


class PatchError(Exception):
    """A patch that cannot be applied or created.

    ``str(error)`` is the text of the Go library that fails the same way; ``code``, ``reason``
    and ``message`` are the HTTP status, ``Status.reason`` and ``Status.message`` kube-apiserver
    answers with (500 with an empty reason is its answer to errors it does not classify).
    """

    def __init__(self, text: str, code: int = 500, reason: str = "", message: str | None = None):
        super().__init__(text)
        self.code = code
        self.reason = reason
        self.message = text if message is None else message


class StrategicMergePatchError(PatchError):
    """A strategic merge patch (or the documents it is computed from) is not usable."""


def bad_request(text: str) -> StrategicMergePatchError:
    """An error kube-apiserver reports as 400 BadRequest with this text."""
    return StrategicMergePatchError(text, 400, "BadRequest")


def unprocessable(text: str) -> StrategicMergePatchError:
    """An error kube-apiserver reports as 422 with its generic text (``text`` is not shown)."""
    return StrategicMergePatchError(text, 422, "Invalid", UNPROCESSABLE_MESSAGE)


def internal(text: str) -> StrategicMergePatchError:
    """An error kube-apiserver passes through unclassified (500, empty reason, this text)."""
    return StrategicMergePatchError(text)


# --- Go value semantics -------------------------------------------------------------------


def go_equal(a: Any, b: Any) -> bool:
    """``reflect.DeepEqual`` of two decoded JSON values (types must match exactly)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(go_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(go_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def go_sprint(value: Any) -> str:
    """``fmt.Sprintf("%v", value)``: ``map[a:1 b:<nil>]``, ``[x y]``, raw strings."""
    if value is None:
        return "<nil>"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_g(value)
    return str(value)


def go_type_name(value: Any) -> str:
    """The Go type name of a decoded JSON value, as ``%s`` of its ``reflect.Type`` prints it."""
    if value is None:
        return "%!s(<nil>)"
    names = {
        dict: "map[string]interface {}",
        list: "[]interface {}",
        str: "string",
        bool: "bool",
        int: "int64",
        float: "float64",
    }
    return names[type(value)]


def go_sprint_s(value: Any) -> str:
    """``fmt.Sprintf("%s", value)``: non-strings come out as ``%!s(int64=1)``."""
    if isinstance(value, str):
        return value
    if value is None:
        return "%!s(<nil>)"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint_s(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint_s(v) for v in value) + "]"
    return f"%!s({go_type_name(value)}={go_sprint(value)})"


def bad_arg_type(expected: str, actual: Any) -> StrategicMergePatchError:
    """``mergepatch.ErrBadArgType``."""
    return internal(f"expected a {expected}, but received a {go_type_name(actual)}")


def no_merge_key(item: JSONMap, merge_key: str) -> StrategicMergePatchError:
    """``mergepatch.ErrNoMergeKey``."""
    return internal(f"map: {go_sprint(item)} does not contain declared merge key: {merge_key}")


def bad_patch_type(directive: Any, item: JSONMap) -> StrategicMergePatchError:
    """``mergepatch.ErrBadPatchType``."""
    return internal(f"unknown patch type: {go_sprint_s(directive)} in map: {go_sprint(item)}")


def _sort_like_go(items: Sequence[Any], key: Callable[[Any], str]) -> list[Any]:
    """``sort.Sort`` with ``Less(i, j) = key(i) <= key(j)``: equal keys end up reversed."""
    ordered = sorted(items, key=key)
    result: list[Any] = []
    start = 0
    while start < len(ordered):
        end = start + 1
        while end < len(ordered) and key(ordered[end]) == key(ordered[start]):
            end += 1
        result.extend(reversed(ordered[start:end]))
        start = end
    return result


def sort_scalars(values: Sequence[Any]) -> list[Any]:
    """Scalars in the order ``sortScalars`` gives: by their ``%v`` text."""
    return _sort_like_go(values, go_sprint)


def sort_by_merge_key(items: Sequence[JSONMap], merge_key: str) -> list[JSONMap]:
    """Maps in the order ``sortMapsBasedOnField`` gives: by the ``%v`` text of the merge key."""
    return _sort_like_go(items, lambda item: go_sprint(item.get(merge_key)))


def dedupe_in_place(values: list[Any]) -> int:
    """``deduplicateScalars`` on a Go array: returns the new length; slots past it keep
    whatever the swap-with-last steps left there (callers sharing the array see them)."""
    last = len(values) - 1
    i = 0
    while i < last:
        j = i + 1
        while j <= last:
            if go_equal(values[i], values[j]):
                values[j] = values[last]
                last -= 1
                j -= 1
            j += 1
        i += 1
    return last + 1


def dedupe_scalars(values: Sequence[Any]) -> list[Any]:
    """``deduplicateScalars``: each duplicate is overwritten with the last element."""
    result = list(values)
    return result[: dedupe_in_place(result)]


def lists_hold_maps(*lists: Sequence[Any]) -> bool:
    """``sliceElementType``: True for lists of maps, False for scalars; errors otherwise."""
    first: type | None = None
    for values in lists:
        for value in values:
            if first is None:
                first = type(value)
                if first is list:
                    raise unprocessable(ERR_NO_LIST_OF_LISTS)
            elif type(value) is not first:
                text = go_sprint([list(each) for each in lists])
                raise internal(f"list element types are not identical: {text}")
    if first is None:
        raise internal("no elements in any of the given slices")
    return first is dict


def as_map(value: Any) -> JSONMap:
    """``value`` as a map, or ``ErrBadArgType``."""
    if not isinstance(value, dict):
        raise bad_arg_type("map[string]interface {}", value)
    return value


def merge_key_equal(left: Any, right: Any, merge_key: str) -> bool:
    """``mergeKeyValueEqual``: same merge key value (same value for scalars)."""
    if not merge_key:
        return go_equal(left, right)
    left_map, right_map = as_map(left), as_map(right)
    if merge_key not in left_map:
        raise no_merge_key(left_map, merge_key)
    if merge_key not in right_map:
        raise no_merge_key(right_map, merge_key)
    return go_equal(left_map[merge_key], right_map[merge_key])


def is_delete_directive(item: JSONMap) -> bool:
    """Whether a list element is ``{"$patch": "delete", <key>: ...}``."""
    return item.get(DIRECTIVE) == "delete"


def split_delete_directives(items: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """``extractToDeleteItems``: (the other elements, the ``$patch: delete`` elements)."""
    keep: list[Any] = []
    delete: list[Any] = []
    for item in items:
        (delete if is_delete_directive(as_map(item)) else keep).append(item)
    return keep, delete


# --- list ordering ------------------------------------------------------------------------


def go_stable_sort(items: list[Any], less: Callable[[Any, Any], bool]) -> list[Any]:
    """``sort.SliceStable``: Go's block insertion sort plus SymMerge, step for step.

    Reproducing the algorithm (rather than calling ``sorted``) keeps the result identical to
    Go's even when ``less`` is not a consistent ordering, as in ``normalizeSliceOrder``.
    """
    data = list(items)

    def lt(i: int, j: int) -> bool:
        return less(data[i], data[j])

    def swap(i: int, j: int) -> None:
        data[i], data[j] = data[j], data[i]

    def insertion_sort(a: int, b: int) -> None:
        for i in range(a + 1, b):
            j = i
            while j > a and lt(j, j - 1):
                swap(j, j - 1)
                j -= 1

    def swap_range(a: int, b: int, n: int) -> None:
        for i in range(n):
            swap(a + i, b + i)

    def rotate(a: int, m: int, b: int) -> None:
        i, j = m - a, b - m
        while i != j:
            if i > j:
                swap_range(m - i, m, j)
                i -= j
            else:
                swap_range(m - i, m + j - i, i)
                j -= i
        swap_range(m - i, m, i)

    def sym_merge(a: int, m: int, b: int) -> None:
        if m - a == 1:
            i, j = m, b
            while i < j:
                h = (i + j) // 2
                if lt(h, a):
                    i = h + 1
                else:
                    j = h
            for k in range(a, i - 1):
                swap(k, k + 1)
            return
        if b - m == 1:
            i, j = a, m
            while i < j:
                h = (i + j) // 2
                if not lt(m, h):
                    i = h + 1
                else:
                    j = h
            for k in range(m, i, -1):
                swap(k, k - 1)
            return
        mid = (a + b) // 2
        n = mid + m
        start, r = (n - b, mid) if m > mid else (a, m)
        p = n - 1
        while start < r:
            c = (start + r) // 2
            if not lt(p - c, c):
                start = c + 1
            else:
                r = c
        end = n - start
        if start < m < end:
            rotate(start, m, end)
        if a < start < mid:
            sym_merge(a, start, mid)
        if mid < end < b:
            sym_merge(mid, end, b)

    size = len(data)
    block = 20
    a, b = 0, block
    while b <= size:
        insertion_sort(a, b)
        a, b = b, b + block
    insertion_sort(a, size)
    while block < size:
        a, b = 0, 2 * block
        while b <= size:
            sym_merge(a, a + block, b)
            a, b = b, b + 2 * block
        if a + block < size:
            sym_merge(a, a + block, size)
        block *= 2
    return data


def _position_finder(items: Sequence[Any], merge_key: str, maps: bool) -> Callable[[Any], int]:
    """``index`` as a lookup: where a value (by merge key for maps) first is in ``items``, or -1."""

    def identity(item: Any) -> Any:
        if not maps:
            return item
        return item.get(merge_key) if isinstance(item, dict) else None

    keys = [identity(item) for item in items]
    table: dict[tuple[type, Any], int] = {}
    for index, key in enumerate(keys):
        if not isinstance(key, (dict, list)):
            table.setdefault((type(key), key), index)

    def find(value: Any) -> int:
        probe = identity(value)
        if isinstance(probe, (dict, list)):
            return next((i for i, key in enumerate(keys) if go_equal(probe, key)), -1)
        return table.get((type(probe), probe), -1)

    return find


def normalize_slice_order(
    to_sort: Sequence[Any], order: Sequence[Any], merge_key: str, maps: bool
) -> list[Any]:
    """``normalizeSliceOrder``: ``to_sort`` in the order of ``order``, deletions last."""
    deletions: list[Any] = []
    if maps:
        for item in [*to_sort, *order]:
            if merge_key not in as_map(item):
                raise no_merge_key(item, merge_key)
        to_sort, deletions = split_delete_directives(to_sort)

    position = _position_finder(order, merge_key, maps)

    def less(a: Any, b: Any) -> bool:
        ia = position(a)
        if ia >= 0:
            ib = position(b)
            if ib >= 0:
                return ia < ib
        return True

    return go_stable_sort(list(to_sort), less) + deletions


def _merge_sorted(
    left: list[Any], right: list[Any], server_order: Sequence[Any], merge_key: str, maps: bool
) -> list[Any]:
    """``mergeSortedSlice``: interleave server-only items (left) into patch items (right)."""
    position = _position_finder(server_order, merge_key, maps)
    result: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            result.append(right[j])
            j += 1
        elif j >= len(right):
            result.append(left[i])
            i += 1
        else:
            li, ri = position(left[i]), position(right[j])
            if li >= 0 and ri >= 0 and li < ri:
                result.append(left[i])
                i += 1
            else:
                result.append(right[j])
                j += 1
    return result


def normalize_element_order(
    patch_items: Sequence[Any],
    server_only: Sequence[Any],
    patch_order: Sequence[Any],
    server_order: Sequence[Any],
    merge_key: str,
    maps: bool,
) -> list[Any]:
    """``normalizeElementOrder``: patch items in patch order, server-only items slotted in."""
    ordered_patch = normalize_slice_order(patch_items, patch_order, merge_key, maps)
    ordered_server = normalize_slice_order(server_only, server_order, merge_key, maps)
    return _merge_sorted(ordered_server, ordered_patch, server_order, merge_key, maps)


# --- patch metadata -----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldMeta:
    """A field's ``x-kubernetes-patch-strategy`` (split on commas) and ``-patch-merge-key``."""

    strategies: tuple[str, ...] = ()
    merge_key: str = ""

    def strategy(self) -> tuple[bool, str]:
        """``extractRetainKeysPatchStrategy``: (retainKeys given, the other strategy or "")."""
        if len(self.strategies) == 1:
            only = self.strategies[0]
            return (True, "") if only == "retainKeys" else (False, only)
        if len(self.strategies) == 2:
            first, second = self.strategies
            if first == "retainKeys":
                return True, second
            if second == "retainKeys":
                return True, first
        if self.strategies:
            raise internal(f"unexpected patch strategy: {go_sprint(list(self.strategies))}")
        return False, ""


def _definition_name(schema: schemas.Schema | None) -> str:
    """The Go type name behind a ``$ref`` (``io.k8s.api.core.v1.PodSpec`` -> ``PodSpec``)."""
    if not schema:
        return ""
    ref = schema.get("$ref")
    all_of = schema.get("allOf") or []
    if ref is None and len(all_of) == 1:
        ref = all_of[0].get("$ref")
    return str(ref).rsplit(".", 1)[-1] if ref else ""


def _go_kind(schema: schemas.Schema | None) -> str:
    """The ``reflect.Kind`` of the Go type a (resolved) schema describes."""
    if not schema or "properties" in schema or "oneOf" in schema:
        return "struct"
    json_types = schemas.types(schema)
    if "array" in json_types:
        return "slice"
    if "object" in json_types:
        return "map" if isinstance(schema.get("additionalProperties"), dict) else "struct"
    if "string" in json_types:
        return {"date-time": "struct", "byte": "slice"}.get(schema.get("format", ""), "string")
    if "integer" in json_types:
        return "int32" if schema.get("format") == "int32" else "int64"
    if "number" in json_types:
        return "float64"
    if "boolean" in json_types:
        return "bool"
    return "struct"


class PatchSchema:
    """Go's ``LookupPatchMeta`` for compiled-in structs, over one node of the schemas."""

    __slots__ = ("_kind", "_name", "_schema")

    def __init__(self, schema: schemas.Schema | None, name: str = "") -> None:
        self._schema = schemas.resolve(schema) if schema is not None else None
        self._name = name
        self._kind = _go_kind(self._schema)

    @classmethod
    def of_kind(cls, schema: schemas.Schema) -> PatchSchema:
        """The node of a top-level kind (as ``schemas.for_kind`` returns it)."""
        gvks = schema.get("x-kubernetes-group-version-kind") or [{}]
        return cls(schema, str(gvks[0].get("kind", "")))

    @property
    def go_kind(self) -> str:
        """``reflect.Kind`` name of the Go type (``struct``, ``map``, ``slice``, ``string``...)."""
        return self._kind

    def lookup(self, key: str) -> tuple[PatchSchema, FieldMeta]:
        """``LookupPatchMetadataForStruct``: the schema and patch metadata of field ``key``."""
        if self._kind != "struct":
            raise internal(
                f"merging an object in json but data type is not struct, instead is: {self._kind}"
            )
        prop = ((self._schema or {}).get("properties") or {}).get(key)
        if not isinstance(prop, dict):
            raise internal(
                f'unable to find api field in struct {self._name} for the json field "{key}"'
            )
        strategy = prop.get("x-kubernetes-patch-strategy")
        meta = FieldMeta(
            tuple(strategy.split(",")) if strategy else (),
            str(prop.get("x-kubernetes-patch-merge-key", "")),
        )
        return PatchSchema(prop, _definition_name(prop)), meta

    def lookup_list(self, key: str) -> tuple[PatchSchema, FieldMeta]:
        """``LookupPatchMetadataForSlice``: the element schema and metadata of list ``key``."""
        field, meta = self.lookup(key)
        if field._kind == "struct":  # a pointer-to-struct field in Go: the struct is the element
            return field, meta
        if field._kind != "slice":
            raise internal("expected slice or array type, but got: struct")
        items = schemas.items_schema(field._schema)
        element = PatchSchema(items, _definition_name(items))
        if element._kind == "slice":
            raise internal("unexpected slice of slice")
        return element, meta
