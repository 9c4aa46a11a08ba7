"""The metrics.k8s.io/v1beta1 API, served as metrics-server serves it, from the sampler's data.

``MetricsServer(rest, clock, agents)`` samples the containers the kubelets run and answers, with
``group`` registered in the server context (``ServerContext.served_groups``):

* ``GET /apis/metrics.k8s.io/v1beta1/nodes[/NAME]``: NodeMetrics of the stored nodes whose usage
  is known (``labelSelector``, ``fieldSelector`` on metadata.name);
* ``GET /apis/metrics.k8s.io/v1beta1[/namespaces/NS]/pods[/NAME]``: PodMetrics of the *Running*
  pods with samples, sorted by namespace and name (metrics-server watches Running pods only);
* a Table (``Name``, one column per resource, ``Window``) when the Accept header asks for one.

Answers follow metrics-server byte for byte where kubectl can see it: CPU in nanocores
(``"12345678n"``, canonical quantity form), memory as a BinarySI quantity (``"51200Ki"``),
``window`` as Go's Duration string, ``creationTimestamp`` the time of the request, lists with
empty ``metadata`` and items without ``kind``. Errors are its errors: a pod or node that is not
there is ``pods "x" not found`` / ``node "x" not found`` (its informers' listers), one without
samples ``podmetrics.metrics.k8s.io "ns/x" not found`` / ``nodemetrics.metrics.k8s.io "x" not
found``; field selectors other than metadata.name/namespace are 400 BadRequest; anything but
GET (and watch) is 405.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from backends.objects.quantity import NANO, Format, Quantity
from backends.simulator.apiserver import listing, status
from backends.simulator.apiserver.app import ServedGroup, json_response
from backends.simulator.apiserver.bodies import negotiate
from backends.simulator.apiserver.resources import ResourceType
from backends.simulator.apiserver.rest import Rest
from backends.simulator.apiserver.tables import INCLUDE_OBJECT_VALUES
from backends.simulator.clock import Clock, rfc3339
from backends.simulator.kubelet.agents import NodeAgents
from backends.simulator.kubelet.backoff import go_duration
from backends.simulator.metrics.sampler import Host, Sampler, Usage, running_containers

Obj = dict[str, Any]
GROUP = "metrics.k8s.io"
VERSION = "v1beta1"
API_VERSION = f"{GROUP}/{VERSION}"
_VERBS = ("get", "list")
NODE_METRICS = ResourceType(GROUP, VERSION, "nodes", "", "NodeMetrics", False, verbs=_VERBS)
POD_METRICS = ResourceType(GROUP, VERSION, "pods", "", "PodMetrics", verbs=_VERBS)
_BY_PLURAL = {"nodes": NODE_METRICS, "pods": POD_METRICS}
_METHOD_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def cpu_quantity(nanocores: int) -> str:
    """CPU as metrics-server writes it: a DecimalSI quantity of nanocores (``"1500m"``, ``"7n"``)."""
    return str(Quantity(nanocores, NANO, Format.DECIMAL_SI))


def memory_quantity(memory: int) -> str:
    """Memory as metrics-server writes it: a BinarySI quantity of bytes (``"51200Ki"``)."""
    return str(Quantity(memory, 0, Format.BINARY_SI))


def window_text(window_ms: int) -> str:
    """A window as Go's Duration string (``"10.005s"``). go_duration truncates seconds*1000;
    half a millisecond more keeps an exact count of milliseconds through the float."""
    return go_duration((window_ms + 0.5) / 1000)


def _not_found(group: str, kind: str, name: str) -> status.ApiStatus:
    """apimachinery's NewNotFound for a GroupResource."""
    details: Obj = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = kind
    qualified = f"{kind}.{group}" if group else kind
    return status.ApiStatus(404, "NotFound", f'{qualified} "{name}" not found', details)


def _not_supported(resource: ResourceType, verb: str) -> status.ApiStatus:
    """apimachinery's NewMethodNotSupported."""
    return status.ApiStatus(
        405,
        "MethodNotAllowed",
        f'{verb} is not supported on resources of kind "{resource.qualified}"',
        {"group": GROUP, "kind": resource.plural},
    )


def _target(path: str) -> tuple[ResourceType, str | None, str | None]:
    """(resource, namespace, name) of a metrics.k8s.io path; 404 for any other path."""
    parts = [p for p in path.split("/") if p][2:]  # after "apis", "metrics.k8s.io"
    if parts[:1] != [VERSION]:
        raise status.path_not_found()
    rest = parts[1:]
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    resource = _BY_PLURAL.get(rest[0]) if rest else None
    if resource is None or len(rest) > 2 or (namespace is not None and not resource.namespaced):
        raise status.path_not_found()
    return resource, namespace, rest[1] if len(rest) == 2 else None


def _metadata(source: Obj, now: datetime.datetime, namespaced: bool) -> Obj:
    """A metrics object's metadata: its pod's or node's name (and namespace, and labels)."""
    meta = source.get("metadata") or {}
    metadata: Obj = {"name": meta.get("name", "")}
    if namespaced:
        metadata["namespace"] = meta.get("namespace", "")
    metadata["creationTimestamp"] = rfc3339(now)
    if meta.get("labels"):
        metadata["labels"] = meta["labels"]
    return metadata


def _usage(usage: Usage) -> Obj:
    return {"cpu": cpu_quantity(usage.cpu_nanocores), "memory": memory_quantity(usage.memory)}


def pod_metrics(pod: Obj, containers: list[tuple[str, Usage]], now: datetime.datetime) -> Obj:
    """A PodMetrics (without kind): timestamp and window of its earliest-sampled container."""
    earliest = min((usage for _, usage in containers), key=lambda usage: usage.timestamp)
    return {
        "metadata": _metadata(pod, now, True),
        "timestamp": rfc3339(earliest.timestamp),
        "window": window_text(earliest.window_ms),
        "containers": [{"name": name, "usage": _usage(usage)} for name, usage in containers],
    }


