"""Creating patches from object versions, as kubectl does (the client half).

* ``two_way_merge_patch``: evanphx ``CreateMergePatch`` (JSON merge patch old -> new), what
  ``kubectl label``/``annotate`` send, and ``edit`` for kinds without a schema;
* ``two_way_strategic_merge_patch``: apimachinery ``CreateTwoWayMergePatch`` (``edit``,
  ``set``, ``rollout restart`` on built-in kinds);
* ``three_way_merge_patch``: ``CreateThreeWayMergePatch`` as ``kubectl apply`` calls it for
  built-in kinds: the changes from the live object to the new configuration (never deleting),
  plus the deletions from the last-applied configuration to the new one, with
  ``$setElementOrder``, ``$patch: delete``, ``$deleteFromPrimitiveList`` and ``$retainKeys``
  directives exactly where kubectl puts them;
* ``three_way_json_merge_patch``: ``CreateThreeWayJSONMergePatch`` plus kubectl's
  preconditions, what ``kubectl apply`` sends for kinds it has no types for (custom resources).

Invariants: inputs are never mutated and results share no structure with them; a result equals
the JSON kubectl sends (which kubectl serializes with sorted keys, so dict order is irrelevant).
Go's quirks are kept: numbers compare as float64 in JSON merge diffs but as typed int64/float64
in strategic ones, a ``replace``-strategy map is always resent, and ``$setElementOrder`` is sent
for an unchanged list when the live keyed list has extra elements or the live primitive list is
not sorted.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

from backends.objects import goyaml, schemas
from backends.objects.patch import apply_merge_patch, combine_strategic_patches
from backends.objects.strategic import (
    DELETE_FROM_PRIMITIVE_LIST,
    DIRECTIVE,
    RETAIN_KEYS,
    SET_ELEMENT_ORDER,
    JSONMap,
    PatchError,
    PatchSchema,
    StrategicMergePatchError,
    as_map,
    dedupe_scalars,
    go_equal,
    go_sprint,
    go_sprint_s,
    internal,
    lists_hold_maps,
    merge_key_equal,
    no_merge_key,
    normalize_slice_order,
    sort_by_merge_key,
    sort_scalars,
)

__all__ = [
    "PatchConflictError",
    "PatchPreconditionError",
    "three_way_json_merge_patch",
    "three_way_merge_patch",
    "two_way_merge_patch",
    "two_way_strategic_merge_patch",
]


class PatchConflictError(PatchError):
    """``overwrite=False`` and the live object changed a field the patch changes differently."""


class PatchPreconditionError(PatchError):
    """A three-way JSON merge patch would change ``apiVersion``, ``kind`` or the name."""


# --- JSON merge patches ---------------------------------------------------------------------


def _json_type(value: Any) -> type:
    """The Go type ``encoding/json`` decodes a value to (every number is a float64)."""
    return float if isinstance(value, int) and not isinstance(value, bool) else type(value)


def _json_equal(a: Any, b: Any) -> bool:
    """evanphx ``matchesValue``: deep equality with all numbers compared as float64."""
    if _json_type(a) is not _json_type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _json_diff(original: JSONMap, modified: JSONMap) -> JSONMap:
    """evanphx ``getDiff``."""
    patch: JSONMap = {}
    for key, new in modified.items():
        if key not in original:
            patch[key] = new
            continue
        old = original[key]
        if isinstance(old, dict) and isinstance(new, dict):
            nested = _json_diff(old, new)
            if nested:
                patch[key] = nested
        elif not _json_equal(old, new):
            patch[key] = new
    for key in original:
        if key not in modified:
            patch[key] = None
    return patch


def two_way_merge_patch(original: JSONMap, modified: JSONMap) -> JSONMap:
    """The JSON merge patch that turns ``original`` into ``modified``."""
    return copy.deepcopy(_json_diff(original, modified))


def _filter_nulls(patch: JSONMap, keep_nulls: bool) -> JSONMap:
    """``keepOrDeleteNullInObj``: only the deletions, or everything but the deletions."""
    result: JSONMap = {}
    for key, value in patch.items():
        if value is None:
            if keep_nulls:
                result[key] = None
        elif isinstance(value, dict) and value:
            nested = _filter_nulls(value, keep_nulls)
            if nested:
                result[key] = nested
        elif not keep_nulls:
            result[key] = value
    return result


def three_way_json_merge_patch(
    original: JSONMap | None, modified: JSONMap | None, current: JSONMap | None
) -> JSONMap:
    """kubectl apply's patch for kinds without types: a JSON merge patch.

    ``original`` is the last-applied configuration (None when the object has none), ``modified``
    the new configuration (with its new last-applied annotation), ``current`` the live object.
    Raises ``PatchPreconditionError`` when the patch would touch ``apiVersion``, ``kind`` or
    ``metadata.name``, as kubectl refuses to send such a patch. (The conflict check
    ``CreateThreeWayJSONMergePatch`` also runs can never fire for these inputs.)
    """
    additions = _filter_nulls(_json_diff(current or {}, modified or {}), keep_nulls=False)
    deletions = _filter_nulls(_json_diff(original or {}, modified or {}), keep_nulls=True)
    patch: JSONMap = apply_merge_patch(deletions, additions)
    metadata = patch.get("metadata")
    if (
        "apiVersion" in patch
        or "kind" in patch
        or (isinstance(metadata, dict) and "name" in metadata)
    ):
        raise PatchPreconditionError("At least one of apiVersion, kind and name was changed")
    return patch


# --- strategic merge patches ----------------------------------------------------------------


@dataclass(frozen=True)
class _Options:
    """``DiffOptions``."""

    set_element_order: bool = False
    ignore_changes: bool = False
    ignore_deletions: bool = False
    retain_keys: bool = False


def _diff_maps(original: JSONMap, modified: JSONMap, node: PatchSchema, opts: _Options) -> JSONMap:
    """``diffMaps``: the strategic merge patch from ``original`` to ``modified``."""
    patch: JSONMap = {}
    retained: list[Any] = []
    for key, new in modified.items():
        if opts.retain_keys and new is not None:
            retained.append(key)
        if key not in original:
            if not opts.ignore_changes:
                patch[key] = new
            continue
        old = original[key]
        if key == DIRECTIVE:
            if not isinstance(old, str) or not isinstance(new, str):
                raise internal(f"invalid value for special key: {DIRECTIVE}")
            if old != new:
                patch[key] = new
            continue
        if type(old) is not type(new):
            if not opts.ignore_changes:
                patch[key] = new
        elif isinstance(old, dict):
            _diff_map_member(key, old, new, patch, node, opts)
        elif isinstance(old, list):
            _diff_list_member(key, old, new, patch, node, opts)
        elif not opts.ignore_changes and not go_equal(old, new):
            patch[key] = new
    if not opts.ignore_deletions:
        for key in original:
            if key not in modified:
                patch[key] = None
    dropped = any(v is not None and k not in modified for k, v in original.items())
    if retained and (patch or dropped):
        patch[RETAIN_KEYS] = sort_scalars(retained)
    return patch


def _diff_map_member(
    key: str, old: JSONMap, new: JSONMap, patch: JSONMap, node: PatchSchema, opts: _Options
) -> None:
    """``handleMapDiff``."""
    try:
        field, meta = node.lookup(key)
    except StrategicMergePatchError:
        if go_equal(old, new):
            return
        raise
    retain, strategy = meta.strategy()
    if strategy == "replace":
        if not opts.ignore_changes:
            patch[key] = new
        return
    nested = _diff_maps(old, new, field, replace(opts, retain_keys=retain))
    if nested:
        patch[key] = nested


def _diff_list_member(
    key: str, old: list[Any], new: list[Any], patch: JSONMap, node: PatchSchema, opts: _Options
) -> None:
    """``handleSliceDiff``."""
    try:
        element, meta = node.lookup_list(key)
    except StrategicMergePatchError:
        if go_equal(old, new):
            return
        raise
    retain, strategy = meta.strategy()
    if strategy != "merge":
        if not opts.ignore_changes and not go_equal(old, new):
            patch[key] = new
        return
    changes, deletions, order = _diff_lists(
        old, new, element, meta.merge_key, replace(opts, retain_keys=retain)
    )
    if changes:
        patch[key] = changes
    if deletions:
        patch[f"{DELETE_FROM_PRIMITIVE_LIST}/{key}"] = deletions
    if order:
        patch[f"{SET_ELEMENT_ORDER}/{key}"] = order


def _diff_lists(
    original: list[Any], modified: list[Any], element: PatchSchema, merge_key: str, opts: _Options
) -> tuple[list[Any], list[Any], list[Any]]:
    """``diffLists``: (patch list, primitive deletion list, ``$setElementOrder`` list)."""
    if not original:
        if not modified or opts.ignore_changes:
            return [], [], []
        return modified, [], []
    if lists_hold_maps(original, modified):
        changes, deletions = _diff_lists_of_maps(original, modified, element, merge_key, opts)
        changes = normalize_slice_order(changes, modified, merge_key, True)
        order_same = len(original) == len(modified) and all(
            merge_key_equal(old, new, merge_key)
            for old, new in zip(original, modified, strict=True)
        )
        changes += deletions
        wanted = (not opts.ignore_changes and (changes or not order_same)) or (
            not opts.ignore_deletions and changes
        )
        order = [{merge_key: item.get(merge_key)} for item in modified] if wanted else []
        return changes, [], order if opts.set_element_order else []
    additions, removals = _diff_lists_of_scalars(original, modified, opts)
    additions = normalize_slice_order(additions, modified, merge_key, False)
    # Go sorts ``original`` in place before this comparison, hence the sorted copy.
    changed = not go_equal(sort_scalars(original), modified)
    wanted = (not opts.ignore_deletions and removals) or (not opts.ignore_changes and changed)
    return additions, removals, modified if opts.set_element_order and wanted else []


def _diff_lists_of_scalars(
    original: list[Any], modified: list[Any], opts: _Options
) -> tuple[list[Any], list[Any]]:
    """``diffListsOfScalars``: (added values, deleted values), matched by ``%v`` text."""
    old, new = sort_scalars(original), sort_scalars(modified)
    additions: list[Any] = []
    removals: list[Any] = []
    i = j = 0
    while i < len(old) or j < len(new):
        old_text = go_sprint(old[i]) if i < len(old) else None
        new_text = go_sprint(new[j]) if j < len(new) else None
        if old_text is not None and old_text == new_text:
            i, j = i + 1, j + 1
        elif old_text is None or (new_text is not None and old_text > new_text):
            if not opts.ignore_changes:
                additions.append(new[j])
            j += 1
        else:
            if not opts.ignore_deletions:
                removals.append(old[i])
            i += 1
    return additions, dedupe_scalars(removals)


def _keyed(items: list[Any], index: int, merge_key: str) -> tuple[JSONMap, Any, str]:
    """``getMapAndMergeKeyValueByIndex``: the map, its merge key value and that value's text."""
    item = as_map(items[index])
    if merge_key not in item:
        raise no_merge_key(item, merge_key)
    return item, item[merge_key], go_sprint(item[merge_key])


