"""Kubernetes label and field selectors, as apimachinery and kube-apiserver implement them.

Label selectors (``k8s.io/apimachinery/pkg/labels``): :func:`parse_label_selector` is
``labels.Parse``, :func:`label_selector_from_dict` is ``metav1.LabelSelectorAsSelector``,
:func:`parse_to_label_selector_dict` is ``metav1.ParseToLabelSelector``; ``str()`` of a
selector is Go's ``String()``, and :func:`format_label_selector` / :func:`format_labels` are
the table printers' renderings. Field selectors (``k8s.io/apimachinery/pkg/fields``):
:func:`parse_field_selector`, plus kube-apiserver's per-kind field-label conversion
(:func:`convert_field_selector`) and the per-kind selectable field values
(:func:`selectable_fields`).

Invariants:

* Every :class:`SelectorError` message is byte-for-byte the Go error text, so callers only
  add their own prefix (``error: ``, ``Error from server (BadRequest): ``...).
* Selectors are immutable. A label selector's requirements are sorted by key (stably; Go's
  sort is only stable up to 12 requirements) and ``str()`` sorts set values; a field
  selector keeps its terms in the order of the sorted raw terms, as Go does.
* Nothing here does I/O; matching costs a few dict lookups per requirement.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from backends.objects.gofmt import quote
from backends.objects.gojson import dumps


class SelectorError(ValueError):
    """A selector Kubernetes would reject; ``str()`` is the Go error text."""


class Operator(str, enum.Enum):
    """A requirement operator; the values are Go's ``selection.Operator`` strings."""

    DOES_NOT_EXIST = "!"
    EQUALS = "="
    DOUBLE_EQUALS = "=="
    IN = "in"
    NOT_EQUALS = "!="
    NOT_IN = "notin"
    EXISTS = "exists"
    GREATER_THAN = "gt"
    LESS_THAN = "lt"


# ---------------------------------------------------------------- Go error texts


def _invalid(path: str, bad_value: str | Sequence[str] | None, detail: str) -> str:
    """The text of a ``field.Invalid`` error (a list shows as JSON, None as a nil slice)."""
    if isinstance(bad_value, str):
        shown = quote(bad_value)
    else:
        shown = dumps(None if bad_value is None else list(bad_value))
    return f"{path}: Invalid value: {shown}: {detail}"


def _aggregate(messages: Sequence[str]) -> str:
    """The text of ``field.ErrorList.ToAggregate()`` (duplicates dropped)."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def _parse_go_int64(text: str) -> int | None:
    """``strconv.ParseInt(text, 10, 64)``, or None where Go fails."""
    if not _GO_INT.fullmatch(text):
        return None
    number = int(text)
    return number if -(1 << 63) <= number < (1 << 63) else None


_GO_INT: Final = re.compile(r"[+-]?[0-9]+")

# ---------------------------------------------------------------- label key/value validation

_LABEL_KEY_FMT: Final = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE_FMT: Final = f"({_LABEL_KEY_FMT})?"
_DNS1123_LABEL_FMT: Final = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT: Final = rf"{_DNS1123_LABEL_FMT}(\.{_DNS1123_LABEL_FMT})*"
_LABEL_KEY_RE: Final = re.compile(_LABEL_KEY_FMT)
_LABEL_VALUE_RE: Final = re.compile(_LABEL_VALUE_FMT)
_DNS1123_SUBDOMAIN_RE: Final = re.compile(_DNS1123_SUBDOMAIN_FMT)
_LABEL_KEY_MSG: Final = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_VALUE_MSG: Final = (
    "a valid label must be an empty string or consist of alphanumeric characters, "
    "'-', '_' or '.', and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_MSG: Final = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)


def _regex_error(message: str, regex: str, *examples: str) -> str:
    """apimachinery's ``RegexError`` (its double spaces included)."""
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{regex}')"


def _max_len_error(limit: int) -> str:
    return f"must be no more than {limit} bytes"


