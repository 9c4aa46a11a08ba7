"""Go's ``strconv`` as text/template and ``fmt`` use it: quoting, unquoting, numbers, float text.

Strings are Go strings held in Python text (see :mod:`.values`): a ``surrogateescape`` code point
U+DC80..U+DCFF stands for one byte of invalid UTF-8, which Go quotes as ``\\xNN``. Parsing follows
Go's literal syntax (base prefixes ``0x``/``0o``/``0b``, a leading ``0`` meaning octal, ``_``
between digits, hexadecimal floats with a ``p`` exponent); a value out of range is a failure, as
strconv's ``ErrRange`` is. Float text is strconv's ``FormatFloat`` for the formats ``b e E f g G x
X``, shortest digits when the precision is negative.
"""

from __future__ import annotations

import math
import re
import struct

from backends.objects.gofmt import format_exponent, format_fixed, format_g, shortest_digits
from pykctl.printers.gotemplate.values import from_utf8, utf8

MAX_RUNE = 0x10FFFF
RUNE_ERROR = 0xFFFD
_MASK64 = (1 << 64) - 1

_NAMED_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


class GoSyntaxError(ValueError):
    """strconv.ErrSyntax."""

    def __init__(self) -> None:
        super().__init__("invalid syntax")


def invalid_byte(c: str) -> int | None:
    """The byte a ``surrogateescape`` code point stands for, or None for a real character."""
    code = ord(c)
    return code - 0xDC00 if 0xDC80 <= code <= 0xDCFF else None


def is_print(c: str) -> bool:
    """``strconv.IsPrint``: letters, marks, numbers, punctuation, symbols and the ASCII space."""
    return c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF


def valid_rune(r: int) -> bool:
    """``utf8.ValidRune``."""
    return 0 <= r <= MAX_RUNE and not 0xD800 <= r <= 0xDFFF


def rune_text(r: int) -> str:
    """The text of a rune; an invalid one becomes U+FFFD, as ``utf8.AppendRune`` makes it."""
    return chr(r if valid_rune(r) else RUNE_ERROR)


def _escape(c: str, quote: str, ascii_only: bool) -> str:
    if c == quote or c == "\\":
        return "\\" + c
    if (c < "\x80" or not ascii_only) and is_print(c):
        return c
    if c in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[c]
    code = ord(c)
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if 0xD800 <= code <= 0xDFFF:
        code = RUNE_ERROR
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def quote(s: str, ascii_only: bool = False) -> str:
    """``strconv.Quote`` (or ``QuoteToASCII``): a double-quoted Go string literal."""
    parts = ['"']
    for c in s:
        byte = invalid_byte(c)
        parts.append(f"\\x{byte:02x}" if byte is not None else _escape(c, '"', ascii_only))
    parts.append('"')
    return "".join(parts)


def quote_rune(r: int, ascii_only: bool = False) -> str:
    """``strconv.QuoteRune`` (or ``QuoteRuneToASCII``): a single-quoted Go character literal."""
    return "'" + _escape(rune_text(r), "'", ascii_only) + "'"


def can_backquote(s: str) -> bool:
    """``strconv.CanBackquote``: printable as a raw string literal without change."""
    for c in s:
        if invalid_byte(c) is not None or c == "\ufeff":
            return False
        if (c < " " and c != "\t") or c in "`\x7f":
            return False
    return True


_SIMPLE_ESCAPES = {
    ord("a"): 7,
    ord("b"): 8,
    ord("f"): 12,
    ord("n"): 10,
    ord("r"): 13,
    ord("t"): 9,
    ord("v"): 11,
    ord("\\"): ord("\\"),
}
_HEX_LENGTHS = {ord("x"): 2, ord("u"): 4, ord("U"): 8}


def _decode_rune(data: bytes) -> tuple[int, int]:
    """``utf8.DecodeRune``: (rune, width), (RUNE_ERROR, 1) for invalid UTF-8."""
    for width in (1, 2, 3, 4):
        try:
            return ord(data[:width].decode("utf-8")), width
        except UnicodeDecodeError:
            continue
    return RUNE_ERROR, 1


