"""The functions a kubectl go-template can call: text/template's builtins plus ``exists`` and
``base64decode`` (kubectl 1.37 adds no others).

Each function is described by its Go signature (:class:`Func`), because text/template checks
argument counts and converts arguments by parameter type before calling: ``reflect.Value``
parameters (:data:`VALUE`) get the template value as it is, ``any`` parameters (:data:`ANY`) get
the dynamic value (``None`` for nil), ``string`` parameters (:data:`STRING`) a ``str``. A function
fails by raising :class:`FuncError` with the text of the Go error it returns (or of the runtime
panic Go recovers from); the executor reports it as ``error calling NAME: TEXT``. ``and``, ``or``
and ``call`` are evaluated by the executor itself, as in Go; their entries give their signatures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from pykctl.printers.gotemplate import printf
from pykctl.printers.gotemplate.strconv import is_print
from pykctl.printers.gotemplate.values import (
    NO_VALUE,
    GoInt,
    GoList,
    Iface,
    Uint8,
    capacity,
    from_utf8,
    truth,
    type_name,
    unwrap,
    utf8,
)

VALUE = "reflect.Value"
ANY = "interface {}"
STRING = "string"


class FuncError(Exception):
    """The error a template function returned."""


class Func(NamedTuple):
    """A function's Go signature and its implementation."""

    params: tuple[str, ...]
    variadic: str | None
    impl: Callable[..., object]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _index_arg(index: object, cap: int) -> int:
    """text/template's ``indexArg``: an integer index within ``0..cap``."""
    if index is NO_VALUE:
        raise FuncError("cannot index slice/array with nil")
    if not isinstance(index, int) or isinstance(index, bool):
        raise FuncError(f"cannot index slice/array with type {type_name(index)}")
    if index < 0 or index > cap:
        raise FuncError(f"index out of range: {int(index)}")
    return int(index)


def _map_key(index: object) -> str:
    """``prepareArg`` for a ``map[string]interface {}`` key."""
    if index is NO_VALUE:
        raise FuncError("value is nil; should be of type string")
    if not isinstance(index, str):
        raise FuncError(f"value has type {type_name(index)}; should be string")
    return index


def _index(item: object, *indexes: object) -> object:
    item = unwrap(item)
    if item is NO_VALUE:
        raise FuncError("index of untyped nil")
    for raw in indexes:
        index = unwrap(raw)
        if isinstance(item, Iface):
            if item.value is None:
                raise FuncError("index of nil pointer")
            item = item.value
        if isinstance(item, list):
            x = _index_arg(index, len(item))
            if x == len(item):
                raise FuncError("reflect: slice index out of range")
            item = Iface(item[x])
        elif isinstance(item, str):
            data = utf8(item)
            x = _index_arg(index, len(data))
            if x == len(data):
                raise FuncError("reflect: string index out of range")
            item = Uint8(data[x])
        elif isinstance(item, dict):
            key = _map_key(index)
            item = Iface(item.get(key))
        else:
            raise FuncError(f"can't index item of type {type_name(item)}")
    return item


def _slice(item: object, *indexes: object) -> object:
    item = unwrap(item)
    if item is NO_VALUE:
        raise FuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise FuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise FuncError("cannot 3-index slice a string")
        data = utf8(item)
        cap = length = len(data)
    elif isinstance(item, list):
        cap, length = capacity(item), len(item)
    else:
        raise FuncError(f"can't slice item of type {type_name(item)}")
    idx = [0, length, 0]
    for i, index in enumerate(indexes):
        idx[i] = _index_arg(index, cap)
    if idx[0] > idx[1]:
        raise FuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise FuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    if isinstance(item, str):
        return from_utf8(data[idx[0] : idx[1]])
    assert isinstance(item, list)
    backing, offset = (item.backing, item.offset) if isinstance(item, GoList) else (item, 0)
    new_cap = (idx[2] if len(indexes) == 3 else cap) - idx[0]
    return GoList(backing, offset + idx[0], idx[1] - idx[0], new_cap)


def _len(item: object) -> object:
    if isinstance(item, Iface):
        if item.value is None:
            raise FuncError("len of nil pointer")
        item = item.value
    if item is NO_VALUE:
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(item, (dict, list)):
        return GoInt(len(item))
    if isinstance(item, str):
        return GoInt(len(utf8(item)))
    raise FuncError(f"len of type {type_name(item)}")


