"""Unit tests for backends.objects.selectors (apimachinery label/field selector semantics).

Error texts marked "observed" were printed by kubectl v1.37.1 (``kubectl top pod -l S``,
which runs ``labels.Parse`` before contacting a server; ``kubectl create pdb --selector=S
--dry-run=client``, which runs ``metav1.ParseToLabelSelector``; ``kubectl top pod
--field-selector S``, which runs ``fields.ParseSelector``).
"""

from __future__ import annotations

import pytest

from backends.objects.selectors import (
    FieldRequirement,
    FieldSelector,
    LabelSelector,
    Operator,
    Requirement,
    SelectorError,
    convert_custom_resource_field_selector,
    convert_field_selector,
    custom_resource_fields,
    escape_field_value,
    format_label_selector,
    format_labels,
    label_key_errors,
    label_selector_from_dict,
    label_value_errors,
    parse_field_selector,
    parse_label_selector,
    parse_to_label_selector_dict,
    selectable_fields,
    selector_from_set,
    supported_field_labels,
)

KEY_REGEX = "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'"
KEY_RULE = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    f"alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    f"validation is {KEY_REGEX})"
)
VALUE_RULE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
SUBDOMAIN_RULE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    r"for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
REQ = "unable to parse requirement: "
OPERATORS = "in, notin, =, ==, !=, gt, lt"


# ---------------------------------------------------------------- parsing label selectors


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("x=a,y=b,z=c", "x=a,y=b,z=c"),
        ("", ""),
        ("x!=a,y=b", "x!=a,y=b"),
        ("x=", "x="),
        ("x= ", "x="),
        ("x=,z= ", "x=,z="),
        ("x= ,z= ", "x=,z="),
        ("!x", "!x"),
        ("x>1", "x>1"),
        ("x>1,z<5", "x>1,z<5"),
        ("a==b", "a==b"),
        ("x=a,a=x", "a=x,x=a"),
        ("\rx", "x"),
        ("a ", "a"),
        ("this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash"),
        (
            "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
            "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)",
        ),
        ("foo  in\t (abc)", "foo in (abc)"),
        ("x notin\n (abc)", "x notin (abc)"),
        ("x in (abc,abc)", "x in (abc)"),
        ("x in ()", "x in ()"),
        ("x in (abc,)", "x in (,abc)"),
        ("x in (a,,a,,a,,a,,)", "x in (,a)"),
        ("x notin (, a)", "x notin (,a)"),
        ("x notin ( )", "x notin ()"),
        ("x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()"),
        ("x,y in (a)", "x,y in (a)"),
        ("a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"),
        ("in in (in)", "in in (in)"),
        ("notin=in", "notin=in"),
        ("b=2,a=1,a=0", "a=1,a=0,b=2"),  # stable by key
        ("a=\x00b", "a=b"),  # Go's lexer reads NUL as end of input, then goes on
        ("a,b \x00c d", "a,b"),
    ],
)
def test_parse_and_render(text: str, rendered: str) -> None:
    assert str(parse_label_selector(text)) == rendered


