"""``-o custom-columns=HEADER:PATH,...`` and ``-o custom-columns-file=FILE``, as kubectl prints them.

A column is a header (printed verbatim, never upper-cased) and a relaxed JSONPath expression
(``metadata.name``, ``.metadata.name``, ``{metadata.name}`` and ``{.metadata.name}`` are the
same). Each cell is every value the path finds, each as Go's ``fmt.Sprint`` prints it, joined
with ``,``; ``<none>`` when nothing is found (missing keys are always allowed). Cells are made
terminal-safe (``ESC`` shown as ``^[``, ``CR`` as ``\\r``) and aligned with kubectl's tabwriter.

Invariants: the header is written once per printer, on its first object, before the paths are
parsed (so a path error still shows the header); a List prints one row per item; a watch event
is seen as ``{"type": ..., "object": ...}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pykctl.printers import jsonpath
from pykctl.printers.godump import go_sprint
from pykctl.printers.tabwriter import TabWriter

__all__ = [
    "Column",
    "CustomColumnsError",
    "CustomColumnsPrinter",
    "escape_terminal",
    "parse_spec",
    "parse_template",
]


class CustomColumnsError(Exception):
    """A spec or path problem; ``str()`` is kubectl's text after ``error: ``."""


class Writer(Protocol):
    """Where rows go: a stream, or the TabWriter of a watch."""

    def write(self, text: str, /) -> Any: ...


@dataclass(frozen=True)
class Column:
    """One column: its header and its JSONPath template (``{.metadata.name}``)."""

    header: str
    path: str


def _relaxed(expr: str) -> str:
    try:
        return jsonpath.relaxed(expr)
    except jsonpath.JSONPathError as err:
        raise CustomColumnsError(str(err)) from None


def parse_spec(spec: str) -> list[Column]:
    """Columns from ``HEADER:PATH[,HEADER:PATH...]`` (split on ``,``, then on the first ``:``)."""
    if not spec:
        raise CustomColumnsError("custom-columns format specified but no custom columns given")
    columns = []
    for part in spec.split(","):
        header, colon, path = part.partition(":")
        if not colon:
            raise CustomColumnsError(
                f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
            )
        columns.append(Column(header, _relaxed(path)))
    return columns


def parse_template(text: str) -> list[Column]:
    """Columns from a custom-columns file: a line of headers, then a line of paths."""
    lines = text.splitlines()
    if not lines:
        raise CustomColumnsError(
            "invalid template, missing header line. Expected format is one line of space "
            "separated headers, one line of space separated column specs."
        )
    if len(lines) < 2:
        raise CustomColumnsError(
            "invalid template, missing spec line. Expected format is one line of space "
            "separated headers, one line of space separated column specs."
        )
    headers, specs = lines[0].split(), lines[1].split()
    if len(headers) != len(specs):
        raise CustomColumnsError(
            f"number of headers ({len(headers)}) and field specifications ({len(specs)}) "
            "don't match"
        )
    return [Column(header, _relaxed(spec)) for header, spec in zip(headers, specs, strict=False)]


def escape_terminal(text: str) -> str:
    """cli-runtime's EscapeTerminal: ``ESC`` → ``^[``, ``CR`` → ``\\r``."""
    return text.replace("\x1b", "^[").replace("\r", "\\r")


def _cell(template: jsonpath.JSONPathTemplate, obj: object) -> str:
    try:
        found = template.find_results(obj)
    except jsonpath.JSONPathError as err:
        raise CustomColumnsError(err.reason) from None
    values = ["<none>"] if not found or not found[0] else []
    values += [escape_terminal(go_sprint(v)) for group in found for v in group]
    return ",".join(values)


class CustomColumnsPrinter:
    """Prints objects (or a List's items) as custom-columns rows."""

    def __init__(self, columns: list[Column], no_headers: bool = False) -> None:
        self.columns = columns
        self.no_headers = no_headers
        self.printed_header = False

    def print_obj(self, obj: dict[str, Any], out: Writer) -> None:
        """Rows for ``obj`` (each item of a List); aligned on its own unless ``out`` is a watch's
        TabWriter, which the caller flushes."""
        if isinstance(out, TabWriter):
            self._rows(obj, out)
            return
        writer = TabWriter()
        try:
            self._rows(obj, writer)
        finally:
            out.write(writer.flush())

    def _rows(self, obj: dict[str, Any], out: TabWriter) -> None:
        if not self.no_headers and not self.printed_header:
            out.write("\t".join(c.header for c in self.columns) + "\n")
            self.printed_header = True
        templates = []
        for index, column in enumerate(self.columns):
            try:
                templates.append(jsonpath.parse(column.path, f"column{index}"))
            except jsonpath.JSONPathError as err:
                raise CustomColumnsError(err.reason) from None
        items = obj.get("items") if isinstance(obj.get("items"), list) else None
        for item in items if items is not None else [obj]:
            out.write("\t".join(_cell(t, item) for t in templates) + "\n")
