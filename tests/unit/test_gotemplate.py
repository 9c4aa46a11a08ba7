"""Unit tests for pykctl.printers.gotemplate (Go's text/template as kubectl's go-template runs it).

Every expected string below was produced once by the real kubectl v1.37.1
(``kubectl label --local -f data.json --overwrite t=1 -o go-template=...`` on DATA, or on the
object given in the test); tests/e2e/test_gotemplate_vs_kubectl.py compares hundreds more live.
"""

from __future__ import annotations

import contextlib
import random

import pytest

from backends.objects import gojson
from pykctl.printers.gotemplate import TemplateError, parse, render
from pykctl.printers.gotemplate import strconv as sc
from pykctl.printers.gotemplate.lexer import Lexer, T
from pykctl.printers.gotemplate.printf import sprint, sprintf, sprintln
from pykctl.printers.gotemplate.values import GoInt, Iface, Uint8, capacity, type_name

DATA: dict[str, object] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "labels": {"t": "1", "app": "web"}},
    "spec": {
        "ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443, "weight": 0.5}],
        "float": 1000000.5,
        "flag": True,
        "nothing": None,
        "list": [1, "two", None, {"k": "v"}],
        "secret": "aGVsbG8=",
    },
}

DUMP = (
    ". Printing more information for debugging the template:\n\ttemplate was:\n\t\t{template}\n"
    '\traw data was:\n\t\t{{"apiVersion":"v1","kind":"Service","metadata":{{"labels":{{"app":'
    '"web","t":"1"}},"name":"web"}},"spec":{{"flag":true,"float":1000000.5,"list":[1,"two",null,'
    '{{"k":"v"}}],"nothing":null,"ports":[{{"name":"http","port":80}},{{"name":"https","port":443,'
    '"weight":0.5}}],"secret":"aGVsbG8="}}}}\n'
    "\tobject given to template engine was:\n\t\tmap[apiVersion:v1 kind:Service metadata:map["
    "labels:map[app:web t:1] name:web] spec:map[flag:true float:1.0000005e+06 list:[1 two <nil> "
    "map[k:v]] nothing:<nil> ports:[map[name:http port:80] map[name:https port:443 weight:0.5]] "
    "secret:aGVsbG8=]]\n\n"
)

OUTPUTS = [
    ("{{.metadata.name}}", "web"),
    ("{{range .spec.ports}}{{.name}}={{.port}};{{end}}", "http=80;https=443;"),
    ("{{range $k, $v := .metadata.labels}}{{$k}}:{{$v}} {{end}}", "app:web t:1 "),
    (
        "{{.spec.missing}}|{{.spec.nothing}}|{{.spec.list}}|{{.metadata.labels}}",
        "<no value>|<no value>|[1 two <nil> map[k:v]]|map[app:web t:1]",
    ),
    (
        '{{printf "%T %T %T %T" .spec.ports .spec.float (index .spec.ports 0).port 1}}',
        "[]interface {} float64 int64 int",
    ),
    ("{{if eq (len .spec.ports) 2}}two{{else}}other{{end}}", "two"),
    ("{{with .spec.missing}}x{{else with .spec.flag}}flag={{.}}{{end}}", "flag=true"),
    ("{{range $i, $p := .spec.ports}}{{if $i}},{{end}}{{$p.name}}{{end}}", "http,https"),
    (
        '{{base64decode .spec.secret}} {{exists .metadata "labels" "app"}} {{exists .metadata "x"}}',
        "hello true false",
    ),
    (
        '{{define "p"}}[{{.name}}]{{end}}{{range .spec.ports}}{{template "p" .}}{{end}}',
        "[http][https]",
    ),
    ('{{block "b" .kind}}<{{.}}>{{end}}', "<Service>"),
    ("{{range .spec.list}}{{if not .}}{{continue}}{{end}}{{.}} {{end}}", "1 two map[k:v] "),
    ("{{- range .spec.ports }}\n  {{ .name -}}\n{{ end }}", "\n  http\n  https"),
    ('{{html "<a&b>"}} {{js "a\'b"}} {{urlquery "a b/c"}}', "&lt;a&amp;b&gt; a\\'b a+b%2Fc"),
    (
        '{{printf "%5.2f|%-4d|%x|%q|%v" .spec.float 7 255 "hi" .spec.list}}',
        '1000000.50|7   |ff|"hi"|[1 two <nil> map[k:v]]',
    ),
    ("{{slice .spec.list 0 4}}", "[1 two <nil> map[k:v]]"),
]


