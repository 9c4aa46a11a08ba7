"""Unit tests for pykctl.printers.jsonpath (kubectl's JSONPath templates).

Every expected string below was produced once by the real kubectl v1.37.1
(``kubectl label --local -f svc.json --overwrite t=1 -o jsonpath=...`` on DATA), except where a
comment says the result is pykctl's deterministic choice (Go's map order is random).
"""

from __future__ import annotations

import pytest

from pykctl.printers.godump import go_quote, go_sharp_v, go_sprint
from pykctl.printers.jsonpath import JSONPathError, execution_error_message, parse, relaxed

DATA: dict[str, object] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "labels": {"t": "1", "app": "web", "a.b": "dots"}},
    "spec": {
        "ports": [
            {"name": "http", "port": 80, "nodePort": 30080},
            {"name": "https", "port": 443, "weight": 0.5},
        ],
        "float": 1000000.5,
        "tiny": 1e-7,
        "whole": 2.0,
        "big": 12345678901,
        "flag": True,
        "nothing": None,
        "html": "<a&b>",
        "list": [1, "two", None, {"k": "v"}],
        "rows": [{"l": [1]}, {"l": []}, {"l": [2]}],
    },
}

OUTPUTS = [
    ("{.metadata.name}", "web"),
    ("{$.kind} {@.apiVersion}", "Service v1"),
    ("name: {.metadata.name}\\n", "name: web\\n"),
    ('{ .metadata.name }{"\\n"}', "web\n"),
    ("{.metadata.labels}", '{"a.b":"dots","app":"web","t":"1"}'),
    ("{.spec.ports[0]}", '{"name":"http","nodePort":30080,"port":80}'),
    ("{.spec.ports[*].port}", "80 443"),
    ("{.spec.ports[-1].name}", "https"),
    ("{.spec.ports[0:1].name}", "http"),
    ("{.spec.ports[1:].name}", "https"),
    ("{.spec.ports[::2].name}", "http"),
    ("{.spec.ports[]}", '{"name":"http","nodePort":30080,"port":80}'),
    ("{.spec.ports[0,1].port}", "80 443"),
    ("{.spec.ports[0]['name','port']}", "http 80"),
    ("{.metadata.labels.a\\.b}", "dots"),
    ("{.metadata.labels['a.b']}", ""),
    ("{.metadata.labels.*}", "dots web 1"),  # pykctl: sorted keys (kubectl: random order)
    ("{.spec.float} {.spec.tiny} {.spec.whole} {.spec.big}", "1.0000005e+06 1e-07 2 12345678901"),
    ("{.spec.flag} {.spec.nothing}", "true null"),
    ("{.spec.html}", "<a&b>"),
    ("{.spec.list}", '[1,"two",null,{"k":"v"}]'),
    ("{.spec.list[*]}", '1 two null {"k":"v"}'),
    ("{.spec.missing}", ""),
    ("{.spec.nothing.x}", ""),
    ("{..name}", "web http https"),
    ("{..port}", "80 443"),
    ("{.metadata.name.*}", "119 101 98"),
    ("{.spec.rows[*].l[*]}", "1"),
    ('{.spec.ports[?(@.name=="https")].port}', "443"),
    ("{.spec.ports[?(@.port>100)].name}", "https"),
    ("{.spec.ports[?(@.port<=80)].name}", "http"),
    ("{.spec.ports[?(@.port!=80)].name}", "https"),
    ("{.spec.ports[?(@.name<'i')].name}", "http https"),
    ("{.spec.ports[?(@.nodePort)].name}", "http"),
    ("{.spec.ports[?(@.weight==0.5)].name}", "https"),
    ("{.spec.ports[?(@.port==@.nothing)]}", ""),
    ('{range .spec.ports[*]}{.name}={.port}{"\\n"}{end}', "http=80\nhttps=443\n"),
    ("{range .spec.rows[*]}[{range .l[*]}{@}{end}]{end}", "[1][][2]"),
    ("{range .spec.list[*]}<{@}>{end}", '<1><two><<no value>><{"k":"v"}>'),
    ("A{range .spec.missing[*]}x{end}B", "AB"),
    ("{range .spec.ports[*]}{.name} ", "http https  "),
    ('{"\\t"}{\'single\'}{"\\u00e9\\x41"}', "\tsingleéA"),
    ("{5} {-1.5} {true} {99999999999999999999}", "5 -1.5 true 1e+20"),
    ("{.spec.ports[*] 7}", "7 7"),
    ('{"a" "b"}', "b"),
    ('{"x" .kind}', ""),
    ("plain", "plain"),
]


