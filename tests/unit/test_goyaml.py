"""kubectl's YAML (sigs.k8s.io/yaml over go-yaml v2): quoting, key order, and go-yaml's reading
of plain scalars (YAML 1.1 booleans, Go numbers)."""

from __future__ import annotations

import pytest

from backends.objects import goyaml


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1", '"1"'),
        ("1.5", '"1.5"'),
        ("0x1F", '"0x1F"'),
        ("0777", '"0777"'),
        ("1_000", '"1_000"'),
        ("1e3", '"1e3"'),
        (".5", '".5"'),
        ("+1", '"+1"'),
        ("-1", '"-1"'),
        ("1:20", '"1:20"'),
        ("y", '"y"'),
        ("n", '"n"'),
        ("yes", '"yes"'),
        ("Off", '"Off"'),
        ("~", '"~"'),
        ("", '""'),
        ("null", '"null"'),
        ("2001-01-01", '"2001-01-01"'),
        (".inf", '".inf"'),
        (" lead", "' lead'"),
        ("trail ", "'trail '"),
        ("a: b", "'a: b'"),
        ("#x", "'#x'"),
        ("*x", "'*x'"),
        ("- x", "'- x'"),
        ("-", "'-'"),
        ("[a]", "'[a]'"),
        ("x,y", "x,y"),
        ("http://a:b", "http://a:b"),
        ("<<", "<<"),
        ("inf", "inf"),
        ("ü", "ü"),
        ("a\tb", '"a\\tb"'),
        ("-abc", "-abc"),
        ("?x", "?x"),
    ],
)
def test_string_styles(value: str, text: str) -> None:
    assert goyaml.dumps({"k": value}) == f"k: {text}\n"


def test_key_order_is_go_yamls_natural_order() -> None:
    keys = ["b", "a10", "a9", "a_b", "aB", "A", "1"]
    assert goyaml.sorted_keys(keys) == ["1", "A", "a_b", "a9", "a10", "aB", "b"]


def test_blocks_floats_and_empty_collections() -> None:
    data = {
        "m": "a\nb",
        "m2": "a\nb\n",
        "f": 1.0000005e6,
        "g": 1e6,
        "h": 1.5,
        "e": {},
        "l": [],
        "n": None,
    }
    assert goyaml.dumps(data) == (
        'e: {}\nf: 1.0000005e+06\ng: 1e+06\nh: 1.5\nl: []\nm: |-\n  a\n  b\nm2: |\n  a\n  b\n"n": null\n'
    )


def test_long_strings_fold_at_80_columns() -> None:
    text = goyaml.dumps({"k": "word " * 20 + "end"})
    assert text.splitlines()[1].startswith("  word")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("k: yes", True),
        ("k: n", False),
        ("k: 0x1F", 31),
        ("k: 017", 15),
        ("k: 1_000", 1000),
        ("k: 1:20", "1:20"),
        ("k: 2001-01-01", "2001-01-01"),
        ("k: .5", 0.5),
        ("k: ~", None),
        ("k: '1'", "1"),
    ],
)
def test_reads_plain_scalars_as_go_yaml(text: str, value: object) -> None:
    assert goyaml.loads(text) == {"k": value}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: b: c", "yaml: mapping values are not allowed in this context"),
        ("[1,2\n", "yaml: line 1: did not find expected ',' or ']'"),
        ("a:\n  - b\n c: d\n", "yaml: line 2: did not find expected key"),
        ("\ttab: x", "yaml: found character that cannot start any token"),
    ],
)
def test_errors_are_go_yamls(text: str, message: str) -> None:
    with pytest.raises(goyaml.YAMLSyntaxError) as err:
        goyaml.loads(text)
    assert str(err.value) == message


def test_first_document_only() -> None:
    assert goyaml.loads("a: 1\n---\na: 2\n") == {"a": 1}
