"""The API server's HTTP layer (aiohttp): authentication, routing, errors as Status objects.

Every request but the health and version endpoints needs ``Authorization: Bearer <token>``;
without it the answer is 401 with an Unauthorized Status. The one exception is a part that
authenticates its users itself (``ServerContext.own_auth_routes``: the dashboard under /ui/),
which reaches the API only through ``api``, with the token checked as for anyone. Paths are
normalised (``/api/`` is ``/api``) and routed by shape: health, version, discovery, OpenAPI,
groups other parts of the simulator serve (``ServedGroup``: metrics.k8s.io), then the REST tree.
Any error becomes kube-apiserver's Status JSON; an unexpected exception is a 500 InternalError
and is logged, never shown as a traceback to the client.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from backends.simulator.apiserver import paths, status
from backends.simulator.apiserver.bodies import (
    PATCH_TYPES,
    Accept,
    decode,
    encode,
    media_type,
    negotiate,
)
from backends.simulator.apiserver.eventviews import is_events_api, to_core, to_events_api
from backends.simulator.apiserver.resources import ResourceType, lookup
from backends.simulator.apiserver.rest import Body, Response, Rest, list_object
from backends.simulator.apiserver.reviews import REVIEWS
from backends.simulator.apiserver.reviews import answer as answer_review
from backends.simulator.clock import Clock
from backends.simulator.tokens import TokenIssuer

log = logging.getLogger("pykctl.simulator.apiserver")

PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")
_core_events = lookup("", "v1", "events")
assert _core_events is not None
CORE_EVENTS: ResourceType = _core_events

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SubresourceHandler = Callable[[web.Request, paths.Target], Awaitable[web.StreamResponse]]


SimulatorRoute = Callable[[str, str], tuple[int, dict[str, Any]]]
# (request, api): ``api(request)`` serves a request as the API server does (token checked).
OwnAuthRoute = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class ServedGroup:
    """An API group another part of the simulator serves whole (metrics.k8s.io), as
    kube-aggregator hands an APIService's requests to its server: listed in discovery after the
    built-in groups, every request under ``/apis/GROUP/`` goes to ``handler``."""

    resources: tuple[ResourceType, ...]
    handler: Handler

    @property
    def prefix(self) -> str:
        return f"/apis/{self.resources[0].group}/"


@dataclass
class ServerContext:
    """What the HTTP layer needs from the rest of the simulator."""

    rest: Rest
    clock: Clock
    token: str
    address: str = "127.0.0.1:6443"
    # Subresources served by other parts of the simulator (log, exec, ...), by name.
    subresource_handlers: dict[str, SubresourceHandler] = field(default_factory=dict)
    tokens: TokenIssuer = field(default_factory=TokenIssuer)
    # pykctl's own requests (``/pykctl/...``, no kube-apiserver has them), by path prefix:
    # (method, path) → (HTTP code, body).
    simulator_routes: dict[str, SimulatorRoute] = field(default_factory=dict)
    # Groups served by other parts of the simulator (see ServedGroup).
    served_groups: list[ServedGroup] = field(default_factory=list)
    # Parts that authenticate their users themselves (the dashboard), by path prefix ending in
    # "/": served without the bearer token; they must check their own credentials first.
    own_auth_routes: dict[str, OwnAuthRoute] = field(default_factory=dict)


def json_response(code: int, body: Any, warnings: list[str] | None = None) -> web.Response:
    headers = {"Content-Type": "application/json"}
    response = web.Response(status=code, body=encode(body), headers=headers)
    for warning in warnings or []:
        response.headers.add("Warning", f'299 - "{warning}"')
    return response


def status_response(err: status.ApiStatus) -> web.Response:
    return json_response(err.code, err.body())


def _authorized(request: web.Request, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        presented.strip().encode(), token.encode()
    )


def make_app(context: ServerContext) -> web.Application:
    """The aiohttp application of one simulator API server."""

    @web.middleware
    async def errors_and_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        for prefix, route in context.own_auth_routes.items():
            if f"{path}/".startswith(prefix):
                return await route(request, api)
        if path not in PUBLIC_PATHS and not _authorized(request, context.token):
            return status_response(status.unauthorized())
        try:
            return await handler(request)
        except status.ApiStatus as err:
            return status_response(err)
        except web.HTTPException:
            raise
        except Exception as err:  # the client gets a Status, the log gets the traceback
            log.exception("internal error serving %s %s", request.method, request.path)
            return status_response(status.internal(f"{type(err).__name__}: {err}"))

    async def dispatch(request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        if path in ("/healthz", "/livez", "/readyz"):
            return web.Response(text="ok", content_type="text/plain")
        if path.startswith(("/healthz/", "/livez/", "/readyz/")):
            return web.Response(text="ok", content_type="text/plain")
        from backends.simulator.apiserver import discovery, openapi

        aggregated = tuple(r for group in context.served_groups for r in group.resources)
        document = discovery.discovery_document(
            path, request.headers.get("Accept"), context.address, aggregated
        )
        if document is not None:
            headers = {"Content-Type": document.content_type}
            if document.etag:
                headers["ETag"] = document.etag
                if request.headers.get("If-None-Match") == document.etag:
                    return web.Response(status=304, headers=headers)
            return web.Response(body=document.body, headers=headers)
        if path == "/openapi/v2" or path.startswith("/openapi/"):
            served = openapi.serve(
                path, request.query.get("hash"), request.headers.get("If-None-Match")
            )
            if served is None:
                raise status.path_not_found()
            return web.Response(status=served.status, body=served.body, headers=served.headers)
        for group in context.served_groups:
            if path.startswith(group.prefix):
                return await group.handler(request)
        for prefix, route in context.simulator_routes.items():
            if path.startswith(prefix):
                code, body = route(request.method, path)
                return json_response(code, body)
        try:
            target = paths.parse(path)
        except paths.UnknownPath:
            raise status.path_not_found() from None
        return await rest_request(context, request, target)

    async def api(request: web.Request) -> web.StreamResponse:
        return await errors_and_auth(request, dispatch)

    app = web.Application(middlewares=[errors_and_auth], client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app


async def _body(request: web.Request) -> Any:
    return decode(await request.read(), request.headers.get("Content-Type"))


async def _raw_body(request: web.Request) -> Body:
    return Body(await request.read(), request.headers.get("Content-Type"))


def _delete_options(raw: bytes, request: web.Request) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if raw.strip():
        try:
            parsed = json.loads(raw)
        except ValueError as err:
            raise status.bad_request(f"couldn't decode DeleteOptions: {err}") from None
        if isinstance(parsed, dict):
            options = parsed
    query = request.query
    if "gracePeriodSeconds" in query:
        options["gracePeriodSeconds"] = int(query["gracePeriodSeconds"])
    if "propagationPolicy" in query:
        options["propagationPolicy"] = query["propagationPolicy"]
    return options


async def rest_request(
    context: ServerContext, request: web.Request, target: paths.Target
) -> web.StreamResponse:
    """Run one REST request against ``target``."""
    rest = context.rest
    resource = target.resource
    method = request.method
    query = request.query
    accept = negotiate(request.headers.get("Accept"), query.get("includeObject"))
    manager = field_manager(request)

    def respond(response: Response) -> web.Response:
        body = response.body
        if (
            accept.table
            and isinstance(body, dict)
            and body.get("kind") == resource.kind
            and method == "GET"
        ):
            rv = (body.get("metadata") or {}).get("resourceVersion", "")
            body = as_table(rest, resource, [body], accept, {"resourceVersion": rv})
        return json_response(response.code, body, response.warnings)

    if target.subresource is not None:
        handler = context.subresource_handlers.get(target.subresource)
        if handler is not None:
            return await handler(request, target)
        from backends.simulator.apiserver import subresources

        return await subresources.serve(context, request, target)

    verb = {
        ("GET", True): "watch" if query.get("watch") in ("true", "1") else "list",
        ("GET", False): "watch" if query.get("watch") in ("true", "1") else "get",
        ("POST", True): "create",
        ("PUT", False): "update",
        ("PATCH", False): "patch",
        ("DELETE", False): "delete",
        ("DELETE", True): "deletecollection",
    }.get((method, target.is_collection))
    if (
        verb is None
        or (verb not in resource.verbs and verb != "watch")
        or (verb == "watch" and "watch" not in resource.verbs)
    ):
        raise status.method_not_supported(resource, _verb_name(method, target))
    if is_events_api(resource) and verb != "watch":
        return await _events_api_request(context, request, target, verb, accept, manager)
    if verb == "watch":
        from backends.simulator.apiserver import watch

        return await watch.serve(request, rest, target, accept)
    if verb == "get":
        return respond(Response(200, rest.get(target)))
    if verb == "list" and resource.plural == "componentstatuses":
        return _component_statuses(rest, accept)
    if verb == "list":
        items, metadata = rest.list_objects(target, query)
        if accept.table:
            return json_response(200, as_table(rest, resource, items, accept, metadata))
        return _list_response(rest, resource, items, metadata)
    if verb == "create" and resource.plural in REVIEWS:
        return json_response(201, answer_review(resource, await _body(request), context.token))
    if verb == "create":
        if not resource.namespaced:
            target = paths.Target(resource, None, None, None)
        return respond(rest.create(target, await _raw_body(request), query, manager))
    if verb == "update":
        return respond(rest.update(target, await _raw_body(request), query, manager))
    if verb == "patch":
        patch_type = media_type(request.headers.get("Content-Type"))
        if patch_type not in PATCH_TYPES:
            raise status.unsupported_media_type(patch_type)
        return respond(rest.patch(target, await _body(request), patch_type, query, manager=manager))
    raw = await request.read()
    options = _delete_options(raw, request)
    if verb == "delete":
        return respond(rest.delete(target, options, query))
    return respond(rest.delete_collection(target, options, query))


async def _events_api_request(
    context: ServerContext,
    request: web.Request,
    target: paths.Target,
    verb: str,
    accept: Accept,
    manager: str,
) -> web.StreamResponse:
    """events.k8s.io/v1 served from the stored core Events (see eventviews)."""
    rest = context.rest
    resource = target.resource
    core = paths.Target(CORE_EVENTS, target.namespace, target.name, None)

    def respond(code: int, obj: dict[str, Any]) -> web.Response:
        view = to_events_api(obj)
        if accept.table and request.method == "GET":
            return json_response(
                code, as_table(rest, resource, [view], accept, {"resourceVersion": ""})
            )
        return json_response(code, view)

    try:
        return await _events_api_verb(
            context, request, target, core, verb, accept, manager, respond
        )
    except status.ApiStatus as err:
        if err.code == 404 and err.details and err.details.get("kind") == "events":
            raise status.not_found(resource, target.name or "") from None
        raise


async def _events_api_verb(
    context: ServerContext,
    request: web.Request,
    target: paths.Target,
    core: paths.Target,
    verb: str,
    accept: Accept,
    manager: str,
    respond: Callable[[int, dict[str, Any]], web.Response],
) -> web.StreamResponse:
    rest = context.rest
    resource = target.resource
    query = request.query
    if verb == "get":
        return respond(200, rest.get(core))
    if verb == "list":
        items, metadata = rest.list_objects(core, _core_event_query(query))
        views = [to_events_api(item) for item in items]
        if accept.table:
            return json_response(200, as_table(rest, resource, views, accept, metadata))
        return json_response(200, list_object(resource, views, metadata))
    if verb in ("create", "update"):
        view, warnings = rest.decode(
            resource, await _raw_body(request), query.get("fieldValidation") or "Warn"
        )
        handler = rest.create if verb == "create" else rest.update
        response = handler(core, to_core(view), query, manager)
        return json_response(response.code, to_events_api(response.body), warnings)
    if verb == "patch":
        from backends.objects import patch as patching

        old_view = to_events_api(rest.get(core))
        body = await _body(request)
        patch_type = media_type(request.headers.get("Content-Type"))
        try:
            if patch_type == "application/json-patch+json":
                patched = patching.apply_json_patch(old_view, body)
            else:
                patched = patching.apply_merge_patch(old_view, body)
        except patching.PatchError as err:
            raise status.ApiStatus(err.code, err.reason, err.message) from None
        response = rest.update(core, to_core(patched), query, manager)
        return json_response(response.code, to_events_api(response.body))
    options = _delete_options(await request.read(), request)
    if verb == "delete":
        return respond(200, rest.delete(core, options, query).body)
    deleted = rest.delete_collection(core, options, _core_event_query(query)).body
    return json_response(
        200,
        list_object(resource, [to_events_api(i) for i in deleted["items"]], deleted["metadata"]),
    )


def _core_event_query(query: Any) -> Any:
    """events.k8s.io field selectors spelled for the stored core Events."""
    from multidict import MultiDict, MultiDictProxy

    translated = MultiDict(query)
    selector = translated.get("fieldSelector")
    if selector:
        for view_name, core_name in (
            ("regarding.", "involvedObject."),
            ("reportingController", "reportingComponent"),
        ):
            selector = selector.replace(view_name, core_name)
        translated["fieldSelector"] = selector
    return MultiDictProxy(translated)


def as_table(
    rest: Rest,
    resource: ResourceType,
    items: list[dict[str, Any]],
    accept: Accept,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A meta.k8s.io/v1 Table of ``items``; a bad includeObject is 400 BadRequest."""
    from backends.simulator.apiserver.tables import table

    try:
        return table(
            resource.plural,
            resource.group,
            items,
            rest.clock.now(),
            accept.include_object,
            metadata,
        )
    except ValueError as err:
        raise status.bad_request(str(err)) from None