@pytest.mark.parametrize(("template", "expected"), OUTPUTS)
def test_render(template: str, expected: str) -> None:
    assert render(template, DATA) == expected


EXEC_ERRORS = [
    (
        "{{.kind.x}}",
        "",
        'template: output:1:7: executing "output" at <.kind.x>: '
        "can't evaluate field x in type interface {}",
    ),
    (
        '{{base64decode "aGk"}}',
        "",
        'template: output:1:2: executing "output" at <base64decode "aGk">: error calling '
        "base64decode: base64 decode failed: illegal base64 data at input byte 0",
    ),
    (
        "{{index .spec.list 9}}",
        "",
        'template: output:1:2: executing "output" at <index .spec.list 9>: error calling index: '
        "index out of range: 9",
    ),
    (
        "{{lt .kind 1}}",
        "",
        'template: output:1:2: executing "output" at <lt .kind 1>: error calling lt: '
        "incompatible types for comparison: string and int",
    ),
    (
        "x{{range .spec.ports}}{{.weight.x}}{{end}}",
        "x<no value>",
        'template: output:1:31: executing "output" at <.weight.x>: '
        "can't evaluate field x in type interface {}",
    ),
]


@pytest.mark.parametrize(("template", "partial", "reason"), EXEC_ERRORS)
def test_execution_error_prints_partial_output_and_dump(
    template: str, partial: str, reason: str
) -> None:
    with pytest.raises(TemplateError) as caught:
        render(template, DATA)
    assert str(caught.value) == f"error executing template {sc.quote(template)}: {reason}"
    expected = partial + "Error executing template: " + reason + DUMP.format(template=template)
    assert caught.value.stdout == expected


