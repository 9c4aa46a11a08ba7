"""Go ``fmt`` renderings of unstructured (JSON-decoded) values.

kubectl sometimes prints decoded objects with ``fmt`` rather than ``encoding/json``: the jsonpath
printer's debug dump uses ``%#v``, custom-columns cells and some error messages use ``%v``
(``fmt.Sprint``). The values handled are what Go's unstructured decoder produces, in Python form:
``dict`` (``map[string]interface {}``), ``list`` (``[]interface {}``), ``str``, ``int`` (int64),
``float`` (float64), ``bool`` and ``None`` (a nil ``interface {}``).

Invariants: map keys are printed in sorted order (``fmt`` sorts map keys); floats use Go's shortest
``%v`` form; strings inside ``%#v`` are quoted exactly like ``strconv.Quote``.
"""

from __future__ import annotations

from backends.objects.gofmt import format_g

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


def go_quote(s: str) -> str:
    """``strconv.Quote(s)``: a double-quoted Go string literal, non-printable runes escaped.

    Lone surrogates U+DC80..U+DCFF (Python's ``surrogateescape`` form of undecodable bytes) are
    written as the ``\\xNN`` escape Go uses for invalid UTF-8 bytes.
    """
    if s.isprintable() and '"' not in s and "\\" not in s:
        return f'"{s}"'
    out = ['"']
    for c in s:
        if c in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[c])
        elif c.isprintable():
            out.append(c)
        else:
            code = ord(c)
            if code < 0x80:
                out.append(f"\\x{code:02x}")
            elif 0xDC80 <= code <= 0xDCFF:
                out.append(f"\\x{code - 0xDC00:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _scalar(value: object) -> str:
    """``%v`` of a non-container value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return format_g(value)
    return str(value)


def go_sprint(value: object) -> str:
    """``fmt.Sprint(value)`` (``%v``): ``map[a:1 b:<nil>]``, ``[1 two <nil>]``, raw strings."""
    if value is None:
        return "<nil>"
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    return _scalar(value)


def go_sharp_v(value: object) -> str:
    """``fmt.Sprintf("%#v", value)`` for an unstructured value held in an ``interface {}``."""
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, dict):
        inner = ", ".join(f"{go_quote(str(k))}:{go_sharp_v(value[k])}" for k in sorted(value))
        return "map[string]interface {}{" + inner + "}"
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(go_sharp_v(v) for v in value) + "}"
    if isinstance(value, str):
        return go_quote(value)
    return _scalar(value)
