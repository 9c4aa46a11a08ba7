"""The one place that turns ``-o/--output`` and ``--template`` into a printer, as kubectl does.

:func:`parse_output_format` resolves the flags against the formats a command accepts, in
kubectl's order (template printers, JSON/YAML/KYAML, the human table, custom-columns, name), so
the same mistakes give the same errors: ``-o jsonpath`` without a template, ``-o jsonpath=X
--template=Y``, an unknown format (``unable to match a printer suitable for the output format
"foo", allowed formats are: ...``). ``--template`` alone means go-template; ``-o json``, ``yaml``,
``kyaml`` and ``name`` are case-insensitive; ``*-file`` formats read their file here.

:func:`make_printer` builds the printer for a resolved format. Printers are small and stateful
only where kubectl's are: YAML and KYAML separate documents with ``---``, custom-columns prints
its header once. Each takes a decoded object (a List prints as one object) or a
:class:`WatchEvent`. JSON, YAML and KYAML omit ``metadata.managedFields`` unless asked not to
(never inside watch events, as kubectl). :class:`HumanPrinter` is the human output (``""`` and
``wide``): the server's Tables decorated as ``get`` asks (namespace, kind prefix, label columns,
watch event column), or ``NAME AGE`` rows for objects that are not Tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pykctl.printers.custom_columns import Column
    from pykctl.printers.table import TableOptions

Obj = dict[str, Any]

# kubectl's PrintFlags.AllowedFormats(), in its order (the help text lists them so).
PRINT_FORMATS = (
    "json",
    "yaml",
    "kyaml",
    "name",
    "go-template",
    "go-template-file",
    "template",
    "templatefile",
    "jsonpath",
    "jsonpath-as-json",
    "jsonpath-file",
)
GET_FORMATS = (*PRINT_FORMATS, "custom-columns", "custom-columns-file", "wide")

_TEMPLATE_FORMATS = {
    "go-template": "go-template",
    "template": "go-template",
    "go-template-file": "go-template",
    "templatefile": "go-template",
    "jsonpath": "jsonpath",
    "jsonpath-file": "jsonpath",
    "jsonpath-as-json": "jsonpath-as-json",
}
_FILE_FORMATS = ("go-template-file", "templatefile", "jsonpath-file")
_DATA_FORMATS = ("json", "yaml", "kyaml")
_COLUMN_FORMATS = ("custom-columns", "custom-columns-file")


class OutputError(Exception):
    """A printer problem; the text is what kubectl prints after ``error: ``."""


@dataclass(frozen=True)
class OutputFormat:
    """A resolved ``-o``: the printer kind and its template text or columns.

    ``kind`` is ``""`` (human table), ``wide``, ``json``, ``yaml``, ``kyaml``, ``name``,
    ``jsonpath``, ``jsonpath-as-json``, ``go-template`` or ``custom-columns``.
    """

    kind: str
    template: str = ""
    columns: tuple[Column, ...] = ()


@dataclass(frozen=True)
class WatchEvent:
    """An event of ``get --watch --output-watch-events`` (kubectl's metav1.WatchEvent)."""

    type: str
    object: Obj

    def as_data(self) -> Obj:
        """The event as JSON data, in the struct's field order."""
        return {"type": self.type, "object": self.object}


def _no_printer(output: str, allowed: Sequence[str]) -> OutputError:
    return OutputError(
        f'unable to match a printer suitable for the output format "{output}", '
        f"allowed formats are: {','.join(sorted(allowed))}"
    )


def _read(path: str, message: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as err:
        raise OutputError(
            f"{message} {path}, open {path}: {(err.strerror or '').lower()}"
        ) from None


def _split(output: str, template: str, names: Sequence[str]) -> tuple[str, str]:
    """The format name and its argument: ``--template``, else what follows ``NAME=``."""
    if template:
        return output, template
    for name in names:
        if output.startswith(name + "="):
            return name, output[len(name) + 1 :]
    return output, ""


def _template_format(output: str, template: str, allowed: Sequence[str]) -> OutputFormat | None:
    """kubectl's jsonpath and go-template flags: None when ``output`` is neither."""
    name, value = _split(output, template, list(_TEMPLATE_FORMATS))
    if name not in _TEMPLATE_FORMATS or name not in allowed:
        return None
    if not value:
        raise OutputError("template format specified but no template given")
    if name in _FILE_FORMATS:
        value = _read(value, "error reading --template")
    if _TEMPLATE_FORMATS[name] != "go-template":
        from pykctl.printers import jsonpath

        try:
            jsonpath.parse(value)
        except jsonpath.JSONPathError as err:
            raise OutputError(str(err)) from None
    return OutputFormat(_TEMPLATE_FORMATS[name], value)


def _columns_format(output: str, template: str, allowed: Sequence[str]) -> OutputFormat | None:
    """kubectl's custom-columns flags: None when ``output`` is not a custom-columns format."""
    from pykctl.printers import custom_columns

    name, value = _split(output, template, _COLUMN_FORMATS)
    if name not in _COLUMN_FORMATS or name not in allowed:
        return None
    if not value:
        raise OutputError("custom-columns format specified but no custom columns given")
    try:
        if name == "custom-columns-file":
            columns = custom_columns.parse_template(_read(value, "error reading template"))
        else:
            columns = custom_columns.parse_spec(value)
    except custom_columns.CustomColumnsError as err:
        raise OutputError(str(err)) from None
    return OutputFormat("custom-columns", value, tuple(columns))


def parse_output_format(output: str, template: str, allowed: Sequence[str]) -> OutputFormat:
    """Resolve ``-o``/``--template`` against the formats a command accepts.

    ``""`` in ``allowed`` (or ``wide``) admits the human table, whose kind is ``""``.
    """
    if template and not output:
        output = "go-template"
    found = _template_format(output, template, allowed)
    if found is not None:
        return found
    if output.lower() in _DATA_FORMATS and output.lower() in allowed:
        return OutputFormat(output.lower())
    if (output == "" and "" in allowed) or (output == "wide" and "wide" in allowed):
        return OutputFormat(output)
    found = _columns_format(output, template, allowed)
    if found is not None:
        return found
    if output.lower() == "name" and "name" in allowed:
        return OutputFormat("name")
    raise _no_printer(output, [f for f in allowed if f])


# --------------------------------------------------------------------------------------------
# Printers


class Writer(Protocol):
    """A text sink: a stream, or the TabWriter of a watch."""

    def write(self, text: str, /) -> Any: ...


class Printer(Protocol):
    """Prints one object (a List included) or watch event."""

    def print_obj(self, obj: Obj | WatchEvent, out: Writer) -> None: ...


def without_managed_fields(obj: Obj) -> Obj:
    """``obj`` (or each item of a List) without ``metadata.managedFields``; never mutates."""
    items = obj.get("items")
    if isinstance(items, list):
        return {**obj, "items": [without_managed_fields(i) for i in items]}
    metadata = obj.get("metadata")
    if isinstance(metadata, dict) and "managedFields" in metadata:
        return {**obj, "metadata": {k: v for k, v in metadata.items() if k != "managedFields"}}
    return obj


def _data(obj: Obj | WatchEvent) -> Obj:
    return obj.as_data() if isinstance(obj, WatchEvent) else obj


def _event_json(event: WatchEvent) -> str:
    """json.Marshal of a WatchEvent: the struct's fields in order, the object's keys sorted."""
    from backends.objects import gojson

    return f'{{"type":{gojson.encode_string(event.type)},"object":{gojson.dumps(event.object)}}}'


class JSONPrinter:
    """``-o json``: 4-space indented, sorted keys; a watch event is one compact line."""

    def __init__(self, sort_keys: bool = True) -> None:
        self.sort_keys = sort_keys

    def print_obj(self, obj: Obj | WatchEvent, out: Writer) -> None:
        from backends.objects import gojson

        if isinstance(obj, WatchEvent):
            out.write(_event_json(obj) + "\n")
            return
        out.write(gojson.dumps(obj, indent="    ", sort_keys=self.sort_keys) + "\n")


class YAMLPrinter:
    """``-o yaml``: go-yaml documents, ``---`` between them."""

    def __init__(self) -> None:
        self.count = 0

    def print_obj(self, obj: Obj | WatchEvent, out: Writer) -> None:
        from backends.objects import goyaml

        self.count += 1
        if self.count > 1:
            out.write("---\n")
        out.write(goyaml.dumps(_data(obj)))


class KYAMLPrinter:
    """``-o kyaml``: every object is a ``---`` document in KYAML's flow style."""

    def print_obj(self, obj: Obj | WatchEvent, out: Writer) -> None:
        from backends.objects.kyaml import kyaml_dumps

        out.write("---\n" + kyaml_dumps(_data(obj), sort_keys=not isinstance(obj, WatchEvent)))
        out.write("\n")


class NamePrinter:
    """``-o name``: ``kind[.group]/name`` per object (each item of a List)."""

    def print_obj(self, obj: Obj | WatchEvent, out: Writer) -> None:
        data = obj.object if isinstance(obj, WatchEvent) else obj
        items = data.get("items")
        if isinstance(items, list):
            for item in items:
                self.print_obj(item, out)
            return
        out.write(object_ref(data) + "\n")


def object_ref(obj: Obj) -> str:
    """kubectl's name-printer form of ``obj``: ``pod/web``, ``deployment.apps/web``."""
    api_version = str(obj.get("apiVersion") or "")
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    kind = str(obj.get("kind") or "").lower()
    name = str((obj.get("metadata") or {}).get("name") or "<unknown>")
    return f"{kind}.{group}/{name}" if group else f"{kind}/{name}"


class JSONPathPrinter:
    """``-o jsonpath=`` and ``-o jsonpath-as-json=``."""

    def __init__(self, template: str, as_json: bool, allow_missing_keys: bool) -> None:
        from pykctl.printers import jsonpath

        self.parsed = jsonpath.parse(template)
        self.as_json = as_json
        self.allow_missing_keys = allow_missing_keys

    def print_obj(self, obj: Obj | WatchEvent, out: Writer) -> None:
        from pykctl.printers import jsonpath

        data = _data(obj)
        try:
            if self.as_json:
                text = self.parsed.execute_as_json(data, self.allow_missing_keys)
            else:
                text = self.parsed.execute(data, self.allow_missing_keys)
        except jsonpath.JSONPathError as err:
            raise OutputError(str(err)) from None
        out.write(text)


class GoTemplatePrinter:
    """``-o go-template=`` (rendering is ``pykctl.printers.gotemplate``'s).

    A template that does not parse is refused here, when the printer is made, as kubectl does.
    """

    def __init__(self, template: str, allow_missing_keys: bool) -> None:
        from pykctl.printers import gotemplate

        self.template = template
        self.allow_missing_keys = allow_missing_keys
        try:
            gotemplate.render(template, {}, allow_missing_keys)
        except gotemplate.TemplateError as err:
            if str(err).startswith("error parsing template"):
                raise OutputError(str(err)) from None

    def print_obj(self, obj: Obj | WatchEvent, out: Writer) -> None:
        from pykctl.printers import gotemplate

        raw = _event_json(obj) if isinstance(obj, WatchEvent) else None
        try:
            text = gotemplate.render(
                self.template, _data(obj), self.allow_missing_keys, raw_json=raw
            )
        except gotemplate.TemplateError as err:
            out.write(err.stdout)
            raise OutputError(str(err)) from None
        out.write(text)


class ColumnsPrinter:
    """``-o custom-columns``: a CustomColumnsPrinter that reports errors as OutputError."""

    def __init__(self, columns: Sequence[Column], no_headers: bool) -> None:
        from pykctl.printers.custom_columns import CustomColumnsPrinter

        self.printer = CustomColumnsPrinter(list(columns), no_headers)

    def print_obj(self, obj: Obj | WatchEvent, out: Writer) -> None:
        from pykctl.printers.custom_columns import CustomColumnsError

        try:
            self.printer.print_obj(_data(obj), out)
        except CustomColumnsError as err:
            raise OutputError(str(err)) from None


class _OmitManagedFields:
    """Drops managedFields from objects (not from watch events) before ``delegate`` prints."""

    def __init__(self, delegate: Printer) -> None:
        self.delegate = delegate

    def print_obj(self, obj: Obj | WatchEvent, out: Writer) -> None:
        self.delegate.print_obj(
            obj if isinstance(obj, WatchEvent) else without_managed_fields(obj), out
        )


def make_printer(
    fmt: OutputFormat,
    *,
    no_headers: bool = False,
    show_managed_fields: bool = False,
    allow_missing_keys: bool = True,
    sort_keys: bool = True,
) -> Printer:
    """The printer for a non-human ``fmt``."""
    printer: Printer
    if fmt.kind == "json":
        printer = JSONPrinter(sort_keys)
    elif fmt.kind == "yaml":
        printer = YAMLPrinter()
    elif fmt.kind == "kyaml":
        printer = KYAMLPrinter()
    elif fmt.kind == "name":
        return NamePrinter()
    elif fmt.kind in ("jsonpath", "jsonpath-as-json"):
        return JSONPathPrinter(fmt.template, fmt.kind == "jsonpath-as-json", allow_missing_keys)
    elif fmt.kind == "go-template":
        return GoTemplatePrinter(fmt.template, allow_missing_keys)
    elif fmt.kind == "custom-columns":
        return ColumnsPrinter(fmt.columns, no_headers)
    else:
        raise OutputError(f"output format {fmt.kind or 'table'} has no object printer")
    return printer if show_managed_fields else _OmitManagedFields(printer)


class _Text:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)


def render(
    obj: Any, fmt: OutputFormat, allow_missing_keys: bool = True, sort_keys: bool = True
) -> str:
    """One object (JSON-like data) printed in ``fmt``, kept as it is (managedFields too)."""
    text = _Text()
    printer = make_printer(
        fmt, show_managed_fields=True, allow_missing_keys=allow_missing_keys, sort_keys=sort_keys
    )
    printer.print_obj(obj, text)
    return "".join(text.parts)


# --------------------------------------------------------------------------------------------
# The human table (no -o, or -o wide): cli-runtime's HumanReadablePrinter over server Tables


class HumanPrinter:
    """Prints Tables (or, without them, ``NAME AGE`` rows) for one resource type.

    The header is printed with the first rows and again only when the column definitions
    change; a watch event's Table without column definitions reuses the last ones.
    """

    def __init__(self, options: TableOptions, sort_by: str = "") -> None:
        self.options = options
        self.sort_by = sort_by
        self.last_columns: list[Obj] | None = None
        self.printed_headers = False
        self.last_handler = ""

    def print_obj(self, obj: Obj | WatchEvent, out: Writer, rows: bool = True) -> None:
        """Print ``obj`` (only remember a Table's columns when not ``rows``, as kubectl's
        watch does for an object it already printed). Raises sorting.SortError when
        ``--sort-by`` cannot order a Table, sorting.UnsortableError when kubectl dies."""
        event = ""
        if isinstance(obj, WatchEvent):
            event, obj = obj.type, obj.object
        if obj.get("kind") == "Table" and str(obj.get("apiVersion", "")).startswith("meta.k8s.io/"):
            self._table(dict(obj), event, out, rows)
        elif rows:
            self._object(obj, event, out)

    def _table(self, table: Obj, event: str, out: Writer, rows: bool) -> None:
        from dataclasses import replace

        from pykctl.printers import sorting
        from pykctl.printers.table import header_cells, row_cells

        if not rows:
            table["rows"] = []
        if self.sort_by and len(table.get("rows") or []) > 1:
            table["rows"] = list(table["rows"])
            sorting.sort_table_rows(table, self.sort_by)
        columns = table.get("columnDefinitions") or []
        options = self.options
        if self.printed_headers and (not columns or columns == self.last_columns):
            options = replace(options, no_headers=True)
        if not columns:
            table["columnDefinitions"] = self.last_columns or []
        elif columns != self.last_columns:
            self.last_columns = columns
            self.printed_headers = False
        table_rows = table.get("rows") or []
        if table_rows:
            self.printed_headers = True
        prefix = [_EVENTS.get(event, event)] if event else []
        lines = []
        if table_rows and not options.no_headers:
            lines.append((["EVENT"] if event else []) + header_cells(table, options))
        lines += [prefix + row_cells(table, row, options) for row in table_rows]
        out.write("".join("\t".join(cells) + "\n" for cells in lines))

    def _object(self, obj: Obj, event: str, out: Writer) -> None:
        """kubectl's default handler for objects that are not Tables: NAME and AGE."""
        from backends.objects.durations import since
        from backends.objects.selectors import format_labels

        options = self.options
        handler = "status" if obj.get("kind") == "Status" else "default"
        include_headers = self.last_handler != handler and not options.no_headers
        if self.last_handler and self.last_handler != handler and not options.no_headers:
            out.write("\n")
        self.last_handler = handler
        if handler == "status":
            headers = ["STATUS", "REASON", "MESSAGE"]
            rows = [(obj, [str(obj.get(k) or "") for k in ("status", "reason", "message")])]
        else:
            headers = ["NAME", "AGE"]
            now = datetime.now(timezone.utc)
            items = obj["items"] if isinstance(obj.get("items"), list) else [obj]
            rows = [
                (
                    item,
                    [
                        str(_meta(item).get("name") or ""),
                        since(_meta(item).get("creationTimestamp"), now),
                    ],
                )
                for item in items
            ]
        if include_headers:
            headers += [k.rsplit("/", 1)[-1].upper() for k in options.label_columns]
            headers += ["LABELS"] if options.show_labels else []
            headers = (["NAMESPACE"] if options.with_namespace else []) + headers
            headers = (["EVENT"] if event else []) + headers
            out.write("\t".join(headers) + "\n")
        for item, cells in rows:
            parts = [_EVENTS.get(event, event)] if event else []
            if options.with_namespace:
                parts.append(str(_meta(item).get("namespace") or ""))
            if options.kind_prefix:
                cells[0] = f"{options.kind_prefix}/{cells[0]}"
            labels = _meta(item).get("labels") or {}
            extra = [str(labels.get(k, "")) for k in options.label_columns]
            extra += [format_labels(labels)] if options.show_labels else []
            out.write("\t".join(parts + cells + extra) + "\n")


_EVENTS = {"ADDED": "ADDED   ", "MODIFIED": "MODIFIED", "DELETED": "DELETED ", "ERROR": "ERROR   "}


def _meta(obj: Obj) -> Obj:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, dict) else {}
