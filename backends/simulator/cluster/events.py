"""Recording Events, as Kubernetes components do, so that ``kubectl get events`` and
``kubectl describe`` show what a real cluster shows.

Two recorders, as in client-go:

* ``EventRecorder`` (client-go ``tools/record``, used by the kubelet and kube-controller-manager):
  core/v1 Events with ``source``, ``count``, ``firstTimestamp``/``lastTimestamp`` and a null
  ``eventTime``. Its correlator is client-go's: a spam filter (a token bucket of 25 per source,
  object, type and reason, refilled once every 5 minutes), an aggregator (more than 10 different
  messages for the same object and reason within 10 minutes become one "(combined from similar
  events): ..." event) and a de-duplicator (the same object, reason and message again: the
  existing Event's ``count`` goes up and ``lastTimestamp`` moves, by PATCH).
* ``SeriesRecorder`` (client-go ``tools/events``, used by kube-scheduler): Events with
  ``eventTime``, ``action``, ``reportingController``/``reportingInstance`` and no ``source``.
  The second identical event starts a ``series`` (count 2); later ones are counted in memory and
  written every 30 minutes, and when the series ends (6 minutes without a repeat).

Both are written through the REST layer as core/v1 Events (what kubectl reads), with the
component's field manager. Event names are ``<object>.<hex nanoseconds>``; the namespace is the
object's, ``default`` for cluster-scoped objects. Writing an event never fails its caller: a
refused event is logged and dropped, as client-go drops it after its retries.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from backends.simulator.apiserver import status
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock, rfc3339
from backends.simulator.cluster.api import EVENTS, create, metadata, micro_time, patch

log = logging.getLogger("pykctl.simulator.events")

Obj = dict[str, Any]
T = TypeVar("T")

NORMAL = "Normal"
WARNING = "Warning"

CACHE_SIZE = 4096  # client-go's LRU caches of recent events
SPAM_BURST = 25
SPAM_REFILL_SECONDS = 300.0
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL_SECONDS = 600.0
COMBINED_PREFIX = "(combined from similar events): "
SERIES_REFRESH_SECONDS = 30 * 60.0
SERIES_FINISH_SECONDS = 6 * 60.0


def reference(obj: Obj, field_path: str = "") -> Obj:
    """An ObjectReference to ``obj`` (client-go ``reference.GetReference``)."""
    meta = metadata(obj)
    ref = {
        "kind": obj.get("kind"),
        "namespace": meta.get("namespace"),
        "name": meta.get("name"),
        "uid": meta.get("uid"),
        "apiVersion": obj.get("apiVersion"),
        "resourceVersion": meta.get("resourceVersion"),
        "fieldPath": field_path,
    }
    return {name: value for name, value in ref.items() if value}


def _nanoseconds(clock: Clock) -> int:
    moment = clock.now()
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def _create(rest: Rest, clock: Clock, event: Obj, manager: str) -> Obj | None:
    """Create ``event`` under a fresh ``<object>.<hex ns>`` name; None when refused."""
    meta = event["metadata"]
    base = str(event["involvedObject"].get("name") or "")
    stamp = _nanoseconds(clock)
    for _ in range(1000):  # a frozen test clock can repeat a timestamp: take the next one
        meta["name"] = f"{base}.{stamp:x}"
        try:
            return create(rest, EVENTS, meta["namespace"], event, manager)
        except status.ApiStatus as err:
            if err.reason != "AlreadyExists":
                log.warning("event %s/%s refused: %s", meta["namespace"], base, err.message)
                return None
        stamp += 1
    return None


def _patch(rest: Rest, namespace: str, name: str, body: Obj, manager: str) -> Obj | None:
    try:
        return patch(rest, EVENTS, namespace, name, body, manager)
    except status.ApiStatus as err:
        log.debug("event %s/%s not updated: %s", namespace, name, err.message)
        return None


# ------------------------------------------------------------------ tools/record (legacy)


class _Lru(Generic[T]):
    """A dict of at most ``CACHE_SIZE`` entries that forgets the least recently used."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, ...], T] = OrderedDict()

    def get(self, entry: tuple[str, ...]) -> T | None:
        found = self._entries.get(entry)
        if found is not None:
            self._entries.move_to_end(entry)
        return found

    def put(self, entry: tuple[str, ...], value: T) -> T:
        self._entries[entry] = value
        self._entries.move_to_end(entry)
        if len(self._entries) > CACHE_SIZE:
            self._entries.popitem(last=False)
        return value