@pytest.mark.parametrize(("template", "expected"), OUTPUTS)
def test_execute(template: str, expected: str) -> None:
    assert parse(template).execute(DATA) == expected


PARSE_ERRORS = [
    ("{.metadata.name", "unclosed action"),
    ("{.spec.ports[0}", "unterminated array"),
    ("{.spec.ports[?(@.port==80)}", "unclosed array expect ]"),
    ("{.spec.ports[?(@.port==80}", "unterminated filter"),
    ('{"abc}', "unterminated quoted string"),
    ('{"\\q"}', 'unquote string "\\q" error invalid syntax'),
    ("{.a,.b}", "unrecognized character in action: U+002C ','"),
    ("{\t.kind}", "unrecognized character in action: U+0009"),
    ("{..*}", "unrecognized character in action: U+002A '*'"),
    ("{....name}", "invalid multiple recursive descent"),
    ("{1.2.3}", "cannot parse number 1.2.3"),
    ('{.spec.ports["name"]}', 'invalid array index "name"'),
    ("{.spec.ports[x]}", "invalid array index x"),
    ("{.spec.ports[-]}", "array index - is not a number"),
    ('{.spec.ports[?(@.name=~"h")]}', "unrecognized character in action: U+007E '~'"),
    ("{.spec.ports[?(@.a && @.b)]}", "unrecognized character in action: U+0026 '&'"),
    ("{€}", "unrecognized character in action: U+20AC '€'"),
]


@pytest.mark.parametrize(("template", "reason"), PARSE_ERRORS)
def test_parse_error(template: str, reason: str) -> None:
    with pytest.raises(JSONPathError) as info:
        parse(template)
    assert str(info.value) == f"error parsing jsonpath {template}, {reason}"
    assert info.value.reason == reason


EXECUTION_ERRORS = [
    ("{kind}", "unrecognized identifier kind"),
    ("{end}", "not in range, nothing to end"),
    ("{.kind}{end}", "not in range, nothing to end"),
    ("{range .spec.ports[*]}{.name}{end}{end}", "not in range, nothing to end"),
    ("{.spec.ports[5]}", "array index out of bounds: index 5, length 2"),
    ("{.spec.ports[-3]}", "array index out of bounds: index -1, length 2"),
    ("{.spec.ports[0:5]}", "array index out of bounds: index 4, length 2"),
    ("{.spec.ports[1:0]}", "starting index 1 is greater than ending index 0"),
    ("{.spec.ports[::0]}", "step must be > 0"),
    ("{.spec.rows[*].l[0]}", "array index out of bounds: index 0, length 0"),
    ('{.spec.ports[?(@.port=="80")]}', "incompatible types for comparison"),
    ("{.spec.ports[?(@.weight>0)]}", "incompatible types for comparison"),
    ("{.spec.ports[?(@.port=80)]}", "unrecognized filter operator ="),
    ("{.spec.ports[?(@.port<true)]}", "incompatible types for comparison"),
    ("{.spec.list[?(@==1)]}", "incompatible types for comparison"),
    ("{.spec.ports[?(@.*==1)]}", "can only compare one element at a time"),
    ("{.spec.nothing[?(@.a)]}", "<nil> is not array or slice and cannot be filtered"),
    (
        "{.metadata[?(@.a)]}",
        "map[labels:map[a.b:dots app:web t:1] name:web] is not array or slice and cannot be filtered",
    ),
    ("{.metadata.name[0]}", "string is not array or slice"),
    ("{.metadata[0]}", "map[string]interface {} is not array or slice"),
    ("{.spec.big[0]}", "int64 is not array or slice"),
    ("{.spec.float[0]}", "float64 is not array or slice"),
    ("{.spec.flag[0]}", "bool is not array or slice"),
    ("{5[0]}", "int is not array or slice"),
    ("{.metadata.name.*[0]}", "uint8 is not array or slice"),
]


