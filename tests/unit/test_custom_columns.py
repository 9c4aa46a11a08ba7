"""``-o custom-columns``: specs, template files, cells and layout, as kubectl prints them."""

from __future__ import annotations

import io
from typing import Any

import pytest

from pykctl.printers.custom_columns import (
    Column,
    CustomColumnsError,
    CustomColumnsPrinter,
    parse_spec,
    parse_template,
)
from pykctl.printers.tabwriter import TabWriter

OBJECT: dict[str, Any] = {
    "kind": "ConfigMap",
    "metadata": {"name": "web", "labels": {"b": "2", "a": "1"}},
    "data": {"x": "1"},
    "spec": {"ports": [{"port": 80}, {"port": 443}], "none": None, "ratio": 1000000.5},
}


def _print(columns: str, obj: dict[str, Any], no_headers: bool = False) -> str:
    out = io.StringIO()
    CustomColumnsPrinter(parse_spec(columns), no_headers).print_obj(obj, out)
    return out.getvalue()


@pytest.mark.parametrize(
    "path", ["metadata.name", ".metadata.name", "{metadata.name}", "{.metadata.name}"]
)
def test_paths_are_relaxed(path: str) -> None:
    assert parse_spec(f"NAME:{path}") == [Column("NAME", "{.metadata.name}")]


def test_spec_splits_on_commas_then_the_first_colon() -> None:
    assert parse_spec("A:a,B:b:c") == [Column("A", "{.a}"), Column("B", "{.b:c}")]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "custom-columns format specified but no custom columns given"),
        ("NAME", "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"),
        (
            "A:{.a}{.b}",
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
            "'{name1.name2}' or '{.name1.name2}'",
        ),
    ],
)
def test_spec_errors(spec: str, message: str) -> None:
    with pytest.raises(CustomColumnsError) as err:
        parse_spec(spec)
    assert str(err.value) == message


def test_template_file_has_a_header_line_and_a_spec_line() -> None:
    assert parse_template("NAME  SIZE\n.metadata.name {.data.size}\n") == [
        Column("NAME", "{.metadata.name}"),
        Column("SIZE", "{.data.size}"),
    ]
    with pytest.raises(
        CustomColumnsError,
        match=r"^number of headers \(2\) and field specifications \(1\) don't match$",
    ):
        parse_template("A B\n.a\n")
    with pytest.raises(CustomColumnsError, match=r"^invalid template, missing spec line\."):
        parse_template("A B\n")
    with pytest.raises(CustomColumnsError, match=r"^invalid template, missing header line\."):
        parse_template("")


def test_cells_are_go_values_joined_with_commas() -> None:
    text = _print(
        "N:.metadata.name,L:.metadata.labels,P:.spec.ports[*].port,PS:.spec.ports,"
        "NIL:.spec.none,F:.spec.ratio,MISSING:.spec.nothing",
        OBJECT,
    )
    assert text.splitlines() == [
        "N     L              P        PS                             NIL     F               MISSING",
        "web   map[a:1 b:2]   80,443   [map[port:80] map[port:443]]   <nil>   1.0000005e+06   <none>",
    ]


def test_a_list_prints_a_row_per_item_and_no_headers_drops_the_header() -> None:
    items = {"kind": "List", "items": [OBJECT, {"metadata": {"name": "a-much-longer-name"}}]}
    assert _print("NAME:.metadata.name,X:.data.x", items) == (
        "NAME                 X\nweb                  1\na-much-longer-name   <none>\n"
    )
    assert _print("NAME:.metadata.name", items, no_headers=True) == "web\na-much-longer-name\n"
    empty = {"kind": "List", "items": []}
    assert _print("NAME:.metadata.name", empty) == "NAME\n"


def test_terminal_escapes_are_made_visible() -> None:
    obj = {"metadata": {"name": "a\x1b[31mb\rc"}}
    assert _print("N:.metadata.name", obj, no_headers=True) == "a^[[31mb\\rc\n"


def test_header_once_per_printer_and_watch_writers_are_not_flushed() -> None:
    printer = CustomColumnsPrinter(parse_spec("NAME:.metadata.name"))
    writer = TabWriter(remember_widths=True)
    printer.print_obj({"metadata": {"name": "a"}}, writer)
    printer.print_obj({"metadata": {"name": "b"}}, writer)
    assert writer.flush() == "NAME\na\nb\n"


def test_path_errors_come_after_the_header() -> None:
    out = io.StringIO()
    printer = CustomColumnsPrinter(parse_spec("A:.data[5]"))
    with pytest.raises(CustomColumnsError) as err:
        printer.print_obj(OBJECT, out)
    assert str(err.value) == "map[string]interface {} is not array or slice"
    assert out.getvalue() == "A\n"
    with pytest.raises(CustomColumnsError, match=r"^unterminated array$"):
        CustomColumnsPrinter(parse_spec("A:{.a[}")).print_obj(OBJECT, io.StringIO())