def _dns1123_subdomain_errors(value: str) -> list[str]:
    errors = []
    if len(value.encode()) > 253:
        errors.append(_max_len_error(253))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errors.append(_regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def label_key_errors(key: str) -> list[str]:
    """Why ``key`` is not a valid label key (``[prefix/]name``); empty when it is valid."""
    parts = key.split("/")
    if len(parts) > 2:
        return [
            "a valid label key "
            + _regex_error(_LABEL_KEY_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    errors = []
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors.extend("prefix part " + error for error in _dns1123_subdomain_errors(prefix))
    name = parts[-1]
    if not name:
        errors.append("name part must be non-empty")
    elif len(name.encode()) > 63:
        errors.append("name part " + _max_len_error(63))
    if not _LABEL_KEY_RE.fullmatch(name):
        errors.append(
            "name part "
            + _regex_error(_LABEL_KEY_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
        )
    return errors


def label_value_errors(value: str) -> list[str]:
    """Why ``value`` is not a valid label value; empty when it is valid."""
    errors = []
    if len(value.encode()) > 63:
        errors.append(_max_len_error(63))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errors.append(
            _regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345")
        )
    return errors


# ---------------------------------------------------------------- label requirements


@dataclass(frozen=True, slots=True)
class Requirement:
    """One ``key op values`` term of a label selector (not validated; see the parsers)."""

    key: str
    operator: Operator
    values: tuple[str, ...] = ()
    _value_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_value_set", frozenset(self.values))

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfies this requirement (Go's ``Requirement.Matches``)."""
        operator = self.operator
        if operator is Operator.EXISTS:
            return self.key in labels
        if operator is Operator.DOES_NOT_EXIST:
            return self.key not in labels
        value = labels.get(self.key)
        if operator in (Operator.IN, Operator.EQUALS, Operator.DOUBLE_EQUALS):
            return value is not None and value in self._value_set
        if operator in (Operator.NOT_IN, Operator.NOT_EQUALS):
            return value is None or value not in self._value_set
        if value is None or len(self.values) != 1:
            return False
        actual, bound = _parse_go_int64(value), _parse_go_int64(self.values[0])
        if actual is None or bound is None:
            return False
        return actual > bound if operator is Operator.GREATER_THAN else actual < bound

    def __str__(self) -> str:
        operator = self.operator
        if operator is Operator.EXISTS:
            return self.key
        if operator is Operator.DOES_NOT_EXIST:
            return "!" + self.key
        values = self.values[0] if len(self.values) == 1 else ",".join(sorted(self.values))
        if operator in (Operator.IN, Operator.NOT_IN):
            return f"{self.key} {operator.value} ({values})"
        symbol = {Operator.GREATER_THAN: ">", Operator.LESS_THAN: "<"}.get(operator, operator.value)
        return f"{self.key}{symbol}{values}"


def _new_requirement(
    key: str, operator: Operator, values: Sequence[str], *, nil_if_empty: bool
) -> Requirement:
    """Go's ``labels.NewRequirement``: validate, then build; raises the aggregated errors.

    ``nil_if_empty`` renders missing values as Go's nil slice (``null``) rather than ``[]``.
    """
    errors = []
    if problems := label_key_errors(key):
        errors.append(_invalid("key", key, "; ".join(problems)))
    shown = None if nil_if_empty and not values else values
    if operator in (Operator.IN, Operator.NOT_IN):
        if not values:
            errors.append(
                _invalid("values", shown, "for 'in', 'notin' operators, values set can't be empty")
            )
    elif operator in (Operator.EQUALS, Operator.DOUBLE_EQUALS, Operator.NOT_EQUALS):
        if len(values) != 1:
            errors.append(
                _invalid("values", shown, "exact-match compatibility requires one single value")
            )
    elif operator in (Operator.EXISTS, Operator.DOES_NOT_EXIST):
        if values:
            errors.append(
                _invalid("values", shown, "values set must be empty for exists and does not exist")
            )
    else:
        if len(values) != 1:
            errors.append(
                _invalid("values", shown, "for 'Gt', 'Lt' operators, exactly one value is required")
            )
        errors.extend(
            _invalid(
                f"values[{index}]", value, "for 'Gt', 'Lt' operators, the value must be an integer"
            )
            for index, value in enumerate(values)
            if _parse_go_int64(value) is None
        )
    for index, value in enumerate(values):
        if problems := label_value_errors(value):
            errors.append(_invalid(f"values[{index}][{key}]", value, "; ".join(problems)))
    if errors:
        raise SelectorError(_aggregate(errors))
    return Requirement(key, operator, tuple(values))


# ---------------------------------------------------------------- label selectors


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """An AND of requirements, kept sorted by key; ``matches_nothing`` is Go's ``Nothing()``."""

    requirements: tuple[Requirement, ...] = ()
    matches_nothing: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "requirements", tuple(sorted(self.requirements, key=_by_key)))

    @classmethod
    def everything(cls) -> LabelSelector:
        """The selector that matches every object."""
        return cls()

    @classmethod
    def nothing(cls) -> LabelSelector:
        """The selector that matches no object (a nil ``metav1.LabelSelector``)."""
        return cls(matches_nothing=True)

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether an object with these labels is selected."""
        if self.matches_nothing:
            return False
        present = labels or {}
        return all(requirement.matches(present) for requirement in self.requirements)

    def empty(self) -> bool:
        """Whether the selector does not restrict anything (Go's ``Empty()``)."""
        return not self.requirements and not self.matches_nothing

    def add(self, *requirements: Requirement) -> LabelSelector:
        """A copy with more requirements."""
        return LabelSelector((*self.requirements, *requirements), self.matches_nothing)

    def requires_exact_match(self, key: str) -> str | None:
        """The single value the first requirement on ``key`` demands, if it demands one."""
        for requirement in self.requirements:
            if requirement.key == key:
                exact = requirement.operator in (
                    Operator.EQUALS,
                    Operator.DOUBLE_EQUALS,
                    Operator.IN,
                )
                return requirement.values[0] if exact and len(requirement.values) == 1 else None
        return None

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)


def _by_key(requirement: Requirement) -> str:
    return requirement.key


def selector_from_set(labels: Mapping[str, str] | None) -> LabelSelector:
    """``key=value`` for every entry, unvalidated (Go's ``SelectorFromSet``; empty selects all)."""
    return LabelSelector(
        tuple(Requirement(key, Operator.EQUALS, (value,)) for key, value in (labels or {}).items())
    )


_LABEL_SELECTOR_OPERATORS: Final = {
    "In": Operator.IN,
    "NotIn": Operator.NOT_IN,
    "Exists": Operator.EXISTS,
    "DoesNotExist": Operator.DOES_NOT_EXIST,
}


def label_selector_from_dict(selector: Mapping[str, Any] | None) -> LabelSelector:
    """A ``metav1.LabelSelector`` object as a selector (Go's ``LabelSelectorAsSelector``).

    None selects nothing, an empty selector everything. ``matchLabels`` are checked in key
    order (Go's map order is random, so its first error may differ when several are bad).
    """
    if selector is None:
        return LabelSelector.nothing()
    match_labels: Mapping[str, Any] = selector.get("matchLabels") or {}
    expressions: Sequence[Mapping[str, Any]] = selector.get("matchExpressions") or []
    requirements = [
        _new_requirement(key, Operator.EQUALS, [str(match_labels[key])], nil_if_empty=True)
        for key in sorted(match_labels)
    ]
    for expression in expressions:
        name = str(expression.get("operator") or "")
        operator = _LABEL_SELECTOR_OPERATORS.get(name)
        if operator is None:
            raise SelectorError(f"{quote(name)} is not a valid label selector operator")
        values = [str(value) for value in expression.get("values") or []]
        requirements.append(
            _new_requirement(str(expression.get("key") or ""), operator, values, nil_if_empty=True)
        )
    return LabelSelector(tuple(requirements))


def format_label_selector(selector: Mapping[str, Any] | None) -> str:
    """``metav1.FormatLabelSelector``: the selector string, ``<none>`` or ``<error>``."""
    try:
        text = str(label_selector_from_dict(selector))
    except SelectorError:
        return "<error>"
    return text or "<none>"


def format_labels(labels: Mapping[str, str] | None) -> str:
    """``labels.FormatLabels``: sorted ``k=v`` pairs joined by ``,``, or ``<none>``."""
    return ",".join(sorted(f"{key}={value}" for key, value in (labels or {}).items())) or "<none>"


# ---------------------------------------------------------------- the label selector parser


class _Token(enum.Enum):
    END = enum.auto()
    CLOSE = enum.auto()
    COMMA = enum.auto()
    NOT = enum.auto()
    DOUBLE_EQUALS = enum.auto()
    EQUALS = enum.auto()
    GREATER = enum.auto()
    IDENTIFIER = enum.auto()
    IN = enum.auto()
    LESS = enum.auto()
    NOT_EQUALS = enum.auto()
    NOT_IN = enum.auto()
    OPEN = enum.auto()


_SYMBOLS: Final = {
    ")": _Token.CLOSE,
    ",": _Token.COMMA,
    "!": _Token.NOT,
    "==": _Token.DOUBLE_EQUALS,
    "=": _Token.EQUALS,
    ">": _Token.GREATER,
    "<": _Token.LESS,
    "!=": _Token.NOT_EQUALS,
    "(": _Token.OPEN,
}
_KEYWORDS: Final = {"in": _Token.IN, "notin": _Token.NOT_IN}
_SPECIAL: Final = frozenset("=!(),><")
_BLANK: Final = frozenset(" \t\r\n")
_BINARY_OPERATORS: Final = {
    _Token.IN: Operator.IN,
    _Token.EQUALS: Operator.EQUALS,
    _Token.DOUBLE_EQUALS: Operator.DOUBLE_EQUALS,
    _Token.GREATER: Operator.GREATER_THAN,
    _Token.LESS: Operator.LESS_THAN,
    _Token.NOT_IN: Operator.NOT_IN,
    _Token.NOT_EQUALS: Operator.NOT_EQUALS,
}
_EXPECTED_OPERATOR: Final = "in, notin, =, ==, !=, gt, lt"


def _tokenize(text: str) -> list[tuple[_Token, str]]:
    """Go's label selector lexer; like Go, a NUL character reads as the end of input."""
    tokens: list[tuple[_Token, str]] = []
    position, size = 0, len(text)

    def read() -> str:
        nonlocal position
        char = text[position] if position < size else "\0"
        position += 1
        return char

    while True:
        char = read()
        while char in _BLANK:
            char = read()
        if char == "\0":
            tokens.append((_Token.END, ""))
            return tokens
        if char in _SPECIAL:
            symbol = char  # the longest run of special characters that is still a symbol
            while (char := read()) != "\0":
                if symbol + char not in _SYMBOLS:
                    position -= 1
                    break
                symbol += char
            tokens.append((_SYMBOLS[symbol], symbol))
            continue
        word = []
        while char != "\0" and char not in _SPECIAL and char not in _BLANK:
            word.append(char)
            char = read()
        if char != "\0":
            position -= 1
        literal = "".join(word)
        tokens.append((_KEYWORDS.get(literal, _Token.IDENTIFIER), literal))


class _Parser:
    """Go's recursive-descent label selector parser, over the token list."""

    def __init__(self, text: str) -> None:
        self._tokens = _tokenize(text)
        self._position = 0

    def _peek(self, as_values: bool = True) -> tuple[_Token, str]:
        token, literal = self._tokens[self._position]
        if as_values and token in (_Token.IN, _Token.NOT_IN):
            token = _Token.IDENTIFIER  # "in" and "notin" are plain words where values go
        return token, literal

    def _next(self, as_values: bool = True) -> tuple[_Token, str]:
        item = self._peek(as_values)
        self._position += 1
        return item

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            token, literal = self._peek()
            if token is _Token.END:
                return requirements
            if token not in (_Token.IDENTIFIER, _Token.NOT):
                raise SelectorError(
                    f"found '{literal}', expected: !, identifier, or 'end of string'"
                )
            try:
                requirements.append(self._requirement())
            except SelectorError as error:
                raise SelectorError(f"unable to parse requirement: {error}") from None
            token, literal = self._next()
            if token is _Token.END:
                return requirements
            if token is not _Token.COMMA:
                raise SelectorError(f"found '{literal}', expected: ',' or 'end of string'")
            token, literal = self._peek()
            if token not in (_Token.IDENTIFIER, _Token.NOT):
                raise SelectorError(f"found '{literal}', expected: identifier after ','")

    def _requirement(self) -> Requirement:
        negated = False
        token, key = self._next()
        if token is _Token.NOT:
            negated = True
            token, key = self._next()
        if token is not _Token.IDENTIFIER:
            raise SelectorError(f"found '{key}', expected: identifier")
        if problems := label_key_errors(key):
            raise SelectorError(_invalid("<nil>", key, "; ".join(problems)))
        if negated or self._peek()[0] in (_Token.END, _Token.COMMA):
            operator = Operator.DOES_NOT_EXIST if negated else Operator.EXISTS
            return _new_requirement(key, operator, [], nil_if_empty=False)
        token, literal = self._next(as_values=False)
        binary = _BINARY_OPERATORS.get(token)
        if binary is None:
            raise SelectorError(f"found '{literal}', expected: {_EXPECTED_OPERATOR}")
        if binary in (Operator.IN, Operator.NOT_IN):
            values = self._value_set()
        else:
            values = {self._exact_value()}
        return _new_requirement(key, binary, sorted(values), nil_if_empty=False)

    def _value_set(self) -> set[str]:
        token, literal = self._next()
        if token is not _Token.OPEN:
            raise SelectorError(f"found '{literal}' expected: '('")
        token, literal = self._peek()
        if token is _Token.CLOSE:
            self._position += 1
            return {""}
        if token not in (_Token.IDENTIFIER, _Token.COMMA):
            raise SelectorError(f"found '{literal}', expected: ',', ')' or identifier")
        values: set[str] = set()
        while True:
            token, literal = self._next()
            if token is _Token.IDENTIFIER:
                values.add(literal)
                following, following_literal = self._peek()
                if following is _Token.CLOSE:
                    self._position += 1
                    return values
                if following is not _Token.COMMA:
                    raise SelectorError(f"found '{following_literal}', expected: ',' or ')'")
            elif token is _Token.COMMA:
                # An empty value before or after a comma: "(,a)", "(a,,b)", "(a,)".
                following = self._peek()[0]
                if not values or following in (_Token.CLOSE, _Token.COMMA):
                    values.add("")
                if following is _Token.CLOSE:
                    self._position += 1
                    return values
            else:
                raise SelectorError(f"found '{literal}', expected: ',', or identifier")

    def _exact_value(self) -> str:
        if self._peek()[0] in (_Token.END, _Token.COMMA):
            return ""
        token, literal = self._next()
        if token is not _Token.IDENTIFIER:
            raise SelectorError(f"found '{literal}', expected: identifier")
        return literal


def parse_label_selector(text: str) -> LabelSelector:
    """Parse a label selector string (Go's ``labels.Parse``); ``""`` selects everything."""
    return LabelSelector(tuple(_Parser(text).parse()))


_DICT_OPERATORS: Final = {
    Operator.IN: "In",
    Operator.NOT_IN: "NotIn",
    Operator.EXISTS: "Exists",
    Operator.DOES_NOT_EXIST: "DoesNotExist",
}


def parse_to_label_selector_dict(text: str) -> dict[str, Any]:
    """A selector string as a ``metav1.LabelSelector`` object (Go's ``ParseToLabelSelector``).

    Empty members are omitted, as Go's JSON encoding omits them.
    """
    try:
        requirements = _Parser(text).parse()
    except SelectorError as error:
        raise SelectorError(f'couldn\'t parse the selector string "{text}": {error}') from None
    match_labels: dict[str, str] = {}
    expressions: list[dict[str, Any]] = []
    for requirement in sorted(requirements, key=_by_key):
        operator = requirement.operator
        if operator in (Operator.EQUALS, Operator.DOUBLE_EQUALS):
            match_labels[requirement.key] = requirement.values[0]
        elif operator in (Operator.GREATER_THAN, Operator.LESS_THAN):
            raise SelectorError(f"{quote(operator.value)} isn't supported in label selectors")
        elif operator is Operator.NOT_EQUALS:
            raise SelectorError(f"{quote(operator.value)} is not a valid label selector operator")
        else:
            expression: dict[str, Any] = {
                "key": requirement.key,
                "operator": _DICT_OPERATORS[operator],
            }
            if requirement.values:
                expression["values"] = sorted(set(requirement.values))
            expressions.append(expression)
    result: dict[str, Any] = {}
    if match_labels:
        result["matchLabels"] = dict(sorted(match_labels.items()))
    if expressions:
        result["matchExpressions"] = expressions
    return result


# ---------------------------------------------------------------- field selectors


@dataclass(frozen=True, slots=True)
class FieldRequirement:
    """``field=value`` (``Operator.EQUALS``) or ``field!=value`` (``Operator.NOT_EQUALS``)."""

    field: str
    operator: Operator
    value: str

    def __str__(self) -> str:
        symbol = "!=" if self.operator is Operator.NOT_EQUALS else "="
        return f"{self.field}{symbol}{escape_field_value(self.value)}"


FieldGetter = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class FieldSelector:
    """An AND of field requirements; an absent field reads as ``""`` (Go's ``fields.Set``)."""

    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, fields: Mapping[str, str] | FieldGetter) -> bool:
        """Whether an object with these field values is selected."""
        get: FieldGetter = fields if callable(fields) else (lambda name: fields.get(name, ""))
        for requirement in self.requirements:
            equal = get(requirement.field) == requirement.value
            if equal == (requirement.operator is Operator.NOT_EQUALS):
                return False
        return True

    def empty(self) -> bool:
        """Whether the selector does not restrict anything."""
        return not self.requirements

    def requires_exact_match(self, field_name: str) -> str | None:
        """The value an ``=`` requirement on ``field_name`` demands, if any."""
        for requirement in self.requirements:
            if requirement.field == field_name and requirement.operator is Operator.EQUALS:
                return requirement.value
        return None

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)


def escape_field_value(value: str) -> str:
    """Escape ``\\``, ``,`` and ``=`` in a field selector value (Go's ``EscapeValue``)."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def _unescape_field_value(value: str) -> str:
    if not any(char in value for char in "\\,="):
        return value
    out: list[str] = []
    escaping = False
    for char in value:
        if escaping:
            if char not in "\\,=":
                raise SelectorError(f"invalid field selector: invalid escape sequence: \\{char}")
            out.append(char)
            escaping = False
        elif char == "\\":
            escaping = True
        elif char in ",=":
            raise SelectorError(
                f"invalid field selector: unescaped character in value: {ord(char)}"
            )
        else:
            out.append(char)
    if escaping:
        raise SelectorError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _split_field_terms(text: str) -> list[str]:
    """Split on commas that are not escaped by a backslash."""
    terms: list[str] = []
    start, escaping = 0, False
    for index, char in enumerate(text):
        if escaping:
            escaping = False
        elif char == "\\":
            escaping = True
        elif char == ",":
            terms.append(text[start:index])
            start = index + 1
    terms.append(text[start:])
    return terms


def parse_field_selector(text: str) -> FieldSelector:
    """Parse a field selector (Go's ``fields.ParseSelector``); ``""`` selects everything."""
    requirements = []
    for term in sorted(_split_field_terms(text)) if text else []:
        if not term:
            continue
        split = _split_field_term(term)
        if split is None:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{term}'")
        name, operator, escaped = split
        value = _unescape_field_value(escaped)
        if name or value:  # "=" alone selects everything
            kind = Operator.NOT_EQUALS if operator == "!=" else Operator.EQUALS
            requirements.append(FieldRequirement(name, kind, value))
    return FieldSelector(tuple(requirements))


def _split_field_term(term: str) -> tuple[str, str, str] | None:
    """(field, operator, raw value) at the first ``!=``, ``==`` or ``=``."""
    for index in range(len(term)):
        for operator in ("!=", "==", "="):
            if term.startswith(operator, index):
                return term[:index], operator, term[index + len(operator) :]
    return None


# ---------------------------------------------------------------- kube-apiserver field labels


@dataclass(frozen=True, slots=True)
class _FieldLabels:
    """A kind's field-label conversion: accepted label -> the label it is matched as."""

    accepted: Mapping[str, str]
    reject: Callable[[str, str], str]  # (label, "group/version") -> error text


def _labels(*names: str, **aliases: str) -> dict[str, str]:
    return {**{name: name for name in names}, **aliases}


def _not_supported(label: str, _: str) -> str:
    return f"field label not supported: {label}"


_METADATA = ("metadata.name", "metadata.namespace")
_POD_LABELS = (
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.podIPs",
    "status.nominatedNodeName",
)
_EVENT_LABELS = (
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
)
# (group, kind) -> conversion, from the AddFieldLabelConversionFunc registrations in
# kubernetes pkg/apis/*/*/conversion.go. Kinds not listed accept only metadata.name and
# metadata.namespace (runtime.DefaultMetaV1FieldSelectorConversion) -- apps/v1 included.
_FIELD_LABELS: Final[Mapping[tuple[str, str], _FieldLabels]] = {
    ("", "Pod"): _FieldLabels(
        _labels(*_METADATA, *_POD_LABELS, **{"spec.host": "spec.nodeName"}), _not_supported
    ),
    ("", "Node"): _FieldLabels(_labels("metadata.name", "spec.unschedulable"), _not_supported),
    ("", "ReplicationController"): _FieldLabels(
        _labels(*_METADATA, "status.replicas"), _not_supported
    ),
    ("", "Event"): _FieldLabels(_labels(*_METADATA, *_EVENT_LABELS), _not_supported),
    ("", "Namespace"): _FieldLabels(_labels("metadata.name", "status.phase"), _not_supported),
    ("", "Secret"): _FieldLabels(_labels(*_METADATA, "type"), _not_supported),
    ("", "Service"): _FieldLabels(
        _labels(*_METADATA, "spec.clusterIP", "spec.type"), _not_supported
    ),
    ("batch", "Job"): _FieldLabels(
        _labels(*_METADATA, "status.successful"),
        lambda label, _: f"field label {quote(label)} not supported for Job",
    ),
    ("events.k8s.io", "Event"): _FieldLabels(
        _labels(
            *_METADATA,
            "reason",
            "source",
            "type",
            **{
                "regarding." + name.split(".", 1)[1]: name
                for name in _EVENT_LABELS
                if name.startswith("involvedObject.")
            },
            reportingController="reportingComponent",
        ),
        _not_supported,
    ),
    ("certificates.k8s.io", "CertificateSigningRequest"): _FieldLabels(
        _labels("metadata.name", "spec.signerName"), _not_supported
    ),
    ("certificates.k8s.io", "ClusterTrustBundle"): _FieldLabels(
        _labels("metadata.name", "spec.signerName"), _not_supported
    ),
    ("certificates.k8s.io", "PodCertificateRequest"): _FieldLabels(
        _labels("metadata.name", "spec.signerName", "spec.podName", "spec.nodeName"), _not_supported
    ),
    ("resource.k8s.io", "ResourceSlice"): _FieldLabels(
        _labels("metadata.name", "spec.nodeName", "spec.driver"),
        lambda label, group_version: (
            f"field label not supported for {group_version}, Kind=ResourceSlice: {label}"
        ),
    ),
}
_DEFAULT_FIELD_LABELS: Final = _FieldLabels(
    _labels(*_METADATA),
    lambda label, _: (
        f'{quote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"'
    ),
)


def supported_field_labels(group: str, kind: str) -> list[str]:
    """The field labels kube-apiserver accepts in a ``fieldSelector`` for a built-in kind."""
    return list(_FIELD_LABELS.get((group, kind), _DEFAULT_FIELD_LABELS).accepted)


def _converted(selector: FieldSelector, convert: Callable[[str], str]) -> FieldSelector:
    return FieldSelector(
        tuple(
            FieldRequirement(convert(requirement.field), requirement.operator, requirement.value)
            for requirement in selector.requirements
        )
    )


def convert_field_selector(
    selector: FieldSelector, group: str, version: str, kind: str
) -> FieldSelector:
    """Check and rename a built-in kind's field labels as kube-apiserver does before a list.

    Raises the server's error (sent as a 400 BadRequest) for the first unsupported label;
    legacy spellings become the labels :func:`selectable_fields` provides (``spec.host``
    becomes ``spec.nodeName``, ``regarding.name`` ``involvedObject.name``...).
    """
    labels = _FIELD_LABELS.get((group, kind), _DEFAULT_FIELD_LABELS)
    group_version = f"{group}/{version}"

    def convert(label: str) -> str:
        if label not in labels.accepted:
            raise SelectorError(labels.reject(label, group_version))
        return labels.accepted[label]

    return _converted(selector, convert)


def convert_custom_resource_field_selector(
    selector: FieldSelector, *, namespaced: bool, selectable: Iterable[str] = ()
) -> FieldSelector:
    """The same check for a custom resource, given its CRD's ``selectableFields`` labels."""
    accepted = {"metadata.name", *selectable, *(["metadata.namespace"] if namespaced else [])}

    def convert(label: str) -> str:
        if label not in accepted:
            raise SelectorError(f"field label not supported: {label}")
        return label

    return _converted(selector, convert)


def _at(obj: Mapping[str, Any], path: Sequence[str]) -> Any:
    """The JSON value at ``path``, or None (objects are decoded JSON, hence plain dicts)."""
    value: Any = obj
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value


def _text(obj: Mapping[str, Any], *path: str) -> str:
    """The string at ``path``, or ``""`` when absent or not a string."""
    value = _at(obj, path)
    return value if isinstance(value, str) else ""


def _go_int(obj: Mapping[str, Any], *path: str) -> str:
    """strconv.Itoa of the integer at ``path`` (Go's zero value when absent)."""
    value = _at(obj, path)
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "0"


def _go_bool(obj: Mapping[str, Any], *path: str) -> str:
    """strconv.FormatBool of the boolean at ``path`` (Go's zero value when absent)."""
    return "true" if _at(obj, path) is True else "false"


def _pod_fields(pod: Mapping[str, Any]) -> dict[str, str]:
    pod_ips = _at(pod, ("status", "podIPs"))
    first_ip = _text(pod_ips[0], "ip") if isinstance(pod_ips, list) and pod_ips else ""
    return {
        "spec.nodeName": _text(pod, "spec", "nodeName"),
        "spec.restartPolicy": _text(pod, "spec", "restartPolicy"),
        "spec.schedulerName": _text(pod, "spec", "schedulerName"),
        "spec.serviceAccountName": _text(pod, "spec", "serviceAccountName")
        or _text(pod, "spec", "serviceAccount"),
        "spec.hostNetwork": _go_bool(pod, "spec", "hostNetwork"),
        "status.phase": _text(pod, "status", "phase"),
        # v1 -> internal conversion: a set status.podIP wins over status.podIPs[0].
        "status.podIP": _text(pod, "status", "podIP") or first_ip,
        "status.nominatedNodeName": _text(pod, "status", "nominatedNodeName"),
    }


def _event_fields(
    event: Mapping[str, Any], reference: str, reporter: str, source: str
) -> dict[str, str]:
    fields = {
        name: _text(event, reference, name.split(".", 1)[1])
        for name in _EVENT_LABELS
        if name.startswith("involvedObject.")
    }
    reporting = _text(event, reporter)
    fields.update(
        reason=_text(event, "reason"),
        reportingComponent=reporting,
        source=_text(event, source, "component") or reporting,
        type=_text(event, "type"),
    )
    return fields


_SELECTABLE: Final[Mapping[tuple[str, str], Callable[[Mapping[str, Any]], dict[str, str]]]] = {
    ("", "Pod"): _pod_fields,
    ("", "Node"): lambda o: {"spec.unschedulable": _go_bool(o, "spec", "unschedulable")},
    ("", "ReplicationController"): lambda o: {"status.replicas": _go_int(o, "status", "replicas")},
    ("", "Event"): lambda o: _event_fields(o, "involvedObject", "reportingComponent", "source"),
    ("events.k8s.io", "Event"): lambda o: _event_fields(
        o, "regarding", "reportingController", "deprecatedSource"
    ),
    ("", "Namespace"): lambda o: {"status.phase": _text(o, "status", "phase")},
    ("", "Secret"): lambda o: {"type": _text(o, "type")},
    ("", "Service"): lambda o: {
        "spec.clusterIP": _text(o, "spec", "clusterIP"),
        "spec.type": _text(o, "spec", "type"),
    },
    ("batch", "Job"): lambda o: {"status.successful": _go_int(o, "status", "succeeded")},
    ("certificates.k8s.io", "CertificateSigningRequest"): lambda o: {
        "spec.signerName": _text(o, "spec", "signerName")
    },
    ("certificates.k8s.io", "ClusterTrustBundle"): lambda o: {
        "spec.signerName": _text(o, "spec", "signerName")
    },
    ("certificates.k8s.io", "PodCertificateRequest"): lambda o: {
        name: _text(o, "spec", name.split(".", 1)[1])
        for name in ("spec.signerName", "spec.podName", "spec.nodeName")
    },
    ("resource.k8s.io", "ResourceSlice"): lambda o: {
        "spec.nodeName": _text(o, "spec", "nodeName"),
        "spec.driver": _text(o, "spec", "driver"),
    },
}


def selectable_fields(group: str, kind: str, obj: Mapping[str, Any]) -> dict[str, str]:
    """The field values a converted selector is matched against (the registries'
    ``ToSelectableFields``): metadata.name/namespace plus the kind's own fields.

    Labels a kind accepts but never fills (a pod's ``status.podIPs``) read as ``""``.
    """
    fields = {
        "metadata.name": _text(obj, "metadata", "name"),
        "metadata.namespace": _text(obj, "metadata", "namespace"),
    }
    extract = _SELECTABLE.get((group, kind))
    if extract is not None:
        fields.update(extract(obj))
    return fields


def custom_resource_fields(obj: Mapping[str, Any], selectable: Iterable[str]) -> dict[str, str]:
    """A custom resource's field values for its CRD's ``selectableFields`` labels
    (``spec.color`` for ``jsonPath: .spec.color``); strings, integers and booleans only."""
    fields = {
        "metadata.name": _text(obj, "metadata", "name"),
        "metadata.namespace": _text(obj, "metadata", "namespace"),
    }
    for label in selectable:
        value = _at(obj, label.split("."))
        if isinstance(value, bool):
            fields[label] = "true" if value else "false"
        elif isinstance(value, str | int):
            fields[label] = str(value)
    return fields