@pytest.mark.parametrize(
    ("text", "message"),
    [  # observed
        ("a b", REQ + f"found 'b', expected: {OPERATORS}"),
        ("a!", REQ + f"found '!', expected: {OPERATORS}"),
        ("a in b", REQ + "found 'b' expected: '('"),
        ("a notin", REQ + "found '' expected: '('"),
        ("a in (b", REQ + "found '', expected: ',' or ')'"),
        ("a in (b c)", REQ + "found 'c', expected: ',' or ')'"),
        ("a in (b,!)", REQ + "found '!', expected: ',', or identifier"),
        ("a in (!)", REQ + "found '!', expected: ',', ')' or identifier"),
        ("!", REQ + "found '', expected: identifier"),
        ("!!a", REQ + "found '!', expected: identifier"),
        ("a=(", REQ + "found '(', expected: identifier"),
        (",", "found ',', expected: !, identifier, or 'end of string'"),
        ("(a)", "found '(', expected: !, identifier, or 'end of string'"),
        ("=a", "found '=', expected: !, identifier, or 'end of string'"),
        ("a,", "found '', expected: identifier after ','"),
        ("a,,b", "found ',', expected: identifier after ','"),
        ("a=b)", "found ')', expected: ',' or 'end of string'"),
        ("a=b c", "found 'c', expected: ',' or 'end of string'"),
        ("!x=a", "found '=', expected: ',' or 'end of string'"),
        ("x==a==b", "found '==', expected: ',' or 'end of string'"),
        (
            "a>b",
            REQ
            + "values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer",
        ),
        (
            "a>99999999999999999999",
            REQ
            + "values[0]: Invalid value: \"99999999999999999999\": for 'Gt', 'Lt' operators, the value must be an integer",
        ),
        ("a=-b", REQ + f'values[0][a]: Invalid value: "-b": {VALUE_RULE}'),
        ("x>-1", REQ + f'values[0][x]: Invalid value: "-1": {VALUE_RULE}'),
        ("a=é", REQ + f'values[0][a]: Invalid value: "é": {VALUE_RULE}'),
        (
            "a=" + "v" * 64,
            REQ + f'values[0][a]: Invalid value: "{"v" * 64}": must be no more than 63 bytes',
        ),
        (
            "a/b/c",
            REQ
            + f"<nil>: Invalid value: \"a/b/c\": a valid label key {KEY_RULE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        ),
        ("-a", REQ + f'<nil>: Invalid value: "-a": name part {KEY_RULE}'),
        ('a"b', REQ + f'<nil>: Invalid value: "a\\"b": name part {KEY_RULE}'),
        ("a\x01b", REQ + f'<nil>: Invalid value: "a\\x01b": name part {KEY_RULE}'),
        (
            "k" * 64,
            REQ + f'<nil>: Invalid value: "{"k" * 64}": name part must be no more than 63 bytes',
        ),
        ("/a", REQ + '<nil>: Invalid value: "/a": prefix part must be non-empty'),
        (
            "a/",
            REQ + f'<nil>: Invalid value: "a/": name part must be non-empty; name part {KEY_RULE}',
        ),
        ("Ex.com/a", REQ + f'<nil>: Invalid value: "Ex.com/a": prefix part {SUBDOMAIN_RULE}'),
        (
            "p" * 254 + "/a",
            REQ
            + f'<nil>: Invalid value: "{"p" * 254}/a": prefix part must be no more than 253 bytes',
        ),
        (
            "a>b-",
            REQ
            + "[values[0]: Invalid value: \"b-\": for 'Gt', 'Lt' operators, the value must be an integer, "
            + f'values[0][a]: Invalid value: "b-": {VALUE_RULE}]',
        ),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(SelectorError) as caught:
        parse_label_selector(text)
    assert str(caught.value) == message


def test_parsed_requirements() -> None:
    selector = parse_label_selector("x in (b,a,b), !y, z, w notin (c), app==web, n>3")
    assert selector.requirements == (
        Requirement("app", Operator.DOUBLE_EQUALS, ("web",)),
        Requirement("n", Operator.GREATER_THAN, ("3",)),
        Requirement("w", Operator.NOT_IN, ("c",)),
        Requirement("x", Operator.IN, ("a", "b")),
        Requirement("y", Operator.DOES_NOT_EXIST),
        Requirement("z", Operator.EXISTS),
    )


# ---------------------------------------------------------------- matching label selectors


@pytest.mark.parametrize(
    ("text", "labels", "selected"),
    [
        ("", {"x": "y"}, True),
        ("x=y", {"x": "y"}, True),
        ("x=y,z=w", {"x": "y", "z": "w"}, True),
        ("x!=y,z!=w", {"x": "z", "z": "a"}, True),
        ("notin=in", {"notin": "in"}, True),
        ("x", {"x": "z"}, True),
        ("!x", {"y": "z"}, True),
        ("x>1", {"x": "2"}, True),
        ("x<1", {"x": "0"}, True),
        ("x>1", {"x": "+2"}, True),
        ("x=z", {}, False),
        ("x=y", {"x": "z"}, False),
        ("x=y,z=w", {"x": "w", "z": "w"}, False),
        ("x!=y,z!=w", {"x": "z", "z": "w"}, False),
        ("x", {"y": "z"}, False),
        ("!x", {"x": "z"}, False),
        ("x>1", {"x": "0"}, False),
        ("x<1", {"x": "2"}, False),
        ("x>1", {"x": "v2"}, False),
        ("x>1", {"x": "1.5"}, False),
        ("x<1", {}, False),
        ("x in (foo),y notin (alpha)", {"x": "foo", "y": "baz"}, True),
        ("x in (foo),y in (alpha)", {"x": "foo", "y": "baz"}, False),
        ("x notin (),y", {"y": ""}, True),
        ("!x,y", {"y": ""}, True),
        ("x notin (),!y", {"y": ""}, False),
        ("x in ()", {"y": "baz"}, False),
        ("x in ()", {"x": ""}, True),
        ("x notin (a)", {}, True),
        ("x!=a", {}, True),
        ("x=", {"x": ""}, True),
        ("foo=bar,foobar=bar,baz=blah", {"foo": "bar", "baz": "blah"}, False),
    ],
)
def test_matches(text: str, labels: dict[str, str], selected: bool) -> None:
    assert parse_label_selector(text).matches(labels) is selected


def test_special_selectors() -> None:
    assert LabelSelector.everything().matches(None)
    assert LabelSelector.everything().empty()
    assert not LabelSelector.nothing().matches({})
    assert not LabelSelector.nothing().empty()
    assert str(LabelSelector.nothing()) == ""
    assert not parse_label_selector("a").empty()
    assert not LabelSelector.nothing().add(Requirement("a", Operator.EXISTS)).matches({"a": "1"})


def test_add_keeps_requirements_sorted() -> None:
    selector = parse_label_selector("m").add(
        Requirement("z", Operator.EXISTS), Requirement("a", Operator.EXISTS)
    )
    assert str(selector) == "a,m,z"


def test_requirement_rendering() -> None:
    assert str(Requirement("x", Operator.IN, ("def", "abc"))) == "x in (abc,def)"
    assert str(Requirement("x", Operator.NOT_IN, ("",))) == "x notin ()"
    assert str(Requirement("y", Operator.NOT_EQUALS, ("jkl",))) == "y!=jkl"
    assert str(Requirement("x", Operator.GREATER_THAN, ("2",))) == "x>2"
    assert str(Requirement("y", Operator.LESS_THAN, ("8",))) == "y<8"
    assert str(Requirement("z", Operator.DOES_NOT_EXIST)) == "!z"


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("a=1", "a", "1"),
        ("a==1", "a", "1"),
        ("a in (1)", "a", "1"),
        ("a in (1,2)", "a", None),
        ("a!=1", "a", None),
        ("a", "a", None),
        ("b=1", "a", None),
    ],
)
def test_requires_exact_match(text: str, key: str, value: str | None) -> None:
    assert parse_label_selector(text).requires_exact_match(key) == value


def test_selector_from_set() -> None:
    selector = selector_from_set({"tier": "web", "app": "x"})
    assert str(selector) == "app=x,tier=web"
    assert selector.matches({"app": "x", "tier": "web", "other": "1"})
    assert not selector.matches({"app": "x"})
    assert selector_from_set(None).empty()
    assert selector_from_set({}).matches({"a": "b"})


# ---------------------------------------------------------------- metav1.LabelSelector objects


def test_label_selector_from_dict() -> None:
    selector = label_selector_from_dict(
        {
            "matchLabels": {"b": "2", "a": "1"},
            "matchExpressions": [
                {"key": "a", "operator": "In", "values": ["z", "1"]},
                {"key": "c", "operator": "DoesNotExist"},
                {"key": "d", "operator": "Exists"},
                {"key": "e", "operator": "NotIn", "values": ["x"]},
            ],
        }
    )
    assert str(selector) == "a=1,a in (1,z),b=2,!c,d,e notin (x)"
    assert selector.matches({"a": "1", "b": "2", "d": ""})
    assert not selector.matches({"a": "1", "b": "2", "d": "", "c": ""})
    assert label_selector_from_dict(None) == LabelSelector.nothing()
    assert label_selector_from_dict({}) == LabelSelector.everything()
    assert label_selector_from_dict({"matchLabels": {}, "matchExpressions": []}).empty()


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        (
            {"matchExpressions": [{"key": "a", "operator": "Foo"}]},
            '"Foo" is not a valid label selector operator',
        ),
        ({"matchExpressions": [{"key": "a"}]}, '"" is not a valid label selector operator'),
        (
            {"matchExpressions": [{"key": "a", "operator": "In"}]},
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
        ),
        (
            {"matchExpressions": [{"key": "a", "operator": "NotIn", "values": []}]},
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
        ),
        (
            {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x", "y"]}]},
            'values: Invalid value: ["x","y"]: values set must be empty for exists and does not exist',
        ),
        (
            {
                "matchExpressions": [
                    {"key": "a", "operator": "DoesNotExist", "values": ["x", "<&>"]}
                ]
            },
            '[values: Invalid value: ["x","\\u003c\\u0026\\u003e"]: values set must be empty for exists and does not exist, '
            + f'values[1][a]: Invalid value: "<&>": {VALUE_RULE}]',
        ),
        (
            {"matchExpressions": [{"key": "a", "operator": "In", "values": ["ok", "-"]}]},
            f'values[1][a]: Invalid value: "-": {VALUE_RULE}',
        ),
        (
            {"matchLabels": {"A B": "-x"}},
            f'[key: Invalid value: "A B": name part {KEY_RULE}, values[0][A B]: Invalid value: "-x": {VALUE_RULE}]',
        ),
        (
            {"matchLabels": {"ok": "1", "b/": "1", "a/": "1"}},
            f'key: Invalid value: "a/": name part must be non-empty; name part {KEY_RULE}',
        ),
    ],
)
def test_label_selector_from_dict_errors(selector: dict[str, object], message: str) -> None:
    with pytest.raises(SelectorError) as caught:
        label_selector_from_dict(selector)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("selector", "rendered"),
    [
        (None, "<none>"),
        ({}, "<none>"),
        ({"matchLabels": {"app": "web"}}, "app=web"),
        ({"matchLabels": {"tier": "a", "app": "web"}}, "app=web,tier=a"),
        (
            {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]},
            "tier in (a,b)",
        ),
        ({"matchExpressions": [{"key": "tier", "operator": "Bogus"}]}, "<error>"),
    ],
)
def test_format_label_selector(selector: dict[str, object] | None, rendered: str) -> None:
    assert format_label_selector(selector) == rendered


