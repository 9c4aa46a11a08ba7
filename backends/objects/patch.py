"""Applying patches to objects, as kube-apiserver's PATCH handler does (the server half).

Three patch types, each behaving like the Go code kube-apiserver runs for it:

* JSON patch (RFC 6902, ``application/json-patch+json``): ``gopkg.in/evanphx/json-patch.v4``,
  including its quirks (replacing a missing object key adds it, negative array indices count
  from the end, a ``test`` of a missing path against ``null`` passes, paths traverse through
  JSON pointer tokens ``~0``/``~1``), its error texts and the 3 MiB copy limit and
  10000-operation limit the apiserver configures;
* JSON merge patch (RFC 7386, ``application/merge-patch+json``): evanphx ``MergePatch``
  (``null`` deletes, lists are replaced, nulls inside newly added objects are dropped);
* strategic merge patch (``application/strategic-merge-patch+json``): apimachinery's
  ``StrategicMergeMapPatch`` with every directive (``$patch: replace|merge|delete``,
  ``$retainKeys``, ``$setElementOrder/<list>``, ``$deleteFromPrimitiveList/<list>``) and the
  merge keys and strategies of the kind's schema; kinds without a schema cannot take one.

Go merges a list inside the live object's own array; where that shows (the order around deleted
elements, with ``$setElementOrder``), arrays are taken to have the capacity Go's JSON decoder
gives them, as in ``kubectl patch --local`` (kube-apiserver's depend on how it decoded the
stored object, which is not observable).

Invariants: inputs are never mutated and results share no structure with them. Every failure is
a ``PatchError`` whose ``code``/``reason``/``message`` are kube-apiserver's answer (``str()`` is
the library's own text; for 422 answers kube-apiserver shows only a generic message).
``combine_strategic_patches`` is the same merge with client-side options, used by ``diff``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from backends.objects import gojson, schemas
from backends.objects.gofmt import quote
from backends.objects.strategic import (
    DELETE_FROM_PRIMITIVE_LIST,
    DIRECTIVE,
    ERR_BAD_PRIMITIVE_LIST,
    ERR_BAD_RETAIN_KEYS,
    ERR_BAD_SET_ELEMENT_ORDER,
    RETAIN_KEYS,
    SET_ELEMENT_ORDER,
    UNPROCESSABLE_MESSAGE,
    JSONMap,
    PatchError,
    PatchSchema,
    StrategicMergePatchError,
    as_map,
    bad_arg_type,
    bad_patch_type,
    bad_request,
    dedupe_in_place,
    go_equal,
    go_sprint,
    internal,
    lists_hold_maps,
    merge_key_equal,
    no_merge_key,
    normalize_element_order,
    split_delete_directives,
)

__all__ = [
    "JSONPatchError",
    "MergePatchError",
    "PatchError",
    "StrategicMergePatchError",
    "StrategicMergeUnsupportedError",
    "apply_json_patch",
    "apply_merge_patch",
    "apply_strategic_merge_patch",
    "combine_strategic_patches",
]

MAX_JSON_PATCH_OPERATIONS = 10000
JSON_PATCH_MAX_COPY_BYTES = 3 * 1024 * 1024

_MISSING = "missing value"
_INVALID_INDEX = "invalid index referenced"
_UNSUPPORTED_MEDIA_TYPE = (
    "the body of the request was in an unknown format - accepted media types include: "
    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
)


class JSONPatchError(PatchError):
    """A JSON patch that cannot be decoded (400) or applied (422)."""


class MergePatchError(PatchError):
    """A JSON merge patch (or document) that is not a JSON object."""


class StrategicMergeUnsupportedError(StrategicMergePatchError):
    """A strategic merge patch for a kind without a schema (custom resources): 415."""

    def __init__(self) -> None:
        super().__init__(
            "strategic merge patch format is not supported",
            415,
            "UnsupportedMediaType",
            _UNSUPPORTED_MEDIA_TYPE,
        )


def _json_kind(value: Any) -> str:
    """How Go's decoder names a JSON value in ``cannot unmarshal X into ...``."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    return "number"