def _not(arg: object) -> object:
    return not truth(unwrap(arg))[0]


def _basic_kind(value: object) -> str | None:
    """fmt's ``basicKind``: the comparison class of a value, None when it has none."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Uint8):
        return "uint"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, complex):
        return "complex"
    if isinstance(value, str):
        return "string"
    return None


def _mixed_sign(k1: str | None, k2: str | None) -> bool:
    return {k1, k2} == {"int", "uint"}


def _incompatible(a: object, b: object) -> FuncError:
    return FuncError(f"incompatible types for comparison: {type_name(a)} and {type_name(b)}")


def _eq(arg1: object, *arg2: object) -> object:
    a = unwrap(arg1)
    if not arg2:
        raise FuncError("missing argument for comparison")
    k1 = _basic_kind(a)
    for raw in arg2:
        b = unwrap(raw)
        k2 = _basic_kind(b)
        if k1 != k2:
            if _mixed_sign(k1, k2):
                assert isinstance(a, int) and isinstance(b, int)
                if a == b:
                    return True
            elif a is not NO_VALUE and b is not NO_VALUE:
                raise _incompatible(a, b)
        elif k1 is not None:
            if a == b:
                return True
        elif a is NO_VALUE or b is NO_VALUE:
            if a is b:
                return True
        elif isinstance(a, dict) != isinstance(b, dict):
            raise FuncError(
                f"non-comparable types {printf.sprint_value(a, 's')}: {type_name(a)}, "
                f"{type_name(b)}: {printf.sprint_value(b)}"
            )
        else:
            raise FuncError(f"non-comparable type {printf.sprint_value(b, 's')}: {type_name(b)}")
    return False


def _ne(arg1: object, arg2: object) -> object:
    return not _eq(arg1, arg2)


def _lt(arg1: object, arg2: object) -> bool:
    a, b = unwrap(arg1), unwrap(arg2)
    k1, k2 = _basic_kind(a), _basic_kind(b)
    if k1 is None or k2 is None:
        raise FuncError("invalid type for comparison")
    if k1 != k2:
        if not _mixed_sign(k1, k2):
            raise _incompatible(a, b)
    elif k1 in ("bool", "complex"):
        raise FuncError("invalid type for comparison")
    if isinstance(a, str) and isinstance(b, str):
        return utf8(a) < utf8(b)
    assert isinstance(a, (int, float)) and isinstance(b, (int, float))
    return a < b


def _le(arg1: object, arg2: object) -> object:
    return _lt(arg1, arg2) or _eq(arg1, arg2)


def _gt(arg1: object, arg2: object) -> object:
    return not _le(arg1, arg2)


def _ge(arg1: object, arg2: object) -> object:
    return not _lt(arg1, arg2)


def _eval_args(args: tuple[object, ...]) -> str:
    """text/template's ``evalArgs``: Sprint of the arguments, nil shown as ``<no value>``."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return printf.sprint(["<no value>" if a is None else a for a in args])


_HTML_ESCAPES = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
_JS_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "<": "\\u003C",
    ">": "\\u003E",
    "&": "\\u0026",
    "=": "\\u003D",
}


def _html(*args: object) -> object:
    return "".join(_HTML_ESCAPES.get(c, c) for c in _eval_args(args))


def _js_char(c: str) -> str:
    if c in _JS_ESCAPES:
        return _JS_ESCAPES[c]
    if c < " ":
        return f"\\u00{ord(c):02X}"
    if c < "\x80" or 0xDC80 <= ord(c) <= 0xDCFF or is_print(c):
        return c
    return f"\\u{ord(c):04X}"


def _js(*args: object) -> object:
    return "".join(_js_char(c) for c in _eval_args(args))


def _urlquery(*args: object) -> object:
    from urllib.parse import quote_plus

    return quote_plus(utf8(_eval_args(args)), safe="")


def _print(*args: object) -> object:
    return printf.sprint(list(args))


def _printf(fmt: object, *args: object) -> object:
    assert isinstance(fmt, str)
    return printf.sprintf(fmt, list(args))