def test_format_labels() -> None:
    assert format_labels(None) == "<none>"
    assert format_labels({}) == "<none>"
    assert format_labels({"b": "2", "a": "1"}) == "a=1,b=2"
    assert format_labels({"a": "1", "a-b": "2"}) == "a-b=2,a=1"  # sorts "k=v", not keys


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # observed (kubectl create pdb --selector)
        ("a==b", {"matchLabels": {"a": "b"}}),
        (
            "a,b",
            {
                "matchExpressions": [
                    {"key": "a", "operator": "Exists"},
                    {"key": "b", "operator": "Exists"},
                ]
            },
        ),
        (
            "x in (b,a),!y,z,w notin (c),app=web",
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [
                    {"key": "w", "operator": "NotIn", "values": ["c"]},
                    {"key": "x", "operator": "In", "values": ["a", "b"]},
                    {"key": "y", "operator": "DoesNotExist"},
                    {"key": "z", "operator": "Exists"},
                ],
            },
        ),
        ("a in ()", {"matchExpressions": [{"key": "a", "operator": "In", "values": [""]}]}),
        ("b=1,a=2,a=3", {"matchLabels": {"a": "3", "b": "1"}}),
        ("", {}),
    ],
)
def test_parse_to_label_selector_dict(text: str, expected: dict[str, object]) -> None:
    assert parse_to_label_selector_dict(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [  # observed
        (
            "a b",
            f"couldn't parse the selector string \"a b\": {REQ}found 'b', expected: {OPERATORS}",
        ),
        (
            "a,",
            "couldn't parse the selector string \"a,\": found '', expected: identifier after ','",
        ),
        ("a!=b", '"!=" is not a valid label selector operator'),
        ("a>1", '"gt" isn\'t supported in label selectors'),
        ("a<1", '"lt" isn\'t supported in label selectors'),
    ],
)
def test_parse_to_label_selector_dict_errors(text: str, message: str) -> None:
    with pytest.raises(SelectorError) as caught:
        parse_to_label_selector_dict(text)
    assert str(caught.value) == message


