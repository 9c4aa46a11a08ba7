"""The ingress controller's data plane: an HTTP/1.1 reverse proxy in the manner of Envoy.

:class:`IngressProxy` is one aiohttp low-level server (its ``server`` is the protocol factory of
every HTTP and HTTPS listener) routing each request through the current
:class:`~.ingress_routes.RouteTable` to an endpoint of the matched Service, which ``pick`` chooses
(the controller's balancers, as kube-proxy spreads connections). The request goes upstream with
its method, (rewritten) path, body and headers, the ``Host`` header unchanged, hop-by-hop headers
dropped, ``X-Forwarded-For`` extended with the client's address and ``X-Forwarded-Proto`` set to
the listener's scheme, over a new connection per request (as kube-proxy's are: no idle
connection to go stale, and no 40 ms delayed-ACK stall on kept-alive connections to servers that
write headers and body in two segments without TCP_NODELAY, as Python's http.server does). The
response comes back streamed, its status, reason and end-to-end headers kept, ``Server: envoy``
as Envoy answers. Envoy's local replies: 404 with an empty body
when no route matches, 503 ``no healthy upstream`` when the Service has no ready endpoint (or
does not exist), 503 ``upstream connect error ...`` when the endpoint refuses. Protocol upgrades
(WebSocket) are not proxied.

Invariant: ``stop()`` closes every upstream connection and every client connection it served.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector, web
from multidict import CIMultiDict, MultiMapping
from yarl import URL

from backends.simulator.network.ingress_routes import RouteTable, ServiceRef
from backends.simulator.network.rules import Backend

Pick = Callable[[ServiceRef, str], "Backend | None"]
SERVER = "envoy"
CONNECT_TIMEOUT_SECONDS = 5.0
NO_UPSTREAM = "no healthy upstream"
CONNECT_FAILURE = (
    "upstream connect error or disconnect/reset before headers. reset reason: connection failure"
)
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_SKIP_AUTO = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")


def _end_to_end(headers: MultiMapping[str]) -> list[tuple[str, str]]:
    """The headers a proxy passes on: not hop-by-hop, not named by ``Connection``."""
    named = {
        token.strip().lower()
        for value in headers.getall("Connection", [])
        for token in str(value).split(",")
    }
    return [
        (str(name), str(value))
        for name, value in headers.items()
        if name.lower() not in HOP_BY_HOP and name.lower() not in named
    ]


def upstream_headers(request: web.BaseRequest) -> CIMultiDict[str]:
    """The headers sent to the endpoint (see the module docstring)."""
    headers = CIMultiDict(_end_to_end(request.headers))
    client = request.remote or ""
    previous = headers.getall("X-Forwarded-For", [])
    headers.popall("X-Forwarded-For", None)
    headers["X-Forwarded-For"] = ", ".join([*previous, client]) if client else ", ".join(previous)
    headers["X-Forwarded-Proto"] = request.scheme
    return headers


def _local_reply(status: int, body: str = "") -> web.Response:
    headers = {"Server": SERVER}
    if body:
        headers["Content-Type"] = "text/plain"
    return web.Response(status=status, text=body or None, headers=headers)


class IngressProxy:
    """The reverse proxy of every ingress listener (see the module docstring)."""

    def __init__(self, pick: Pick) -> None:
        self.pick = pick
        self.table = RouteTable()
        self._server: web.Server | None = None
        self._session: ClientSession | None = None

    @property
    def server(self) -> web.Server:
        """The listeners' protocol factory (made on first use, on the running loop)."""
        if self._server is None:
            self._server = web.Server(self.handle, access_log=None)
        return self._server

    def _client(self) -> ClientSession:
        if self._session is None:
            self._session = ClientSession(
                connector=TCPConnector(limit=0, force_close=True),
                auto_decompress=False,
                skip_auto_headers=_SKIP_AUTO,
                timeout=ClientTimeout(total=None, connect=CONNECT_TIMEOUT_SECONDS),
                cookie_jar=None,
            )
        return self._session

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """Route and proxy one request."""
        match = self.table.match(request.headers.get("Host", ""), request.raw_path)
        if match is None:
            return _local_reply(404)
        backend = self.pick(match.target, request.remote or "")
        if backend is None:
            return _local_reply(503, NO_UPSTREAM)
        url = URL(f"http://{backend.ip}:{backend.port}{match.path}", encoded=True)
        try:
            upstream = await self._client().request(
                request.method,
                url,
                headers=upstream_headers(request),
                data=request.content if request.body_exists else None,
                allow_redirects=False,
                compress=None,
            )
        except (ClientError, OSError, TimeoutError):
            return _local_reply(503, CONNECT_FAILURE)
        try:
            response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
            response.headers.extend(_end_to_end(upstream.headers))
            response.headers["Server"] = SERVER
            await response.prepare(request)
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response
        finally:
            upstream.release()

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.shutdown(1.0)
            self._server = None
        if self._session is not None:
            await self._session.close()
            self._session = None