@dataclass
class _Bucket:
    tokens: float
    checked: float


@dataclass
class _Similar:
    messages: set[str]
    last: float


@dataclass
class _Logged:
    count: int
    first: str
    name: str
    namespace: str


class EventRecorder:
    """client-go's ``record.EventRecorder`` for one component (``source.component``/``host``)."""

    def __init__(
        self, rest: Rest, clock: Clock, component: str, host: str = "", manager: str = ""
    ) -> None:
        """``manager``: the field manager of the writes (default: the component's name)."""
        self.rest = rest
        self.clock = clock
        self.component = component
        self.host = host
        self.manager = manager or component
        self._buckets: _Lru[_Bucket] = _Lru()
        self._similar: _Lru[_Similar] = _Lru()
        self._logged: _Lru[_Logged] = _Lru()

    def event(
        self, obj: Obj, event_type: str, reason: str, message: str, field_path: str = ""
    ) -> None:
        """Record an event about ``obj`` (an object, or an ObjectReference with ``kind``)."""
        ref = reference(obj) if "metadata" in obj else dict(obj)
        if field_path:
            ref["fieldPath"] = field_path
        if not self._allowed(ref, event_type, reason):
            return
        now = rfc3339(self.clock.now())
        source: Obj = {"component": self.component}
        if self.host:
            source["host"] = self.host
        event: Obj = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"namespace": ref.get("namespace") or "default"},
            "involvedObject": ref,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": event_type,
            "eventTime": None,
            "reportingComponent": self.component,
            "reportingInstance": self.host,
        }
        event, dedup_key = self._aggregate(event, ref)
        self._observe(event, dedup_key)

    def _allowed(self, ref: Obj, event_type: str, reason: str) -> bool:
        """The spam filter: one token per event, ``SPAM_BURST`` at most, refilled slowly."""
        spam_key = (*self._source_key(ref), event_type, reason)
        now = self.clock.monotonic()
        bucket = self._buckets.get(spam_key) or self._buckets.put(
            spam_key, _Bucket(float(SPAM_BURST), now)
        )
        bucket.tokens = min(
            float(SPAM_BURST), bucket.tokens + (now - bucket.checked) / SPAM_REFILL_SECONDS
        )
        bucket.checked = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True

    def _source_key(self, ref: Obj) -> tuple[str, ...]:
        return (
            self.component,
            self.host,
            *(
                str(ref.get(part) or "")
                for part in ("kind", "namespace", "name", "uid", "apiVersion")
            ),
        )

    def _aggregate(self, event: Obj, ref: Obj) -> tuple[Obj, tuple[str, ...]]:
        """client-go's EventAggregator: many different messages become one combined event."""
        similar_key = (
            *self._source_key(ref),
            event["type"],
            event["reason"],
            self.component,
            self.host,
        )
        dedup_key = (
            *self._source_key(ref),
            str(ref.get("fieldPath") or ""),
            event["type"],
            event["reason"],
            event["message"],
        )
        now = self.clock.monotonic()
        record = self._similar.get(similar_key)
        if record is None or now - record.last > AGGREGATE_INTERVAL_SECONDS:
            record = self._similar.put(similar_key, _Similar(set(), now))
        record.messages.add(event["message"])
        record.last = now
        if len(record.messages) < AGGREGATE_MAX_EVENTS:
            return event, dedup_key
        record.messages.pop()
        combined: Obj = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"namespace": event["metadata"]["namespace"]},
            "involvedObject": ref,
            "reason": event["reason"],
            "message": COMBINED_PREFIX + event["message"],
            "source": event["source"],
            "firstTimestamp": event["firstTimestamp"],
            "lastTimestamp": event["lastTimestamp"],
            "count": 1,
            "type": event["type"],
            "eventTime": None,
        }
        return combined, similar_key

    def _observe(self, event: Obj, dedup_key: tuple[str, ...]) -> None:
        """client-go's EventLogger: a repeat raises the stored event's count."""
        logged = self._logged.get(dedup_key)
        namespace = event["metadata"]["namespace"]
        if logged is not None:
            logged.count += 1
            body = {
                "count": logged.count,
                "lastTimestamp": event["lastTimestamp"],
                "message": event["message"],
            }
            if _patch(self.rest, logged.namespace, logged.name, body, self.manager) is not None:
                return
            event["count"] = logged.count  # the stored event went away: create it again
            event["firstTimestamp"] = logged.first
        stored = _create(self.rest, self.clock, event, self.manager)
        if stored is not None:
            self._logged.put(
                dedup_key,
                _Logged(
                    int(stored.get("count") or 1),
                    str(stored.get("firstTimestamp") or ""),
                    metadata(stored)["name"],
                    namespace,
                ),
            )


