"""kubectl's JSONPath template language (client-go ``util/jsonpath``), in pure Python.

A template is literal text mixed with ``{...}`` actions: ``{.a.b}``, ``{.list[0]}``,
``{.list[-1:]}``, ``{.list[0,2]}``, ``{.map['key']}``, ``{.map.*}``, ``{..name}``,
``{.list[?(@.x=="y")]}``, ``{range .items[*]}...{end}``, ``{"\\n"}``. This module parses a template
once (:func:`parse`) and evaluates it against decoded JSON (:class:`JSONPathTemplate`), producing
exactly the text kubectl prints for ``-o jsonpath=``, ``-o jsonpath-as-json=``, and the raw values
that custom-columns and ``--sort-by`` consume.

Value model (mirrors Go's view of an unstructured object): ``dict`` is ``map[string]interface {}``,
``list`` is ``[]interface {}``, ``int`` is int64, ``float`` is float64 and ``None`` is a nil
``interface {}``. Integers written as ``1.0`` must arrive as ``float`` (as Go's decoder keeps them),
because comparing a float with an int literal is an error in kubectl.

Invariants and deliberate choices:

* Go iterates maps in random order; wildcards (``.*``) and recursive descent (``..``) here visit map
  values in sorted key order, so output is deterministic (kubectl's order varies run to run).
* Evaluation reproduces client-go's quirks on purpose: out-of-range indexes and type-mismatched
  comparisons are errors even when missing keys are allowed, ``[]`` means ``[0]``, a zero-length
  slice stops the whole step, ``.*`` over a string yields its UTF-8 bytes as numbers, ``{range}``
  bodies run once with "no value" when the range is empty, and ``{end}``/``{range}`` are tracked
  with client-go's counters, so unbalanced templates behave the same way.
* Literal text is never escape-processed; quoted actions (``{"\\t"}``) are unquoted with Go's rules.
  Bytes that are not valid UTF-8 (``{"\\xff"}``) are kept as ``surrogateescape`` code points.
* Where kubectl panics (indexing, ranging over or JSON-encoding "no value"), a
  :class:`JSONPathError` is raised instead, carrying the Go panic text.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backends.objects import gojson
from backends.objects.gofmt import format_g
from pykctl.printers.godump import go_quote, go_sharp_v, go_sprint

__all__ = [
    "JSONPathError",
    "JSONPathTemplate",
    "execution_error_message",
    "parse",
    "relaxed",
]


class JSONPathError(Exception):
    """A template that cannot be parsed or executed.

    ``str(err)`` is the text kubectl prints after ``error: `` for the operation that failed;
    ``reason`` is the bare client-go error (``unclosed action``, ``array index out of bounds: ...``),
    which is what custom-columns and ``--sort-by`` report.
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = message if reason is None else reason


# --------------------------------------------------------------------------------------------
# Template tree


@dataclass(frozen=True, slots=True)
class _Text:
    """Literal text: template text outside actions, or a quoted string inside one."""

    text: str


@dataclass(frozen=True, slots=True)
class _Field:
    name: str


@dataclass(frozen=True, slots=True)
class _Wildcard:
    pass


@dataclass(frozen=True, slots=True)
class _Recursive:
    pass


@dataclass(frozen=True, slots=True)
class _Slice:
    """``[start:end:step]``; ``None`` means not given. ``derived_end`` marks ``[n]`` (end = n+1)."""

    start: int | None
    end: int | None
    step: int | None
    derived_end: bool


@dataclass(frozen=True, slots=True)
class _Union:
    branches: tuple[_Action, ...]


@dataclass(frozen=True, slots=True)
class _Filter:
    left: _Action
    right: _Action
    op: str  # "exists" or the operator text as written (validated only when evaluated)


@dataclass(frozen=True, slots=True)
class _Literal:
    """A number or boolean written in an action; evaluates to one copy per input value."""

    value: int | float | bool


@dataclass(frozen=True, slots=True)
class _Identifier:
    name: str  # "range", "end", or anything else (an error when evaluated)


_Node = _Text | _Field | _Wildcard | _Recursive | _Slice | _Union | _Filter | _Literal | _Identifier
_Action = tuple[_Node, ...]
_Item = _Text | _Action


