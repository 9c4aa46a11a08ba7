"""kube-controller-manager's EndpointSlice mirroring controller: the Endpoints someone wrote by
hand for a Service without a selector ("Manual Service Discovery") mirrored into
EndpointSlices, so that kube-proxy, which reads slices only, routes to them.

Invariants, as upstream:

* only Endpoints whose Service exists, has no selector and is not ExternalName are mirrored,
  and not those labelled ``endpointslice.kubernetes.io/skip-mirror: "true"``; the
  ``kubernetes`` service's, which the API server keeps, are left alone;
* one slice per distinct port list of the subsets (IPv4 addresses; others are skipped), named
  from ``NAME-``, owned by the Endpoints (a controller reference, so the garbage collector
  removes them with it), with the Endpoints' labels and annotations (but the trigger time and
  last-applied ones), ``kubernetes.io/service-name: NAME`` and
  ``endpointslice.kubernetes.io/managed-by: endpointslicemirroring-controller.k8s.io``;
* ``addresses`` become endpoints ready, serving and not terminating; ``notReadyAddresses``
  ready and serving false; hostname, nodeName and targetRef are carried over;
* mirrored slices that no longer match an Endpoints (or whose Service gained a selector) are
  deleted; nothing is written when nothing changed.
"""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

from backends.simulator.apiserver import status
from backends.simulator.apiserver.paths import Target
from backends.simulator.cluster import api
from backends.simulator.controllers.endpoints import (
    ENDPOINT_SLICES,
    ENDPOINTS,
    MANAGED_BY,
    SERVICE_NAME,
    TRIGGER_TIME,
)
from backends.simulator.controllers.framework import Controller, object_key, split_key
from backends.simulator.controllers.pods import labels, meta
from backends.simulator.store import Event

Obj = dict[str, Any]

CONTROLLER_NAME = "endpointslicemirroring-controller.k8s.io"
MANAGER = "endpointslicemirroring-controller"
SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _mirrored(service: Obj | None, endpoints: Obj | None) -> bool:
    if service is None or endpoints is None:
        return False
    spec = service.get("spec") or {}
    return (
        not spec.get("selector")
        and spec.get("type") != "ExternalName"
        and labels(endpoints).get(SKIP_MIRROR) != "true"
        and not (
            meta(endpoints).get("namespace") == "default"
            and meta(endpoints)["name"] == "kubernetes"
        )
    )


def _is_ipv4(address: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(address), ipaddress.IPv4Address)
    except ValueError:
        return False


def _endpoint(address: Obj, ready: bool) -> Obj:
    endpoint: Obj = {
        "addresses": [address["ip"]],
        "conditions": {"ready": ready, "serving": ready, "terminating": False},
    }
    for field in ("hostname", "nodeName", "targetRef"):
        if address.get(field):
            endpoint[field] = address[field]
    return endpoint


def desired_slices(endpoints: Obj) -> list[tuple[list[Obj] | None, list[Obj]]]:
    """(ports, endpoints) of each slice the Endpoints mirror into, in the order the subsets
    first name each port list."""
    grouped: dict[str, tuple[list[Obj] | None, list[Obj]]] = {}
    for subset in endpoints.get("subsets") or []:
        ports = [
            {k: port[k] for k in ("name", "port", "protocol", "appProtocol") if k in port}
            for port in subset.get("ports") or []
        ] or None
        key = repr(
            sorted((p.get("name", ""), p.get("port"), p.get("protocol")) for p in ports or [])
        )
        entry = grouped.setdefault(key, (ports, []))
        for address in subset.get("addresses") or []:
            if _is_ipv4(str(address.get("ip", ""))):
                entry[1].append(_endpoint(address, True))
        for address in subset.get("notReadyAddresses") or []:
            if _is_ipv4(str(address.get("ip", ""))):
                entry[1].append(_endpoint(address, False))
    return list(grouped.values())


class EndpointSliceMirroringController(Controller):
    """Mirrors hand-written Endpoints into EndpointSlices; see the module docstring."""

    name = "endpointslice-mirroring"
    primary = api.key(ENDPOINTS)
    watches = (primary, api.key(api.SERVICES), api.key(ENDPOINT_SLICES))

    def on_event(self, event: Event) -> None:
        obj = event.object
        namespace = str(meta(obj).get("namespace") or "")
        if event.resource == api.key(ENDPOINT_SLICES):
            if labels(obj).get(MANAGED_BY) != CONTROLLER_NAME:
                return
            name = labels(obj).get(SERVICE_NAME, "")
        else:
            name = str(meta(obj)["name"])
        self.queue.add(object_key(namespace, name))

    def reconcile(self, key: str) -> None:
        namespace, name = split_key(key)
        endpoints = self.store.get(self.primary, namespace, name)
        service = self.store.get(api.key(api.SERVICES), namespace, name)
        existing = [
            s
            for s in self.store.objects(api.key(ENDPOINT_SLICES), namespace)
            if labels(s).get(SERVICE_NAME) == name and labels(s).get(MANAGED_BY) == CONTROLLER_NAME
        ]
        wanted = desired_slices(endpoints) if endpoints and _mirrored(service, endpoints) else []
        for index, (ports, slice_endpoints) in enumerate(wanted):
            assert endpoints is not None
            current = existing[index] if index < len(existing) else None
            self._write(endpoints, current, ports, slice_endpoints)
        for extra in existing[len(wanted) :]:
            try:
                self.rest.delete(
                    Target(ENDPOINT_SLICES, namespace, meta(extra)["name"], None), {}, api.NO_QUERY
                )
            except status.ApiStatus as err:
                if err.reason != "NotFound":
                    raise

    def _write(
        self, endpoints: Obj, current: Obj | None, ports: list[Obj] | None, items: list[Obj]
    ) -> None:
        source = meta(endpoints)
        slice_labels = {**(source.get("labels") or {})}
        slice_labels[SERVICE_NAME] = source["name"]
        slice_labels[MANAGED_BY] = CONTROLLER_NAME
        annotations = {
            k: v
            for k, v in (source.get("annotations") or {}).items()
            if k not in (TRIGGER_TIME, LAST_APPLIED)
        }
        if (
            current is not None
            and current.get("endpoints") == items
            and current.get("ports") == ports
            and labels(current) == slice_labels
            and (meta(current).get("annotations") or {}) == annotations
        ):
            return
        if current is None:
            body: Obj = {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "generateName": f"{source['name']}-",
                    "namespace": source["namespace"],
                    "ownerReferences": [
                        {
                            "apiVersion": "v1",
                            "kind": "Endpoints",
                            "name": source["name"],
                            "uid": source["uid"],
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
            }
        else:
            body = copy.deepcopy(current)
        body["metadata"]["labels"] = slice_labels
        if annotations:
            body["metadata"]["annotations"] = annotations
        else:
            body["metadata"].pop("annotations", None)
        body["addressType"] = "IPv4"
        body["endpoints"] = items
        body["ports"] = ports
        if current is None:
            api.create(self.rest, ENDPOINT_SLICES, source["namespace"], body, MANAGER)
        else:
            api.update(self.rest, ENDPOINT_SLICES, body, MANAGER)