# -------------------------------------------------------------- tools/events (series)


@dataclass
class _Series:
    event: Obj
    observed: float
    count: int = 0  # 0: no series yet
    written: int = 0  # the count last written
    last_observed: str = ""
    refreshed: float = field(default=0.0)


class SeriesRecorder:
    """client-go's ``events.EventRecorder`` (events.k8s.io semantics), as kube-scheduler uses it."""

    def __init__(
        self, rest: Rest, clock: Clock, controller: str, instance: str, manager: str
    ) -> None:
        self.rest = rest
        self.clock = clock
        self.controller = controller
        self.instance = instance
        self.manager = manager
        self._cache: dict[str, _Series] = {}

    def event(
        self,
        regarding: Obj,
        event_type: str,
        reason: str,
        action: str,
        note: str,
        related: Obj | None = None,
    ) -> None:
        """Record an event about ``regarding`` (an object), optionally ``related`` to another."""
        ref = reference(regarding)
        related_ref = reference(related) if related is not None else None
        cache_key = repr((action, reason, ref, note, related_ref))
        now = self.clock.monotonic()
        cached = self._cache.get(cache_key)
        if cached is not None:
            cached.observed = now
            cached.last_observed = micro_time(self.clock.now())
            if cached.count == 0:
                cached.count = 2
                self._write_series(cached)
            else:
                cached.count += 1
            return
        event: Obj = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"namespace": ref.get("namespace") or "default"},
            "involvedObject": ref,
            "reason": reason,
            "message": note,
            "source": {},
            "type": event_type,
            "eventTime": micro_time(self.clock.now()),
            "action": action,
            "reportingComponent": self.controller,
            "reportingInstance": self.instance,
        }
        if related_ref is not None:
            event["related"] = related_ref
        stored = _create(self.rest, self.clock, event, self.manager)
        if stored is not None:
            self._cache[cache_key] = _Series(stored, now, refreshed=now)

    def _write_series(self, series: _Series) -> None:
        meta = metadata(series.event)
        body = {"series": {"count": series.count, "lastObservedTime": series.last_observed}}
        if _patch(self.rest, meta["namespace"], meta["name"], body, self.manager) is not None:
            series.written = series.count

    def tick(self) -> None:
        """Write series counts every 30 minutes and when a series ends; forget old events."""
        now = self.clock.monotonic()
        for cache_key, series in list(self._cache.items()):
            if now - series.observed > SERIES_FINISH_SECONDS:
                if series.count and series.count != series.written:
                    self._write_series(series)
                del self._cache[cache_key]
            elif series.count and now - series.refreshed >= SERIES_REFRESH_SECONDS:
                series.refreshed = now
                if series.count != series.written:
                    self._write_series(series)