class _GoInt(int):
    """An integer literal from the template: Go ``int`` rather than the data's ``int64``."""


class _GoByte(int):
    """A ``uint8`` produced by applying ``*`` or ``..`` to a string."""


class _NoValue:
    """Go's invalid ``reflect.Value``: the root of a range iteration over ``null`` or nothing."""

    def __repr__(self) -> str:
        return "<no value>"


_NO_VALUE = _NoValue()
_LONE_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def _utf8(text: str) -> bytes:
    """Go's bytes for ``text``: surrogateescape'd bytes restored, other lone surrogates U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text).encode("utf-8", "surrogateescape")


# --------------------------------------------------------------------------------------------
# Parser


class _ParseError(Exception):
    """A client-go parse error (bare message)."""


_TERMINATORS = frozenset(" \t\r\n.,[]$@{}")
_DICT_KEY = re.compile(r"'([^']*)'")
_SLICE = re.compile(r"(-?[0-9]*)(:-?[0-9]*)?(:-?[0-9]*)?")
_COMPARISON = re.compile(r"([^!<>=]+)([!<>=]+)(.+?)")
_ATOI = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_HEX = frozenset("0123456789abcdefABCDEF")
_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_OPERATORS = frozenset(("==", "!=", *_ORDERINGS))
_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}


def _atoi(text: str) -> int | None:
    """Go ``strconv.Atoi``: the int64 value of ``text``, or None if it is not one."""
    if not _ATOI.fullmatch(text):
        return None
    value = int(text)
    return value if _INT64_MIN <= value <= _INT64_MAX else None


def _char_name(c: str) -> str:
    """Go ``%#U``: ``U+0026 '&'`` (the quoted rune is omitted when it is not printable)."""
    code = f"U+{ord(c):04X}"
    return f"{code} '{c}'" if c.isprintable() else code


def _unquote(quoted: str) -> str:
    """Unquote a ``"..."``/``'...'`` literal with Go escape rules (strconv.UnquoteChar)."""
    quote, body = quoted[0], quoted[1:-1]
    if "\\" not in body and quote not in body:
        return body
    out = bytearray()
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == quote:
            raise _ParseError("invalid syntax")
        if c != "\\":
            out += _utf8(c)
            i += 1
            continue
        if i + 1 >= n:
            raise _ParseError("invalid syntax")
        e = body[i + 1]
        i += 2
        if e in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[e])
        elif e in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[e]
            digits = body[i : i + width]
            if len(digits) < width or not all(d in _HEX for d in digits):
                raise _ParseError("invalid syntax")
            i += width
            value = int(digits, 16)
            if e == "x":
                out.append(value)
            elif value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise _ParseError("invalid syntax")
            else:
                out += chr(value).encode("utf-8")
        elif e in "01234567":
            digits = body[i : i + 2]
            if len(digits) < 2 or not all(d in "01234567" for d in digits):
                raise _ParseError("invalid syntax")
            i += 2
            value = int(e + digits, 8)
            if value > 255:
                raise _ParseError("invalid syntax")
            out.append(value)
        elif e in "'\"" and e == quote:
            out.append(ord(e))
        else:
            raise _ParseError("invalid syntax")
    return out.decode("utf-8", "surrogateescape")