# ---------------------------------------------------------------- key and value validation


def test_label_key_and_value_errors() -> None:
    assert label_key_errors("example.com/My_Name-1") == []
    assert label_key_errors("a" * 63) == []
    assert label_key_errors("é" * 32) == [
        "name part must be no more than 63 bytes",
        "name part " + KEY_RULE,
    ]
    assert label_key_errors("") == ["name part must be non-empty", "name part " + KEY_RULE]
    assert label_value_errors("") == []
    assert label_value_errors("a.b_c-d") == []
    assert label_value_errors("v" * 64) == ["must be no more than 63 bytes"]
    assert label_value_errors("a b") == [VALUE_RULE]


# ---------------------------------------------------------------- field selectors


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("", ""),
        ("a=b", "a=b"),
        ("a==b", "a=b"),
        ("a!=b", "a!=b"),
        ("b=1,a=2", "a=2,b=1"),
        ("status.phase!=Failed,spec.nodeName=n1", "spec.nodeName=n1,status.phase!=Failed"),
        ("a=b\\,c", "a=b\\,c"),
        ("a=b\\=c", "a=b\\=c"),
        ("a=b\\\\", "a=b\\\\"),
        ("=", ""),
        ("a=b,,c=d", "a=b,c=d"),
        ("a=", "a="),
        ("=a", "=a"),
        ("a=!b", "a=!b"),
    ],
)
def test_parse_field_selector(text: str, rendered: str) -> None:
    assert str(parse_field_selector(text)) == rendered


