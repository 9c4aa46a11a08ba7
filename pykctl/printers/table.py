"""The cells of the server's meta.k8s.io/v1 Tables as kubectl prints them.

kubectl computes no cells: it prints the server's, choosing columns (priority 0, plus the
others with ``-o wide``), upper-casing headers, prepending NAMESPACE for ``-A``, prefixing names
with ``kind[.group]/`` when several types are printed, appending ``-L`` label columns and a
LABELS column (output.HumanPrinter aligns them with kubectl's tabwriter). Cells that contain
newlines are cut with ``...`` and escape characters are made visible, as kubectl's
terminal-safe writer does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backends.objects.gofmt import format_g
from backends.objects.selectors import format_labels

Obj = dict[str, Any]


@dataclass
class TableOptions:
    """kubectl get's human-readable printing flags."""

    wide: bool = False
    no_headers: bool = False
    with_namespace: bool = False
    kind_prefix: str = ""  # "pod" or "deployment.apps": names print as PREFIX/NAME
    label_columns: list[str] = field(default_factory=list)
    show_labels: bool = False


def go_sprint(value: Any) -> str:
    """A cell as Go's fmt.Sprint prints it."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return format_g(value)
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, separators=(",", ":"))
    return str(value)


def escape_cell(text: str) -> str:
    """kubectl's cell clean-up: cut at the first line break with ``...``; ESC shown as ``^[``."""
    for i, ch in enumerate(text):
        if ch in "\n\r\f":
            text = text[:i] + "..."
            break
    return text.replace("\x1b", "^[")


def _label_header(key: str) -> str:
    return key.rsplit("/", 1)[-1].upper()


def visible_columns(table: Obj, wide: bool) -> list[int]:
    """Indices of the columns to print."""
    columns = table.get("columnDefinitions") or []
    return [i for i, c in enumerate(columns) if wide or int(c.get("priority") or 0) == 0]


def header_cells(table: Obj, options: TableOptions) -> list[str]:
    columns = table.get("columnDefinitions") or []
    cells = [str(columns[i].get("name", "")).upper() for i in visible_columns(table, options.wide)]
    if options.with_namespace:
        cells.insert(0, "NAMESPACE")
    cells += [_label_header(key) for key in options.label_columns]
    if options.show_labels:
        cells.append("LABELS")
    return cells


def row_cells(table: Obj, row: Obj, options: TableOptions) -> list[str]:
    columns = table.get("columnDefinitions") or []
    raw = row.get("cells") or []
    metadata = ((row.get("object") or {}).get("metadata")) or {}
    cells: list[str] = []
    for i in visible_columns(table, options.wide):
        text = escape_cell(go_sprint(raw[i] if i < len(raw) else ""))
        if options.kind_prefix and columns[i].get("format") == "name":
            text = f"{options.kind_prefix}/{text}"
        cells.append(text)
    if options.with_namespace:
        cells.insert(0, str(metadata.get("namespace", "")))
    labels = metadata.get("labels") or {}
    cells += [str(labels.get(key, "")) for key in options.label_columns]
    if options.show_labels:
        cells.append(format_labels(labels))
    return cells