class _Parser:
    """Scanner for one template; follows client-go's grammar, including its error messages."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def template(self) -> list[_Item]:
        """Parse the whole input into literal text and actions."""
        items: list[_Item] = []
        text = self.text
        while True:
            brace = text.find("{", self.pos)
            if brace < 0:
                if self.pos < len(text):
                    items.append(_Text(text[self.pos :]))
                return items
            if brace > self.pos:
                items.append(_Text(text[self.pos : brace]))
            self.pos = brace + 1
            items.append(self._action())

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _action(self) -> _Action:
        """Parse the inside of ``{...}`` up to and including the closing brace."""
        nodes: list[_Node] = []
        text = self.text
        while True:
            if text.startswith("}", self.pos):
                self.pos += 1
                return tuple(nodes)
            if text.startswith("[?(", self.pos):
                nodes.append(self._filter())
                continue
            if text.startswith("..", self.pos):
                if nodes and isinstance(nodes[-1], _Recursive):
                    raise _ParseError("invalid multiple recursive descent")
                self.pos += 2
                nodes.append(_Recursive())
                nxt = self._peek()
                if nxt and (nxt == "_" or nxt.isalpha() or nxt.isdecimal()):
                    nodes.append(self._field())
                continue
            c = self._peek()
            if c in ("", "\r", "\n"):
                raise _ParseError("unclosed action")
            if c in " @$":
                self.pos += 1
            elif c == "[":
                nodes.extend(self._bracket())
            elif c in "\"'":
                nodes.append(self._quoted(c))
            elif c == ".":
                self.pos += 1
                nodes.append(self._field())
            elif c in "+-" or c.isdecimal():
                nodes.append(self._number())
            elif c == "_" or c.isalpha():
                nodes.append(self._identifier())
            else:
                raise _ParseError(f"unrecognized character in action: {_char_name(c)}")

    def _field(self) -> _Node:
        """A field name after ``.``; ``\\`` escapes the next character (e.g. a dot)."""
        start, text, n = self.pos, self.text, len(self.text)
        pos = start
        while pos < n:
            c = text[pos]
            if c == "\\":
                pos += 2
            elif c in _TERMINATORS:
                break
            else:
                pos += 1
        pos = min(pos, n)
        self.pos = pos
        raw = text[start:pos]
        return _Wildcard() if raw == "*" else _Field(raw.replace("\\", ""))

    def _identifier(self) -> _Node:
        start, text, n = self.pos, self.text, len(self.text)
        pos = start
        while pos < n and text[pos] not in _TERMINATORS:
            pos += 1
        self.pos = pos
        word = text[start:pos]
        if word in ("true", "false"):
            return _Literal(word == "true")
        return _Identifier(word)

    def _number(self) -> _Node:
        start, text, n = self.pos, self.text, len(self.text)
        pos = start + 1 if text[start] in "+-" else start
        while pos < n and (text[pos] == "." or text[pos].isdecimal()):
            pos += 1
        self.pos = pos
        word = text[start:pos]
        as_int = _atoi(word)
        if as_int is not None:
            return _Literal(_GoInt(as_int))
        if _FLOAT.fullmatch(word):
            value = float(word)
            if not math.isinf(value):
                return _Literal(value)
        raise _ParseError(f"cannot parse number {word}")

    def _quoted(self, quote: str) -> _Node:
        text, n = self.text, len(self.text)
        start = self.pos
        pos = start + 1
        while True:
            if pos >= n or text[pos] == "\n":
                raise _ParseError("unterminated quoted string")
            if text[pos] == quote and text[pos - 1] != "\\":
                break
            pos += 1
        self.pos = pos + 1
        literal = text[start : pos + 1]
        try:
            return _Text(_unquote(literal))
        except _ParseError as err:
            raise _ParseError(f"unquote string {literal} error {err}") from None

    def _bracket(self) -> list[_Node]:
        """``[...]``: union, quoted key, or index/slice."""
        close = self.pos + 1
        text, n = self.text, len(self.text)
        while close < n and text[close] not in "]\n":
            close += 1
        if close >= n or text[close] == "\n":
            raise _ParseError("unterminated array")
        inner = text[self.pos + 1 : close]
        self.pos = close + 1
        if inner == "*":
            inner = ":"
        parts = inner.split(",")
        if len(parts) > 1:
            return [_Union(tuple(_sub_action(f"[{p.strip(' ')}]") for p in parts))]
        key = _DICT_KEY.fullmatch(inner)
        if key:
            return list(_sub_action("." + key.group(1)))
        return [_parse_slice(inner)]

    def _filter(self) -> _Node:
        """``[?(left op right)]`` or the existence test ``[?(path)]``."""
        text, n = self.text, len(self.text)
        start = self.pos + 3
        pos = start
        opened = closed = False
        pair = ""
        while True:
            if pos >= n or text[pos] == "\n":
                raise _ParseError("unterminated filter")
            c = text[pos]
            pos += 1
            if c in "\"'":
                if not opened:
                    opened, pair = True, c
                elif c == pair and text[pos - 2] != "\\":
                    closed = True
            elif c == ")" and opened == closed:
                break
        if pos >= n or text[pos] != "]":
            raise _ParseError("unclosed array expect ]")
        self.pos = pos + 1
        body = text[start : pos - 1]
        match = _COMPARISON.fullmatch(body)
        if match is None:
            return _Filter(_sub_action(body), (), "exists")
        return _Filter(_sub_action(match.group(1)), _sub_action(match.group(3)), match.group(2))


def _sub_action(text: str) -> _Action:
    """Parse ``{text}`` as a whole template and keep its first action, as client-go does."""
    first = _Parser("{" + text + "}").template()[0]
    assert isinstance(first, tuple)
    return first


def _parse_slice(inner: str) -> _Slice:
    match = _SLICE.fullmatch(inner)
    if match is None:
        raise _ParseError(f"invalid array index {inner}")
    first, second, third = (g or "" for g in match.groups())

    def number(digits: str) -> int | None:
        if not digits:
            return None
        value = _atoi(digits)
        if value is None:
            raise _ParseError(f"array index {digits} is not a number")
        return value

    start = number(first)
    if second:
        return _Slice(start, number(second[1:]), number(third[1:]), derived_end=False)
    end = (start or 0) + 1
    if end > _INT64_MAX:  # Go int overflow wraps around
        end -= 1 << 64
    return _Slice(start, end, number(third[1:]), derived_end=True)


# --------------------------------------------------------------------------------------------
# Evaluation


class _StepError(Exception):
    """A client-go evaluation error; ``partial`` is what the failing step returned with it."""

    def __init__(self, reason: str, partial: list[object]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.partial = partial


class _GoPanic(Exception):
    """Where kubectl would crash with a Go runtime panic."""


def _go_type(value: object) -> str:
    """Go's type name of a (non-nil) value, as in ``%v is not array or slice``."""
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, _GoInt):
        return "int"
    if isinstance(value, _GoByte):
        return "uint8"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    return "string"


