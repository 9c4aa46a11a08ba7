"""YAML text exactly as kubectl writes it (sigs.k8s.io/yaml over go-yaml v2).

kubectl turns every object into JSON and then into YAML, so the output follows go-yaml v2's
encoder: map keys sorted with go-yaml's natural order (digit runs compare as numbers, letters
after other characters), block style, sequences not indented under their key, 80-column width,
``null``/``true``, floats in Go's ``%g`` form, and strings quoted only when needed:

* a string that go-yaml would read back as another type (``"1"``, ``"yes"``, ``"n"``, ``"~"``,
  ``""``, ``"2026-01-01"``, ``"1:20"``) is double-quoted;
* a string containing a newline is a literal block (``|``, ``|-``, ``|+``);
* anything else is plain when YAML allows it and single-quoted otherwise.

go-yaml's emitter is a port of libyaml, so the scalar analysis is left to PyYAML's libyaml
emitter; this module decides tags, styles and key order the way go-yaml does.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from typing import Any, ClassVar

import yaml

from backends.objects.gofmt import format_g

_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_BOOL_WORDS = frozenset(
    "y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF".split()
)
_NULL_WORDS = frozenset(["", "~", "null", "Null", "NULL"])
_FLOAT_WORDS = frozenset(
    ".nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF".split()
)
_DOT_FLOAT = re.compile(r"\.[0-9]+(?:[eE][-+]?[0-9]+)?\Z")
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_GO_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_BINARY = re.compile(r"-?0b[01]+\Z")
_BASE60_FLOAT = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:([Tt])|[ ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?"
    r"(?(4)(?:Z|[-+]\d{2}:\d{2}))?)?\Z"
)


def _is_timestamp(s: str) -> bool:
    m = _TIMESTAMP.match(s)
    if not m:
        return False
    year, month, day = (int(g) for g in m.group(1, 2, 3))
    try:
        date(year, month, day)
        if m.group(5) is not None:
            datetime(year, month, day, int(m.group(5)), int(m.group(6)), int(m.group(7)))
    except ValueError:
        return False
    return True


_STR = object()  # marker: the plain scalar is a string


def _go_int(plain: str) -> int | None:
    """strconv.ParseInt(plain, 0, 64), falling back to ParseUint, as go-yaml does."""
    if not _GO_INT.match(plain):
        if _BINARY.match(plain):
            return -int(plain[3:], 2) if plain.startswith("-") else int(plain[2:], 2)
        return None
    sign = -1 if plain.startswith("-") else 1
    body = plain.lstrip("+-")
    if body[:2] in ("0x", "0X"):
        value = int(body[2:], 16)
    elif body[:2] in ("0o", "0O"):
        value = int(body[2:], 8)
    elif body[:2] in ("0b", "0B"):
        value = int(body[2:], 2)
    elif body.startswith("0") and len(body) > 1:
        value = int(body[1:], 8)
    else:
        value = int(body)
    value *= sign
    if -(2**63) <= value < 2**63 or (sign > 0 and not plain.startswith("+") and value < 2**64):
        return value
    return None


@functools.lru_cache(maxsize=4096)
def resolve_plain(s: str) -> Any:
    """What go-yaml v2 reads from the plain scalar ``s``: a Python value, or _STR for a string.

    Timestamps count as non-strings here (the encoder must quote them) although the decoder
    hands them out as strings; ``loads`` takes care of that.
    """
    if s in _BOOL_WORDS:
        return s in _TRUE_WORDS
    if s in _NULL_WORDS:
        return None
    if s in _FLOAT_WORDS:
        return {"n": float("nan"), "i": float("inf")}[s.lstrip("+-.")[0].lower()] * (
            -1 if s.startswith("-") else 1
        )
    if s == "<<":
        return _MERGE
    first = s[:1]
    if first == ".":
        return float(s) if _DOT_FLOAT.match(s) else _STR
    if first and ((first.isdigit() and first.isascii()) or first in "+-"):
        if _is_timestamp(s):
            return _TIMESTAMP_MARK
        plain = s.replace("_", "")
        as_int = _go_int(plain)
        if as_int is not None:
            return as_int
        if _YAML_FLOAT.match(plain):
            value = float(plain)
            if abs(value) != float("inf"):
                return value
    return _STR


_MERGE = object()
_TIMESTAMP_MARK = object()
_TRUE_WORDS = frozenset("y Y yes Yes YES true True TRUE on On ON".split())


def resolves_to_string(s: str) -> bool:
    """True when go-yaml v2 writes ``s`` plain (it reads back as a string; ``<<`` too)."""
    return resolve_plain(s) in (_STR, _MERGE) and not _BASE60_FLOAT.match(s)


def natural_less(a: str, b: str) -> bool:
    """go-yaml v2's ordering of string map keys (its keyList.Less)."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdigit():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdigit():
            an = an * 10 + int(a[ai])
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdigit():
            bn = bn * 10 + int(b[bi])
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


