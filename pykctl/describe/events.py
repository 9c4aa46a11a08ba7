"""The Events section every describer ends with, and the query that finds those events.

kubectl lists core/v1 events with a field selector on the described object's reference
(``involvedObject.name``, ``.namespace``, ``.uid`` and, except for Pods, ``.kind``), sorts them
by ``lastTimestamp`` (stable, oldest first) and prints one row each. An empty list prints
``Events:\\t<none>`` inside the surrounding ``Key:`` block; a non-empty one flushes the writer
first, so its table aligns on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backends.objects.durations import parse_time
from backends.objects.selectors import escape_field_value
from pykctl.describe.format import dig, number, since, text
from pykctl.describe.writer import LEVEL_0, LEVEL_1, Writer

Obj = dict[str, Any]


def field_selector(name: str, namespace: str, kind: str | None, uid: str | None) -> str:
    """kubectl's events field selector for one object (fields.Set order: sorted keys)."""
    terms = {"involvedObject.name": name, "involvedObject.namespace": namespace}
    if kind:
        terms["involvedObject.kind"] = kind
    if uid:
        terms["involvedObject.uid"] = uid
    return ",".join(f"{key}={escape_field_value(terms[key])}" for key in sorted(terms))


def _sort_key(event: Obj) -> float:
    """``lastTimestamp`` in seconds; a missing one is Go's zero time, before everything."""
    moment = parse_time(dig(event, "lastTimestamp"))
    return float("-inf") if moment is None else moment.timestamp()


def age(event: Obj, now: datetime) -> str:
    """The Age cell: first seen, or ``last (xN over first)`` for repeated events."""
    first = (
        since(dig(event, "eventTime"), now)
        if parse_time(dig(event, "eventTime")) is not None
        else since(dig(event, "firstTimestamp"), now)
    )
    series = dig(event, "series")
    if isinstance(series, dict):
        return f"{since(dig(series, 'lastObservedTime'), now)} (x{number(series, 'count')} over {first})"
    if number(event, "count") > 1:
        return f"{since(dig(event, 'lastTimestamp'), now)} (x{number(event, 'count')} over {first})"
    return first


def describe_events(w: Writer, events: Sequence[Obj], now: datetime) -> None:
    """kubectl's DescribeEvents."""
    if not events:
        w.write(LEVEL_0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(LEVEL_0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(LEVEL_1, "----\t------\t----\t----\t-------\n")
    for event in sorted(events, key=_sort_key):
        source = text(event, "source", "component") or text(event, "reportingComponent")
        message = text(event, "message").strip()
        field_path = text(event, "involvedObject", "fieldPath")
        if field_path:
            message = f"{field_path}: {message}"
        w.write(
            LEVEL_1,
            f"{text(event, 'type')}\t{text(event, 'reason')}\t{age(event, now)}\t{source}\t{message}\n",
        )