def _children(value: object) -> list[object]:
    """Elements of a map (sorted by key), list, or string (its UTF-8 bytes)."""
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    if isinstance(value, list):
        return list(value)
    if isinstance(value, str):
        return [_GoByte(b) for b in _utf8(value)]
    return []


def _comparison_kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):  # int, int64 and uint8 compare with each other
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    raise _StepError("invalid type for comparison", [])


def _compare(op: str, left: object, right: object) -> bool:
    """Go template ``eq/ne/lt/le/gt/ge`` semantics for the filter operators."""
    kind = _comparison_kind(left)
    if _comparison_kind(right) != kind:
        raise _StepError("incompatible types for comparison", [])
    if op in ("==", "!="):
        return (left == right) == (op == "==")
    if kind == "bool":
        raise _StepError("invalid type for comparison", [])
    return bool(_ORDERINGS[op](left, right))


class _Run:
    """One evaluation of a template; holds client-go's range/end counters."""

    def __init__(self, items: tuple[_Item, ...], allow_missing: bool) -> None:
        self.items = items
        self.allow_missing = allow_missing
        self.begin_range = 0
        self.in_range = 0
        self.end_range = 0
        self.last_end = -1

    def results(self, start: int, data: object) -> list[list[object]]:
        """Results of each action from ``items[start:]``, looping over ``{range}`` blocks."""
        items = self.items
        current = [data]
        out: list[list[object]] = []
        i = start
        while i < len(items):
            item = items[i]
            values: list[object] = (
                [item.text] if isinstance(item, _Text) else self.walk(current, item)
            )
            if self.end_range and self.end_range <= self.in_range:
                self.end_range -= 1
                self.last_end = i
                break
            if self.begin_range:
                self.begin_range -= 1
                self.in_range += 1
                if values:
                    for value in values:
                        if value is _NO_VALUE:
                            raise _GoPanic("reflect: call of reflect.Value.Interface on zero Value")
                        out.extend(self.results(i + 1, _NO_VALUE if value is None else value))
                else:
                    self.results(i + 1, _NO_VALUE)
                self.in_range -= 1
                if self.last_end > i:
                    i = self.last_end
                i += 1
                continue
            out.append(values)
            i += 1
        return out

    def walk(self, values: list[object], nodes: _Action) -> list[object]:
        """Apply ``nodes`` in turn; a failing step raises :class:`_StepError`."""
        for node in nodes:
            values = self.step(values, node)
        return values

    def step(self, values: list[object], node: _Node) -> list[object]:
        if isinstance(node, _Field):
            return self.field(values, node.name)
        if isinstance(node, _Slice):
            return self.index(values, node)
        if isinstance(node, _Text):
            return [node.text]
        if isinstance(node, _Literal):
            return [node.value] * len(values)
        if isinstance(node, _Wildcard):
            return [child for value in values for child in _children(value)]
        if isinstance(node, _Recursive):
            return self.recursive(values)
        if isinstance(node, _Filter):
            return self.filter(values, node)
        if isinstance(node, _Union):
            try:
                return [v for branch in node.branches for v in self.walk(values, branch)]
            except _StepError as err:
                raise _StepError(err.reason, values) from None
        return self.identifier(values, node.name)

    def field(self, values: list[object], name: str) -> list[object]:
        found = [value[name] for value in values if isinstance(value, dict) and name in value]
        if not found and values and not self.allow_missing:
            raise _StepError(f"{name} is not found", [])
        return found

    def index(self, values: list[object], node: _Slice) -> list[object]:
        out: list[object] = []
        for value in values:
            if value is None:
                continue
            if value is _NO_VALUE:
                raise _GoPanic("reflect: call of reflect.Value.Type on zero Value")
            if not isinstance(value, list):
                raise _StepError(f"{_go_type(value)} is not array or slice", values)
            length = len(value)
            start = node.start or 0
            if start < 0:
                start += length
            end = length if node.end is None else node.end
            if end < 0 or (end == 0 and node.derived_end):
                end += length
            if start == end:
                return out
            if start >= length or start < 0:
                raise _StepError(
                    f"array index out of bounds: index {start}, length {length}", values
                )
            if end > length or end < 0:
                raise _StepError(
                    f"array index out of bounds: index {end - 1}, length {length}", values
                )
            if start > end:
                raise _StepError(
                    f"starting index {start} is greater than ending index {end}", values
                )
            if node.step is not None and node.step <= 0:
                raise _StepError("step must be > 0", values)
            out.extend(value[start : end : node.step or 1])
        return out

    def recursive(self, values: list[object]) -> list[object]:
        out: list[object] = []
        for value in values:
            children = _children(value)
            if children:
                out.append(value)
                out.extend(self.recursive(children))
        return out

    def filter(self, values: list[object], node: _Filter) -> list[object]:
        out: list[object] = []
        for value in values:
            if not isinstance(value, list):
                shown = "<invalid reflect.Value>" if value is _NO_VALUE else go_sprint(value)
                raise _StepError(f"{shown} is not array or slice and cannot be filtered", values)
            for element in value:
                if node.op == "exists":
                    try:
                        lefts = self.walk([element], node.left)
                    except _StepError as err:
                        lefts = err.partial
                    if lefts:
                        out.append(element)
                    continue
                left = self._operand(element, node.left, values)
                if left is _MISSING:
                    continue
                right = self._operand(element, node.right, values)
                if right is _MISSING:
                    continue
                if node.op not in _OPERATORS:
                    raise _StepError(f"unrecognized filter operator {node.op}", out)
                try:
                    passed = _compare(node.op, left, right)
                except _StepError as err:
                    raise _StepError(err.reason, out) from None
                if passed:
                    out.append(element)
        return out

    def _operand(self, element: object, nodes: _Action, values: list[object]) -> object:
        """The single value one side of a comparison yields, or ``_MISSING``."""
        try:
            found = self.walk([element], nodes)
        except _StepError as err:
            raise _StepError(err.reason, values) from None
        if not found:
            return _MISSING
        if len(found) > 1:
            raise _StepError("can only compare one element at a time", values)
        return found[0]

    def identifier(self, values: list[object], name: str) -> list[object]:
        if name == "range":
            self.begin_range += 1
            return values
        if name == "end":
            if not self.in_range:
                raise _StepError("not in range, nothing to end", [])
            self.end_range += 1
            return []
        raise _StepError(f"unrecognized identifier {name}", values)


