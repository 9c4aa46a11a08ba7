"""JSON text exactly as Go's encoding/json writes it.

kubectl prints objects with ``json.MarshalIndent(obj, "", "    ")`` and builds jsonpath results
with ``json.Marshal``. Compared with Python's ``json`` module that means: ``<``, ``>``, ``&``,
U+2028 and U+2029 are escaped as ``\\u003c``-style sequences, other non-ASCII text is left as is,
floats use Go's formatting (``1e-7``, ``1e+21``, ``100000000``), and ``": "`` follows a key
only when indenting. Map keys are sorted unless the caller keeps struct order
(``sort_keys=False``), as Go does for typed structs.
"""

from __future__ import annotations

import json
from typing import Any

from backends.objects.gofmt import format_json_float

_encode_string = json.encoder.encode_basestring

_HTML_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def encode_string(s: str) -> str:
    """A Go JSON string literal (quotes included)."""
    out: str = _encode_string(s)
    if any(c in out for c in "<>&\u2028\u2029"):
        out = "".join(_HTML_ESCAPES.get(c, c) for c in out)
    return out


def dumps(obj: Any, indent: str = "", sort_keys: bool = True) -> str:
    """Serialise ``obj`` like Go's json.Marshal (indent="") or MarshalIndent(obj, "", indent)."""
    parts: list[str] = []
    _write(obj, parts, indent, "\n", sort_keys)
    return "".join(parts)


def _write(obj: Any, out: list[str], indent: str, nl: str, sort_keys: bool) -> None:
    if isinstance(obj, str):
        out.append(encode_string(obj))
    elif obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, int):
        out.append(str(obj))
    elif isinstance(obj, float):
        out.append(format_json_float(obj))
    elif isinstance(obj, dict):
        if not obj:
            out.append("{}")
            return
        keys = sorted(obj) if sort_keys else list(obj)
        inner = nl + indent if indent else ""
        sep = ": " if indent else ":"
        out.append("{")
        for i, key in enumerate(keys):
            if i:
                out.append(",")
            out.append(inner)
            out.append(encode_string(str(key)))
            out.append(sep)
            _write(obj[key], out, indent, inner or nl, sort_keys)
        if indent:
            out.append(nl)
        out.append("}")
    elif isinstance(obj, (list, tuple)):
        if not obj:
            out.append("[]")
            return
        inner = nl + indent if indent else ""
        out.append("[")
        for i, item in enumerate(obj):
            if i:
                out.append(",")
            out.append(inner)
            _write(item, out, indent, inner or nl, sort_keys)
        if indent:
            out.append(nl)
        out.append("]")
    else:
        raise TypeError(f"json: unsupported type: {type(obj).__name__}")