def _println(*args: object) -> object:
    return printf.sprintln(list(args))


def call(name: str, fn: object, *args: object) -> object:
    """text/template's ``call``: template data holds no functions, so this always fails."""
    fn = unwrap(fn)
    if fn is NO_VALUE:
        raise FuncError("call of nil")
    raise FuncError(f"non-function {name} of type {type_name(fn)}")


def _unreachable(*args: object) -> object:
    raise AssertionError("evaluated by the executor")


def _exists(item: object, *indices: object) -> object:
    """kubectl's ``exists``: whether ``index item indices...`` would find a non-nil value."""
    value: object = NO_VALUE if item is None else item
    for raw in indices:
        if isinstance(value, Iface):
            if value.value is None:
                return False
            value = value.value
        index = NO_VALUE if raw is None else raw
        if isinstance(value, (list, str)):
            size = len(value) if isinstance(value, list) else len(utf8(value))
            if not _is_int(index):
                return False
            assert isinstance(index, int)
            if index < 0 or index >= size:
                return False
            value = Iface(value[index]) if isinstance(value, list) else Uint8(utf8(value)[index])
        elif isinstance(value, dict):
            key = "" if index is NO_VALUE else index
            if not isinstance(key, str):
                return False
            value = Iface(value.get(key))
        else:
            return False
    return not (isinstance(value, Iface) and value.value is None)


_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_VALUES = {c: i for i, c in enumerate(_B64_ALPHABET)}


def _b64_quantum(src: bytes, si: int) -> tuple[int, bytes, int | None]:
    """Go's ``decodeQuantum`` for StdEncoding: (next index, bytes, offset of a corrupt byte)."""
    dbuf = [0, 0, 0, 0]
    dlen = 4
    j = 0
    error: int | None = None
    while j < 4:
        if si == len(src):
            if j == 0:
                return si, b"", None
            return si, b"", si - j
        c = src[si]
        si += 1
        if c in _B64_VALUES:
            dbuf[j] = _B64_VALUES[c]
            j += 1
            continue
        if c in b"\r\n":
            continue
        if c != ord("=") or j < 2:
            return si, b"", si - 1
        if j == 2:
            while si < len(src) and src[si] in b"\r\n":
                si += 1
            if si == len(src):
                return si, b"", len(src)
            if src[si] != ord("="):
                return si, b"", si - 1
            si += 1
        while si < len(src) and src[si] in b"\r\n":
            si += 1
        if si < len(src):
            error = si
        dlen = j
        break
    val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3]
    return si, val.to_bytes(3, "big")[: dlen - 1], error


def _base64decode(v: object) -> object:
    """kubectl's ``base64decode``: StdEncoding, with Go's error offsets."""
    assert isinstance(v, str)
    src = utf8(v)
    out = bytearray()
    si = 0
    while si < len(src):
        si, chunk, corrupt = _b64_quantum(src, si)
        if corrupt is not None:
            raise FuncError(f"base64 decode failed: illegal base64 data at input byte {corrupt}")
        out += chunk
    return from_utf8(bytes(out))


FUNCS: dict[str, Func] = {
    "and": Func((VALUE,), VALUE, _unreachable),
    "or": Func((VALUE,), VALUE, _unreachable),
    "call": Func((VALUE,), VALUE, _unreachable),
    "html": Func((), ANY, _html),
    "index": Func((VALUE,), VALUE, _index),
    "slice": Func((VALUE,), VALUE, _slice),
    "js": Func((), ANY, _js),
    "len": Func((VALUE,), None, _len),
    "not": Func((VALUE,), None, _not),
    "print": Func((), ANY, _print),
    "printf": Func((STRING,), ANY, _printf),
    "println": Func((), ANY, _println),
    "urlquery": Func((), ANY, _urlquery),
    "eq": Func((VALUE,), VALUE, _eq),
    "ge": Func((VALUE, VALUE), None, _ge),
    "gt": Func((VALUE, VALUE), None, _gt),
    "le": Func((VALUE, VALUE), None, _le),
    "lt": Func((VALUE, VALUE), None, _lt),
    "ne": Func((VALUE, VALUE), None, _ne),
    "exists": Func((ANY,), ANY, _exists),
    "base64decode": Func((STRING,), None, _base64decode),
}