def unquote_char(data: bytes, quote: int) -> tuple[int, bool, bytes]:
    """``strconv.UnquoteChar``: (rune or byte value, whether it is a rune, the rest)."""
    if not data:
        raise GoSyntaxError
    c = data[0]
    if c == quote and quote in (ord("'"), ord('"')):
        raise GoSyntaxError
    if c >= 0x80:
        r, width = _decode_rune(data)
        return r, True, data[width:]
    if c != ord("\\"):
        return c, False, data[1:]
    if len(data) <= 1:
        raise GoSyntaxError
    c, rest = data[1], data[2:]
    if c in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[c], False, rest
    if c in _HEX_LENGTHS:
        n = _HEX_LENGTHS[c]
        digits = rest[:n]
        if len(digits) < n or not all(chr(d) in "0123456789abcdefABCDEF" for d in digits):
            raise GoSyntaxError
        value = int(digits, 16)
        if c == ord("x"):
            return value, False, rest[n:]
        if not valid_rune(value):
            raise GoSyntaxError
        return value, True, rest[n:]
    if ord("0") <= c <= ord("7"):
        digits = bytes([c]) + rest[:2]
        if len(digits) < 3 or not all(ord("0") <= d <= ord("7") for d in digits):
            raise GoSyntaxError
        value = int(digits, 8)
        if value > 255:
            raise GoSyntaxError
        return value, False, rest[2:]
    if c in (ord("'"), ord('"')):
        if c != quote:
            raise GoSyntaxError
        return c, False, rest
    raise GoSyntaxError


def unquote(literal: str) -> str:
    """``strconv.Unquote`` of a ``"..."``, ``'...'`` or backquoted literal."""
    data = utf8(literal)
    if len(data) < 2:
        raise GoSyntaxError
    q = data[0]
    end = data.find(q, 1)
    if end < 0:
        raise GoSyntaxError
    if q == ord("`"):
        if end != len(data) - 1:
            raise GoSyntaxError
        return from_utf8(data[1:end].replace(b"\r", b""))
    if q not in (ord('"'), ord("'")):
        raise GoSyntaxError
    body = data[1 : end + 1]
    if q == ord('"') and b"\\" not in body and b"\n" not in body and end == len(data) - 1:
        try:
            return body[:-1].decode("utf-8")
        except UnicodeDecodeError:
            pass
    out = bytearray()
    rest = data[1:]
    while rest and rest[0] != q:
        if rest[0] == ord("\n"):
            raise GoSyntaxError
        value, multibyte, rest = unquote_char(rest, q)
        out += rune_text(value).encode() if multibyte or value < 0x80 else bytes([value])
        if q == ord("'"):
            break
    if rest != bytes([q]):
        raise GoSyntaxError
    return from_utf8(bytes(out))


