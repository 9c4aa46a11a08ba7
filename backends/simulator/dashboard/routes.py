"""The dashboard's HTTP side, under ``/ui/`` on the API server's own listener.

Routes: ``/ui/`` (the page; the login page without a session), ``/ui/login`` (GET with a
one-time ``ticket``, or POST of the API token from the form), ``POST /ui/logout``,
``/ui/static/...`` (assets), and, for a logged-in page only (session cookie plus the CSRF
rule of ``auth.csrf_refusal``): ``/ui/api/<api path>`` — the API proxy, which serves the
request in-process through the API server's own handler with the bearer token added
server-side and no other header of the browser's — ``/ui/yaml/<api path>`` (an object as
YAML) and ``POST /ui/manifests`` (pasted YAML to objects and their paths).

Invariants: the token is never sent to the browser; only the paths ``/api/...`` and
``/apis/...`` are proxied; requests must name this listener as their host (no DNS rebinding);
every response not streamed by the API carries ``pages.SECURITY_HEADERS``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from backends.simulator.apiserver import status
from backends.simulator.apiserver.app import Handler, ServerContext
from backends.simulator.dashboard import auth, manifests, pages

log = logging.getLogger("pykctl.simulator.dashboard")

PREFIX = "/ui/"
TICKETS_PATH = "/pykctl/v1/dashboard/tickets"
FIELD_MANAGER = "pykctl-dashboard"
_FORWARDED_HEADERS = ("Accept", "Content-Type")
_SPENT = (
    "This login link has expired or was already used: run pykctl sim dashboard again, "
    "or paste the token."
)


class Dashboard:
    """Serves ``/ui/`` for one API server (``context``) and issues its login tickets."""

    def __init__(self, context: ServerContext) -> None:
        self.context = context
        self.tickets = auth.Tickets(context.clock.monotonic)
        self.sessions = auth.Sessions(context.clock.monotonic)

    # ------------------------------------------------------------------ entry points

    def issue_ticket(self, method: str, path: str) -> tuple[int, dict[str, Any]]:
        """``POST /pykctl/v1/dashboard/tickets`` (bearer token required, as for the API):
        a one-time login link's path."""
        if method != "POST":
            refused = status.ApiStatus(
                405,
                "MethodNotAllowed",
                "the server does not allow this method on the requested resource",
            )
            return 405, refused.body()
        ticket = self.tickets.issue()
        return 200, {
            "kind": "DashboardTicket",
            "apiVersion": "pykctl.io/v1",
            "path": f"{PREFIX}login?ticket={ticket}",
            "expiresInSeconds": int(self.tickets.lifetime),
        }

    async def serve(self, request: web.Request, api: Handler) -> web.StreamResponse:
        """Answer one request under ``/ui/``."""
        if request.host not in self._hosts():
            response: web.StreamResponse = _text(421, "Misdirected Request\n")
        else:
            try:
                response = await self._route(request, api)
            except web.HTTPException as err:
                response = _text(err.status, f"{err.reason}\n")
            except Exception:
                log.exception("dashboard error serving %s %s", request.method, request.path)
                response = _text(500, "Internal Server Error\n")
        if not response.prepared:
            response.headers.update(pages.SECURITY_HEADERS)
        return response

    # ------------------------------------------------------------------ routing

    def _hosts(self) -> set[str]:
        port = self.context.address.rpartition(":")[2]
        return {f"127.0.0.1:{port}", f"localhost:{port}"}

    def _origin(self, request: web.Request) -> str:
        return f"{request.scheme}://{request.host}"

    async def _route(self, request: web.Request, api: Handler) -> web.StreamResponse:
        path = request.path
        method = request.method
        if path in ("/ui", PREFIX):
            if not self._session(request):
                return _redirect(f"{PREFIX}login")
            return _html(200, pages.index_page())
        if path == f"{PREFIX}login":
            return await self._login(request)
        if path.startswith(f"{PREFIX}static/") and method in ("GET", "HEAD"):
            asset = pages.assets().get(path.removeprefix(f"{PREFIX}static/"))
            if asset is None:
                raise web.HTTPNotFound()
            return web.Response(body=asset[0], content_type=asset[1])
        if not self._session(request):
            return _json(401, {"message": "not logged in to the dashboard"})
        refusal = auth.csrf_refusal(method, request.headers, self._origin(request))
        if refusal is not None:
            return _json(403, {"message": refusal})
        if path == f"{PREFIX}logout" and method == "POST":
            self.sessions.end(request.cookies.get(self._cookie, ""))
            response = web.Response(status=204)
            response.del_cookie(self._cookie, path=PREFIX)
            return response
        raw = request.rel_url.raw_path
        if raw.startswith(f"{PREFIX}api/"):
            query = request.rel_url.raw_query_string
            url = URL.build(path=raw.removeprefix(f"{PREFIX}api"), query_string=query, encoded=True)
            return await self._proxy(request, api, url, forward=True)
        if raw.startswith(f"{PREFIX}yaml/") and method == "GET" and not request.query:
            return await self._yaml(request, api, raw.removeprefix(f"{PREFIX}yaml"))
        if path == f"{PREFIX}manifests" and method == "POST":
            return await self._manifests(request)
        raise web.HTTPNotFound()

    # ------------------------------------------------------------------ sessions

    @property
    def _cookie(self) -> str:
        """The session cookie's name: cookies ignore ports, so the port is in the name."""
        return f"pykctl-dashboard-{self.context.address.rpartition(':')[2]}"

    def _session(self, request: web.Request) -> bool:
        session_id = request.cookies.get(self._cookie)
        return bool(session_id) and self.sessions.touch(session_id or "")

    def _logged_in(self) -> web.Response:
        response = _redirect(PREFIX)
        response.set_cookie(
            self._cookie,
            self.sessions.start(),
            path=PREFIX,
            httponly=True,
            secure=True,
            samesite="Strict",
        )
        return response

    async def _login(self, request: web.Request) -> web.StreamResponse:
        if request.method == "GET":
            ticket = request.query.get("ticket")
            if ticket is None:
                if self._session(request):
                    return _redirect(PREFIX)
                return _html(200, pages.login_page())
            if self.tickets.redeem(ticket):
                return self._logged_in()
            return _html(401, pages.login_page(_SPENT))
        if request.method != "POST":
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "POST"])
        sent_origin = request.headers.get("Origin")
        if sent_origin is not None and sent_origin != self._origin(request):
            return _html(403, pages.login_page("Cross-origin login refused."))
        form = await request.post()
        token = form.get("token")
        if isinstance(token, str) and auth.token_matches(token, self.context.token):
            return self._logged_in()
        return _html(401, pages.login_page("That is not this simulator's token."))

    # ------------------------------------------------------------------ the API

    async def _proxy(
        self, request: web.Request, api: Handler, url: URL, forward: bool
    ) -> web.StreamResponse:
        """Serve ``url`` (an API path) as the API server does, with the token; ``forward``
        passes the browser's method, Accept and Content-Type (and body), else it is a GET."""
        if url.raw_path.split("/")[1] not in ("api", "apis"):
            raise web.HTTPNotFound()
        headers: CIMultiDict[str] = CIMultiDict()
        headers["Authorization"] = f"Bearer {self.context.token}"
        headers["User-Agent"] = FIELD_MANAGER
        for name in _FORWARDED_HEADERS if forward else ():
            if name in request.headers:
                headers[name] = request.headers[name]
        method = request.method if forward else "GET"
        return await api(request.clone(method=method, rel_url=url, headers=headers))

    async def _yaml(self, request: web.Request, api: Handler, raw_path: str) -> web.StreamResponse:
        """An object as YAML (the API's answer when it is not 200)."""
        response = await self._proxy(request, api, URL.build(path=raw_path, encoded=True), False)
        if response.status != 200 or not isinstance(response, web.Response):
            return response
        assert isinstance(response.body, bytes)
        obj = json.loads(response.body)
        return web.Response(text=manifests.to_yaml(obj), content_type="text/yaml")

    async def _manifests(self, request: web.Request) -> web.StreamResponse:
        """Pasted YAML to ``[{ref, path, object}]`` (the page applies each one)."""
        text = await request.text()
        try:
            placed = manifests.parse(text, request.query.get("namespace") or "default")
        except manifests.ManifestError as err:
            return _json(400, {"message": str(err)})
        return _json(200, {"items": [p.as_json() for p in placed]})


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _html(code: int, text: str) -> web.Response:
    return web.Response(status=code, text=text, content_type="text/html")


def _text(code: int, text: str) -> web.Response:
    return web.Response(status=code, text=text, content_type="text/plain")


def _json(code: int, body: Any) -> web.Response:
    return web.Response(status=code, text=json.dumps(body), content_type="application/json")


def mount(context: ServerContext) -> Dashboard:
    """Serve the dashboard under ``/ui/`` of ``context``'s API server, and its ticket route."""
    dashboard = Dashboard(context)
    context.own_auth_routes[PREFIX] = dashboard.serve
    context.simulator_routes[TICKETS_PATH] = dashboard.issue_ticket
    return dashboard
