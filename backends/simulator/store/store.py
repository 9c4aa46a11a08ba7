"""An object store with one global revision, backed by SQLite (WAL) and served from memory.

Invariants:

* The revision is global and strictly increasing; every write takes the next one and stamps it
  into the object's ``metadata.resourceVersion`` (as a string, as Kubernetes does).
* A write returns only after its SQLite transaction committed, so every acknowledged write
  survives ``kill -9`` of the daemon (WAL mode; the OS has the data).
* Writes with an expected resourceVersion fail with ConflictError when the stored one differs:
  concurrent writers never lose an update.
* Stored objects are never mutated in place: ``create``/``update`` store the dict they are given
  and callers must treat everything the store returns as read-only (copy before changing).
* Watchers receive every event after their starting revision, in order, exactly once. Events
  older than the in-memory history window cannot be replayed (GoneError, which the API server
  turns into 410 Gone).

The store runs on the daemon's event loop thread; it is not thread-safe and needs no locks.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace, name); namespace "" for cluster-scoped objects

HISTORY_WINDOW = 50_000


class StoreError(Exception):
    """Base class of store errors."""


class NotFoundError(StoreError):
    pass


class AlreadyExistsError(StoreError):
    pass


class ConflictError(StoreError):
    pass


class GoneError(StoreError):
    """The requested revision is older than the history window."""

    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"too old resource version: {requested} ({oldest})")
        self.requested = requested
        self.oldest = oldest


@dataclass(frozen=True)
class Event:
    """One change: ``type`` is ADDED, MODIFIED or DELETED; ``object`` the state after it
    (the last state for DELETED, stamped with the deletion's revision)."""

    type: str
    resource: str
    revision: int
    object: Obj
    previous: Obj | None = None


@dataclass(eq=False)
class Watch:
    """A subscription to one resource (optionally one namespace)."""

    resource: str
    namespace: str | None
    queue: asyncio.Queue[Event | None] = field(default_factory=asyncio.Queue)
    closed: bool = False

    def matches(self, event: Event) -> bool:
        if event.resource != self.resource:
            return False
        if self.namespace is None:
            return True
        return bool(event.object.get("metadata", {}).get("namespace", "") == self.namespace)


def _encode(obj: Obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _namespace_and_name(obj: Obj) -> Key:
    metadata = obj.get("metadata") or {}
    return str(metadata.get("namespace") or ""), str(metadata["name"])


class Store:
    """All objects by resource (``"apps/deployments"``, ``"/pods"``), plus watches."""

    def __init__(self, path: str | None = None) -> None:
        """``path`` is the SQLite file; None keeps everything in memory (tests)."""
        self.path = path
        if path is not None:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self._db = sqlite3.connect(path or ":memory:", isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS objects (resource TEXT NOT NULL, namespace TEXT NOT NULL, "
            "name TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (resource, namespace, name))"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        self._objects: dict[str, dict[Key, Obj]] = collections.defaultdict(dict)
        for resource, namespace, name, data in self._db.execute(
            "SELECT resource, namespace, name, data FROM objects"
        ):
            self._objects[resource][(namespace, name)] = json.loads(data)
        row = self._db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        self.revision = int(row[0]) if row else 1
        self._oldest = self.revision  # history starts empty: nothing older can be replayed
        self._history: collections.deque[Event] = collections.deque(maxlen=HISTORY_WINDOW)
        self._watches: list[Watch] = []
        # Compact JSON of stored objects, by identity (objects are immutable once stored).
        self._encoded: dict[int, tuple[Obj, bytes]] = {}
        self._listeners: list[Callable[[Event], None]] = []

    # ----------------------------------------------------------------------------- reads

    def get(self, resource: str, namespace: str, name: str) -> Obj | None:
        """The stored object (read-only), or None."""
        return self._objects[resource].get((namespace, name))

    def objects(self, resource: str, namespace: str | None = None) -> list[Obj]:
        """Stored objects of a resource (read-only), sorted by namespace then name."""
        entries = self._objects[resource]
        keys = (
            sorted(entries)
            if namespace is None
            else sorted(k for k in entries if k[0] == namespace)
        )
        return [entries[k] for k in keys]

    def objects_at(self, resource: str, namespace: str | None, revision: int) -> list[Obj]:
        """The objects as they were right after ``revision`` (consistent paging, Exact reads);
        GoneError when the history window no longer reaches back that far."""
        if revision >= self.revision:
            return self.objects(resource, namespace)
        if revision < self._oldest:
            raise GoneError(revision, self._oldest + 1)
        state = {
            key: obj
            for key, obj in self._objects[resource].items()
            if namespace is None or key[0] == namespace
        }
        for event in reversed(self._history):
            if event.revision <= revision:
                break
            if event.resource != resource:
                continue
            key = _namespace_and_name(event.object)
            if namespace is not None and key[0] != namespace:
                continue
            if event.type == "ADDED":
                state.pop(key, None)
            elif event.previous is not None:
                state[key] = event.previous
        return [state[key] for key in sorted(state)]

    def encoded(self, obj: Obj) -> bytes:
        """Compact JSON of an object returned by this store (cached since it was written)."""
        cached = self._encoded.get(id(obj))
        if cached is not None and cached[0] is obj:
            return cached[1]
        data = _encode(obj).encode()
        if len(self._encoded) < 200_000:
            self._encoded[id(obj)] = (obj, data)
        return data

    def count(self, resource: str) -> int:
        return len(self._objects[resource])

    def resources(self) -> list[str]:
        """Resources that have at least one object."""
        return sorted(r for r, entries in self._objects.items() if entries)

    # ---------------------------------------------------------------------------- writes

    def _next_revision(self) -> int:
        return self.revision + 1

    def _stamp(self, obj: Obj, revision: int) -> Obj:
        stamped = dict(obj)
        stamped["metadata"] = {**(obj.get("metadata") or {}), "resourceVersion": str(revision)}
        return stamped

    def _commit(self, statements: Iterable[tuple[str, tuple[Any, ...]]], revision: int) -> None:
        cursor = self._db.cursor()
        cursor.execute("BEGIN")
        try:
            for sql, params in statements:
                cursor.execute(sql, params)
            cursor.execute(
                "INSERT INTO meta (key, value) VALUES ('revision', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(revision),),
            )
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        self.revision = revision

    def create(self, resource: str, obj: Obj) -> Obj:
        """Store a new object; AlreadyExistsError if the name is taken."""
        key = _namespace_and_name(obj)
        if key in self._objects[resource]:
            raise AlreadyExistsError(key[1])
        revision = self._next_revision()
        stored = self._stamp(obj, revision)
        encoded = _encode(stored)
        self._commit(
            [("INSERT INTO objects VALUES (?, ?, ?, ?)", (resource, key[0], key[1], encoded))],
            revision,
        )
        self._objects[resource][key] = stored
        self._encoded[id(stored)] = (stored, encoded.encode())
        self._publish(Event("ADDED", resource, revision, stored))
        return stored

    def update(self, resource: str, obj: Obj, expected_revision: str | None = None) -> Obj:
        """Replace an existing object. With ``expected_revision`` (the resourceVersion the
        writer read), a different stored version is a ConflictError."""
        key = _namespace_and_name(obj)
        current = self._objects[resource].get(key)
        if current is None:
            raise NotFoundError(key[1])
        if expected_revision and current["metadata"].get("resourceVersion") != expected_revision:
            raise ConflictError(key[1])
        revision = self._next_revision()
        stored = self._stamp(obj, revision)
        encoded = _encode(stored)
        self._commit(
            [
                (
                    "UPDATE objects SET data = ? WHERE resource = ? AND namespace = ? AND name = ?",
                    (encoded, resource, key[0], key[1]),
                )
            ],
            revision,
        )
        self._objects[resource][key] = stored
        self._encoded.pop(id(current), None)
        self._encoded[id(stored)] = (stored, encoded.encode())
        self._publish(Event("MODIFIED", resource, revision, stored, current))
        return stored

    def delete(
        self, resource: str, namespace: str, name: str, expected_revision: str | None = None
    ) -> Obj:
        """Remove an object; returns its last state stamped with the deletion's revision."""
        key = (namespace, name)
        current = self._objects[resource].get(key)
        if current is None:
            raise NotFoundError(name)
        if expected_revision and current["metadata"].get("resourceVersion") != expected_revision:
            raise ConflictError(name)
        revision = self._next_revision()
        self._commit(
            [
                (
                    "DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?",
                    (resource, namespace, name),
                )
            ],
            revision,
        )
        del self._objects[resource][key]
        self._encoded.pop(id(current), None)
        last = self._stamp(current, revision)
        self._publish(Event("DELETED", resource, revision, last, current))
        return last

    def clear(self) -> None:
        """Remove every object (``pykctl sim reset``); watchers are closed."""
        self._db.execute("DELETE FROM objects")
        self._objects.clear()
        for watch in list(self._watches):
            self.stop_watch(watch)
        self._history.clear()
        self._oldest = self.revision

    def stop_all_watches(self) -> None:
        for watch in list(self._watches):
            self.stop_watch(watch)

    def close(self) -> None:
        self.stop_all_watches()
        self._db.close()

    # --------------------------------------------------------------------------- watches

    def _publish(self, event: Event) -> None:
        self._history.append(event)
        if len(self._history) == self._history.maxlen:
            self._oldest = self._history[0].revision - 1
        for watch in self._watches:
            if watch.matches(event):
                watch.queue.put_nowait(event)
        for listener in tuple(self._listeners):  # a listener may remove itself
            listener(event)

    def watch(self, resource: str, namespace: str | None = None, since: int | None = None) -> Watch:
        """Subscribe to changes after revision ``since`` (None: from now on).

        Events between ``since`` and now are queued first; GoneError if ``since`` is older than
        the history window.
        """
        watch = Watch(resource, namespace)
        if since is not None and since < self.revision:
            if since < self._oldest:
                raise GoneError(since, self._oldest + 1)
            for event in self._history:
                if event.revision > since and watch.matches(event):
                    watch.queue.put_nowait(event)
        self._watches.append(watch)
        return watch

    def stop_watch(self, watch: Watch) -> None:
        if watch in self._watches:
            self._watches.remove(watch)
        if not watch.closed:
            watch.closed = True
            watch.queue.put_nowait(None)

    def add_listener(self, listener: Callable[[Event], None]) -> None:
        """Call ``listener`` synchronously for every event (controllers' informers)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[Event], None]) -> None:
        """Stop calling ``listener`` (a stopped component); unknown listeners are ignored."""
        if listener in self._listeners:
            self._listeners.remove(listener)
