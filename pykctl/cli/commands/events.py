"""``pykctl events``: a namespace's (or every namespace's) events, as ``kubectl events`` lists them.

The list is read in ``--chunk-size`` pages (``--for TYPE/NAME`` adds the field selector
``involvedObject.kind=Kind,involvedObject.apiVersion=group/version,involvedObject.name=name``), filtered by ``--types``
(case-insensitive), sorted by when the event was last seen (series, lastTimestamp, else
eventTime; stable), and printed by kubectl's event printer (``[NAMESPACE] LAST SEEN TYPE REASON
OBJECT MESSAGE``, OBJECT = ``Kind/name``) or, with ``-o``, as one EventList whose items are in the
Go struct field order. ``-w`` watches instead of listing (existing events arrive as ADDED),
printing each event as it comes, deletions skipped. Like kubectl, printer errors are ignored.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone
from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import print_flags
from pykctl.cli.errors import CommandError, RawError
from pykctl.cli.flags import BOOL, INT, STRING, STRING_SLICE, Flag

Obj = dict[str, Any]

_META_ORDER = (
    "name generateName namespace selfLink uid resourceVersion generation creationTimestamp "
    "deletionTimestamp deletionGracePeriodSeconds labels annotations ownerReferences finalizers "
    "managedFields"
).split()
_REF_ORDER = "kind namespace name uid apiVersion resourceVersion fieldPath".split()
# (field, written when absent as) in core/v1 Event order; None: omitted when empty
_EVENT_ORDER: tuple[tuple[str, Any], ...] = (
    ("kind", None),
    ("apiVersion", None),
    ("metadata", {}),
    ("involvedObject", {}),
    ("reason", None),
    ("message", None),
    ("source", {}),
    ("firstTimestamp", "null"),
    ("lastTimestamp", "null"),
    ("count", None),
    ("type", None),
    ("eventTime", "null"),
    ("series", None),
    ("action", None),
    ("related", None),
    ("reportingComponent", ""),
    ("reportingInstance", ""),
)


def _ordered(obj: Obj, order: list[str]) -> Obj:
    return {k: obj[k] for k in order if obj.get(k) not in (None, "", [], {})}


def as_typed_event(event: Obj) -> Obj:
    """An Event as kubectl's corev1.Event writes it: struct order, zero times as null."""
    event = {**event, "kind": event.get("kind") or "Event"}
    event["apiVersion"] = event.get("apiVersion") or "v1"
    typed: Obj = {}
    for key, absent in _EVENT_ORDER:
        value = event.get(key)
        if key == "metadata":
            value = _ordered(value or {}, _META_ORDER)
        elif key in ("involvedObject", "related") and value:
            value = _ordered(value, _REF_ORDER)
        elif key == "source":
            value = _ordered(value or {}, ["component", "host"])
        elif key == "series" and value:
            value = _ordered(value, ["count", "lastObservedTime"])
        if value in (None, "", 0) and absent is None:
            continue
        typed[key] = (None if absent == "null" else absent) if value in (None, "") else value
    return typed


def _moment(value: Any) -> datetime | None:
    from backends.objects.durations import parse_time

    return parse_time(value) if value else None


def last_seen(event: Obj) -> datetime:
    """When kubectl's SortableEvents says the event happened."""
    series = event.get("series")
    found = _moment((series or {}).get("lastObservedTime")) if series else None
    if found is None and not series:
        found = _moment(event.get("lastTimestamp")) or _moment(event.get("eventTime"))
    return found or datetime.min.replace(tzinfo=timezone.utc)


def _interval(event: Obj, now: datetime) -> str:
    from backends.objects.durations import since

    first = since(event.get("eventTime") or None, now)
    if not event.get("eventTime"):
        first = since(event.get("firstTimestamp") or None, now)
    series = event.get("series")
    if series:
        last = since(series.get("lastObservedTime") or None, now)
        return f"{last} (x{series.get('count', 0)} over {first})"
    if (event.get("count") or 0) > 1:
        last = since(event.get("lastTimestamp") or None, now)
        return f"{last} (x{event['count']} over {first})"
    return first


def event_row(event: Obj, now: datetime, all_namespaces: bool) -> str:
    """One line of kubectl's event printer."""
    ref = event.get("involvedObject") or {}
    cells = [
        _interval(event, now),
        event.get("type", ""),
        event.get("reason", ""),
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        str(event.get("message", "")).strip(),
    ]
    if all_namespaces:
        cells.insert(0, (event.get("metadata") or {}).get("namespace", ""))
    return "\t".join(cells) + "\n"


class _EventPrinter:
    """kubectl's EventPrinter: the heading once, before the first event."""

    def __init__(self, no_headers: bool, all_namespaces: bool) -> None:
        self.headed = no_headers
        self.all_namespaces = all_namespaces

    def lines(self, events: list[Obj]) -> str:
        text = ""
        if not self.headed:
            self.headed = True
            text = "NAMESPACE\t" if self.all_namespaces else ""
            text += "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n"
        now = datetime.now(timezone.utc)
        return text + "".join(event_row(e, now, self.all_namespaces) for e in events)


