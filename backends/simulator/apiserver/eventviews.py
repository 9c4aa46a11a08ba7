"""One storage for Events, two APIs: core/v1 Events are stored; events.k8s.io/v1 reads and writes
them through the field mapping kube-apiserver uses (involvedObject ↔ regarding, message ↔ note,
source ↔ deprecatedSource, count ↔ deprecatedCount, ...), so `kubectl get events` and
`kubectl events` see the same events whoever wrote them."""

from __future__ import annotations

from typing import Any

from backends.simulator.apiserver.resources import ResourceType

Obj = dict[str, Any]

# (core field, events.k8s.io field); fields with the same name in both are copied as they are.
_RENAMED = (
    ("involvedObject", "regarding"),
    ("message", "note"),
    ("reportingComponent", "reportingController"),
    ("source", "deprecatedSource"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("count", "deprecatedCount"),
)
_SHARED = (
    "metadata",
    "eventTime",
    "series",
    "reportingInstance",
    "action",
    "reason",
    "related",
    "type",
)


def is_events_api(resource: ResourceType) -> bool:
    return resource.group == "events.k8s.io" and resource.plural == "events"


def to_events_api(core: Obj) -> Obj:
    """A stored core Event as events.k8s.io/v1 shows it."""
    view: Obj = {"kind": "Event", "apiVersion": "events.k8s.io/v1"}
    for key in _SHARED:
        if key in core:
            view[key] = core[key]
    for core_key, view_key in _RENAMED:
        value = core.get(core_key)
        if value not in (None, "", 0, {}):
            view[view_key] = value
    return view


def to_core(view: Obj) -> Obj:
    """An events.k8s.io/v1 Event as the core Event that is stored."""
    core: Obj = {"kind": "Event", "apiVersion": "v1"}
    for key in _SHARED:
        if key in view:
            core[key] = view[key]
    for core_key, view_key in _RENAMED:
        if view_key in view:
            core[core_key] = view[view_key]
    core.setdefault("involvedObject", {})
    return core