_MISSING = object()

# --------------------------------------------------------------------------------------------
# Public API


def _to_text(value: object) -> str:
    """One result as ``PrintResults`` writes it: containers as compact JSON, scalars via fmt."""
    if isinstance(value, (dict, list)):
        return gojson.dumps(value)
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return format_g(value)
    return "<no value>"  # Go's invalid reflect.Value


_BAD_UTF8 = re.compile("[\udc80-\udcff]")


def _json_array(values: list[object]) -> str:
    """One action's results as ``json.MarshalIndent(results, "", "    ")`` plus a newline."""
    if any(v is _NO_VALUE for v in values):
        raise _GoPanic("reflect: call of reflect.Value.Interface on zero Value")
    text = gojson.dumps(values, indent="    ")
    return _BAD_UTF8.sub(r"\\ufffd", text) + "\n"


class JSONPathTemplate:
    """A parsed template; immutable, so it can be executed any number of times."""

    def __init__(self, template: str, name: str, items: tuple[_Item, ...]) -> None:
        self.template = template
        self.name = name
        self._items = items

    def __repr__(self) -> str:
        return f"JSONPathTemplate({self.template!r})"

    def _find(self, data: object, allow_missing_keys: bool) -> list[list[object]]:
        run = _Run(self._items, allow_missing_keys)
        try:
            return run.results(0, _NO_VALUE if data is None else data)
        except (_StepError, _GoPanic) as err:
            raise JSONPathError(str(err)) from None

    def find_results(self, data: object, allow_missing_keys: bool = True) -> list[list[object]]:
        """The values each action produced (client-go ``FindResults``).

        Errors carry client-go's bare message. A "no value" result (only possible inside a
        ``{range}`` over ``null``) is returned as ``None``.
        """
        found = self._find(data, allow_missing_keys)
        return [[None if v is _NO_VALUE else v for v in values] for values in found]

    def execute(self, data: object, allow_missing_keys: bool = True) -> str:
        """The text ``kubectl -o jsonpath=TEMPLATE`` prints for ``data``."""
        try:
            found = self._find(data, allow_missing_keys)
        except JSONPathError as err:
            raise self._failure(err.reason, data) from None
        return "".join(" ".join(_to_text(v) for v in values) for values in found)

    def execute_as_json(self, data: object, allow_missing_keys: bool = True) -> str:
        """The text ``kubectl -o jsonpath-as-json=TEMPLATE`` prints: one JSON array per action."""
        try:
            found = self._find(data, allow_missing_keys)
            return "".join(_json_array(values) for values in found)
        except JSONPathError as err:
            raise self._failure(err.reason, data) from None
        except _GoPanic as err:
            raise self._failure(str(err), data) from None

    def _failure(self, reason: str, data: object) -> JSONPathError:
        return JSONPathError(execution_error_message(self.template, reason, data), reason)


