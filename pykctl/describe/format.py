"""Formatting helpers shared by the describers, each reproducing one of kubectl's.

Objects are plain decoded JSON. Where kubectl reads a Go struct, a missing field reads as its
Go zero value (``""``, ``0``, ``false``, empty list/map); the accessors here make that explicit.
Timestamps print as Go's ``time.RFC1123Z`` in the local time zone (kubectl converts every
decoded ``metav1.Time`` to local time); a missing timestamp prints as Go's zero time in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from backends.objects.durations import parse_time
from backends.objects.durations import since as _since
from backends.objects.quantity import Quantity, QuantityError
from pykctl.describe.writer import LEVEL_0, Writer

Obj = dict[str, Any]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_ANNOTATION_LEN = 140

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
GO_ZERO_TIME = "Mon, 01 Jan 0001 00:00:00 +0000"


# ---------------------------------------------------------------- reading objects


def dig(obj: Any, *path: str) -> Any:
    """The value at ``path`` in nested dicts, or None."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def mapping(obj: Any, *path: str) -> Obj:
    """The dict at ``path`` (empty when missing)."""
    value = dig(obj, *path)
    return value if isinstance(value, dict) else {}


def items(obj: Any, *path: str) -> list[Any]:
    """The list at ``path`` (empty when missing)."""
    value = dig(obj, *path)
    return value if isinstance(value, list) else []


def text(obj: Any, *path: str) -> str:
    """The string at ``path`` (Go's zero value ``""`` when missing)."""
    value = dig(obj, *path)
    return value if isinstance(value, str) else "" if value is None else go_value(value)


def number(obj: Any, *path: str) -> int:
    """The integer at ``path`` (0 when missing)."""
    value = dig(obj, *path)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def flag(obj: Any, *path: str) -> bool:
    """The boolean at ``path`` (false when missing)."""
    return dig(obj, *path) is True


def string_map(value: Any) -> dict[str, str]:
    """A map[string]string field (labels, annotations, selectors)."""
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else go_value(v) for k, v in value.items()}


# ---------------------------------------------------------------- Go value formatting