def _list_response(
    rest: Rest, resource: ResourceType, items: list[dict[str, Any]], metadata: dict[str, Any]
) -> web.Response:
    """A List whose items are the store's cached encodings (no re-encoding per request)."""
    head = encode(
        {"kind": f"{resource.kind}List", "apiVersion": resource.api_version, "metadata": metadata}
    )
    body = head[:-1] + b',"items":[' + b",".join(rest.store.encoded(item) for item in items) + b"]}"
    return web.Response(status=200, body=body, headers={"Content-Type": "application/json"})


def _component_statuses(rest: Rest, accept: Accept) -> web.Response:
    """The deprecated componentstatuses: the simulator's parts all report healthy."""
    resource = paths.parse("/api/v1/componentstatuses").resource
    items = [
        {
            "kind": "ComponentStatus",
            "apiVersion": "v1",
            "metadata": {"name": name, "creationTimestamp": None},
            "conditions": [{"type": "Healthy", "status": "True", "message": "ok"}],
        }
        for name in ("controller-manager", "scheduler", "etcd-0")
    ]
    metadata = {"resourceVersion": ""}
    body = (
        as_table(rest, resource, items, accept, metadata)
        if accept.table
        else list_object(resource, items, metadata)
    )
    return json_response(200, body, ["v1 ComponentStatus is deprecated in v1.19+"])


def field_manager(request: web.Request) -> str:
    """``fieldManager``, else the name kube-apiserver derives from the User-Agent."""
    from backends.objects.managedfields import default_manager

    return request.query.get("fieldManager") or default_manager(
        request.headers.get("User-Agent", "")
    )


def _verb_name(method: str, target: paths.Target) -> str:
    return {
        "GET": "get",
        "POST": "create",
        "PUT": "update",
        "PATCH": "patch",
        "DELETE": "delete",
    }.get(method, method.lower())