def parse(template: str, name: str = "") -> JSONPathTemplate:
    """Parse a kubectl JSONPath template; raises :class:`JSONPathError` as kubectl reports it."""
    try:
        items = _Parser(template).template()
    except _ParseError as err:
        raise JSONPathError(f"error parsing jsonpath {template}, {err}", str(err)) from None
    return JSONPathTemplate(template, name, tuple(items))


def execution_error_message(template: str, reason: str, data: object) -> str:
    """The jsonpath printer's error text for a failed execution (printed after ``error: ``).

    It ends with three newlines, so kubectl adds none; ``data`` is dumped with Go's ``%#v``.
    """
    return (
        f"error executing jsonpath {go_quote(template)}: Error executing template: {reason}. "
        "Printing more information for debugging the template:\n"
        f"\ttemplate was:\n\t\t{template}\n"
        f"\tobject given to jsonpath engine was:\n\t\t{go_sharp_v(data)}\n\n\n"
    )


_RELAXED = re.compile(r"\{\.?([^{}]+)\}|\.?([^{}]+)")


def relaxed(expr: str) -> str:
    """kubectl's ``RelaxedJSONPathExpression`` (custom-columns, ``--sort-by``).

    ``metadata.name``, ``.metadata.name``, ``{metadata.name}`` and ``{.metadata.name}`` all become
    ``{.metadata.name}``; an empty expression stays empty.
    """
    if not expr:
        return expr
    match = _RELAXED.fullmatch(expr)
    if match is None:
        raise JSONPathError(
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
            "'{name1.name2}' or '{.name1.name2}'"
        )
    return "{." + (match.group(1) or match.group(2)) + "}"
