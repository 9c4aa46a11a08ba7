"""The text kubectl's editor works on, and what an edit amounts to.

``kubectl edit`` (and ``apply edit-last-applied``, ``create --edit``) writes the objects to a
temporary file — YAML under a comment header, or bare JSON with ``-o json`` — opens an editor,
and compares what comes back with what went out *ignoring comments*: unchanged means "Edit
cancelled, no changes made.", an empty file cancels too, and a failed attempt reopens the file
with the reasons in the header. Saved objects are patched with a two-way patch (strategic for
kinds with a schema, JSON merge otherwise) that may not touch apiVersion, kind or name.

Invariants: pure functions of their arguments; texts are ``str`` with ``\\n`` line ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from backends.objects import gojson, goyaml, schemas

Obj = dict[str, Any]

NORMAL, APPLY, CREATE = "normal", "apply", "create"

_HEADERS = {
    APPLY: (
        "# Please edit the 'last-applied-configuration' annotations below.\n"
        "# Lines beginning with a '#' will be ignored, and an empty file will abort the edit.\n"
        "#\n"
    ),
    NORMAL: (
        "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
        "# and an empty file will abort the edit. If an error occurs while saving this file will "
        "be\n"
        "# reopened with the relevant failures.\n"
        "#\n"
    ),
}


class EditError(Exception):
    """An edit that cannot become a patch; ``str()`` is kubectl's message."""


@dataclass
class Reason:
    """One failure listed in the reopened file's header: a head line and detail lines."""

    head: str
    details: list[str] = field(default_factory=list)


def _hash_on_line_break(text: str) -> str:
    """Continue a multi-line text as comments (``\\n`` not followed by ``#`` gets ``# ``)."""
    out = []
    for i, ch in enumerate(text):
        if ch == "\n" and i + 1 < len(text) and text[i + 1] != "#":
            out.append("\n# ")
        else:
            out.append(ch)
    return "".join(out)


def header(mode: str, reasons: Sequence[Reason] = ()) -> str:
    """The comment block at the top of a YAML edit file."""
    lines = [_HEADERS[APPLY if mode == APPLY else NORMAL]]
    for reason in reasons:
        colon = ":" if reason.details else ""
        lines.append(f"# {_hash_on_line_break(reason.head)}{colon}\n")
        lines.extend(f"# * {_hash_on_line_break(detail)}\n" for detail in reason.details)
        lines.append("#\n")
    return "".join(lines)


def edit_list(objects: Sequence[Obj]) -> Obj:
    """Several objects as the one ``List`` kubectl puts in the file."""
    return {"apiVersion": "v1", "items": list(objects), "kind": "List", "metadata": {}}


def render(obj: Obj, as_json: bool) -> str:
    """An object as the file shows it: YAML, or 4-space indented JSON."""
    if as_json:
        return gojson.dumps(obj, indent="    ") + "\n"
    return goyaml.dumps(obj)


def manual_strip(text: str) -> str:
    """kubectl's ``ManualStrip``: drop the lines that are ``#`` comments (not ``#!``)."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        trimmed = line.strip()
        if trimmed.startswith("#") and not trimmed.startswith("#!"):
            continue
        out.append(line + ("\n" if i < len(lines) - 1 else ""))
    return "".join(out)


def strip_comments(text: str) -> str:
    """kubectl's ``StripComments``: JSON as it is, YAML as JSON (comments and layout gone),
    text that is neither without its comment lines. Used to compare edits."""
    if text.lstrip().startswith("{"):
        return text
    try:
        return gojson.dumps(goyaml.loads(text))
    except goyaml.YAMLSyntaxError:
        return manual_strip(text)


def has_lines(text: str) -> bool:
    """Whether anything but blank and comment lines is left."""
    return any(line.strip() and not line.strip().startswith("#") for line in text.splitlines())


def _kind_schema(obj: Obj) -> schemas.Schema | None:
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    return schemas.for_kind(group, version, str(obj.get("kind", "")))


def edit_patch(original: Obj, edited: Obj) -> tuple[str, Obj]:
    """(content type, patch) turning ``original`` into ``edited``; refuses identity changes."""
    from backends.objects.diff import two_way_merge_patch, two_way_strategic_merge_patch

    schema = _kind_schema(original)
    if schema is not None:
        patch = two_way_strategic_merge_patch(original, edited, schema)
        content_type = "application/strategic-merge-patch+json"
    else:
        patch = two_way_merge_patch(original, edited)
        content_type = "application/merge-patch+json"
    metadata = patch.get("metadata")
    if (
        "apiVersion" in patch
        or "kind" in patch
        or "managedFields" in patch
        or (isinstance(metadata, dict) and "name" in metadata)
    ):
        raise EditError("At least one of apiVersion, kind and name was changed")
    return content_type, patch


def validation_error(problem: str) -> str:
    """The detail line kubectl lists for an edited file that failed its validation."""
    return f'<nil>: Invalid value: "The edited file failed validation": {problem}'
