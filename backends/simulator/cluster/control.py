"""The simulator-only request behind ``pykctl sim node stop|start NAME`` (kubectl has none).

``POST /pykctl/v1/nodes/NAME/stop`` fails the node (its kubelet goes silent, as when a machine
dies); ``POST /pykctl/v1/nodes/NAME/start`` reboots it. The answer is a Status: ``Success``
with the line to print ("node/NAME stopped", "node/NAME already stopped", "node/NAME started",
"node/NAME already started"), or kube-apiserver's NotFound (``nodes "NAME" not found``) for a
name the simulator does not run, or 404/405 for anything else under the prefix. This module is
transport-neutral: the HTTP layer passes the method and path and sends back the body.
"""

from __future__ import annotations

from typing import Any

from backends.simulator.apiserver import status
from backends.simulator.cluster.cluster import Cluster

PREFIX = "/pykctl/v1/nodes/"
_DONE = {"stop": ("stopped", "already stopped"), "start": ("started", "already started")}


def serve(cluster: Cluster, method: str, path: str) -> tuple[int, dict[str, Any]]:
    """Answer one request under ``PREFIX``: (HTTP code, Status body)."""
    name, _, action = path.removeprefix(PREFIX).rstrip("/").partition("/")
    if not name or action not in _DONE:
        return 404, status.path_not_found().body()
    if method != "POST":
        error = status.ApiStatus(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
        return 405, error.body()
    try:
        changed = cluster.stop_node(name) if action == "stop" else cluster.start_node(name)
    except status.ApiStatus as err:
        return err.code, err.body()
    done, unchanged = _DONE[action]
    body = status.success()
    body["message"] = f"node/{name} {done if changed else unchanged}"
    body["code"] = 200
    return 200, body