def _diff_lists_of_maps(
    original: list[Any], modified: list[Any], element: PatchSchema, merge_key: str, opts: _Options
) -> tuple[list[Any], list[Any]]:
    """``diffListsOfMaps``: (changed or added elements, ``$patch: delete`` elements)."""
    old = sort_by_merge_key(original, merge_key)
    new = sort_by_merge_key(modified, merge_key)
    changes: list[Any] = []
    deletions: list[Any] = []
    i = j = 0
    while i < len(old) or j < len(new):
        old_item, old_key, old_text = _keyed(old, i, merge_key) if i < len(old) else ({}, None, "")
        new_item, new_key, new_text = _keyed(new, j, merge_key) if j < len(new) else ({}, None, "")
        if i < len(old) and j < len(new) and old_text == new_text:
            nested = _diff_maps(old_item, new_item, element, opts)
            if nested:
                nested[merge_key] = new_key
                changes.append(nested)
            i, j = i + 1, j + 1
        elif i >= len(old) or (j < len(new) and old_text > new_text):
            if not opts.ignore_changes:
                changes.append(new_item)
            j += 1
        else:
            if not opts.ignore_deletions:
                deletions.append({merge_key: old_key, DIRECTIVE: "delete"})
            i += 1
    return changes, deletions


def two_way_strategic_merge_patch(
    original: JSONMap, modified: JSONMap, schema: schemas.Schema
) -> JSONMap:
    """The strategic merge patch that turns ``original`` into ``modified`` (with deletions)."""
    node = PatchSchema.of_kind(schema)
    patch = _diff_maps(original, modified, node, _Options(set_element_order=True))
    return copy.deepcopy(patch)