def _compare(a: str, b: str) -> int:
    return -1 if natural_less(a, b) else (1 if natural_less(b, a) else 0)


_natural_key = functools.cmp_to_key(_compare)


def sorted_keys(keys: Any) -> list[str]:
    """Map keys in the order go-yaml writes them."""
    return sorted(keys, key=_natural_key)


class _GoYamlDumper(_Dumper):  # type: ignore[misc,valid-type]
    """A dumper whose implicit typing is go-yaml's, so quoting decisions match it."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}


def _represent_str(dumper: yaml.BaseDumper, s: str) -> yaml.ScalarNode:
    if "\n" in s:
        style: str | None = "|"
    elif not resolves_to_string(s):
        style = '"'
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)


def _represent_dict(dumper: yaml.BaseDumper, d: dict[Any, Any]) -> yaml.MappingNode:
    items = [(k, d[k]) for k in sorted_keys(d)]
    return dumper.represent_mapping("tag:yaml.org,2002:map", items, flow_style=False)


def _represent_float(dumper: yaml.BaseDumper, f: float) -> yaml.ScalarNode:
    text = format_g(f)
    text = {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text)
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


def _represent_none(dumper: yaml.BaseDumper, _: None) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "null")


_GoYamlDumper.add_representer(str, _represent_str)
_GoYamlDumper.add_representer(dict, _represent_dict)
_GoYamlDumper.add_representer(float, _represent_float)
_GoYamlDumper.add_representer(type(None), _represent_none)
# Implicit resolution, as go-yaml sees plain scalars: every non-string plain scalar we emit
# (null, true/false, numbers) must be written plain, every string plain only if safe.
_GoYamlDumper.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"true|false\Z"), list("tf")
)
_GoYamlDumper.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"null\Z"), ["n"])
_GoYamlDumper.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"-?[0-9]+\Z"), list("-0123456789")
)
_GoYamlDumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?(?:e[-+][0-9]+)?|\.inf|\.nan)\Z"),
    list("-0123456789."),
)


def dumps(obj: Any) -> str:
    """One YAML document for ``obj`` (JSON-like data), as kubectl prints it."""
    out: str = yaml.dump(
        obj,
        Dumper=_GoYamlDumper,
        default_flow_style=False,
        allow_unicode=True,
        width=80,
        indent=2,
        sort_keys=False,
    )
    return out


class YAMLSyntaxError(ValueError):
    """Malformed YAML; the message is go-yaml's (``yaml: line 3: did not find expected key``)."""


class _GoYamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A loader that types plain scalars as go-yaml v2 does (YAML 1.1 words, Go numbers)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            resolved = resolve_plain(value)
            if resolved is _STR or resolved is _TIMESTAMP_MARK:
                return "tag:yaml.org,2002:str"
            if resolved is _MERGE:
                return "tag:yaml.org,2002:merge"
            return _GO_SCALAR_TAG
        tag: str = super().resolve(kind, value, implicit)
        return tag

    def construct_go_scalar(self, node: yaml.ScalarNode) -> Any:
        return resolve_plain(node.value)

    def construct_json_mapping(self, node: yaml.MappingNode) -> dict[str, Any]:
        self.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            out[_json_key(key)] = self.construct_object(value_node, deep=True)
        return out


_GO_SCALAR_TAG = "tag:pykctl.io,2026:go-scalar"
_GoYamlLoader.add_constructor(_GO_SCALAR_TAG, _GoYamlLoader.construct_go_scalar)
_GoYamlLoader.add_constructor("tag:yaml.org,2002:map", _GoYamlLoader.construct_json_mapping)
_GoYamlLoader.add_constructor("tag:yaml.org,2002:merge", lambda loader, node: node.value)


def _json_key(key: Any) -> str:
    """sigs.k8s.io/yaml turns non-string keys into their text when converting to JSON."""
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float):
        return format_g(key)
    return str(key)


def go_yaml_error(err: yaml.YAMLError) -> str:
    """go-yaml's text for a libyaml error: the line is reported the way go-yaml reports it."""
    if not isinstance(err, yaml.MarkedYAMLError):
        return f"yaml: {err}"
    line = 0
    if err.problem_mark is not None and err.problem_mark.line != 0:
        line = err.problem_mark.line + (1 if isinstance(err, yaml.scanner.ScannerError) else 0)
    elif err.context_mark is not None:
        line = err.context_mark.line
    where = f"line {line}: " if line else ""
    return f"yaml: {where}{err.problem or 'unknown problem parsing YAML content'}"


def loads(text: str | bytes) -> Any:
    """The first YAML document of ``text`` as JSON-like data, typed as go-yaml v2 types it.

    Raises YAMLSyntaxError with go-yaml's message.
    """
    loader = _GoYamlLoader(text)
    try:
        if not loader.check_node():
            return None
        return loader.construct_document(loader.get_node())
    except yaml.YAMLError as err:
        raise YAMLSyntaxError(go_yaml_error(err)) from None
    finally:
        loader.dispose()
