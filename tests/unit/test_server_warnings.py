"""The server's ``Warning`` headers as kubectl prints them: 299 texts only, unescaped, each
once per command, parsing stopping at the first malformed warning (client-go's rules)."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping

from backends.base import ClusterInfo, HttpResponse
from pykctl.server_warnings import WarningPrinter, parse_warnings


def test_one_warning() -> None:
    assert parse_warnings({"Warning": '299 - "v1 ComponentStatus is deprecated in v1.19+"'}) == [
        "v1 ComponentStatus is deprecated in v1.19+"
    ]


def test_several_warnings_escapes_and_dates() -> None:
    header = (
        '299 - "unknown field \\"spec.x\\"", '
        '299 kube-apiserver "second" "Wed, 21 Oct 2015 07:28:00 GMT", '
        '199 - "not a deprecation"'
    )
    assert parse_warnings({"Warning": header}) == ['unknown field "spec.x"', "second"]


def test_parsing_stops_at_the_first_malformed_warning() -> None:
    assert parse_warnings({"Warning": '299 - "first", garbage, 299 - "never"'}) == ["first"]
    assert parse_warnings({}) == []


class _Canned:
    """A backend answering every request with the same Warning header."""

    info = ClusterInfo("https://127.0.0.1:1")

    def request(self, *args: object, **kwargs: object) -> HttpResponse:
        return HttpResponse(200, {"Warning": '299 - "deprecated", 299 - "other"'}, b"{}")

    def stream(
        self, *args: object, **kwargs: object
    ) -> tuple[int, Mapping[str, str], Iterator[bytes]]:
        return 200, {"Warning": '299 - "deprecated"'}, iter([])

    def close(self) -> None:
        pass


def test_each_text_is_printed_once_per_command() -> None:
    stderr = io.StringIO()
    printer = WarningPrinter(_Canned(), stderr)
    printer.request("GET", "/a")
    printer.request("GET", "/b")
    printer.stream("GET", "/c")
    assert stderr.getvalue() == "Warning: deprecated\nWarning: other\n"