@pytest.mark.parametrize(("template", "reason"), EXECUTION_ERRORS)
def test_execution_error(template: str, reason: str) -> None:
    parsed = parse(template)
    with pytest.raises(JSONPathError) as bare:
        parsed.find_results(DATA)
    assert str(bare.value) == bare.value.reason == reason
    with pytest.raises(JSONPathError) as printed:
        parsed.execute(DATA)
    assert printed.value.reason == reason
    assert str(printed.value) == execution_error_message(template, reason, DATA)


STRICT = [
    ("{.spec.missing}", None, "missing is not found"),
    ("{.spec.ports[*].nodePort}", "30080", None),
    ("{.spec.ports[?(@.nodePort==30080)].name}", None, "nodePort is not found"),
    ("{.spec.ports[?(@.nodePort)].name}", "http", None),
    ("{.}", None, " is not found"),
    ("{range .spec.missing[*]}{.x}{end}", None, "missing is not found"),
]


@pytest.mark.parametrize(("template", "output", "reason"), STRICT)
def test_missing_keys_not_allowed(template: str, output: str | None, reason: str | None) -> None:
    parsed = parse(template)
    if reason is None:
        assert parsed.execute(DATA, allow_missing_keys=False) == output
    else:
        with pytest.raises(JSONPathError) as info:
            parsed.execute(DATA, allow_missing_keys=False)
        assert info.value.reason == reason


AS_JSON = [
    ("{.metadata.name}", '[\n    "web"\n]\n'),
    ("{.spec.ports[*].port}{.spec.missing}", "[\n    80,\n    443\n]\n[]\n"),
    ('{.spec.html}{"lit"}', '[\n    "\\u003ca\\u0026b\\u003e"\n]\n[\n    "lit"\n]\n'),
    (
        "{.spec.list}",
        '[\n    [\n        1,\n        "two",\n        null,\n        {\n            "k": "v"\n'
        "        }\n    ]\n]\n",
    ),
    ('{"\\xff"}', '[\n    "\\ufffd"\n]\n'),
]


@pytest.mark.parametrize(("template", "expected"), AS_JSON)
def test_execute_as_json(template: str, expected: str) -> None:
    assert parse(template).execute_as_json(DATA) == expected


def test_full_execution_error_text() -> None:
    template = '{.spec.ports[?(@.port=="80")]}'
    with pytest.raises(JSONPathError) as info:
        parse(template).execute(DATA)
    assert "error: " + str(info.value) == (
        'error: error executing jsonpath "{.spec.ports[?(@.port==\\"80\\")]}": Error executing '
        "template: incompatible types for comparison. Printing more information for debugging "
        'the template:\n\ttemplate was:\n\t\t{.spec.ports[?(@.port=="80")]}\n\tobject given to '
        'jsonpath engine was:\n\t\tmap[string]interface {}{"apiVersion":"v1", "kind":"Service", '
        '"metadata":map[string]interface {}{"labels":map[string]interface {}{"a.b":"dots", '
        '"app":"web", "t":"1"}, "name":"web"}, "spec":map[string]interface {}{"big":12345678901, '
        '"flag":true, "float":1.0000005e+06, "html":"<a&b>", "list":[]interface {}{1, "two", '
        'interface {}(nil), map[string]interface {}{"k":"v"}}, "nothing":interface {}(nil), '
        '"ports":[]interface {}{map[string]interface {}{"name":"http", "nodePort":30080, '
        '"port":80}, map[string]interface {}{"name":"https", "port":443, "weight":0.5}}, '
        '"rows":[]interface {}{map[string]interface {}{"l":[]interface {}{1}}, '
        'map[string]interface {}{"l":[]interface {}{}}, map[string]interface {}{"l":[]interface '
        '{}{2}}}, "tiny":1e-07, "whole":2}}\n\n\n'
    )


