"""Watch streams: ``?watch=true``, one JSON event per line, flushed as it happens.

Semantics, as kube-apiserver's:

* no resourceVersion, ``0``, or ``sendInitialEvents=true``: synthetic ADDED events for the current
  state first (WatchList then ends them with a BOOKMARK annotated
  ``k8s.io/initial-events-end: "true"``), then live events;
* ``resourceVersion=N``: every event after N; N older than the history window gives an ERROR
  event with a 410 Expired Status;
* with selectors, an object that starts matching arrives as ADDED and one that stops matching as
  DELETED;
* ``timeoutSeconds`` ends the stream cleanly; without it the stream stays open;
* ``allowWatchBookmarks=true`` adds a BOOKMARK with the current revision every minute.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiohttp import web

from backends.simulator.apiserver import status
from backends.simulator.apiserver.bodies import Accept, encode
from backends.simulator.apiserver.eventviews import is_events_api, to_events_api
from backends.simulator.apiserver.listing import matcher
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.rest import Rest, resource_key
from backends.simulator.store import GoneError

Obj = dict[str, Any]
BOOKMARK_INTERVAL = 60.0
INITIAL_EVENTS_END = "k8s.io/initial-events-end"


def _event(kind: str, obj: Any) -> bytes:
    return encode({"type": kind, "object": obj}) + b"\n"


async def serve(
    request: web.Request, rest: Rest, target: Target, accept: Accept
) -> web.StreamResponse:
    """Answer a watch request with a chunked event stream."""
    query = request.query
    resource = target.resource
    events_api = is_events_api(resource)
    requested = target  # bookmarks name the requested kind
    if events_api:
        from backends.simulator.apiserver.app import CORE_EVENTS, _core_event_query

        target = Target(CORE_EVENTS, target.namespace, target.name, None)
        query = _core_event_query(query)
    match = matcher(target.resource, query)
    if target.name is not None:
        name_match = match
        wanted = target.name
        match = lambda obj: (obj.get("metadata") or {}).get("name") == wanted and name_match(obj)  # noqa: E731
    rv = query.get("resourceVersion") or ""
    send_initial = query.get("sendInitialEvents") == "true"
    bookmarks = query.get("allowWatchBookmarks") == "true"
    since: int | None = None
    if rv not in ("", "0") and not send_initial:
        try:
            since = int(rv)
        except ValueError:
            raise status.bad_request(f"invalid resource version: {rv}") from None

    def render(obj: Obj) -> Any:
        if events_api:
            obj = to_events_api(obj)
        if not accept.table:
            return obj
        from backends.simulator.apiserver.app import as_table

        return as_table(
            rest,
            resource,
            [obj],
            accept,
            {"resourceVersion": (obj.get("metadata") or {}).get("resourceVersion", "")},
        )

    response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    key = resource_key(target.resource)
    try:
        watch = rest.store.watch(key, target.namespace, since)
    except GoneError as err:
        await response.prepare(request)
        gone = status.gone(str(err)).body()
        await response.write(_event("ERROR", gone))
        await response.write_eof()
        return response
    try:
        await response.prepare(request)
        if since is None:
            for obj in rest.store.objects(key, target.namespace):
                if match(obj):
                    await response.write(_event("ADDED", render(obj)))
            if send_initial:
                await response.write(
                    _event("BOOKMARK", _bookmark(rest, requested, initial_end=True))
                )
        timeout = float(query.get("timeoutSeconds") or 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout if timeout > 0 else None
        while True:
            wait = BOOKMARK_INTERVAL if bookmarks else None
            if deadline is not None:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                wait = remaining if wait is None else min(wait, remaining)
            try:
                event = await asyncio.wait_for(watch.queue.get(), wait)
            except asyncio.TimeoutError:
                if bookmarks and (deadline is None or loop.time() < deadline):
                    await response.write(_event("BOOKMARK", _bookmark(rest, requested)))
                continue
            if event is None:
                break
            was = event.previous is not None and match(event.previous)
            now = match(event.object)
            if event.type == "ADDED":
                kind = "ADDED" if now else None
            elif event.type == "DELETED":
                kind = "DELETED" if was else None
            else:
                kind = {
                    (True, True): "MODIFIED",
                    (False, True): "ADDED",
                    (True, False): "DELETED",
                }.get((was, now))
            if kind is not None:
                await response.write(_event(kind, render(event.object)))
        with contextlib.suppress(ConnectionResetError):
            await response.write_eof()
    except ConnectionResetError:
        pass
    finally:
        rest.store.stop_watch(watch)
    return response


def _bookmark(rest: Rest, target: Target, initial_end: bool = False) -> Obj:
    metadata: Obj = {"resourceVersion": str(rest.store.revision)}
    if initial_end:
        metadata["annotations"] = {INITIAL_EVENTS_END: "true"}
    return {
        "kind": target.resource.kind,
        "apiVersion": target.resource.api_version,
        "metadata": metadata,
    }
