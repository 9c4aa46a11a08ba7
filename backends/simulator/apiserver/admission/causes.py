"""Field errors and the Status bodies kube-apiserver builds from them.

A :class:`Cause` is apimachinery's ``field.Error`` reduced to what reaches the wire: its
``reason`` (``FieldValueRequired``, ...), its ``field`` path and its ``message`` (``ErrorBody``:
the type's phrase, the Go rendering of the bad value, then the detail). The constructors below
render bad values the way ``ErrorBody`` does: strings with ``%q``, numbers and booleans with
``%v``, everything else as Go's ``json.Marshal`` would.

The Status builders return plain dicts in ``metav1.Status`` field order (kind, apiVersion,
metadata, status, message, reason, details, code), ready to serialize.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from backends.simulator.apiserver.resources import ResourceType

REQUIRED = "FieldValueRequired"
INVALID = "FieldValueInvalid"
NOT_SUPPORTED = "FieldValueNotSupported"
DUPLICATE = "FieldValueDuplicate"
FORBIDDEN = "FieldValueForbidden"
TOO_LONG = "FieldValueTooLong"
TOO_MANY = "FieldValueTooMany"
NOT_FOUND = "FieldValueNotFound"

_PHRASES = {
    REQUIRED: "Required value",
    INVALID: "Invalid value",
    NOT_SUPPORTED: "Unsupported value",
    DUPLICATE: "Duplicate value",
    FORBIDDEN: "Forbidden",
    TOO_LONG: "Too long",
    TOO_MANY: "Too many",
    NOT_FOUND: "Not found",
}

_QUOTE_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


@dataclass(frozen=True)
class Cause:
    """One validation failure: a ``metav1.StatusCause`` (``reason``, ``message``, ``field``)."""

    reason: str
    field: str
    message: str

    def __str__(self) -> str:
        """``field.Error.Error()``: ``<field>: <message>``."""
        return f"{self.field}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        """The wire form of the cause."""
        return {"reason": self.reason, "message": self.message, "field": self.field}


def go_quote(s: str) -> str:
    """``strconv.Quote``: a double-quoted Go literal with non-printable runes escaped."""
    if s.isprintable() and '"' not in s and "\\" not in s:
        return f'"{s}"'
    out = ['"']
    for c in s:
        if c in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[c])
        elif c.isprintable():
            out.append(c)
        elif ord(c) < 0x80:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) < 0x10000:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    out.append('"')
    return "".join(out)


def _go_float(value: float) -> str:
    """Go's ``%v`` of a float64 (shortest form, exponent outside [1e-4, 1e21))."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    if value == 0 or 1e-4 <= abs(value) < 1e21:
        text = repr(value)
        if "e" not in text:
            return text.removesuffix(".0")
    mantissa, _, exponent = f"{value:e}".partition("e")
    digits = repr(float(mantissa)).removesuffix(".0")
    number = int(exponent)
    return f"{digits}e{'-' if number < 0 else '+'}{abs(number):02d}"


def go_json(value: Any) -> str:
    """Go ``json.Marshal`` of a decoded value: compact, HTML-escaped, keys in given order."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_value(value: Any) -> str:
    """How ``ErrorBody`` renders a bad value: ``%q``, ``%v`` or JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    return go_json(value)


def _with_detail(text: str, detail: str) -> str:
    return f"{text}: {detail}" if detail else text


def required(field: str, detail: str = "") -> Cause:
    """``field.Required``."""
    return Cause(REQUIRED, field, _with_detail(_PHRASES[REQUIRED], detail))


def forbidden(field: str, detail: str) -> Cause:
    """``field.Forbidden``."""
    return Cause(FORBIDDEN, field, _with_detail(_PHRASES[FORBIDDEN], detail))


def invalid(field: str, value: Any, detail: str) -> Cause:
    """``field.Invalid``."""
    text = f"{_PHRASES[INVALID]}: {render_value(value)}"
    return Cause(INVALID, field, _with_detail(text, detail))


def duplicate(field: str, value: Any) -> Cause:
    """``field.Duplicate``."""
    return Cause(DUPLICATE, field, f"{_PHRASES[DUPLICATE]}: {render_value(value)}")


def not_found(field: str, value: Any) -> Cause:
    """``field.NotFound``."""
    return Cause(NOT_FOUND, field, f"{_PHRASES[NOT_FOUND]}: {render_value(value)}")


def not_supported(field: str, value: Any, supported: Sequence[str]) -> Cause:
    """``field.NotSupported``: lists the supported values, each ``%q``-quoted."""
    text = f"{_PHRASES[NOT_SUPPORTED]}: {render_value(value)}"
    detail = "supported values: " + ", ".join(go_quote(v) for v in supported) if supported else ""
    return Cause(NOT_SUPPORTED, field, _with_detail(text, detail))


def too_long(field: str, max_length: int) -> Cause:
    """``field.TooLong`` (the value is never shown; the limit is in bytes)."""
    unit = "byte" if max_length == 1 else "bytes"
    return Cause(TOO_LONG, field, f"{_PHRASES[TOO_LONG]}: may not be more than {max_length} {unit}")


def too_many(field: str, actual: int, maximum: int) -> Cause:
    """``field.TooMany``."""
    unit = "item" if maximum == 1 else "items"
    return Cause(
        TOO_MANY, field, f"{_PHRASES[TOO_MANY]}: {actual}: must have at most {maximum} {unit}"
    )


def aggregate(causes: Iterable[Cause]) -> str:
    """``ErrorList.ToAggregate().Error()``: one error alone, several as ``[a, b]``, deduplicated."""
    unique = list(dict.fromkeys(str(c) for c in causes))
    if len(unique) == 1:
        return unique[0]
    return "[" + ", ".join(unique) + "]"


def _status(code: int, reason: str, message: str, details: dict[str, Any] | None) -> dict[str, Any]:
    status: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details is not None:
        status["details"] = details
    status["code"] = code
    return status


def _details(name: str, group: str, kind: str) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    details["kind"] = kind
    return details


def invalid_status(resource: ResourceType, name: str, causes: Sequence[Cause]) -> dict[str, Any]:
    """``errors.NewInvalid``: the 422 Status for a rejected object of ``resource``'s kind.

    The message names ``Kind.group`` and aggregates the causes; the details list every one.
    """
    kind, group = resource.kind, resource.group
    qualified = f"{kind}.{group}" if group else kind
    message = f"{qualified} {go_quote(name)} is invalid"
    if causes:
        message += f": {aggregate(causes)}"
    details = _details(name, group, kind)
    details["causes"] = [c.as_dict() for c in causes]
    return _status(422, "Invalid", message, details)


def forbidden_status(plural: str, group: str, name: str, reason: str) -> dict[str, Any]:
    """``errors.NewForbidden`` for a resource (``pods``) and object name, e.g. from admission."""
    qualified = f"{plural}.{group}" if group else plural
    subject = f"{qualified} {go_quote(name)}" if name else qualified
    return _status(
        403, "Forbidden", f"{subject} is forbidden: {reason}", _details(name, group, plural)
    )


def bad_request_status(message: str) -> dict[str, Any]:
    """``errors.NewBadRequest``: 400 with no details."""
    return _status(400, "BadRequest", message, None)


class AdmissionError(Exception):
    """A request rejected by admission; ``status`` is the Status body to send."""

    def __init__(self, status: dict[str, Any]) -> None:
        super().__init__(status["message"])
        self.status = status

    @property
    def code(self) -> int:
        """The HTTP status code."""
        code: int = self.status["code"]
        return code