def test_find_results_returns_raw_values() -> None:
    parsed = parse('{.spec.ports[*].port}{"x"}{.spec.list}{range .spec.list[*]}{@}{end}')
    assert parsed.find_results(DATA) == [
        [80, 443],
        ["x"],
        [[1, "two", None, {"k": "v"}]],
        [1],
        ["two"],
        [None],  # kubectl's "no value" (a range over null)
        [{"k": "v"}],
    ]


def test_find_results_floats_stay_floats() -> None:
    found = parse("{.spec.whole}{.spec.ports[1].weight}").find_results(DATA)
    assert found == [[2.0], [0.5]]
    assert isinstance(found[0][0], float)


def test_template_is_reusable() -> None:
    parsed = parse("{range .spec.ports[*]}{.name},{end}|")
    assert parsed.execute(DATA) == parsed.execute(DATA) == "http,https,|"
    assert parsed.template == "{range .spec.ports[*]}{.name},{end}|"


def test_wildcard_and_recursive_descent_use_sorted_keys() -> None:
    data = {"b": {"z": 1, "a": 2}, "a": [{"name": "x"}]}
    assert parse("{.b.*}").execute(data) == "2 1"
    assert (
        parse("{..}").execute(data)
        == '{"a":[{"name":"x"}],"b":{"a":2,"z":1}} [{"name":"x"}] {"name":"x"} x {"a":2,"z":1}'
    )


def test_invalid_utf8_escapes_use_surrogateescape() -> None:
    out = parse('{"\\xff\\xc3\\xa9"}').execute({})
    assert out == "\udcffé"
    assert out.encode("utf-8", "surrogateescape") == b"\xff\xc3\xa9"


@pytest.mark.parametrize(
    ("template", "panic"),
    [
        ("{range .spec.list[2:3]}{[0]}{end}", "reflect: call of reflect.Value.Type on zero Value"),
        ("{range .spec.missing[*]}{[0]}{end}", "reflect: call of reflect.Value.Type on zero Value"),
    ],
)
def test_go_panics_become_errors(template: str, panic: str) -> None:
    with pytest.raises(JSONPathError) as info:
        parse(template).execute(DATA)
    assert info.value.reason == panic


def test_as_json_no_value_is_an_error() -> None:
    with pytest.raises(JSONPathError) as info:
        parse("{range .spec.list[*]}{@}{end}").execute_as_json(DATA)
    assert info.value.reason == "reflect: call of reflect.Value.Interface on zero Value"


def test_parse_keeps_name() -> None:
    assert parse("{.a}", name="column0").name == "column0"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("metadata.name", "{.metadata.name}"),
        (".metadata.name", "{.metadata.name}"),
        ("{metadata.name}", "{.metadata.name}"),
        ("{.metadata.name}", "{.metadata.name}"),
        ("{.}", "{..}"),
        ("..name", "{..name}"),
        ("spec.ports[0].port", "{.spec.ports[0].port}"),
        ("", ""),
    ],
)
def test_relaxed(expr: str, expected: str) -> None:
    assert relaxed(expr) == expected


@pytest.mark.parametrize("expr", ["{a", "a}", "{.a}{.b}", "{}", ".{a}", "a\n{"])
def test_relaxed_rejects(expr: str) -> None:
    with pytest.raises(JSONPathError) as info:
        relaxed(expr)
    assert str(info.value) == (
        "unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
        "'{name1.name2}' or '{.name1.name2}'"
    )


def test_go_sharp_v() -> None:
    value = {"s": 'é\u0001\t"<>&\u2028 \U0001f600 \u00ad \u200b', "f": [1e21, 1e-7, 1.0, -0.0]}
    assert go_sharp_v(value) == (
        'map[string]interface {}{"f":[]interface {}{1e+21, 1e-07, 1, -0}, '
        '"s":"é\\x01\\t\\"<>&\\u2028 \U0001f600 \\u00ad \\u200b"}'
    )
    assert go_sharp_v(None) == "interface {}(nil)"
    assert go_sharp_v([]) == "[]interface {}{}"


def test_go_sprint_and_quote() -> None:
    assert (
        go_sprint({"b": None, "a": [1, "two", 2.5, True, {}]})
        == "map[a:[1 two 2.5 true map[]] b:<nil>]"
    )
    assert go_quote("a\x7f\udcffb\\") == '"a\\x7f\\xffb\\\\"'
