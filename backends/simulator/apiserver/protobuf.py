"""Decode the protobuf request bodies kubectl sends into the JSON object it would have sent.

kubectl 1.37 POSTs ``Content-Type: application/vnd.kubernetes.protobuf`` for its ``create``
generators, ``autoscale``, ``create token``, ``auth can-i`` and ``auth whoami``. ``decode(body)``
turns such a body (the magic ``k8s\\0``, then a ``runtime.Unknown`` envelope whose ``typeMeta``
names the apiVersion/kind and whose ``raw`` holds the object's own message) into exactly the dict
Go's ``encoding/json`` would produce for the same object, ``apiVersion`` and ``kind`` included.

Field facts live in ``protobuf_fields.json`` next to this module: field numbers and types from
Kubernetes' ``generated.proto`` at tag ``kubernetes-1.37.0-beta.0`` (kubernetes/api
``1c293eaf810b``, kubernetes/apimachinery ``63a9f3d1b8dd``); JSON names, ``omitempty``,
``omitzero``, Go pointers and inline embedding from the ``types.go`` struct tags at the same
commits (its ``_source`` says so). The envelope and the messages whose JSON is not an object
(Time, MicroTime, Duration, Quantity, IntOrString, RawExtension, FieldsV1, ExtraValue) are
decoded here, numbered as in the same ``generated.proto`` files.

Invariants (Go writes every non-pointer field, and pointer fields only when non-nil):
- a scalar on the wire stays in the JSON if its Go field is a pointer or has no ``omitempty``;
  otherwise a zero (``0``, ``false``, ``""``) is dropped;
- a message on the wire is always emitted, even empty (Go never omits structs); a zero Time is
  ``null``, and left out where the field is ``omitzero`` (``metadata.creationTimestamp``);
- a field not on the wire is not in the JSON: empty lists and maps have no wire form;
- ``bytes`` become standard padded base64; strings are UTF-8 (invalid bytes become U+FFFD, as
  Go's JSON encoder writes them); int32/int64 keep their exact value;
- a non-repeated field seen twice keeps the last value (a message: both, merged); map keys
  likewise; a repeated number field may also come packed;
  unknown field numbers are skipped by wire type (newer clients add fields);
- malformed input raises ``ProtobufError``, never anything else; nesting is bounded by the
  (non-recursive) schema. The table is read once, at import; ``decode`` does no I/O.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["CONTENT_TYPE", "MAGIC", "ProtobufError", "decode"]

MAGIC = b"k8s\x00"
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"

_TABLE = Path(__file__).with_name("protobuf_fields.json")

# API group -> proto package under k8s.io.api (the version is appended as is).
_GROUP_PACKAGES = {
    "": "core",
    "apps": "apps",
    "batch": "batch",
    "networking.k8s.io": "networking",
    "rbac.authorization.k8s.io": "rbac",
    "policy": "policy",
    "scheduling.k8s.io": "scheduling",
    "authentication.k8s.io": "authentication",
    "authorization.k8s.io": "authorization",
    "autoscaling": "autoscaling",
}
_OBJECT_META = "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"

_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5
_MASK32 = (1 << 32) - 1
_MASK64 = (1 << 64) - 1
_SIGN32 = 1 << 31
_SIGN64 = 1 << 63

_SCALAR, _REPEATED, _MAP, _MESSAGE, _INLINE = range(5)

Raw = int | bytes  # a varint's value, or the payload of any other wire type
Convert = Callable[[Any], Any]


class ProtobufError(ValueError):
    """The body is not a decodable Kubernetes protobuf object; the text suits a Status message."""


# -- wire format ------------------------------------------------------------------------------


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """The base-128 varint at ``pos`` (at most 10 bytes) and the position after it."""
    result = shift = 0
    while shift < 70:
        if pos >= len(data):
            raise ProtobufError("protobuf: unexpected end of data inside a varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
    raise ProtobufError("protobuf: varint longer than 10 bytes")


def _records(data: bytes) -> Iterator[tuple[int, int, Raw]]:
    """(field number, wire type, value) per record: an int for varints, bytes otherwise."""
    pos, end = 0, len(data)
    while pos < end:
        key = data[pos]
        if key < 0x80:
            pos += 1
        else:
            key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ProtobufError("protobuf: illegal field number 0")
        if wire == _VARINT:
            value, pos = _varint(data, pos)
            yield number, wire, value
            continue
        if wire == _BYTES:
            length, pos = _varint(data, pos)
        elif wire == _FIXED64:
            length = 8
        elif wire == _FIXED32:
            length = 4
        else:
            raise ProtobufError(f"protobuf: unsupported wire type {wire} in field {number}")
        stop = pos + length
        if stop > end:
            raise ProtobufError(f"protobuf: field {number} runs past the end of its message")
        yield number, wire, data[pos:stop]
        pos = stop


def _wrong_wire(message: str, number: int, wire: int, expected: int) -> ProtobufError:
    return ProtobufError(
        f"protobuf: field {number} of {message} has wire type {wire}, expected {expected}"
    )


def _fields(data: bytes, message: str, wires: dict[int, int]) -> dict[int, Raw]:
    """The last value of each known field of a small fixed message (number -> wire type)."""
    found: dict[int, Raw] = {}
    for number, wire, value in _records(data):
        expected = wires.get(number)
        if expected is None:
            continue
        if wire != expected:
            raise _wrong_wire(message, number, wire, expected)
        found[number] = value
    return found


def _packed(data: bytes) -> Iterator[int]:
    pos = 0
    while pos < len(data):
        value, pos = _varint(data, pos)
        yield value


# -- scalars ----------------------------------------------------------------------------------


def _string(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _bool(value: int) -> bool:
    return value & _MASK64 != 0


def _int32(value: int) -> int:
    return ((value & _MASK32) ^ _SIGN32) - _SIGN32


def _int64(value: int) -> int:
    return ((value & _MASK64) ^ _SIGN64) - _SIGN64


_SCALARS: dict[str, tuple[int, Convert]] = {
    "string": (_BYTES, _string),
    "bytes": (_BYTES, _base64),
    "bool": (_VARINT, _bool),
    "int32": (_VARINT, _int32),
    "int64": (_VARINT, _int64),
}


def _as_int(value: Raw | None) -> int:
    return value if isinstance(value, int) else 0


def _as_bytes(value: Raw | None) -> bytes:
    return value if isinstance(value, bytes) else b""


# -- special messages: their JSON is not an object ---------------------------------------------

_META = "k8s.io.apimachinery.pkg.apis.meta.v1."
_EPOCH = datetime(1970, 1, 1)
_ZERO_TIME_NS = -62135596800 * 10**9  # Go's zero time.Time, 0001-01-01T00:00:00Z


def _instant(message: str, data: bytes, with_nanos: bool) -> datetime | None:
    """The UTC instant of a Time/MicroTime, or None for Go's zero time."""
    if not data:
        return None
    fields = _fields(data, message, {1: _VARINT, 2: _VARINT})
    ns = _int64(_as_int(fields.get(1))) * 10**9
    if with_nanos:
        ns += _int32(_as_int(fields.get(2)))
    if ns == _ZERO_TIME_NS:
        return None
    try:
        return _EPOCH + timedelta(microseconds=ns // 1000)
    except OverflowError:
        raise ProtobufError(f"protobuf: {message} out of range") from None


def _date_time(t: datetime) -> str:
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"


def _time(data: bytes) -> str | None:
    """meta.v1.Time {1 seconds, 2 nanos}: RFC 3339 whole seconds (nanos ignored, as Go does)."""
    t = _instant(_META + "Time", data, with_nanos=False)
    return None if t is None else _date_time(t) + "Z"


def _micro_time(data: bytes) -> str | None:
    """meta.v1.MicroTime {1 seconds, 2 nanos}: RFC 3339 with exactly 6 fraction digits."""
    t = _instant(_META + "MicroTime", data, with_nanos=True)
    return None if t is None else f"{_date_time(t)}.{t.microsecond:06d}Z"


def _fraction(value: int, digits: int) -> str:
    """``.5`` for value=5, digits=1; trailing zeros and a zero fraction vanish (Go's fmtFrac)."""
    text = f"{value:0{digits}d}".rstrip("0") if digits else ""
    return "." + text if text else ""


def _duration(data: bytes) -> str:
    """meta.v1.Duration {1 duration ns}: Go's time.Duration.String()."""
    ns = _int64(_as_int(_fields(data, _META + "Duration", {1: _VARINT}).get(1)))
    sign, u = ("-" if ns < 0 else ""), abs(ns)
    if u == 0:
        return "0s"
    if u < 10**9:
        unit, digits = ("ns", 0) if u < 10**3 else ("µs", 3) if u < 10**6 else ("ms", 6)
        whole, frac = divmod(u, 10**digits)
        return f"{sign}{whole}{_fraction(frac, digits)}{unit}"
    seconds, frac = divmod(u, 10**9)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{seconds}{_fraction(frac, 9)}s"
    if hours:
        text = f"{hours}h{minutes}m{text}"
    elif minutes:
        text = f"{minutes}m{text}"
    return sign + text


def _quantity(data: bytes) -> str:
    """resource.Quantity {1 string}: that string; the zero Quantity is ``"0"``."""
    text = _string(_as_bytes(_fields(data, "resource.Quantity", {1: _BYTES}).get(1)))
    return text or "0"


def _int_or_string(data: bytes) -> int | str:
    """intstr.IntOrString {1 type, 2 intVal, 3 strVal}: a number (type 0) or a string (1)."""
    fields = _fields(data, "intstr.IntOrString", {1: _VARINT, 2: _VARINT, 3: _BYTES})
    kind = _int64(_as_int(fields.get(1)))
    if kind == 0:
        return _int32(_as_int(fields.get(2)))
    if kind == 1:
        return _string(_as_bytes(fields.get(3)))
    raise ProtobufError(f"protobuf: impossible IntOrString.Type {kind}")


def _embedded_json(message: str) -> Convert:
    """A message {1 raw bytes} holding JSON text, embedded parsed; empty raw is ``null``."""

    def convert(data: bytes) -> Any:
        raw = _as_bytes(_fields(data, message, {1: _BYTES}).get(1))
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError as err:
            raise ProtobufError(f"protobuf: {message} does not hold valid JSON: {err}") from None

    return convert


def _extra_value(data: bytes) -> list[str]:
    """authentication.v1.ExtraValue {1 repeated items}: a bare list of strings."""
    items = []
    for number, wire, value in _records(data):
        if number == 1:
            if not isinstance(value, bytes):
                raise _wrong_wire("authentication.v1.ExtraValue", number, wire, _BYTES)
            items.append(_string(value))
    return items


_SPECIALS: dict[str, Convert] = {
    _META + "Time": _time,
    _META + "MicroTime": _micro_time,
    _META + "Duration": _duration,
    _META + "FieldsV1": _embedded_json(_META + "FieldsV1"),
    "k8s.io.apimachinery.pkg.api.resource.Quantity": _quantity,
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": _int_or_string,
    "k8s.io.apimachinery.pkg.runtime.RawExtension": _embedded_json("runtime.RawExtension"),
    "k8s.io.api.authentication.v1.ExtraValue": _extra_value,
}


# -- messages -----------------------------------------------------------------------------------


class _Field(NamedTuple):
    """One field of a message, compiled from the table."""

    name: str  # JSON name
    mode: int  # _SCALAR, _REPEATED, _MAP, _MESSAGE or _INLINE
    wire: int  # wire type of one value (of the map value, for maps)
    convert: Convert  # wire value -> JSON value
    keep_zero: bool  # scalar: Go pointer or no omitempty, so 0/false/"" stays
    omit_null: bool  # message: omitzero, so a zero (null) Time is left out


class _Message:
    """A message type: its name (for errors) and its fields by number."""

    __slots__ = ("fields", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.fields: dict[int, _Field] = {}


def _map_entry(data: bytes, message: _Message, field: _Field) -> tuple[str, Any]:
    """A map entry {1 key, 2 value}; a missing key or value is the zero value."""
    key = b""
    value: Raw = b"" if field.wire == _BYTES else 0
    for number, wire, raw in _records(data):
        if number == 1:
            if not isinstance(raw, bytes) or wire != _BYTES:
                raise _wrong_wire(f"{message.name}.{field.name} entry", 1, wire, _BYTES)
            key = raw
        elif number == 2:
            if wire != field.wire:
                raise _wrong_wire(f"{message.name}.{field.name} entry", 2, wire, field.wire)
            value = raw
    return _string(key), field.convert(value)


def _decode(data: bytes, message: _Message) -> dict[str, Any]:
    """The JSON object for one encoded message."""
    out: dict[str, Any] = {}
    pending: dict[int, bytes] = {}  # message fields, merged by concatenation, decoded last
    fields = message.fields
    for number, wire, value in _records(data):
        field = fields.get(number)
        if field is None:
            continue
        name, mode, expected, convert, keep_zero, _ = field
        if wire != expected:
            if mode == _REPEATED and expected == _VARINT and isinstance(value, bytes):
                out.setdefault(name, []).extend(convert(item) for item in _packed(value))
                continue
            raise _wrong_wire(message.name, number, wire, expected)
        if mode == _SCALAR:
            converted = convert(value)
            if keep_zero or converted:
                out[name] = converted
            else:
                out.pop(name, None)
        elif mode == _REPEATED:
            out.setdefault(name, []).append(convert(value))
        elif mode == _MAP:
            key, item = _map_entry(_as_bytes(value), message, field)
            out.setdefault(name, {})[key] = item
        else:
            pending[number] = pending.get(number, b"") + _as_bytes(value)
            if mode == _MESSAGE:
                out.setdefault(name, None)  # keeps wire order of keys
    for number, raw in pending.items():
        name, mode, _, convert, _, omit_null = fields[number]
        converted = convert(raw)
        if mode == _INLINE:
            out.update(converted)
        elif converted is None and omit_null:
            del out[name]
        else:
            out[name] = converted
    return out


def _message_decoder(message: _Message) -> Convert:
    return lambda data: _decode(data, message)


def _compile(messages: dict[str, _Message], name: str, type_name: str, flags: str) -> _Field:
    """A table entry ``[name, type, flags]`` (see the table's ``_format``) as a _Field."""
    if type_name in _SCALARS:
        wire, convert = _SCALARS[type_name]
    else:
        wire = _BYTES
        convert = _SPECIALS.get(type_name) or _message_decoder(messages[type_name])
    if "m" in flags:
        mode = _MAP
    elif "r" in flags:
        mode = _REPEATED
    elif "i" in flags:
        mode = _INLINE
    elif type_name in _SCALARS:
        mode = _SCALAR
    else:
        mode = _MESSAGE
    keep_zero = "p" in flags or "o" not in flags
    return _Field(name, mode, wire, convert, keep_zero, "z" in flags)


def _load() -> tuple[dict[str, _Message], frozenset[str]]:
    """All messages of the table, and the names of those that are API objects (kinds)."""
    table: dict[str, dict[str, list[str]]] = json.loads(_TABLE.read_text("utf-8"))["messages"]
    messages = {name: _Message(name) for name in table}
    embedded = set()
    for name, entries in table.items():
        for number, (json_name, type_name, flags) in entries.items():
            messages[name].fields[int(number)] = _compile(messages, json_name, type_name, flags)
            embedded.add(type_name)
    # An API object is a message with ObjectMeta as field 1 that no other message embeds
    # (PodTemplateSpec, JobTemplateSpec, PersistentVolumeClaimTemplate have metadata too).
    kinds = frozenset(
        name
        for name, entries in table.items()
        if entries.get("1", [None])[:2] == ["metadata", _OBJECT_META] and name not in embedded
    )
    return messages, kinds


_MESSAGES, _KINDS = _load()


# -- envelope -------------------------------------------------------------------------------------


def _object_message(api_version: str, kind: str) -> _Message:
    group, _, version = api_version.rpartition("/")
    package = _GROUP_PACKAGES.get(group)
    name = f"k8s.io.api.{package}.{version}.{kind}"
    if package is None or name not in _KINDS:
        raise ProtobufError(
            f"no kind {kind!r} is registered for version {api_version!r} in protobuf bodies"
        )
    return _MESSAGES[name]


def decode(body: bytes) -> dict[str, Any]:
    """The JSON object for a ``application/vnd.kubernetes.protobuf`` request body."""
    if not body.startswith(MAGIC):
        raise ProtobufError("protobuf body does not start with the magic 'k8s\\x00'")
    # runtime.Unknown {1 typeMeta, 2 raw, 3 contentEncoding, 4 contentType}; like the
    # apiserver's protobuf serializer, 3 and 4 (always "") are not consulted.
    envelope = _fields(body[len(MAGIC) :], "runtime.Unknown", {1: _BYTES, 2: _BYTES})
    # runtime.TypeMeta {1 apiVersion, 2 kind} (the reverse of meta.v1.TypeMeta's numbering).
    type_meta = _fields(_as_bytes(envelope.get(1)), "runtime.TypeMeta", {1: _BYTES, 2: _BYTES})
    api_version = _string(_as_bytes(type_meta.get(1)))
    kind = _string(_as_bytes(type_meta.get(2)))
    if not kind:
        raise ProtobufError("Object 'Kind' is missing in protobuf body")
    if not api_version:
        raise ProtobufError("Object 'apiVersion' is missing in protobuf body")
    decoded = _decode(_as_bytes(envelope.get(2)), _object_message(api_version, kind))
    return {"kind": kind, "apiVersion": api_version, **decoded}