def _for_selector(session: Any, target: str) -> str:
    """``--for TYPE/NAME`` as a field selector."""
    from pykctl.resources.mapper import UnknownResource

    if "/" not in target:
        raise CommandError("--for must be in resource/name form")
    parts = target.split("/")
    if len(parts) != 2:
        raise CommandError("arguments in resource/name form may not have more than one slash")
    try:
        resource = session.mapper.resource_for(parts[0])
    except UnknownResource as err:
        raise RawError(str(err)) from None
    return (
        f"involvedObject.kind={resource.kind},involvedObject.apiVersion="
        f"{resource.group_version},involvedObject.name={parts[1]}"
    )


def run(inv: Invocation) -> int:
    from pykctl.printers.output import PRINT_FORMATS, OutputError, make_printer, parse_output_format
    from pykctl.printers.tabwriter import TabWriter
    from pykctl.resources.discovery import Resource
    from pykctl.session import Session

    flags = inv.flags
    with Session.open(inv) as session:
        namespace = session.namespace
        selector = _for_selector(session, flags["for"]) if flags["for"] else ""
        types = sorted(set(flags["types"]))
        try:
            fmt = parse_output_format(flags["output"], flags["template"], ("", *PRINT_FORMATS))
            printer = (
                None
                if fmt.kind == ""
                else make_printer(
                    fmt,
                    show_managed_fields=flags["show_managed_fields"],
                    allow_missing_keys=flags["allow_missing_template_keys"],
                    sort_keys=False,
                )
            )
        except OutputError as err:
            raise CommandError(str(err)) from None
        if any(t.lower() not in ("normal", "warning") for t in types):
            raise CommandError("valid --types are Normal or Warning")

        def wanted(event: Obj) -> bool:
            kind = str(event.get("type", "")).lower()
            return not types or any(t.lower() == kind for t in types)

        table = _EventPrinter(flags["no_headers"], flags["all_namespaces"])
        writer = TabWriter(remember_widths=True)
        resource = Resource("", "v1", "events", "event", "Event", True)
        where = None if flags["all_namespaces"] else namespace
        query = [("fieldSelector", selector)] if selector else []

        def show(events: list[Obj], out: Any) -> None:
            if printer is None:
                writer.write(table.lines(events))
                out.write(writer.flush())
                return
            listing = {"kind": "EventList", "apiVersion": "v1", "metadata": {}}
            shown: Obj = listing | {"items": [as_typed_event(e) for e in events]}
            if fmt.kind == "name" and not flags["watch"]:
                return  # kubectl's name printer prints nothing for its EventList
            with contextlib.suppress(OutputError):  # kubectl ignores its printer's errors
                printer.print_obj(shown["items"][0] if flags["watch"] else shown, out)

        if flags["watch"]:
            for change in session.client.watch(resource, where, query):
                obj = change.get("object") or {}
                if change.get("type") == "DELETED" or not wanted(obj):
                    continue
                show([obj], inv.stdout)
                inv.stdout.flush()
            return 0
        items: list[Obj] = []
        for page in session.client.list_all_pages(resource, where, query, flags["chunk_size"]):
            items.extend(page.get("items") or [])
    events = sorted((e for e in items if wanted(e)), key=last_seen)
    if not events:
        inv.err(
            "No events found."
            if flags["all_namespaces"]
            else f"No events found in {namespace} namespace."
        )
        return 0
    show(events, inv.stdout)
    return 0


_FORMATS = "|".join(
    "json yaml kyaml name go-template go-template-file template templatefile jsonpath "
    "jsonpath-as-json jsonpath-file".split()
)

events = KCommand(
    "events",
    run,
    Help(
        use=f"events [(-o|--output=){_FORMATS}] [--for TYPE/NAME] [--watch] "
        "[--types=Normal,Warning]",
        short="List events",
        long="""Display events.

 Prints a table of the most important information about events. You can request events for a namespace, for all namespace, or filtered to only those pertaining to a specified resource.""",
        example="""# List recent events in the default namespace
pykctl events

# List recent events in all namespaces
pykctl events --all-namespaces

# List recent events for the specified pod, then wait for more events and list them as they arrive
pykctl events --for pod/web-pod-13je7 --watch

# List recent events in YAML format
pykctl events -oyaml

# List recent only events of type 'Warning' or 'Normal'
pykctl events --types=Warning,Normal""",
    ),
    [
        Flag(
            "all-namespaces",
            BOOL,
            shorthand="A",
            usage="If present, list the requested object(s) across all namespaces. Namespace in "
            "current context is ignored even if specified with --namespace.",
        ),
        Flag(
            "chunk-size",
            INT,
            default=500,
            usage="Return large lists in chunks rather than all at once. Pass 0 to disable.",
        ),
        Flag(
            "for",
            STRING,
            usage="Filter events to only those pertaining to the specified resource.",
        ),
        Flag(
            "no-headers",
            BOOL,
            usage="When using the default output format, don't print headers.",
        ),
        Flag("types", STRING_SLICE, usage="Output only events of given types."),
        Flag(
            "watch",
            BOOL,
            shorthand="w",
            usage="After listing the requested events, watch for more events.",
        ),
        *print_flags(),
    ],
)