# --- JSON patch (RFC 6902) ------------------------------------------------------------------


class _Failure(Exception):
    """A JSON patch operation failed; the text is evanphx/json-patch's error."""


def _atoi(text: str) -> int:
    """``strconv.Atoi``."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise _Failure(f"strconv.Atoi: parsing {quote(text)}: invalid syntax")
    number = int(text)
    if not -(2**63) <= number < 2**63:
        raise _Failure(f"strconv.Atoi: parsing {quote(text)}: value out of range")
    return number


def _bad_index(index: int) -> _Failure:
    return _Failure(f"Unable to access invalid index: {index}: {_INVALID_INDEX}")


def _from_end(index: int, size: int) -> int:
    """A negative index counted from the end (evanphx's SupportNegativeIndices)."""
    if index < -size:
        raise _bad_index(index)
    return index + size


def _get(container: Any, key: str) -> Any:
    """``container.get``: None for a missing (or null) object member."""
    if isinstance(container, dict):
        return container.get(key)
    index = _atoi(key)
    if index < 0:
        index = _from_end(index, len(container))
    if index >= len(container):
        raise _bad_index(index)
    return container[index]


def _set(container: Any, key: str, value: Any) -> None:
    """``container.set`` (only used after ``_get`` found the key)."""
    if isinstance(container, dict):
        container[key] = value
        return
    index = _atoi(key)
    container[_from_end(index, len(container)) if index < 0 else index] = value


def _add(container: Any, key: str, value: Any) -> None:
    """``container.add``: set an object member, or insert into an array (``-`` appends)."""
    if isinstance(container, dict):
        container[key] = value
        return
    if key == "-":
        container.append(value)
        return
    try:
        index = _atoi(key)
    except _Failure as failure:
        raise _Failure(f"value was not a proper array index: '{key}': {failure}") from None
    size = len(container) + 1
    if index >= size:
        raise _bad_index(index)
    container.insert(_from_end(index, size) if index < 0 else index, value)


def _remove(container: Any, key: str) -> None:
    """``container.remove``."""
    if isinstance(container, dict):
        if key not in container:
            raise _Failure(f"Unable to remove nonexistent key: {key}: {_MISSING}")
        del container[key]
        return
    index = _atoi(key)
    if index >= len(container):
        raise _bad_index(index)
    del container[_from_end(index, len(container)) if index < 0 else index]


def _unescape(token: str) -> str:
    """A JSON pointer reference token: ``~1`` is ``/``, ``~0`` is ``~`` (one left-to-right pass)."""
    return re.sub("~[01]", lambda m: "/" if m.group() == "~1" else "~", token)


def _string_member(operation: Any, name: str, missing: str) -> str:
    """``Operation.Path``/``From``: the member as a string, or the Go error text."""
    value = operation.get(name) if isinstance(operation, dict) else None
    if value is None:
        raise _Failure(missing)
    if not isinstance(value, str):
        raise _Failure(f"json: cannot unmarshal {_json_kind(value)} into Go value of type string")
    return value


def _path(operation: Any) -> str:
    return _string_member(operation, "path", f"operation missing path field: {_MISSING}")


def _source(operation: Any) -> str:
    return _string_member(operation, "from", f"operation, missing from field: {_MISSING}")


def _value(operation: Any) -> Any:
    return operation.get("value") if isinstance(operation, dict) else None


class _JSONPatcher:
    """Applies operations one by one to a private copy of the document."""

    def __init__(self, document: Any) -> None:
        self.doc = document
        self.copied = 0

    def find(self, path: str) -> tuple[Any, str] | None:
        """``findObject``: the container of the last token and that (unescaped) token."""
        tokens = path.split("/")
        if len(tokens) < 2:
            return None
        container = self.doc
        for token in tokens[1:-1]:
            try:
                child = _get(container, _unescape(token))
            except _Failure:
                return None
            if not isinstance(child, (dict, list)):
                return None
            container = child
        return container, _unescape(tokens[-1])

    def apply(self, operation: Any) -> None:
        kind = operation.get("op") if isinstance(operation, dict) else None
        handler = {
            "add": self.add,
            "remove": self.remove,
            "replace": self.replace,
            "move": self.move,
            "test": self.test,
            "copy": self.copy,
        }.get(kind if isinstance(kind, str) else "unknown")
        if handler is None:
            raise _Failure(f"Unexpected kind: {kind if isinstance(kind, str) else 'unknown'}")
        handler(operation)

    def add(self, operation: Any) -> None:
        try:
            path = _path(operation)
        except _Failure:
            raise _Failure(f"add operation failed to decode path: {_MISSING}") from None
        found = self.find(path)
        if found is None:
            raise _Failure(
                f'add operation does not apply: doc is missing path: "{path}": {_MISSING}'
            )
        try:
            _add(*found, _value(operation))
        except _Failure as failure:
            raise _Failure(f"error in add for path: '{path}': {failure}") from None

    def remove(self, operation: Any) -> None:
        try:
            path = _path(operation)
        except _Failure:
            raise _Failure(f"remove operation failed to decode path: {_MISSING}") from None
        found = self.find(path)
        if found is None:
            raise _Failure(
                f'remove operation does not apply: doc is missing path: "{path}": {_MISSING}'
            )
        try:
            _remove(*found)
        except _Failure as failure:
            raise _Failure(f"error in remove for path: '{path}': {failure}") from None

    def replace(self, operation: Any) -> None:
        try:
            path = _path(operation)
        except _Failure as failure:
            raise _Failure(f"replace operation failed to decode path: {failure}") from None
        value = _value(operation)
        if path == "":
            if not isinstance(value, (dict, list)):
                raise _Failure("replace operation value must be object or array: %!w(<nil>)")
            self.doc = value
            return
        found = self.find(path)
        if found is None:
            raise _Failure(
                f"replace operation does not apply: doc is missing path: {path}: {_MISSING}"
            )
        try:
            _get(*found)
        except _Failure:
            raise _Failure(
                f"replace operation does not apply: doc is missing key: {path}: {_MISSING}"
            ) from None
        _set(*found, value)

    def move(self, operation: Any) -> None:
        try:
            source = _source(operation)
        except _Failure as failure:
            raise _Failure(f"move operation failed to decode from: {failure}") from None
        found = self.find(source)
        if found is None:
            raise _Failure(
                f"move operation does not apply: doc is missing from path: {source}: {_MISSING}"
            )
        container, key = found
        try:
            value = _get(container, key)
            _remove(container, key)
        except _Failure as failure:
            raise _Failure(f"error in move for path: '{key}': {failure}") from None
        try:
            path = _path(operation)
        except _Failure as failure:
            raise _Failure(f"move operation failed to decode path: {failure}") from None
        target = self.find(path)
        if target is None:
            raise _Failure(
                f"move operation does not apply: doc is missing destination path: {path}: {_MISSING}"
            )
        try:
            _add(*target, value)
        except _Failure as failure:
            raise _Failure(f"error in move for path: '{path}': {failure}") from None

    def test(self, operation: Any) -> None:
        try:
            path = _path(operation)
        except _Failure as failure:
            raise _Failure(f"test operation failed to decode path: {failure}") from None
        failed = _Failure(f"testing value {path} failed: test failed")
        if path == "":
            if not go_equal(self.doc, _value(operation)):
                raise failed
            return
        found = self.find(path)
        if found is None:
            raise _Failure(f"test operation does not apply: is missing path: {path}: {_MISSING}")
        try:
            actual = _get(*found)
        except _Failure as failure:
            raise _Failure(f"error in test for path: '{path}': {failure}") from None
        if actual is None:
            if _value(operation) is not None:
                raise failed
        elif not go_equal(actual, _value(operation)):
            raise failed

    def copy(self, operation: Any) -> None:
        try:
            source = _source(operation)
        except _Failure as failure:
            raise _Failure(f"copy operation failed to decode from: {failure}") from None
        found = self.find(source)
        if found is None:
            raise _Failure(
                f"copy operation does not apply: doc is missing from path: {source}: {_MISSING}"
            )
        try:
            value = _get(*found)
        except _Failure as failure:
            raise _Failure(f"error in copy for from: '{source}': {failure}") from None
        try:
            path = _path(operation)
        except _Failure:
            raise _Failure(f"copy operation failed to decode path: {_MISSING}") from None
        target = self.find(path)
        if target is None:
            raise _Failure(
                f"copy operation does not apply: doc is missing destination path: {path}: {_MISSING}"
            )
        self.copied += 0 if value is None else len(gojson.dumps(value).encode())
        if self.copied > JSON_PATCH_MAX_COPY_BYTES:
            raise _Failure(
                "Unable to complete the copy, the accumulated size increase of copy is "
                f"{self.copied}, exceeding the limit {JSON_PATCH_MAX_COPY_BYTES}"
            )
        try:
            _add(*target, copy.deepcopy(value))
        except _Failure as failure:
            raise _Failure(f"error while adding value during copy: {failure}") from None


def apply_json_patch(document: Any, patch: Any) -> Any:
    """Apply an RFC 6902 JSON patch (the decoded request body) to a document.

    Raises ``JSONPatchError``: 400 when the body is not a list of operation objects, 413 for
    more than 10000 operations, 422 when an operation fails (message generic, ``str()`` the
    evanphx text such as ``Unable to remove nonexistent key: x: missing value``).
    """
    if patch is None:
        patch = []
    if not isinstance(patch, list):
        raise JSONPatchError(
            f"json: cannot unmarshal {_json_kind(patch)} into Go value of type jsonpatch.Patch",
            400,
            "BadRequest",
        )
    for operation in patch:
        if operation is not None and not isinstance(operation, dict):
            text = f"json: cannot unmarshal {_json_kind(operation)} into Go value of type jsonpatch.Operation"
            raise JSONPatchError(text, 400, "BadRequest")
    if len(patch) > MAX_JSON_PATCH_OPERATIONS:
        text = f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {len(patch)}"
        raise JSONPatchError(
            text, 413, "RequestEntityTooLarge", f"Request entity too large: {text}"
        )
    patcher = _JSONPatcher(copy.deepcopy(document))
    for operation in copy.deepcopy(patch):
        try:
            patcher.apply(operation)
        except _Failure as failure:
            raise JSONPatchError(str(failure), 422, "Invalid", UNPROCESSABLE_MESSAGE) from None
    return patcher.doc


# --- JSON merge patch (RFC 7386) ------------------------------------------------------------


def _prune_nulls(value: Any) -> Any:
    """evanphx ``pruneNulls``: drop null members of objects, also inside arrays (in place)."""
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for member in value.values():
            _prune_nulls(member)
    elif isinstance(value, list):
        for element in value:
            _prune_nulls(element)
    return value


def _merge_docs(document: JSONMap, patch: JSONMap) -> None:
    """evanphx ``mergeDocs`` (in place)."""
    for key, value in patch.items():
        if value is None:
            document.pop(key, None)
            continue
        current = document.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge_docs(current, value)
        elif isinstance(current, dict):
            document[key] = value
        else:
            document[key] = _prune_nulls(value)


def apply_merge_patch(document: Any, patch: Any) -> Any:
    """Apply an RFC 7386 JSON merge patch to a document.

    Raises ``MergePatchError``: 400 ``Invalid JSON Patch`` when the patch is null or a scalar
    (an array patch replaces the document), 500 ``Invalid JSON Document`` for a null document.
    """
    if document is None:
        raise MergePatchError("Invalid JSON Document")
    if not isinstance(patch, (dict, list)):
        raise MergePatchError("Invalid JSON Patch", 400, "BadRequest")
    patch = copy.deepcopy(patch)
    if isinstance(patch, list) or not isinstance(document, dict):
        return _prune_nulls(patch)
    result = copy.deepcopy(document)
    _merge_docs(result, patch)
    return result


# --- strategic merge patch ------------------------------------------------------------------


def _remove_directives(value: Any) -> tuple[Any, bool]:
    """``removeDirectives``: drop every map holding ``$patch``; (value, keep it at all)."""
    if isinstance(value, dict):
        if DIRECTIVE in value:
            return None, False
        for key in list(value):
            member, keep = _remove_directives(value[key])
            if keep:
                value[key] = member
            else:
                del value[key]
        return value, True
    if isinstance(value, list):
        kept = [_remove_directives(element) for element in value]
        return [element for element, keep in kept if keep], True
    return value, True


def _discard_nulls(value: Any) -> None:
    """``discardNullValuesFromPatch``: drop null map members at any depth (in place)."""
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for member in value.values():
            _discard_nulls(member)
    elif isinstance(value, list):
        for element in value:
            _discard_nulls(element)


def _directive_key(key: str, prefix: str, error: str) -> str:
    """``extractKey``: the list name after ``<prefix>/``."""
    head, slash, rest = key.partition("/")
    if not slash or head != prefix:
        raise bad_request(error)
    return rest


def _find_by_key(items: list[Any], merge_key: str, value: Any) -> int | None:
    """``findMapInSliceBasedOnKeyValue``: the index of the map whose merge key is ``value``."""
    return _KeyIndex(items, merge_key).find(value)


class _KeyIndex:
    """``findMapInSliceBasedOnKeyValue`` over one list, answered from a table.

    Go scans the list and fails at the first element that is not a map before it finds the
    value; the table keeps that outcome (hashable key values only, others are scanned).
    """

    def __init__(self, items: list[Any], merge_key: str) -> None:
        self.items = items
        self.merge_key = merge_key
        self.first_non_map = next((i for i, v in enumerate(items) if not isinstance(v, dict)), None)
        self.table: dict[tuple[type, Any], int] = {}
        for index, item in enumerate(items[: self.first_non_map]):
            self.add(index, item)

    def add(self, index: int, item: JSONMap) -> None:
        """Record ``item`` (now at ``index``) unless an earlier element has its key value."""
        value = item.get(self.merge_key)
        if self.merge_key in item and not isinstance(value, (dict, list)):
            self.table.setdefault((type(value), value), index)

    def find(self, value: Any) -> int | None:
        if isinstance(value, (dict, list)):
            end = len(self.items) if self.first_non_map is None else self.first_non_map
            found = (
                i
                for i in range(end)
                if self.merge_key in self.items[i]
                and go_equal(self.items[i][self.merge_key], value)
            )
            index = next(found, None)
        else:
            index = self.table.get((type(value), value))
        if index is None and self.first_non_map is not None:
            raise internal(f"value for key {self.first_non_map} is not a map")
        return index


def _partition(merged: list[Any], by: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    """``partition*ByPresentInList``: (elements of ``merged`` present in ``by``, the rest)."""
    present: list[Any] = []
    rest: list[Any] = []
    index = _KeyIndex(by, merge_key) if merge_key else None
    for item in merged:
        if index is not None:
            item_map = as_map(item)
            if merge_key not in item_map:
                raise no_merge_key(item_map, merge_key)
            found = index.find(item_map[merge_key]) is not None
        else:
            found = any(go_equal(item, other) for other in by)
        (present if found else rest).append(item)
    return present, rest


def _validate_order(patch_list: list[Any], order: list[Any], merge_key: str) -> None:
    """``validatePatchWithSetOrderList``: patch items must follow ``$setElementOrder``."""
    if not order or not patch_list:
        return
    items = split_delete_directives(patch_list)[0] if merge_key else patch_list
    pi = si = 0
    while pi < len(items) and si < len(order):
        if isinstance(items[pi], dict) and DIRECTIVE in items[pi]:
            pi += 1
            continue
        if merge_key_equal(items[pi], order[si], merge_key):
            pi += 1
        si += 1
    if pi < len(items) and si >= len(order):
        raise internal(
            f"The order in patch list:\n{go_sprint(patch_list)}\n doesn't match "
            f"{SET_ELEMENT_ORDER} list:\n{go_sprint(order)}\n"
        )


class _Merger:
    """``mergeMap`` and friends, with one set of ``MergeOptions``.

    ``server``: kube-apiserver's options (apply parallel lists, drop unmatched nulls); otherwise
    the client-side merge of two patches, which keeps both. Mutates its arguments freely: callers
    pass private copies.
    """

    def __init__(self, server: bool) -> None:
        self.server = server

    def merge_map(self, original: JSONMap, patch: JSONMap, node: PatchSchema) -> JSONMap:
        if DIRECTIVE in patch:
            directive = patch[DIRECTIVE]
            if directive == "replace":
                del patch[DIRECTIVE]
                return patch
            if directive == "delete":
                return {}
            raise bad_patch_type(directive, patch)
        self._retain_keys(original, patch)
        self._ordered_lists(original, patch, node)
        for key, value in list(patch.items()):
            self._merge_member(original, key, value, node)
        return original

    def _merge_member(self, original: JSONMap, key: str, value: Any, node: PatchSchema) -> None:
        deletion_list = False
        if key.startswith(DELETE_FROM_PRIMITIVE_LIST):
            if not self.server:
                original[key] = value
                return
            deletion_list = True
            key = _directive_key(key, DELETE_FROM_PRIMITIVE_LIST, ERR_BAD_PRIMITIVE_LIST) or key
        if value is None:
            original.pop(key, None)
            if self.server:
                return
        if key not in original or type(original[key]) is not type(value):
            if not deletion_list:
                self._take(original, key, value)
            return
        if isinstance(value, dict):
            field, meta = node.lookup(key)
            if meta.strategy()[1] == "replace":
                original[key] = value
            else:
                original[key] = self.merge_map(original[key], value, field)
        elif isinstance(value, list):
            element, meta = node.lookup_list(key)
            original[key] = self._merge_list(
                original[key], value, element, meta.strategy()[1], meta.merge_key, deletion_list
            )[0]
        else:
            original[key] = value

    def _take(self, original: JSONMap, key: str, value: Any) -> None:
        """A patch value with nothing to merge into replaces (or adds) the member."""
        if self.server:
            _discard_nulls(value)
        value, keep = _remove_directives(value)
        if keep:
            original[key] = value
        else:
            original.pop(key, None)

    def _retain_keys(self, original: JSONMap, patch: JSONMap) -> None:
        """``applyRetainKeysDirective``."""
        if RETAIN_KEYS not in patch:
            return
        retain = patch.pop(RETAIN_KEYS)
        if not self.server:
            if RETAIN_KEYS not in original:
                original[RETAIN_KEYS] = retain
            elif not go_equal(original[RETAIN_KEYS], retain):
                raise internal(
                    f"{go_sprint(original[RETAIN_KEYS])} and {go_sprint(retain)} are not deep "
                    "equal: this may happen when calculating the 3-way diff patch"
                )
            return
        if not isinstance(retain, list):
            raise bad_request(ERR_BAD_RETAIN_KEYS)
        kept = {name for name in retain if isinstance(name, str)}
        for key, value in patch.items():
            if value is None or key.startswith((DELETE_FROM_PRIMITIVE_LIST, SET_ELEMENT_ORDER)):
                continue
            if key not in kept:
                raise bad_request(ERR_BAD_RETAIN_KEYS)
        for key in [k for k in original if k not in kept]:
            del original[key]

    def _ordered_lists(self, original: JSONMap, patch: JSONMap, node: PatchSchema) -> None:
        """``mergePatchIntoOriginal``: merge each list that has a ``$setElementOrder``."""
        for directive in [k for k in patch if k.startswith(SET_ELEMENT_ORDER)]:
            order = patch.pop(directive)
            if not self.server:
                if directive not in original:
                    original[directive] = order
                elif not go_equal(original[directive], order):
                    raise bad_request(ERR_BAD_SET_ELEMENT_ORDER)
            if not isinstance(order, list):
                raise bad_arg_type("[]interface {}", order)
            key = _directive_key(directive, SET_ELEMENT_ORDER, ERR_BAD_SET_ELEMENT_ORDER)
            in_original, in_patch = key in original, key in patch
            original_list: list[Any] = original[key] if in_original else []
            patch_list: list[Any] = patch[key] if in_patch else []
            for value in (original_list, patch_list):
                if not isinstance(value, list):
                    raise bad_arg_type("[]interface {}", value)
            element, meta = node.lookup_list(key)
            strategy = meta.strategy()[1]
            _validate_order(patch_list, order, meta.merge_key)
            if in_original and in_patch:
                merged, original_list = self._merge_list(
                    original_list, patch_list, element, strategy, meta.merge_key, False
                )
            elif in_original:
                merged = original_list
            elif in_patch:
                merged = _remove_directives(patch_list)[0]
            else:
                continue
            present, rest = _partition(merged, order, meta.merge_key)
            maps = lists_hold_maps(original_list, patch_list)
            original[key] = normalize_element_order(
                present, rest, order, original_list, meta.merge_key, maps
            )
            patch.pop(key, None)

    def _merge_list(
        self,
        original: list[Any],
        patch: list[Any],
        element: PatchSchema,
        strategy: str,
        merge_key: str,
        deletion_list: bool,
    ) -> tuple[list[Any], list[Any]]:
        """``mergeSliceHandler`` + ``mergeSlice``: (merged list, ``original`` afterwards).

        Go merges in place: deletions shift the original's array, appends and the scalar
        de-duplication write into its spare capacity. The second value is what the caller's
        view of the original array holds after that, which ``$setElementOrder`` ordering uses.
        """
        if strategy != "merge" and not deletion_list:
            return patch, original
        if not original and not patch:
            return original, original
        maps = lists_hold_maps(original, patch)
        if maps and not merge_key:
            raise internal(f"cannot merge lists without merge key for {element.go_kind}")
        if not maps and self.server and deletion_list:
            return [v for v in original if not any(go_equal(v, d) for d in patch)], original
        array = _GoArray(original)
        if maps:
            patch = array.apply_list_directives(patch, merge_key)
            server_order = array.items()
            keys = _KeyIndex(server_order, merge_key)
            for item in patch:
                if merge_key not in item:
                    raise no_merge_key(item, merge_key)
                index = keys.find(item[merge_key])
                if index is None:
                    keys.add(array.append(item), item)
                else:
                    array.set(index, self.merge_map(array.get(index), item, element))
            merged = array.items()
        else:
            array.extend(patch)
            merged = array.dedupe()
            server_order = array.view(len(original))
        present, rest = _partition(merged, patch, merge_key)
        merged = normalize_element_order(present, rest, patch, server_order, merge_key, maps)
        return merged, array.view(len(original))


def _json_capacity(length: int) -> int:
    """The capacity Go's JSON decoder gives an array of ``length`` elements (append growth;
    beyond 256 elements assumed exact)."""
    return 1 << (length - 1).bit_length() if 0 < length <= 256 else length


class _GoArray:
    """A Go slice over a JSON-decoded array, for merges that write through shared storage.

    ``storage`` is the underlying array (capacity as Go's decoder leaves it) and ``length`` the
    slice's length; once an append outgrows the capacity (or ``$patch: replace`` substitutes a
    list) the slice lives in ``own`` and the original storage is no longer written.
    """

    def __init__(self, original: list[Any]) -> None:
        self.storage: list[Any] = list(original)
        self.storage += [None] * (_json_capacity(len(original)) - len(original))
        self.length = len(original)
        self.own: list[Any] | None = None

    def items(self) -> list[Any]:
        return list(self.own if self.own is not None else self.storage[: self.length])

    def view(self, length: int) -> list[Any]:
        """The caller's slice of ``length`` elements over the original storage."""
        return self.storage[:length]

    def get(self, index: int) -> Any:
        return self.own[index] if self.own is not None else self.storage[index]

    def set(self, index: int, value: Any) -> None:
        if self.own is not None:
            self.own[index] = value
        else:
            self.storage[index] = value

    def append(self, value: Any) -> int:
        """Append (in place while capacity lasts); returns the new element's index."""
        if self.own is None and self.length < len(self.storage):
            self.storage[self.length] = value
            self.length += 1
            return self.length - 1
        if self.own is None:
            self.own = self.storage[: self.length]
        self.own.append(value)
        return len(self.own) - 1

    def extend(self, values: list[Any]) -> None:
        """``append(original, patch...)`` (one reallocation when it does not fit)."""
        if self.length + len(values) > len(self.storage):
            self.own = self.storage[: self.length]
        for value in values:
            self.append(value)

    def dedupe(self) -> list[Any]:
        """``deduplicateScalars`` on the slice, writing through shared storage."""
        if self.own is not None:
            self.own = self.own[: dedupe_in_place(self.own)]
            return list(self.own)
        working = self.storage[: self.length]
        self.length = dedupe_in_place(working)
        self.storage[: len(working)] = working
        return self.storage[: self.length]

    def apply_list_directives(self, patch: list[Any], merge_key: str) -> list[Any]:
        """``mergeSliceWithSpecialElements``: apply ``$patch`` elements, return the rest.

        ``delete`` removes matching elements by shifting the tail left in place; ``replace``
        makes the remaining patch elements the new (separate) list.
        """
        plain: list[Any] = []
        replace = False
        for item in patch:
            if DIRECTIVE not in item:
                plain.append(item)
                continue
            directive = item[DIRECTIVE]
            if directive == "delete":
                if merge_key not in item:
                    raise no_merge_key(item, merge_key)
                while (index := _find_by_key(self.items(), merge_key, item[merge_key])) is not None:
                    self.storage[index : self.length - 1] = self.storage[index + 1 : self.length]
                    self.length -= 1
            elif directive == "replace":
                replace = True
            elif directive == "merge":
                raise internal("merging lists cannot yet be specified in the patch")
            else:
                raise bad_patch_type(directive, item)
        if replace:
            self.own = plain
            return []
        return plain


def apply_strategic_merge_patch(
    document: JSONMap, patch: Any, schema: schemas.Schema | None
) -> JSONMap:
    """Apply a strategic merge patch to an object of the kind whose schema is given.

    ``schema`` is ``schemas.for_kind(...)``; None (a kind without one, i.e. a custom resource)
    raises ``StrategicMergeUnsupportedError``. Other failures raise ``StrategicMergePatchError``
    with kube-apiserver's status (400 for malformed directives, 422, or 500 pass-through).
    """
    if schema is None:
        raise StrategicMergeUnsupportedError
    if patch is None:
        patch = {}
    if not isinstance(patch, dict):
        raise bad_request(
            f"json: cannot unmarshal {_json_kind(patch)} into Go value of type map[string]interface {{}}"
        )
    merger = _Merger(server=True)
    node = PatchSchema.of_kind(schema)
    return merger.merge_map(copy.deepcopy(document), copy.deepcopy(patch), node)


def combine_strategic_patches(base: JSONMap, patch: JSONMap, node: PatchSchema) -> JSONMap:
    """Merge one strategic merge patch into another, keeping nulls and parallel lists.

    This is ``mergeMap`` with empty ``MergeOptions``, the step of kubectl's three-way patch
    that applies the additions-and-changes patch to the deletions patch.
    """
    return _Merger(server=False).merge_map(copy.deepcopy(base), copy.deepcopy(patch), node)