def test_field_requirements_are_unescaped() -> None:
    selector = parse_field_selector("a=x\\,y\\=z\\\\,b!=")
    assert selector.requirements == (
        FieldRequirement("a", Operator.EQUALS, "x,y=z\\"),
        FieldRequirement("b", Operator.NOT_EQUALS, ""),
    )
    assert escape_field_value("x,y=z\\") == "x\\,y\\=z\\\\"


@pytest.mark.parametrize(
    ("text", "message"),
    [  # observed
        ("a", "invalid selector: 'a'; can't understand 'a'"),
        ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
        ("a\\x", "invalid selector: 'a\\x'; can't understand 'a\\x'"),
        ("a=b=c", "invalid field selector: unescaped character in value: 61"),
        ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
        ("a=b\\x", "invalid field selector: invalid escape sequence: \\x"),
        ("z=1,b", "invalid selector: 'z=1,b'; can't understand 'b'"),
    ],
)
def test_field_selector_errors(text: str, message: str) -> None:
    with pytest.raises(SelectorError) as caught:
        parse_field_selector(text)
    assert str(caught.value) == message


def test_field_selector_matching() -> None:
    selector = parse_field_selector("spec.nodeName=n1,status.phase!=Failed")
    assert selector.matches({"spec.nodeName": "n1", "status.phase": "Running"})
    assert not selector.matches({"spec.nodeName": "n1", "status.phase": "Failed"})
    assert not selector.matches({"spec.nodeName": "n2"})
    assert selector.matches(lambda name: {"spec.nodeName": "n1"}.get(name, ""))
    assert parse_field_selector("missing=").matches({})
    assert FieldSelector().matches({}) and FieldSelector().empty()
    assert not selector.empty()
    assert selector.requires_exact_match("spec.nodeName") == "n1"
    assert selector.requires_exact_match("status.phase") is None