def _conflicts(left: Any, right: Any, node: PatchSchema, strategy: str, merge_key: str) -> bool:
    """``mergingMapFieldsHaveConflicts``."""
    if isinstance(left, dict):
        if not isinstance(right, dict):
            return True
        if DIRECTIVE in left or DIRECTIVE in right:
            if (DIRECTIVE in left) != (DIRECTIVE in right):
                return True
            if not go_equal(left[DIRECTIVE], right[DIRECTIVE]):
                return True
        return strategy != "replace" and _maps_conflict(left, right, node)
    if isinstance(left, list):
        if not isinstance(right, list):
            return True
        return _lists_conflict(left, right, node, strategy, merge_key)
    return not go_equal(left, right)


def _maps_conflict(left: JSONMap, right: JSONMap, node: PatchSchema) -> bool:
    """``mapsHaveConflicts``."""
    for key, value in left.items():
        if key in (DIRECTIVE, RETAIN_KEYS) or key not in right:
            continue
        field, strategy, merge_key = node, "", ""
        if isinstance(value, (dict, list)):
            field, meta = node.lookup_list(key) if isinstance(value, list) else node.lookup(key)
            strategy, merge_key = meta.strategy()[1], meta.merge_key
        if _conflicts(value, right[key], field, strategy, merge_key):
            return True
    return False


