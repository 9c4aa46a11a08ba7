"""The pods/log subresource: ``GET /api/v1/namespaces/NS/pods/P/log?container=c&...``.

kube-apiserver checks the options (PodLogOptions validation) and the location (pod, container,
node), then streams what the node's kubelet serves: ``200 text/plain``, chunked, the raw log as
kubectl prints it; with ``follow`` the response stays open until the container instance has
exited and its output is drained (or the client goes away). The kubelet's refusals — waiting
containers, no previous instance — are ``400 BadRequest`` with the kubelet's message. A pod not
yet scheduled has an empty log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from backends.simulator.apiserver import status
from backends.simulator.apiserver.paths import Target
from backends.simulator.kubelet.logs import LogError
from backends.simulator.streaming.location import locate, pods_only
from backends.simulator.streaming.options import log_query

if TYPE_CHECKING:
    from backends.simulator.server import Simulator

CONTENT_TYPE = "text/plain"


async def serve_log(
    simulator: Simulator, request: web.Request, target: Target
) -> web.StreamResponse:
    """Answer one pods/log request (errors are raised as Status)."""
    pods_only(target, request.method)
    if request.method != "GET":
        raise status.method_not_supported(target.resource, request.method.lower())
    query = log_query(request.query, target.name or "", simulator.clock)
    location = locate(simulator, target, query.container)
    if location is None:
        return web.Response(body=b"", content_type=CONTENT_TYPE)
    if location.agents is None:
        namespace = (location.pod.get("metadata") or {}).get("namespace", "")
        path = f"/containerLogs/{namespace}/{target.name}/{location.container}"
        raise status.ApiStatus(500, "", location.dial_error(path))
    try:
        source = location.agents.logs(location.pod, location.container, query.previous)
    except LogError as err:
        raise status.bad_request(str(err)) from None
    response = web.StreamResponse(headers={"Content-Type": CONTENT_TYPE})
    response.enable_chunked_encoding()
    await response.prepare(request)
    try:
        async for chunk in source.read(query.options):
            await response.write(chunk)
        await response.write_eof()
    except ConnectionError:  # the client went away
        pass
    return response
