"""Go's view of template data: the few ``reflect.Value`` shapes text/template meets in kubectl.

kubectl executes templates over JSON decoded into ``map[string]interface {}``. In Python that data
is ``dict`` (``map[string]interface {}``), ``list`` (``[]interface {}``), ``str``, ``int``
(int64), ``float`` (float64), ``bool`` and ``None`` (a nil ``interface {}``, JSON ``null``).
Template execution adds a few more Go types, each with its own Python class so that ``%T``, error
messages and comparisons see the Go type:

* :class:`GoInt` is Go's ``int`` (number literals, ``len``, range indexes); plain ``int`` is int64;
* :class:`Uint8` is a byte (``index`` on a string);
* ``complex`` is complex128 (``{{1i}}``);
* :class:`GoList` is a ``[]interface {}`` made by ``slice``, which remembers its capacity;
* :class:`Iface` is a value reached through an ``interface {}`` (a map or list element) before it
  is unwrapped — Go names its type ``interface {}`` in errors, and ``Iface(None)`` is a nil
  interface, distinct from :data:`NO_VALUE`, the invalid ``reflect.Value`` of a missing map key.

Invariants: ``bool`` is tested before ``int`` everywhere (``bool`` subclasses ``int`` in Python);
strings hold text with undecodable bytes as ``surrogateescape`` code points, so byte-level Go
operations (``len``, ``index``, ``slice``) work on ``utf8(s)``.
"""

from __future__ import annotations

from typing import Final


class GoInt(int):
    """A Go ``int`` (as opposed to the int64 values decoded from JSON)."""


class Uint8(int):
    """A Go ``uint8`` (a byte of a string)."""


class GoList(list[object]):
    """A ``[]interface {}`` produced by ``slice``: a window on a backing list, with a capacity.

    As in Go, re-slicing may reach past the window's length into the backing list (and past the
    backing list's length into capacity that holds nil elements).
    """

    def __init__(self, backing: list[object], offset: int, length: int, cap: int) -> None:
        window = backing[offset : offset + length]
        super().__init__(window + [None] * (length - len(window)))
        self.backing = backing
        self.offset = offset
        self.cap = cap


class Iface:
    """A ``reflect.Value`` of kind Interface holding ``value`` (``None`` for a nil interface)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Iface({self.value!r})"


class _NoValue:
    """The zero ``reflect.Value`` (Go prints it as ``<no value>`` in a template action)."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Final = _NoValue()

IFACE_TYPE: Final = "interface {}"
MAP_TYPE: Final = "map[string]interface {}"
SLICE_TYPE: Final = "[]interface {}"


def type_name(value: object) -> str:
    """The Go type of a value, as ``reflect.Type.String()`` spells it."""
    if isinstance(value, Iface):
        return IFACE_TYPE
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, GoInt):
        return "int"
    if isinstance(value, Uint8):
        return "uint8"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, complex):
        return "complex128"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return MAP_TYPE
    if isinstance(value, list):
        return SLICE_TYPE
    raise TypeError(f"not a template value: {value!r}")


def unwrap(value: object) -> object:
    """``indirectInterface``: the concrete value inside an interface; nil becomes NO_VALUE."""
    if isinstance(value, Iface):
        return NO_VALUE if value.value is None else value.value
    return value


def as_interface(value: object) -> object:
    """The Go ``any`` a function receives: the dynamic value (``None`` for a nil interface)."""
    return value.value if isinstance(value, Iface) else value


def is_signed(value: object) -> bool:
    """Whether ``value`` is a Go signed integer (int or int64)."""
    return isinstance(value, int) and not isinstance(value, (bool, Uint8))


def truth(value: object) -> tuple[bool, bool]:
    """text/template's ``isTrue`` of an unwrapped value: (truth, whether it has a truth value)."""
    if value is NO_VALUE:
        return False, True
    if isinstance(value, (dict, list, str)):
        return len(value) > 0, True
    if isinstance(value, (bool, int, float, complex)):
        return value != 0, True
    return False, False


def utf8(text: str) -> bytes:
    """The bytes of a Go string held in ``text``."""
    return text.encode("utf-8", "surrogateescape")


def from_utf8(data: bytes) -> str:
    """A Go string made of ``data`` (invalid UTF-8 kept as ``surrogateescape`` code points)."""
    return data.decode("utf-8", "surrogateescape")


# Go's malloc size classes up to 32 KiB (runtime/sizeclasses.go); growing a []interface {} by
# append rounds its capacity up to these, which decides what ``slice`` may reach past ``len``.
_SIZE_CLASSES: Final = (
    8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320,
    352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
    2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472,
    9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264,
    28672, 32768,
)  # fmt: skip
_ELEM_SIZE: Final = 16  # an interface {} is two words
_MALLOC_HEADER: Final = 8
_HEADER_THRESHOLD: Final = 512
_PAGE: Final = 8192


def _rounded_cap(newcap: int) -> int:
    """The capacity ``growslice`` really allocates for ``newcap`` interface elements."""
    size = newcap * _ELEM_SIZE
    if size <= _SIZE_CLASSES[-1] - _MALLOC_HEADER:
        header = _MALLOC_HEADER if size > _HEADER_THRESHOLD else 0
        rounded = next(c for c in _SIZE_CLASSES if c >= size + header) - header
    else:
        rounded = -(-size // _PAGE) * _PAGE
    return rounded // _ELEM_SIZE


def capacity(items: list[object]) -> int:
    """Go's ``cap`` of a list: what ``slice`` made, or what JSON decoding's appends left."""
    if isinstance(items, GoList):
        return items.cap
    cap = 0
    while cap < len(items):
        if cap == 0:
            newcap = 1
        elif cap < 256:
            newcap = 2 * cap
        else:
            newcap = cap
            while newcap < cap + 1:
                newcap += (newcap + 3 * 256) >> 2
        cap = _rounded_cap(newcap)
    return cap