# ---------------------------------------------------------------- kube-apiserver field labels


def test_field_label_conversion() -> None:
    converted = convert_field_selector(
        parse_field_selector("spec.host=n1,metadata.name=p"), "", "v1", "Pod"
    )
    assert str(converted) == "metadata.name=p,spec.nodeName=n1"
    events = convert_field_selector(
        parse_field_selector("regarding.name=web,reportingController=kubelet,type=Normal"),
        "events.k8s.io",
        "v1",
        "Event",
    )
    assert str(events) == "involvedObject.name=web,reportingComponent=kubelet,type=Normal"
    assert "status.podIPs" in supported_field_labels("", "Pod")
    assert supported_field_labels("apps", "ReplicaSet") == ["metadata.name", "metadata.namespace"]


@pytest.mark.parametrize(
    ("group", "version", "kind", "selector", "message"),
    [
        ("", "v1", "Pod", "foo=1", "field label not supported: foo"),
        ("", "v1", "Pod", "=x", "field label not supported: "),
        ("", "v1", "Node", "metadata.namespace=x", "field label not supported: metadata.namespace"),
        (
            "",
            "v1",
            "Namespace",
            "metadata.namespace=x",
            "field label not supported: metadata.namespace",
        ),
        ("", "v1", "Service", "spec.ports=1", "field label not supported: spec.ports"),
        ("", "v1", "Event", "regarding.name=x", "field label not supported: regarding.name"),
        (
            "events.k8s.io",
            "v1",
            "Event",
            "involvedObject.name=x",
            "field label not supported: involvedObject.name",
        ),
        (
            "batch",
            "v1",
            "Job",
            "status.active=1",
            'field label "status.active" not supported for Job',
        ),
        (
            "apps",
            "v1",
            "ReplicaSet",
            "status.replicas=1",
            '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
        ),
        (
            "",
            "v1",
            "ConfigMap",
            "data=1",
            '"data" is not a known field selector: only "metadata.name", "metadata.namespace"',
        ),
        (
            "resource.k8s.io",
            "v1",
            "ResourceSlice",
            "spec.pool=x",
            "field label not supported for resource.k8s.io/v1, Kind=ResourceSlice: spec.pool",
        ),
        ("", "v1", "Pod", "b=1,a=2", "field label not supported: a"),  # the first in sorted order
    ],
)
def test_unsupported_field_labels(
    group: str, version: str, kind: str, selector: str, message: str
) -> None:
    with pytest.raises(SelectorError) as caught:
        convert_field_selector(parse_field_selector(selector), group, version, kind)
    assert str(caught.value) == message


def test_custom_resource_field_labels() -> None:
    selector = parse_field_selector("spec.color=red,metadata.namespace=ns")
    converted = convert_custom_resource_field_selector(
        selector, namespaced=True, selectable=["spec.color"]
    )
    assert converted == selector
    with pytest.raises(SelectorError, match=r"^field label not supported: metadata\.namespace$"):
        convert_custom_resource_field_selector(
            selector, namespaced=False, selectable=["spec.color"]
        )
    with pytest.raises(SelectorError, match=r"^field label not supported: spec\.color$"):
        convert_custom_resource_field_selector(selector, namespaced=True)
    fields = custom_resource_fields(
        {
            "metadata": {"name": "w", "namespace": "ns"},
            "spec": {"color": "red", "size": 3, "on": False, "x": 1.5},
        },
        ["spec.color", "spec.size", "spec.on", "spec.x", "spec.missing"],
    )
    assert fields == {
        "metadata.name": "w",
        "metadata.namespace": "ns",
        "spec.color": "red",
        "spec.size": "3",
        "spec.on": "false",
    }


POD = {
    "metadata": {"name": "web-1", "namespace": "default"},
    "spec": {
        "nodeName": "n1",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "serviceAccount": "sa",
    },
    "status": {
        "phase": "Running",
        "podIPs": [{"ip": "10.0.0.2"}, {"ip": "fd00::2"}],
        "nominatedNodeName": "n2",
    },
}


