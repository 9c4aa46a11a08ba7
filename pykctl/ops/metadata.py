"""Editing an object's labels or annotations, as ``kubectl label`` and ``kubectl annotate`` do.

One implementation serves both maps; ``LABELS`` and ``ANNOTATIONS`` carry what differs (how
specs parse, how an overwrite conflict is worded, which messages a change prints). Functions
are pure over plain dicts: ``apply_edit`` returns a changed copy and never mutates its input.

Rules (kubectl 1.37): arguments with ``=`` (not first) or ending in ``-`` are map updates and
must follow every resource argument; ``KEY=VALUE`` sets, ``KEY-`` removes; without overwrite a
key holding a different value is an error; removing an absent key is no error; label values
are validated client-side (keys are left to the server).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from backends.objects.gofmt import quote as go_quote
from backends.objects.selectors import label_value_errors

Obj = dict[str, Any]

CHANGE_CAUSE = "kubernetes.io/change-cause"


class MetadataError(Exception):
    """An edit kubectl refuses. ``messages`` holds one line per problem (an aggregate)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class MapKind:
    """What differs between the label and the annotation map."""

    field: str  # "labels" | "annotations"
    noun: str  # "label" | "annotation"


LABELS = MapKind("labels", "label")
ANNOTATIONS = MapKind("annotations", "annotation")


@dataclass
class Edit:
    """Keys to set (in argument order; a repeated key keeps its last value) and to remove."""

    kind: MapKind
    set: dict[str, str] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.set and not self.remove


@dataclass
class Result:
    """The edited object and the keys that actually changed."""

    obj: Obj
    added: list[str]
    removed: list[str]

    @property
    def label_message(self) -> str:
        """``labeled`` / ``unlabeled`` / ``modified`` / ``not labeled``."""
        if self.added and self.removed:
            return "modified"
        if self.added:
            return "labeled"
        if self.removed:
            return "unlabeled"
        return "not labeled"


def _is_pair(arg: str) -> bool:
    return ("=" in arg and not arg.startswith("=")) or (arg.endswith("-") and arg != "-")


def split_resources_and_pairs(args: list[str], kind: MapKind) -> tuple[list[str], list[str]]:
    """Resource arguments first, then the updates (kubectl's GetResourcesAndPairs)."""
    resources: list[str] = []
    pairs: list[str] = []
    for arg in args:
        if _is_pair(arg):
            pairs.append(arg)
        elif pairs:
            raise MetadataError(
                [f"all resources must be specified before {kind.noun} changes: {arg}"]
            )
        else:
            resources.append(arg)
    return resources, pairs


def parse_label_specs(specs: list[str]) -> Edit:
    """``color=red``, ``color-``: label updates, with label values validated."""
    edit = Edit(LABELS)
    for spec in specs:
        if "=" in spec:
            parts = spec.split("=")
            if len(parts) != 2:
                raise MetadataError([f"invalid label spec: {spec}"])
            errors = label_value_errors(parts[1])
            if errors:
                raise MetadataError([f"invalid label value: {go_quote(spec)}: {';'.join(errors)}"])
            edit.set[parts[0]] = parts[1]
        elif spec.endswith("-"):
            edit.remove.append(spec[:-1])
        else:
            raise MetadataError([f"unknown label spec: {spec}"])
    refuse_set_and_remove(edit)
    return edit


def parse_annotation_specs(specs: list[str]) -> Edit:
    """``note=some text``, ``note-``: annotation updates (kubectl's ParsePairs)."""
    edit = Edit(ANNOTATIONS)
    invalid: list[str] = []
    for spec in specs:
        if "=" in spec and not spec.startswith("="):
            key, _, value = spec.partition("=")
            edit.set[key] = value
        elif spec.endswith("-") and spec != "-":
            edit.remove.append(spec[:-1])
        else:
            invalid.append(spec)
    if invalid:
        raise MetadataError([f"invalid annotation format: {', '.join(invalid)}"])
    return edit


def refuse_set_and_remove(edit: Edit) -> None:
    """A key may not be both set and removed in one command."""
    both = [key for key in edit.remove if key in edit.set]
    if not both:
        return
    if edit.kind is LABELS:
        raise MetadataError(["can not both modify and remove a label in the same command"])
    raise MetadataError(
        [
            "can not both modify and remove the following annotation(s) in the same "
            f"command: {', '.join(both)}"
        ]
    )


def current(obj: Obj, kind: MapKind) -> dict[str, str]:
    """The object's labels or annotations (empty when it has none)."""
    values = (obj.get("metadata") or {}).get(kind.field) or {}
    return dict(values)


def _conflicts(existing: dict[str, str], edit: Edit) -> list[str]:
    """Keys the edit would overwrite with a different value."""
    return [
        key
        for key, value in edit.set.items()
        if key in existing
        and existing[key] != value
        and not (edit.kind is ANNOTATIONS and key == CHANGE_CAUSE)
    ]


def check_overwrites(obj: Obj, edit: Edit) -> None:
    """Refuse to change an existing value (when ``--overwrite`` is false)."""
    existing = current(obj, edit.kind)
    keys = _conflicts(existing, edit)
    if not keys:
        return
    if edit.kind is LABELS:
        raise MetadataError(
            [
                f"'{key}' already has a value ({existing[key]}), and --overwrite is false"
                for key in keys
            ]
        )
    found = "; ".join(f"'{key}' already has a value ({existing[key]})" for key in keys)
    raise MetadataError(
        [f"--overwrite is false but found the following declared annotation(s): {found}"]
    )


def missing_removals(obj: Obj, edit: Edit) -> list[str]:
    """Keys to remove that the object does not have."""
    existing = current(obj, edit.kind)
    return [key for key in edit.remove if key not in existing]


def apply_edit(obj: Obj, edit: Edit, overwrite: bool, resource_version: str = "") -> Result:
    """The object with the edit applied (and ``resourceVersion`` set when given)."""
    if not overwrite:
        check_overwrites(obj, edit)
    edited = copy.deepcopy(obj)
    metadata = edited.setdefault("metadata", {})
    values = dict(metadata.get(edit.kind.field) or {})
    added: list[str] = []
    removed: list[str] = []
    for key, value in edit.set.items():
        if values.get(key) != value or key not in values:
            added.append(key)
        values[key] = value
    for key in edit.remove:
        if key in values:
            del values[key]
            removed.append(key)
    metadata[edit.kind.field] = values
    if resource_version:
        metadata["resourceVersion"] = resource_version
    return Result(edited, added, removed)


def listing(obj: Obj, kind: MapKind) -> list[str]:
    """``key=value`` lines of ``--list``."""
    return [f"{key}={value}" for key, value in current(obj, kind).items()]


__all__ = [
    "ANNOTATIONS",
    "CHANGE_CAUSE",
    "LABELS",
    "Edit",
    "MapKind",
    "MetadataError",
    "Result",
    "apply_edit",
    "check_overwrites",
    "current",
    "listing",
    "missing_removals",
    "parse_annotation_specs",
    "parse_label_specs",
    "refuse_set_and_remove",
    "split_resources_and_pairs",
]