def node_metrics(node: Obj, usage: Usage, now: datetime.datetime) -> Obj:
    """A NodeMetrics (without kind)."""
    return {
        "metadata": _metadata(node, now, False),
        "timestamp": rfc3339(usage.timestamp),
        "window": window_text(usage.window_ms),
        "usage": _usage(usage),
    }


def _total(item: Obj) -> dict[str, Quantity]:
    """A metrics object's usage, summed over its containers for a pod."""
    usages = [c["usage"] for c in item["containers"]] if "containers" in item else [item["usage"]]
    total: dict[str, Quantity] = {}
    for usage in usages:
        for name, value in usage.items():
            total[name] = total.get(name, Quantity()) + Quantity.parse(value)
    return total


def table(resource: ResourceType, items: list[Obj], include_object: str) -> Obj:
    """metrics-server's Table: Name, each resource of the first item (sorted), Window; with no
    items, no columns at all."""
    include = include_object or "Metadata"
    if include not in INCLUDE_OBJECT_VALUES:
        raise status.bad_request(f'unrecognized includeObject value: "{include_object}"')
    columns: list[Obj] | None = None
    rows: list[Obj] | None = None
    names: list[str] = []
    for item in items:
        total = _total(item)
        if columns is None:
            names = sorted(total)
            columns = [_column("Name", "name", "Name of the resource")]
            columns += [_column(name, "quantity") for name in names]
            columns.append(_column("Window", "duration"))
            rows = []
        assert rows is not None
        cells = [item["metadata"]["name"], *(str(total.get(n, Quantity())) for n in names)]
        rows.append(
            {"cells": [*cells, item["window"]], "object": _row_object(resource, item, include)}
        )
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": columns,
        "rows": rows,
    }


def _column(name: str, fmt: str, description: str = "") -> Obj:
    return {
        "name": name,
        "type": "string",
        "format": fmt,
        "description": description,
        "priority": 0,
    }


def _row_object(resource: ResourceType, item: Obj, include: str) -> Obj | None:
    if include == "None":
        return None
    if include == "Object":
        return {"kind": resource.kind, "apiVersion": API_VERSION, **item}
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": item["metadata"],
    }


class MetricsServer:
    """metrics-server for one simulator: a sampler over its kubelets, and the API's handler."""

    def __init__(
        self, rest: Rest, clock: Clock, agents: NodeAgents, host: Host | None = None
    ) -> None:
        self.rest = rest
        self.clock = clock
        self.sampler = Sampler(clock, lambda: running_containers(agents), host)
        self.group = ServedGroup((NODE_METRICS, POD_METRICS), self.handle)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start sampling (on the running event loop)."""
        self._task = asyncio.get_running_loop().create_task(self.sampler.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one request under /apis/metrics.k8s.io/."""
        resource, namespace, name = _target(request.path)
        query = request.query
        if request.method != "GET":
            raise _not_supported(resource, _METHOD_VERBS.get(request.method, request.method))
        if query.get("watch") in ("true", "1"):
            raise _not_supported(resource, "watch")
        accept = negotiate(request.headers.get("Accept"), query.get("includeObject"))
        now = self.clock.now()
        if name is not None:
            item = self.get_metrics(resource, namespace or "", name, now)
            if accept.table:
                return json_response(200, table(resource, [item], accept.include_object))
            return json_response(200, {"kind": resource.kind, "apiVersion": API_VERSION, **item})
        items = self.list_metrics(resource, namespace, query, now)
        if accept.table:
            return json_response(200, table(resource, items, accept.include_object))
        listed = {"kind": f"{resource.kind}List", "apiVersion": API_VERSION, "metadata": {}}
        return json_response(200, {**listed, "items": items})

    def get_metrics(
        self, resource: ResourceType, namespace: str, name: str, now: datetime.datetime
    ) -> Obj:
        """One PodMetrics or NodeMetrics (without kind); NotFound as metrics-server says it."""
        if resource is NODE_METRICS:
            node = self.rest.store.get("/nodes", "", name)
            if node is None:
                raise _not_found("", "node", name)
            usage = self.sampler.node(name)
            if usage is None:
                raise _not_found(GROUP, "nodemetrics", name)
            return node_metrics(node, usage, now)
        pod = self.rest.store.get("/pods", namespace, name)
        if pod is None or not _running(pod):
            raise _not_found("", "pods", name)
        containers = self.sampler.pods().get(str(pod["metadata"].get("uid") or ""))
        if not containers:
            raise _not_found(GROUP, "podmetrics", f"{namespace}/{name}")
        return pod_metrics(pod, containers, now)

    def list_metrics(
        self,
        resource: ResourceType,
        namespace: str | None,
        query: MultiMapping[str],
        now: datetime.datetime,
    ) -> list[Obj]:
        """The PodMetrics or NodeMetrics (without kind) the query selects, by namespace/name."""
        match = listing.matcher(resource, query)
        items: list[Obj] = []
        if resource is NODE_METRICS:
            for node in self.rest.store.objects("/nodes"):
                usage = self.sampler.node(str(node["metadata"].get("name")))
                if usage is not None:
                    items.append(node_metrics(node, usage, now))
            return [item for item in items if match(item)]
        sampled = self.sampler.pods()
        for pod in self.rest.store.objects("/pods", namespace):
            containers = sampled.get(str(pod["metadata"].get("uid") or ""))
            if containers and _running(pod):
                items.append(pod_metrics(pod, containers, now))
        return [item for item in items if match(item)]


def _running(pod: Mapping[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running"