def test_pod_selectable_fields() -> None:
    assert selectable_fields("", "Pod", POD) == {
        "metadata.name": "web-1",
        "metadata.namespace": "default",
        "spec.nodeName": "n1",
        "spec.restartPolicy": "Always",
        "spec.schedulerName": "default-scheduler",
        "spec.serviceAccountName": "sa",
        "spec.hostNetwork": "false",
        "status.phase": "Running",
        "status.podIP": "10.0.0.2",
        "status.nominatedNodeName": "n2",
    }
    with_pod_ip = {
        **POD,
        "spec": {"hostNetwork": True},
        "status": {"podIP": "10.0.0.9", "podIPs": [{"ip": "10.0.0.2"}]},
    }
    fields = selectable_fields("", "Pod", with_pod_ip)
    assert (fields["status.podIP"], fields["spec.hostNetwork"]) == ("10.0.0.9", "true")


def test_pod_ips_is_accepted_but_never_filled() -> None:
    fields = selectable_fields("", "Pod", POD)
    accepts_empty = convert_field_selector(parse_field_selector("status.podIPs="), "", "v1", "Pod")
    wants_ip = convert_field_selector(
        parse_field_selector("status.podIPs=10.0.0.2"), "", "v1", "Pod"
    )
    assert accepts_empty.matches(fields)
    assert not wants_ip.matches(fields)


@pytest.mark.parametrize(
    ("group", "kind", "obj", "expected"),
    [
        (
            "",
            "Node",
            {"metadata": {"name": "n1"}, "spec": {"unschedulable": True}},
            {"spec.unschedulable": "true"},
        ),
        ("", "Node", {"metadata": {"name": "n1"}}, {"spec.unschedulable": "false"}),
        ("", "Namespace", {"status": {"phase": "Active"}}, {"status.phase": "Active"}),
        ("", "Secret", {"type": "Opaque"}, {"type": "Opaque"}),
        (
            "",
            "Service",
            {"spec": {"clusterIP": "10.96.0.1", "type": "ClusterIP"}},
            {"spec.clusterIP": "10.96.0.1", "spec.type": "ClusterIP"},
        ),
        ("", "ReplicationController", {"status": {"replicas": 3}}, {"status.replicas": "3"}),
        ("", "ReplicationController", {}, {"status.replicas": "0"}),
        ("batch", "Job", {"status": {"succeeded": 2}}, {"status.successful": "2"}),
        (
            "certificates.k8s.io",
            "CertificateSigningRequest",
            {"spec": {"signerName": "s"}},
            {"spec.signerName": "s"},
        ),
        (
            "resource.k8s.io",
            "ResourceSlice",
            {"spec": {"driver": "d"}},
            {"spec.driver": "d", "spec.nodeName": ""},
        ),
        (
            "",
            "Event",
            {
                "involvedObject": {"kind": "Pod", "uid": "u"},
                "reportingComponent": "kubelet",
                "type": "Normal",
            },
            {
                "involvedObject.kind": "Pod",
                "involvedObject.uid": "u",
                "reportingComponent": "kubelet",
                "source": "kubelet",
                "type": "Normal",
            },
        ),
        (
            "",
            "Event",
            {"source": {"component": "scheduler"}, "reason": "Scheduled"},
            {"source": "scheduler", "reason": "Scheduled"},
        ),
        (
            "events.k8s.io",
            "Event",
            {"regarding": {"name": "web"}, "reportingController": "c"},
            {"involvedObject.name": "web", "reportingComponent": "c", "source": "c"},
        ),
    ],
)
def test_selectable_fields(
    group: str, kind: str, obj: dict[str, object], expected: dict[str, str]
) -> None:
    fields = selectable_fields(group, kind, obj)
    assert {name: fields.get(name) for name in expected} == expected


def test_kinds_without_own_fields_offer_metadata_only() -> None:
    deployment = {"metadata": {"name": "d", "namespace": "ns"}, "status": {"replicas": 1}}
    assert selectable_fields("apps", "Deployment", deployment) == {
        "metadata.name": "d",
        "metadata.namespace": "ns",
    }
