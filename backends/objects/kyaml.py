"""KYAML text as kubectl writes it (``-o kyaml``; sigs.k8s.io/yaml/kyaml).

KYAML is YAML in a JSON-like flow style that any YAML parser reads back unchanged: strings are
always double-quoted (multi-line ones folded with ``\\`` line continuations), keys are quoted
only when a YAML parser could read them as something else, maps and lists use ``{}`` and
``[]``, lists of maps and lists are "cuddled" (``[{ ... }, { ... }]``), every entry ends with a
comma, and the indent is 2.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any


def kyaml_dumps(value: Any, sort_keys: bool = True) -> str:
    """``value`` as one KYAML node (no ``---`` header, no final newline)."""
    out: list[str] = []
    _ky_node(value, 0, out, sort_keys)
    return "".join(out)


def _ky_node(value: Any, indent: int, out: list[str], sort_keys: bool) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{\n")
        for key in sorted(value) if sort_keys else value:
            out.append("  " * (indent + 1) + _ky_key(str(key)) + ": ")
            _ky_node(value[key], indent + 1, out, True)
            out.append(",\n")
        out.append("  " * indent + "}")
    elif isinstance(value, list):
        _ky_list(value, indent, out)
    elif isinstance(value, str):
        out.append(_ky_string(value, indent + 1))
    elif value is None or isinstance(value, bool):
        out.append({None: "null", True: "true", False: "false"}[value])
    elif isinstance(value, float):
        from backends.objects.gofmt import format_json_float

        out.append(format_json_float(value))
    else:
        out.append(str(value))


def _ky_list(items: list[Any], indent: int, out: list[str]) -> None:
    if not items:
        out.append("[]")
        return
    if all(isinstance(i, (dict, list)) for i in items):
        out.append("[")
        for n, item in enumerate(items):
            if n:
                out.append(", ")
            _ky_node(item, indent, out, True)
        out.append("]")
        return
    out.append("[\n" + "  " * indent)
    for item in items:
        out.append("  ")
        _ky_node(item, indent + 1, out, True)
        out.append(",\n" + "  " * indent)
    out.append("]")


_SEXAGESIMAL = re.compile(r"[+-]?[1-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?")
_GO_INT = re.compile(r"[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)")
_GO_FLOAT = re.compile(
    r"[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
    r"|0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+"
    r"|[iI][nN][fF]([iI][nN][iI][tT][yY])?|[nN][aA][nN])"
)
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?)?"
)


def _is_timestamp(text: str) -> bool:
    """go-yaml's parseTimestamp (RFC 3339 with short fields, or a date) for a valid time."""
    m = _TIMESTAMP.fullmatch(text)
    if m is None:
        return False
    sep, zone = m.group(4), m.group(8)
    if sep is not None and (sep == " ") == (zone is not None):
        return False  # "T"/"t" needs a zone, " " has none
    try:
        datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    if sep is None:
        return True
    return int(m.group(5)) < 24 and int(m.group(6)) < 60 and int(m.group(7)) < 60


def _ambiguous(text: str) -> bool:
    """Could a YAML parser read the unquoted ``text`` as something other than a string?"""
    lowered = text.lower()
    if lowered in ("null", "~", "", "true", "y", "yes", "on", "false", "n", "no", "off"):
        return True
    if text in ("1", "t", "T", "TRUE", "True", "0", "f", "F", "FALSE", "False"):
        return True
    bare = text.replace("_", "")
    if _GO_INT.fullmatch(bare) or _GO_FLOAT.fullmatch(bare):
        return True
    if _SEXAGESIMAL.fullmatch(text) or lowered in (".inf", "-.inf", "+.inf", ".nan"):
        return True
    return _is_timestamp(text)


def _plain_ok(text: str) -> bool:
    if _ambiguous(text):
        return False
    for i, c in enumerate(text):
        if c == "_" or unicodedata.category(c)[0] == "L" or unicodedata.category(c) in _NUMBERS:
            continue
        if 0 < i < len(text) - 1 and c in "-./":
            continue
        return False
    return True


_NUMBERS = ("Nd", "Nl", "No")
_KY_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\x00": "\\0",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _ky_rune(c: str) -> str:
    if c in '"\\':
        return "\\" + c
    if c.isprintable():
        return c
    if c in _KY_ESCAPES:
        return _KY_ESCAPES[c]
    code = ord(c)
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _ky_key(key: str) -> str:
    if "\n" not in key and _plain_ok(key):
        return key
    return '"' + "".join(_ky_rune(c) for c in key) + '"'


def _ky_string(text: str, indent: int) -> str:
    """A double-quoted KYAML string; multi-line text is folded, one source line per line."""
    if "\n" not in text:
        return '"' + "".join("\t" if c == "\t" else _ky_rune(c) for c in text) + '"'
    pad = "  " * indent
    parts = ['"\\\n']
    after_newline = True
    for c in text:
        if after_newline:
            parts.append(pad + ("\\" if c.isspace() and c != "\n" else " "))
        if c == "\n":
            parts.append("\\n\\\n")
        elif c == "\t":
            parts.append("\t")
        else:
            parts.append(_ky_rune(c))
        after_newline = c == "\n"
    if not after_newline:
        parts.append("\\\n")
    parts.append(pad + '"')
    return "".join(parts)