def _by_merge_key(items: list[Any], merge_key: str) -> dict[str, Any]:
    """``sliceOfMapsToMapOfMaps``."""
    result: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict):
            raise internal(f"invalid element type in merging list:{go_sprint(items)}")
        if merge_key not in item:
            raise internal(
                f"cannot find merge key `{merge_key}` in merging list element:{go_sprint(item)}"
            )
        result[go_sprint_s(item[merge_key])] = item
    return result


def _lists_conflict(
    left: list[Any], right: list[Any], node: PatchSchema, strategy: str, merge_key: str
) -> bool:
    """``slicesHaveConflicts``."""
    maps = lists_hold_maps(left, right)
    if strategy == "merge":
        if not maps:
            return False
        left_items, right_items = _by_merge_key(left, merge_key), _by_merge_key(right, merge_key)
        return any(
            _conflicts(item, right_items[key], node, "", "")
            for key, item in left_items.items()
            if key in right_items
        )
    if len(left) != len(right):
        return True
    if not maps:
        left, right = sort_scalars(dedupe_scalars(left)), sort_scalars(dedupe_scalars(right))
    return any(_conflicts(a, b, node, "", "") for a, b in zip(left, right, strict=True))


def three_way_merge_patch(
    original: JSONMap | None,
    modified: JSONMap | None,
    current: JSONMap | None,
    schema: schemas.Schema,
    overwrite: bool = True,
) -> JSONMap:
    """kubectl apply's strategic merge patch for an object of the kind ``schema`` describes.

    ``original`` is the last-applied configuration (None when the live object has none),
    ``modified`` the new configuration including its new last-applied annotation, ``current``
    the live object. With ``overwrite=False`` a ``PatchConflictError`` is raised when the patch
    changes something the live object changed differently since the last apply.
    """
    node = PatchSchema.of_kind(schema)
    original, modified, current = original or {}, modified or {}, current or {}
    changes = _diff_maps(
        current, modified, node, _Options(set_element_order=True, ignore_deletions=True)
    )
    deletions = _diff_maps(
        original, modified, node, _Options(set_element_order=True, ignore_changes=True)
    )
    patch = combine_strategic_patches(deletions, changes, node)
    if not overwrite:
        changed = _diff_maps(original, current, node, _Options())
        if _conflicts(patch, changed, node, "", ""):
            raise PatchConflictError(
                f"patch:\n{goyaml.dumps(patch)}\nconflicts with changes made from original to "
                f"current:\n{goyaml.dumps(changed)}\n"
            )
    return patch