def test_missing_keys_not_allowed() -> None:
    with pytest.raises(TemplateError) as caught:
        render("{{.spec.missing}}", DATA, allow_missing_keys=False)
    reason = (
        'template: output:1:7: executing "output" at <.spec.missing>: '
        'map has no entry for key "missing"'
    )
    assert str(caught.value) == f'error executing template "{{{{.spec.missing}}}}": {reason}'
    template = "{{.spec.missing}}"
    assert caught.value.stdout == f"Error executing template: {reason}" + DUMP.format(
        template=template
    )
    assert render("{{.spec.nothing}}", DATA, allow_missing_keys=False) == "<no value>"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{.spec", "template: output:1: unclosed action"),
        ("{{nope}}", 'template: output:1: function "nope" not defined'),
        ("a\n{{if .kind}}", "template: output:2: unexpected EOF"),
        ("{{end}}", "template: output:1: unexpected {{end}}"),
        ("{{.kind\n| x}}", 'template: output:2: function "x" not defined'),
        ("{{.kind | 1}}", "template: output:1: non executable command in pipeline stage 2"),
        (
            '{{define "t"}}a{{end}}{{define "t"}}b{{end}}',
            'template: output:1: template: multiple definition of template "t"',
        ),
    ],
)
def test_parse_errors_have_no_stdout(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        render(template, DATA)
    assert str(caught.value).startswith(f"error parsing template {template}, template: output:")
    assert str(caught.value).endswith(message)
    assert caught.value.stdout == ""


def test_parse_once_print_many() -> None:
    template = parse("{{.metadata.name}};")
    assert template.render(DATA) + template.render({"metadata": {"name": "db"}}) == "web;db;"
    with pytest.raises(TemplateError, match=r"^error parsing template \{\{\.x, template: "):
        parse("{{.x")


def test_raw_json_is_what_the_dump_shows() -> None:
    with pytest.raises(TemplateError) as caught:
        render("{{.kind.x}}", {"kind": "K"}, raw_json='{"kind":"K","z":1}')
    assert '\traw data was:\n\t\t{"kind":"K","z":1}\n' in caught.value.stdout
    assert "\tobject given to template engine was:\n\t\tmap[kind:K]\n\n" in caught.value.stdout


def test_data_shapes() -> None:
    """kubectl always passes a map; other roots behave as Go's ``Execute`` would."""
    assert render("{{.}}|{{.x}}", None) == "<no value>|<no value>"
    assert render("{{range .}}{{.}};{{end}}|{{len .}}", [1, "a", None]) == "1;a;<no value>;|3"
    assert render('{{.}} {{printf "%T" .}}', 1.5) == "1.5 float64"


def test_runaway_template_recursion_reports_gos_limit() -> None:
    with pytest.raises(TemplateError) as caught:
        render('{{define "t"}}{{template "t" .}}{{end}}{{template "t" .}}', DATA)
    assert str(caught.value).endswith(
        'template: output:1:25: executing "t" at <{{template "t" .}}>: '
        "exceeded maximum template depth (100000)"
    )


def test_only_template_errors_escape() -> None:
    """Mangled templates fail the kubectl way, never with another exception."""
    rng = random.Random(7)
    pieces = [t for t, _ in OUTPUTS] + ["{{", "}}", "(", ")", "|", "$x", ":=", "-", '"', "'"]
    for _ in range(400):
        template = rng.choice(pieces)
        for _ in range(3):
            i = rng.randrange(len(template) + 1)
            template = template[:i] + rng.choice(pieces) + template[i + rng.randrange(3) :]
        with contextlib.suppress(TemplateError):
            render(template, DATA, allow_missing_keys=rng.random() < 0.7)


# --- building blocks ---


def test_type_names() -> None:
    assert [type_name(v) for v in (GoInt(1), 1, Uint8(1), 1.0, 1j, "", True, {}, [], Iface(1))] == [
        "int", "int64", "uint8", "float64", "complex128", "string", "bool",
        "map[string]interface {}", "[]interface {}", "interface {}",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("length", "cap"),
    [(0, 0), (1, 1), (3, 4), (5, 8), (33, 71), (129, 143), (257, 303), (513, 591), (3000, 3584)],
)
def test_capacity_of_decoded_lists(length: int, cap: int) -> None:
    """What ``slice`` may reach: Go's append growth for a JSON-decoded []interface {}."""
    assert capacity(list(range(length))) == cap


def test_quoting() -> None:
    assert sc.quote('é\n"\\\x01\x7f\u2028\udcff') == '"é\\n\\"\\\\\\x01\\x7f\\u2028\\xff"'
    assert sc.quote("日本", ascii_only=True) == '"\\u65e5\\u672c"'
    assert sc.quote_rune(10) == "'\\n'"
    assert sc.quote_rune(0x110000) == "'\ufffd'"
    assert sc.can_backquote("a\tb") and not sc.can_backquote("a`b")
    assert not sc.can_backquote("\ufeff") and not sc.can_backquote("\udcff")


def test_unquote() -> None:
    assert sc.unquote('"\\u00e9\\x41\\101\\t"') == "éAA\t"
    assert sc.unquote("`a\r\\n`") == "a\\n"
    assert sc.unquote('"\\xff"') == "\udcff"
    for bad in ('"\\q"', '"\\\'"', '"\\400"', '"\\ud800"', "'ab'"):
        with pytest.raises(sc.GoSyntaxError):
            sc.unquote(bad)


def test_go_number_syntax() -> None:
    assert [sc.parse_int(s) for s in ("0x1F", "0o17", "017", "0b101", "1_000", "-8")] == [
        31, 15, 15, 5, 1000, -8,
    ]  # fmt: skip
    assert [sc.parse_int(s) for s in ("089", "1__0", "_1", "9223372036854775808", "")] == [None] * 5
    assert sc.parse_uint("18446744073709551615") == 2**64 - 1
    assert sc.parse_uint("-1") is None
    assert [sc.parse_float(s) for s in ("1e3", ".5", "5.", "0x1p-2", "1_0.5")] == [
        1000.0, 0.5, 5.0, 0.25, 10.5,
    ]  # fmt: skip
    assert [sc.parse_float(s) for s in ("1e400", "0x1.8", "1._5", "inf")] == [None] * 4


@pytest.mark.parametrize(
    ("value", "verb", "prec", "text"),
    [
        (1.0, "b", -1, "4503599627370496p-52"),
        (1e-310, "b", -1, "20240225330731p-1074"),
        (3.0, "x", -1, "0x1.8p+01"),
        (1000000.5, "X", -1, "0X1.E8481P+19"),
        (1.5, "x", 20, "0x1.80000000000000000000p+00"),
        (1e-310, "x", -1, "0x1.2688b70e62bp-1030"),
        (-0.0, "x", -1, "-0x0p+00"),
        (0.5, "x", 3, "0x1.000p-01"),
        (1e21, "g", -1, "1e+21"),
        (1e-7, "G", -1, "1E-07"),
        (9.995, "e", 2, "9.99e+00"),
        (0.1, "f", 20, "0.10000000000000000555"),
    ],
)
def test_format_float(value: float, verb: str, prec: int, text: str) -> None:
    assert sc.format_float(value, verb, prec) == text


def test_printf() -> None:
    """Template literals are Go ints (GoInt); values from the data are int64."""
    assert sprint([GoInt(1), GoInt(2), "a", "b", GoInt(3), None, GoInt(4)]) == "1 2ab3 <nil> 4"
    assert sprintln([GoInt(1), "a"]) == "1 a\n"
    i = GoInt
    cases = [
        ("%v %d %s", [{"a": "b"}, {"a": "b"}], "map[a:b] map[%!d(string=a):%!d(string=b)] %!s(MISSING)"),
        ("%v", [{"a": "b"}, "x", i(3)], "map[a:b]%!(EXTRA string=x, int=3)"),
        ("%05s|%-05s|%05q|%5t", ["ab", "ab", "ab", "x"], '000ab|ab   |0"ab"|%!t(string=    x)'),
        ("%+v|%+d|%+q|%#q|%x|%X|%o|%O|%b|%c|%U|%#U|%q",
         [i(5), i(5), "é", "a", i(-255), i(255), i(8), i(8), i(5), i(233), i(233), i(233), i(233)],
         "5|+5|\"\\u00e9\"|`a`|-ff|FF|10|0o10|101|é|U+00E9|U+00E9 'é'|'é'"),
        ("%U|%#U|%.6U|%#4U|%c|%c", [i(65), i(10), i(65), i(128512), i(128512), i(1114112)],
         "U+0041|U+000A|U+000041|U+1F600 '😀'|😀|\ufffd"),
        ("%08.3f|%+.3e|% x|%#o|%#x|%#b|%O", [-1.5, 0.0, i(255), i(0), i(0), i(-5), i(-8)],
         "-001.500|+0.000e+00| ff|0|0x0|-0b101|-0o10"),
        ("%#.3g|%#g|%#e|%#.0e|%#.0f|%v", [1.0, 1e21, 1.0, 1.0, 1.0, 1e-320],
         "1.00|1.00000e+21|1.000000e+00|1.e+00|1.|1e-320"),
        ("%x|%X|% X|%08x|%-8x|", ["", "", "ab", "ab", "ab"], "||61 62|00006162|6162    |"),
        ("%[2]d %[1]d|%[3]d|%*d|%-*d|%.*f|%d %!|%z",
         [i(1), i(2), i(3), i(5), i(4), i(2), 3.14159, i(7)],
         "2 1|3|    4|%!d(float64=3.14159)|%!f(MISSING)|%!d(MISSING) %!!(MISSING)|%!z(MISSING)"),
        ("%*d|%.*d|%*d", ["x", i(1), "y", i(2), i(-5), i(3)], "%!(BADWIDTH)1|%!(BADPREC)2|3    "),
        ("%[2]*[1]d|%[3]*.[2]*[1]f|%[1]2d", [i(12), i(5), i(8)],
         "   12|%!f(int=   00012)|%!d(BADINDEX)"),
        ("%d %s %v %t", [None, None, None, None], "%!d(<nil>) %!s(<nil>) <nil> %!t(<nil>)"),
        ("%-", [], "%!(NOVERB)"),
        ("%1000000000d", [i(1)], "%!(NOVERB)%!(EXTRA int=1)"),
        ("%w|%+.1w", [{"t": "1"}, Uint8(104)], "%!w(map[string]interface {}=map[t:1])|%!w(uint8=104)"),
    ]  # fmt: skip
    for fmt, args, text in cases:
        assert sprintf(fmt, args) == text, fmt


def test_lexer_trim_markers_and_lines() -> None:
    lex = Lexer("a  \n{{- .x -}}\n b{{/* c */}}\n{{3}}")
    items = []
    while (item := lex.next_item()).typ != T.EOF:
        items.append((item.typ, item.val, item.line))
    assert items == [
        (T.TEXT, "a", 1),
        (T.LEFT_DELIM, "{{", 2),
        (T.FIELD, ".x", 2),
        (T.RIGHT_DELIM, "}}", 2),
        (T.TEXT, "b", 3),
        (T.TEXT, "\n", 3),
        (T.LEFT_DELIM, "{{", 4),
        (T.NUMBER, "3", 4),
        (T.RIGHT_DELIM, "}}", 4),
    ]


def test_raw_json_default_is_sorted_compact_json() -> None:
    with pytest.raises(TemplateError) as caught:
        render("{{.b.x}}", {"b": 1, "a": [1.5, None]})
    assert f"\traw data was:\n\t\t{gojson.dumps({'a': [1.5, None], 'b': 1})}\n" in (
        caught.value.stdout
    )