def go_value(value: Any) -> str:
    """``fmt.Sprintf("%v", value)`` for JSON values (``true``, ``[a b]``, ``map[k:v]``)."""
    from backends.objects.gofmt import format_g

    if value is None:
        return "<nil>"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return format_g(value)
    if isinstance(value, list):
        return "[" + " ".join(go_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_value(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def go_list(values: Iterable[Any]) -> str:
    """A Go slice printed with ``%v``: ``[a b c]``."""
    return "[" + " ".join(go_value(v) for v in values) + "]"


def title_bool(value: Any) -> str:
    """kubectl's printBool: ``True`` / ``False``."""
    return "True" if value is True else "False"


def bool_ptr(value: Any) -> str:
    """kubectl's printBoolPtr: ``True``, ``False`` or ``<unset>``."""
    return "<unset>" if value is None else title_bool(value)


def or_none(value: str) -> str:
    """kubectl's stringOrNone."""
    return value or "<none>"


def int_or_string(value: Any) -> str:
    """``IntOrString.String()`` (``<nil>`` for a missing pointer)."""
    if value is None:
        return "<nil>"
    return str(value) if not isinstance(value, bool) else go_value(value)


def quantity(value: Any) -> str:
    """A quantity as ``Quantity.String()`` prints it (``0`` when missing)."""
    return str(parse_quantity(value))


def parse_quantity(value: Any) -> Quantity:
    """A quantity field; missing or unparseable reads as zero."""
    try:
        return Quantity.from_json(value)
    except QuantityError:
        return Quantity()


# ---------------------------------------------------------------- time


def rfc1123z(value: Any) -> str:
    """``t.Format(time.RFC1123Z)`` of a decoded timestamp, in the local time zone."""
    moment = parse_time(value)
    if moment is None:
        return GO_ZERO_TIME
    local = moment.astimezone()
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return (
        f"{_DAYS[local.weekday()]}, {local.day:02d} {_MONTHS[local.month - 1]} {local.year:04d} "
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d} {sign}{hours:02d}{mins:02d}"
    )


def since(value: Any, now: datetime) -> str:
    """``translateTimestampSince``: an age such as ``5m``, or ``<unknown>``."""
    return _since(value, now)


# ---------------------------------------------------------------- multi-line blocks


def labels_multiline(
    w: Writer,
    title: str,
    labels: Mapping[str, str],
    initial_indent: str = "",
    inner_indent: str = "\t",
) -> None:
    """kubectl's printLabelsMultiline: sorted ``k=v``, continuation lines under the value."""
    w.write(LEVEL_0, f"{initial_indent}{title}:{inner_indent}")
    if not labels:
        w.line("<none>")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(LEVEL_0, initial_indent)
            w.write(LEVEL_0, inner_indent)
        w.write(LEVEL_0, f"{key}={labels[key]}\n")


def annotations_multiline(w: Writer, title: str, annotations: Mapping[str, str]) -> None:
    """kubectl's printAnnotationsMultiline: last-applied hidden, long values cut at 138."""
    w.write(LEVEL_0, f"{title}:\t")
    keys = sorted(key for key in annotations if key != LAST_APPLIED)
    if not keys:
        w.line("<none>")
        return
    indent = "\t"
    for i, key in enumerate(keys):
        if i:
            w.write(LEVEL_0, indent)
        value = annotations[key].removesuffix("\n")
        if len(value.encode()) + len(key.encode()) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(LEVEL_0, f"{key}:\n")
            for part in value.split("\n"):
                w.write(LEVEL_0, f"{indent}  {shorten(part, MAX_ANNOTATION_LEN - 2)}\n")
        else:
            w.write(LEVEL_0, f"{key}: {value}\n")


def shorten(value: str, limit: int) -> str:
    """The first ``limit`` bytes of ``value`` and ``...`` when it is longer (Go byte slicing)."""
    raw = value.encode()
    if len(raw) <= limit:
        return value
    return raw[:limit].decode(errors="replace") + "..."


def list_multiline(
    w: Writer, title: str, lines: Sequence[str], initial_indent: str = "", inner_indent: str = "\t"
) -> None:
    """One value per line after ``Title:``, continuation lines aligned (``<none>`` if empty)."""
    w.write(LEVEL_0, f"{initial_indent}{title}:{inner_indent}")
    if not lines:
        w.line("<none>")
        return
    for i, value in enumerate(lines):
        if i:
            w.write(LEVEL_0, initial_indent)
            w.write(LEVEL_0, inner_indent)
        w.write(LEVEL_0, f"{value}\n")


def taint_string(taint: Mapping[str, Any]) -> str:
    """``Taint.ToString()``: ``key[=value]:effect``."""
    result = text(taint, "key")
    if text(taint, "value"):
        result += "=" + text(taint, "value")
    if text(taint, "effect"):
        result += ":" + text(taint, "effect")
    return result


def taints_multiline(w: Writer, title: str, taints: list[Any]) -> None:
    """kubectl's printNodeTaintsMultiline: sorted by ``effect,key``."""
    ordered = sorted(taints, key=lambda t: text(t, "effect") + "," + text(t, "key"))
    list_multiline(w, title, [taint_string(t) for t in ordered])


def toleration_string(toleration: Mapping[str, Any]) -> str:
    """One toleration as kubectl prints it: ``key[=value][:effect][ op=Exists][ for Ns]``."""
    key, value, effect = (
        text(toleration, "key"),
        text(toleration, "value"),
        text(toleration, "effect"),
    )
    result = key
    if value:
        result += "=" + value
    if effect:
        result += ":" + effect
    if text(toleration, "operator") == "Exists" and not value:
        result += " op=Exists" if key or effect else "op=Exists"
    seconds = dig(toleration, "tolerationSeconds")
    if isinstance(seconds, int) and not isinstance(seconds, bool):
        result += f" for {seconds}s"
    return result


def tolerations_multiline(
    w: Writer, title: str, tolerations: list[Any], initial_indent: str = ""
) -> None:
    """kubectl's printPodTolerationsMultiline: sorted by key."""
    ordered = sorted(tolerations, key=lambda t: text(t, "key"))
    list_multiline(w, title, [toleration_string(t) for t in ordered], initial_indent)


# ---------------------------------------------------------------- metadata


def controlled_by(obj: Mapping[str, Any]) -> str:
    """``Kind/name`` of the controller owner reference, or ``""``."""
    for ref in items(obj, "metadata", "ownerReferences"):
        if dig(ref, "controller") is True:
            return f"{text(ref, 'kind')}/{text(ref, 'name')}"
    return ""


def controller_uid(obj: Mapping[str, Any]) -> str | None:
    """The uid of the controller owner reference (Go's GetControllerOf), or None."""
    for ref in items(obj, "metadata", "ownerReferences"):
        if dig(ref, "controller") is True:
            return text(ref, "uid")
    return None


def labels_of(obj: Mapping[str, Any]) -> dict[str, str]:
    return string_map(dig(obj, "metadata", "labels"))


def annotations_of(obj: Mapping[str, Any]) -> dict[str, str]:
    return string_map(dig(obj, "metadata", "annotations"))


def write_metadata(w: Writer, obj: Mapping[str, Any], namespace: bool = True) -> None:
    """The common head: ``Name``, ``Namespace`` (optional), ``Labels``, ``Annotations``."""
    w.write(LEVEL_0, f"Name:\t{text(obj, 'metadata', 'name')}\n")
    if namespace:
        w.write(LEVEL_0, f"Namespace:\t{text(obj, 'metadata', 'namespace')}\n")
    labels_multiline(w, "Labels", labels_of(obj))
    annotations_multiline(w, "Annotations", annotations_of(obj))


def sorted_resource_names(resources: Mapping[str, Any]) -> list[str]:
    """Resource names in byte order (kubectl's SortedResourceNames)."""
    return sorted(resources)
