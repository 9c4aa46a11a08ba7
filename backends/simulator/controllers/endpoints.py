"""kube-controller-manager's endpoints and endpointslice controllers: for every Service with a
selector, the Endpoints object of the same name and the EndpointSlices (discovery.k8s.io/v1)
that list the selected pods.

Invariants, as upstream:

* services without a selector (an empty one is none: Go drops an empty map), and ExternalName services, get nothing from here: their
  Endpoints and EndpointSlices are written by hand and left alone (the ``kubernetes`` service's
  are the API server's own); deleting a Service deletes the Endpoints of its name, and its
  slices go with it through their ownerReference (the garbage collector);
* a pod is listed when it has an IP and is not finished (restartPolicy decides); in Endpoints a
  ready pod is an address, an unready one a notReadyAddress (publishNotReadyAddresses makes
  every pod ready and keeps terminating ones); terminating pods are not in Endpoints otherwise;
* in slices every such pod is an endpoint with conditions ready (serving and not terminating,
  or publishNotReadyAddresses), serving (ready) and terminating; nodeName, hostname
  (``spec.hostname`` with ``spec.subdomain`` naming the service) and a Pod targetRef;
* a port by name resolves through the pod's container ports of the same name and protocol; a
  pod without it is left out of that port;
* slices carry ``kubernetes.io/service-name``, ``endpointslice.kubernetes.io/managed-by:
  endpointslice-controller.k8s.io`` and the service's labels, a controller ownerReference to
  the service and at most 100 endpoints; a service with no endpoints has one empty slice;
* nothing is written when nothing changed, so readiness flips are the only churn.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from backends.objects.selectors import selector_from_set
from backends.simulator.apiserver import status
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.resources import lookup
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.cluster import api
from backends.simulator.controllers.framework import Controller, object_key, split_key
from backends.simulator.controllers.pods import (
    MANAGER,
    is_ready,
    labels,
    meta,
    new_controller_ref,
    ready_condition,
)
from backends.simulator.store import Event

Obj = dict[str, Any]

_endpoints = lookup("", "v1", "endpoints")
_slices = lookup("discovery.k8s.io", "v1", "endpointslices")
assert _endpoints is not None and _slices is not None
ENDPOINTS = _endpoints
ENDPOINT_SLICES = _slices

SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
HEADLESS = "service.kubernetes.io/headless"
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"
MAX_ENDPOINTS_PER_SLICE = 100
MAX_ENDPOINTS = 1000


def _selected(service: Obj) -> bool:
    spec = service.get("spec") or {}
    return bool(spec.get("selector")) and spec.get("type") != "ExternalName"


def _headless(service: Obj) -> bool:
    return (service.get("spec") or {}).get("clusterIP") in (None, "", "None")


def _pod_ip(pod: Obj) -> str:
    pod_status = pod.get("status") or {}
    ips = [item.get("ip") for item in pod_status.get("podIPs") or [] if item.get("ip")]
    return str(pod_status.get("podIP") or (ips[0] if ips else ""))


def in_endpoints(pod: Obj, include_terminating: bool) -> bool:
    """``ShouldPodBeInEndpoints``."""
    if not _pod_ip(pod):
        return False
    if not include_terminating and meta(pod).get("deletionTimestamp"):
        return False
    phase = (pod.get("status") or {}).get("phase")
    policy = (pod.get("spec") or {}).get("restartPolicy") or "Always"
    if policy == "Never":
        return phase not in ("Failed", "Succeeded")
    if policy == "OnFailure":
        return phase != "Succeeded"
    return True


def find_port(pod: Obj, service_port: Obj) -> int | None:
    """``podutil.FindPort``: the pod's port for ``service_port``'s targetPort."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol") or "TCP"
    spec = pod.get("spec") or {}
    sidecars = [c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
    for container in [*(spec.get("containers") or []), *sidecars]:
        for port in container.get("ports") or []:
            if port.get("name") == target and (port.get("protocol") or "TCP") == protocol:
                return int(port["containerPort"])
    return None


def _hostname(pod: Obj, service: Obj) -> str:
    """``ShouldSetHostname``: the pod's hostname when its subdomain is the service."""
    spec = pod.get("spec") or {}
    if (
        spec.get("hostname")
        and spec.get("subdomain") == meta(service).get("name")
        and meta(pod).get("namespace") == meta(service).get("namespace")
    ):
        return str(spec["hostname"])
    return ""


def _target_ref(pod: Obj) -> Obj:
    return {
        "kind": "Pod",
        "namespace": meta(pod).get("namespace"),
        "name": meta(pod)["name"],
        "uid": meta(pod).get("uid"),
    }


def _trigger_time(pod: Obj) -> str:
    condition = ready_condition(pod)
    if condition is not None and condition.get("lastTransitionTime"):
        return str(condition["lastTransitionTime"])
    return str(meta(pod).get("creationTimestamp") or "")


def _ports_key(ports: Iterable[Obj]) -> tuple[tuple[str, int, str], ...]:
    return tuple(
        sorted(
            (str(p.get("name") or ""), int(p.get("port") or 0), str(p.get("protocol")))
            for p in ports
        )
    )


def endpoint_subsets(service: Obj, pods: list[Obj]) -> list[Obj]:
    """The Endpoints' ``subsets`` (``syncService`` and ``RepackSubsets``)."""
    spec = service.get("spec") or {}
    tolerate = bool(spec.get("publishNotReadyAddresses"))
    groups: dict[tuple[tuple[str, int, str], ...], tuple[list[Obj], list[Obj], list[Obj]]] = {}
    for pod in pods:
        if not in_endpoints(pod, tolerate):
            continue
        address: Obj = {"ip": _pod_ip(pod)}
        if _hostname(pod, service):
            address["hostname"] = _hostname(pod, service)
        address["nodeName"] = (pod.get("spec") or {}).get("nodeName") or ""
        address["targetRef"] = _target_ref(pod)
        ports = []
        for service_port in spec.get("ports") or []:
            number = find_port(pod, service_port)
            if number is None:
                continue
            port: Obj = {"name": service_port.get("name") or "", "port": number}
            port["protocol"] = service_port.get("protocol") or "TCP"
            if service_port.get("appProtocol"):
                port["appProtocol"] = service_port["appProtocol"]
            if not port["name"]:
                del port["name"]
            ports.append(port)
        if not ports and (spec.get("ports") or not _headless(service)):
            continue
        ready, not_ready, _ = groups.setdefault(_ports_key(ports), ([], [], ports))
        (ready if tolerate or is_ready(pod) else not_ready).append(address)
    subsets = []
    for key in sorted(groups):
        ready, not_ready, ports = groups[key]
        subset: Obj = {}
        if ready:
            subset["addresses"] = sorted(ready, key=_address_order)
        if not_ready:
            subset["notReadyAddresses"] = sorted(not_ready, key=_address_order)
        if ports:
            subset["ports"] = sorted(ports, key=lambda p: (p.get("name") or "", p["port"]))
        subsets.append(subset)
    return subsets


def _address_order(address: Obj) -> tuple[str, str]:
    return str(address["ip"]), str((address.get("targetRef") or {}).get("uid") or "")


def slice_endpoint(service: Obj, pod: Obj) -> Obj:
    """``podToEndpoint``: one pod as an EndpointSlice endpoint."""
    serving = is_ready(pod)
    terminating = bool(meta(pod).get("deletionTimestamp"))
    publish = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
    endpoint: Obj = {
        "addresses": [_pod_ip(pod)],
        "conditions": {
            "ready": publish or (serving and not terminating),
            "serving": serving,
            "terminating": terminating,
        },
    }
    if _hostname(pod, service):
        endpoint["hostname"] = _hostname(pod, service)
    endpoint["targetRef"] = _target_ref(pod)
    node = (pod.get("spec") or {}).get("nodeName")
    if node:
        endpoint["nodeName"] = node
    return endpoint


def slice_ports(service: Obj, pod: Obj) -> list[Obj]:
    """The slice ports ``pod`` serves for ``service`` (``getEndpointPorts``)."""
    ports = []
    for service_port in (service.get("spec") or {}).get("ports") or []:
        number = find_port(pod, service_port)
        if number is None:
            continue
        port: Obj = {
            "name": service_port.get("name") or "",
            "protocol": service_port.get("protocol") or "TCP",
            "port": number,
        }
        if service_port.get("appProtocol"):
            port["appProtocol"] = service_port["appProtocol"]
        ports.append(port)
    return ports


class EndpointsController(Controller):
    """Endpoints and EndpointSlices for services with selectors; see the module docstring."""

    name = "endpoints"
    primary = api.key(api.SERVICES)
    watches = (primary, "/pods", api.key(ENDPOINTS), api.key(ENDPOINT_SLICES))

    def __init__(self, rest: Rest, clock: Clock) -> None:
        super().__init__(rest, clock)
        self._triggers: dict[str, dict[str, str]] = {}  # service -> pod -> trigger time

    def catch_up(self) -> None:
        super().catch_up()
        for endpoints in self.store.objects(api.key(ENDPOINTS)):  # checkLeftoverEndpoints
            self.queue.add(object_key(meta(endpoints)["namespace"], meta(endpoints)["name"]))

    def on_event(self, event: Event) -> None:
        obj = event.object
        namespace = meta(obj).get("namespace") or ""
        if event.resource == self.primary:
            self.queue.add(object_key(namespace, meta(obj)["name"]))
        elif event.resource == "/pods":
            wanted = [labels(obj)]
            if event.previous is not None:
                wanted.append(labels(event.previous))
            for service in self.store.objects(self.primary, namespace):
                selector = (service.get("spec") or {}).get("selector")
                if selector and any(selector_from_set(selector).matches(w) for w in wanted):
                    self.queue.add(object_key(namespace, meta(service)["name"]))
        elif event.resource == api.key(ENDPOINTS):
            if event.type == "DELETED":
                self.queue.add(object_key(namespace, meta(obj)["name"]))
        elif labels(obj).get(MANAGED_BY) == CONTROLLER_NAME and labels(obj).get(SERVICE_NAME):
            self.queue.add(object_key(namespace, labels(obj)[SERVICE_NAME]))

    def reconcile(self, key: str) -> None:
        namespace, name = split_key(key)
        service = self.store.get(self.primary, namespace, name)
        if service is None:
            self._triggers.pop(key, None)
            self._delete_endpoints(namespace, name)
            return
        if not _selected(service) or meta(service).get("deletionTimestamp"):
            return
        selector = selector_from_set((service.get("spec") or {}).get("selector") or {})
        pods = [p for p in self.store.objects("/pods", namespace) if selector.matches(labels(p))]
        trigger = self._trigger(key, service, pods)
        self._sync_endpoints(service, pods, trigger)
        self._sync_slices(service, pods, trigger)

    def _trigger(self, key: str, service: Obj, pods: list[Obj]) -> str:
        """``ComputeEndpointLastChangeTriggerTime``: the earliest change not yet published."""
        seen = self._triggers.get(key)
        now = {meta(p)["name"]: _trigger_time(p) for p in pods}
        if seen is None:
            changed = [str(meta(service).get("creationTimestamp") or ""), *now.values()]
        else:
            changed = [t for pod, t in now.items() if seen.get(pod) != t]
        self._triggers[key] = now
        return min((t for t in changed if t), default="")

    # ------------------------------------------------------------------------ Endpoints

    def _delete_endpoints(self, namespace: str, name: str) -> None:
        if self.store.get(api.key(ENDPOINTS), namespace, name) is None:
            return
        try:
            self.rest.delete(Target(ENDPOINTS, namespace, name, None), {}, api.NO_QUERY)
        except status.ApiStatus as err:
            if err.reason != "NotFound":
                raise

    def _sync_endpoints(self, service: Obj, pods: list[Obj], trigger: str) -> None:
        namespace, name = meta(service)["namespace"], meta(service)["name"]
        subsets = endpoint_subsets(service, pods)
        total = sum(
            len(s.get("addresses", [])) + len(s.get("notReadyAddresses", [])) for s in subsets
        )
        current = self.store.get(api.key(ENDPOINTS), namespace, name)
        service_labels = dict(meta(service).get("labels") or {})
        if current is not None:
            current_labels = {k: v for k, v in labels(current).items() if k != HEADLESS}
            if (
                (current.get("subsets") or []) == subsets
                and current_labels == service_labels
                and (OVER_CAPACITY in (meta(current).get("annotations") or {}))
                == (total > MAX_ENDPOINTS)
            ):
                return
        endpoints: Obj = (
            copy.deepcopy(current)
            if current is not None
            else {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {"name": name, "namespace": namespace},
            }
        )
        endpoints_meta = endpoints["metadata"]
        new_labels = dict(service_labels)
        if _headless(service):
            new_labels[HEADLESS] = ""
        endpoints_meta["labels"] = new_labels
        if not new_labels:
            del endpoints_meta["labels"]
        annotations = dict(endpoints_meta.get("annotations") or {})
        if trigger:
            annotations[TRIGGER_TIME] = trigger
        else:
            annotations.pop(TRIGGER_TIME, None)
        if total > MAX_ENDPOINTS:
            annotations[OVER_CAPACITY] = "truncated"
            subsets = _truncate(subsets)
        else:
            annotations.pop(OVER_CAPACITY, None)
        endpoints_meta["annotations"] = annotations
        if not annotations:
            del endpoints_meta["annotations"]
        if subsets:
            endpoints["subsets"] = subsets
        else:
            endpoints.pop("subsets", None)
        try:
            if current is None:
                api.create(self.rest, ENDPOINTS, namespace, endpoints, MANAGER)
            else:
                api.update(self.rest, ENDPOINTS, endpoints, MANAGER)
        except status.ApiStatus as err:
            if err.code == 403:  # the namespace is terminating
                return
            raise

    # -------------------------------------------------------------------- EndpointSlices

    def _sync_slices(self, service: Obj, pods: list[Obj], trigger: str) -> None:
        namespace, name = meta(service)["namespace"], meta(service)["name"]
        by_ports: dict[tuple[tuple[str, int, str], ...], tuple[list[Obj], list[Obj]]] = {}
        for pod in sorted(pods, key=lambda p: str(meta(p)["name"])):
            if not in_endpoints(pod, True):
                continue
            ports = slice_ports(service, pod)
            if not ports and (service.get("spec") or {}).get("ports"):
                continue
            entry = by_ports.setdefault(_ports_key(ports), (ports, []))
            entry[1].append(slice_endpoint(service, pod))
        desired: list[tuple[list[Obj] | None, list[Obj] | None]] = []
        for key in sorted(by_ports):
            ports, endpoints = by_ports[key]
            for start in range(0, len(endpoints), MAX_ENDPOINTS_PER_SLICE):
                desired.append((ports or None, endpoints[start : start + MAX_ENDPOINTS_PER_SLICE]))
        if not desired:
            desired.append((None, None))  # the placeholder slice
        existing = [
            s
            for s in self.store.objects(api.key(ENDPOINT_SLICES), namespace)
            if labels(s).get(SERVICE_NAME) == name and labels(s).get(MANAGED_BY) == CONTROLLER_NAME
        ]
        slice_labels = {
            k: v
            for k, v in (meta(service).get("labels") or {}).items()
            if k not in (SERVICE_NAME, MANAGED_BY)
        }
        if _headless(service):
            slice_labels[HEADLESS] = ""
        slice_labels[SERVICE_NAME] = name
        slice_labels[MANAGED_BY] = CONTROLLER_NAME
        for index, (wanted_ports, wanted_endpoints) in enumerate(desired):
            current = existing[index] if index < len(existing) else None
            self._write_slice(
                service, current, slice_labels, wanted_ports, wanted_endpoints, trigger
            )
        for extra in existing[len(desired) :]:
            try:
                self.rest.delete(
                    Target(ENDPOINT_SLICES, namespace, meta(extra)["name"], None), {}, api.NO_QUERY
                )
            except status.ApiStatus as err:
                if err.reason != "NotFound":
                    raise

    def _write_slice(
        self,
        service: Obj,
        current: Obj | None,
        slice_labels: dict[str, str],
        ports: list[Obj] | None,
        endpoints: list[Obj] | None,
        trigger: str,
    ) -> None:
        namespace = meta(service)["namespace"]
        if (
            current is not None
            and current.get("endpoints") == endpoints
            and current.get("ports") == ports
            and labels(current) == slice_labels
        ):
            return
        if current is None:
            body: Obj = {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "generateName": f"{meta(service)['name']}-",
                    "namespace": namespace,
                    "ownerReferences": [new_controller_ref(service)],
                },
            }
        else:
            body = copy.deepcopy(current)
        body_meta = body["metadata"]
        body_meta["labels"] = dict(slice_labels)
        annotations = dict(body_meta.get("annotations") or {})
        if trigger:
            annotations[TRIGGER_TIME] = trigger
        else:
            annotations.pop(TRIGGER_TIME, None)
        body_meta["annotations"] = annotations
        if not annotations:
            del body_meta["annotations"]
        body["addressType"] = "IPv4"
        body["endpoints"] = endpoints
        body["ports"] = ports
        try:
            if current is None:
                api.create(self.rest, ENDPOINT_SLICES, namespace, body, MANAGER)
            else:
                api.update(self.rest, ENDPOINT_SLICES, body, MANAGER)
        except status.ApiStatus as err:
            if err.code == 403:
                return
            raise


def _truncate(subsets: list[Obj]) -> list[Obj]:
    """``truncateEndpoints``: at most 1000 addresses, ready ones first, spread by proportion."""
    ready = sum(len(s.get("addresses", [])) for s in subsets)
    not_ready = sum(len(s.get("notReadyAddresses", [])) for s in subsets)
    truncate_ready = ready > MAX_ENDPOINTS
    limit = MAX_ENDPOINTS if truncate_ready else MAX_ENDPOINTS - ready
    total = ready if truncate_ready else not_ready
    room = limit
    result = []
    for subset in subsets:
        subset = dict(subset)
        field = "addresses" if truncate_ready else "notReadyAddresses"
        count = len(subset.get(field, []))
        share = min(room, -(-count * limit // total)) if total else 0
        subset[field] = subset.get(field, [])[:share]
        if truncate_ready:
            subset.pop("notReadyAddresses", None)
        room -= len(subset[field])
        result.append({k: v for k, v in subset.items() if v})
    return result
