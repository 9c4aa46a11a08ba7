"""kubectl's generic describer, used for every kind without a dedicated one (custom resources,
leases, priority levels...): the object's fields as an indented outline.

Keys are printed in sorted order as "smart labels" (``apiVersion`` → ``API Version``,
``podCIDR`` → ``Pod CIDR``) — the camel-case split of fatih/camelcase followed by kubectl's
acronym merging and title-casing; keys with characters other than letters and ``-`` stay as
they are. Scalars print with Go's ``%v``; maps nest one level deeper; list items of a list of
maps follow each other without separators. ``metadata.managedFields``, ``name``,
``namespace``, ``labels`` and ``annotations`` are skipped (the head shows the last four).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pykctl.describe.events import describe_events
from pykctl.describe.format import Obj, go_value, write_metadata
from pykctl.describe.writer import LEVEL_0, Writer

_SKIPPED = (
    ".metadata.managedFields",
    ".metadata.name",
    ".metadata.namespace",
    ".metadata.labels",
    ".metadata.annotations",
)
_ACRONYMS = ("API", "URL", "UID", "GUID")


def _char_class(char: str) -> int:
    if char.islower():
        return 1
    if char.isupper():
        return 2
    if char.isdigit():
        return 3
    return 4


def camelcase_split(source: str) -> list[str]:
    """fatih/camelcase.Split: runs of one character class; ``PDFLoader`` → ``PDF``, ``Loader``."""
    runs: list[list[str]] = []
    last = 0
    for char in source:
        kind = _char_class(char)
        if runs and kind == last:
            runs[-1].append(char)
        else:
            runs.append([char])
        last = kind
    for i in range(len(runs) - 1):
        if runs[i] and runs[i][0].isupper() and runs[i + 1] and runs[i + 1][0].islower():
            runs[i + 1].insert(0, runs[i].pop())
    return ["".join(run) for run in runs if run]


def smart_label(field: str) -> str:
    """kubectl's smartLabelFor."""
    if any(not (char.isalpha() or char == "-") for char in field):
        return field
    parts = camelcase_split(field)
    merged: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if i < len(parts) - 1:
            following = parts[i + 1]
            all_upper = all(not c.isalpha() or c.isupper() for c in part)
            if len(part) >= 2 and all_upper and following and following[0].isupper():
                merged.append(part + following)
                i += 2
                continue
        merged.append(part)
        i += 1
    words = []
    for part in merged:
        if part == "_":
            continue
        if part.upper() in _ACRONYMS:
            part = part.upper()
        elif part.lower() == part:
            part = _title(part)
        words.append(part)
    return " ".join(words)


def _title(word: str) -> str:
    """cases.Title(language.English) of a lower-case word: each word's first letter upper."""
    out = []
    start = True
    for char in word:
        out.append(char.upper() if start and char.isalpha() else char)
        start = not char.isalpha()
    return "".join(out)


def _content(w: Writer, level: int, content: Mapping[str, Any], prefix: str) -> None:
    for field in sorted(content):
        value = content[field]
        path = f"{prefix}.{field}"
        if path in _SKIPPED:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _content(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _content(w, level + 1, child, path)
                else:
                    w.write(level + 1, f"{go_value(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{go_value(value)}\n")


def describe_generic(obj: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """kubectl's genericDescriber."""
    w = Writer()
    write_metadata(w, obj)
    _content(w, LEVEL_0, obj, "")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()