def _underscore_ok(s: str) -> bool:
    """Go's rule: ``_`` may only separate digits (a base prefix counts as a digit)."""
    saw = "^"
    i = 0
    if s[:1] in ("+", "-"):
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i, saw, hexa = 2, "0", s[1].lower() == "x"
    for c in s[i:]:
        if "0" <= c <= "9" or (hexa and c.lower() in "abcdef"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def parse_uint(s: str) -> int | None:
    """``strconv.ParseUint(s, 0, 64)``; None on a syntax or range error."""
    if not s:
        return None
    whole, base, digits = s, 10, s
    if s[0] == "0":
        if len(s) >= 3 and s[1].lower() in "box":
            base, digits = {"b": 2, "o": 8, "x": 16}[s[1].lower()], s[2:]
        else:
            base, digits = 8, s[1:]
    value = 0
    for c in digits:
        if c == "_":
            continue
        if not (c.isascii() and c.isalnum()):
            return None
        d = int(c, 36)
        if d >= base:
            return None
        value = value * base + d
        if value > _MASK64:
            return None
    if "_" in whole and not _underscore_ok(whole):
        return None
    return value


def parse_int(s: str) -> int | None:
    """``strconv.ParseInt(s, 0, 64)``; None on a syntax or range error."""
    negative = s[:1] == "-"
    magnitude = parse_uint(s[1:] if s[:1] in ("+", "-") else s)
    if magnitude is None or magnitude > (1 << 63) - (0 if negative else 1):
        return None
    return -magnitude if negative else magnitude


_DIGITS = r"\d(?:_?\d)*"
_HEXDIGITS = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_DECIMAL_FLOAT = re.compile(
    rf"[+-]?(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?"
)
_HEX_FLOAT = re.compile(
    rf"[+-]?0[xX](?:_?{_HEXDIGITS}(?:\.(?:{_HEXDIGITS})?)?|\.{_HEXDIGITS})[pP][+-]?{_DIGITS}"
)


def parse_float(s: str) -> float | None:
    """``strconv.ParseFloat(s, 64)`` for Go literals; None on a syntax or range error."""
    try:
        return float_or_error(s)
    except ValueError:
        return None


def float_or_error(s: str) -> float:
    """``strconv.ParseFloat(s, 64)``, raising ValueError with Go's NumError text."""
    try:
        if _DECIMAL_FLOAT.fullmatch(s):
            value = float(s.replace("_", ""))
        elif _HEX_FLOAT.fullmatch(s):
            value = float.fromhex(s.replace("_", ""))
        else:
            raise ValueError(f"strconv.ParseFloat: parsing {quote(s)}: invalid syntax")
    except OverflowError:
        value = math.inf
    if math.isinf(value):
        raise ValueError(f"strconv.ParseFloat: parsing {quote(s)}: value out of range")
    return value


def _float_bits(v: float) -> tuple[bool, int, int]:
    """(negative, mantissa with the implicit bit, unbiased exponent) as strconv splits a float64."""
    bits = struct.unpack("<Q", struct.pack("<d", v))[0]
    exp = (bits >> 52) & 0x7FF
    mant = bits & ((1 << 52) - 1)
    if exp == 0:
        exp = 1
    else:
        mant |= 1 << 52
    return bool(bits >> 63), mant, exp - 1023


def _format_binary(v: float) -> str:
    negative, mant, exp = _float_bits(v)
    exp -= 52
    return f"{'-' if negative else ''}{mant}p{'+' if exp >= 0 else '-'}{abs(exp)}"


def _format_hex(v: float, verb: str, prec: int) -> str:
    negative, mant, exp = _float_bits(v)
    if mant == 0:
        exp = 0
    mant <<= 60 - 52
    while mant and not mant & (1 << 60):
        mant <<= 1
        exp -= 1
    if 0 <= prec < 15:
        shift = prec * 4
        extra = (mant << shift) & ((1 << 60) - 1)
        mant >>= 60 - shift
        if extra | (mant & 1) > 1 << 59:
            mant += 1
        mant <<= 60 - shift
        if mant & (1 << 61):
            mant >>= 1
            exp += 1
    digits = "0123456789abcdef" if verb == "x" else "0123456789ABCDEF"
    out = ["-" if negative else "", "0", verb, str((mant >> 60) & 1)]
    mant = (mant << 4) & _MASK64
    if (prec < 0 and mant) or prec > 0:
        out.append(".")
        count = 0
        while (prec < 0 and mant) or (prec >= 0 and count < prec):
            out.append(digits[(mant >> 60) & 15])
            mant = (mant << 4) & _MASK64
            count += 1
    out.append("p" if verb == "x" else "P")
    out.append(f"{'-' if exp < 0 else '+'}{abs(exp):02d}")
    return "".join(out)


def format_float(v: float, verb: str, prec: int) -> str:
    """``strconv.FormatFloat(v, verb, prec, 64)``."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if verb == "b":
        return _format_binary(v)
    if verb in "xX":
        return _format_hex(v, verb, prec)
    if prec >= 0:
        return format(v, f".{prec}{verb}")
    if verb in "gG":
        text = format_g(v)
    elif verb in "eE":
        text = format_exponent(*shortest_digits(v))
    else:
        text = format_fixed(*shortest_digits(v))
    return text.upper() if verb in "EG" else text
