"""Go's formatting of scalar values, as kubectl's printers produce them.

Floats are rendered from their shortest round-tripping decimal digits, as Go's strconv does:
``format_g`` is ``%v``/``strconv.FormatFloat(f, 'g', -1, 64)`` (YAML, jsonpath text, templates) and
``format_json_float`` is encoding/json's form.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal


def shortest_digits(f: float) -> tuple[str, str, int]:
    """(sign, digits, point) of the shortest decimal that round-trips ``f``: value = 0.DIGITS x 10**point."""
    _, digits, exp = Decimal(repr(abs(f))).normalize().as_tuple()
    ds = "".join(map(str, digits))
    assert isinstance(exp, int)
    return ("-" if math.copysign(1.0, f) < 0 else ""), ds, len(ds) + exp


def format_fixed(sign: str, ds: str, point: int) -> str:
    """Go's strconv 'f' format with shortest digits."""
    if ds == "0":
        return sign + "0"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{ds}"
    if point >= len(ds):
        return sign + ds + "0" * (point - len(ds))
    return f"{sign}{ds[:point]}.{ds[point:]}"


def format_exponent(sign: str, ds: str, point: int) -> str:
    """Go's strconv 'e' format with shortest digits (exponent has at least two digits)."""
    x = point - 1
    mantissa = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
    return f"{sign}{mantissa}e{'-' if x < 0 else '+'}{abs(x):02d}"


def format_json_float(f: float) -> str:
    """Go's encoding/json float64 form: 'f' format, 'e' format below 1e-6 or from 1e21."""
    if math.isnan(f) or math.isinf(f):
        raise ValueError(f"json: unsupported value: {f!r}")
    sign, ds, point = shortest_digits(f)
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        return re.sub(r"e-0(\d)$", r"e-\1", format_exponent(sign, ds, point))
    return format_fixed(sign, ds, point)


def format_g(f: float) -> str:
    """Go's %v for a float64: exponent form when the decimal exponent is < -4 or >= 6."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    sign, ds, point = shortest_digits(f)
    x = point - 1
    if ds != "0" and (x < -4 or x >= 6):
        return format_exponent(sign, ds, point)
    return format_fixed(sign, ds, point)


_QUOTE_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def quote(s: str) -> str:
    """Go's %q / strconv.Quote: printable characters as they are, others escaped."""
    out = ['"']
    for ch in s:
        escaped = _QUOTE_ESCAPES.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)
