"""The simulator's built-in Ingress controller, in the manner of Contour with its Envoy.

:class:`IngressController` follows Ingresses, IngressClasses, Services, EndpointSlices, Secrets
and Nodes in the store (a listener; changes coalesce into one ``sync``) and:

* creates, at start, the IngressClass ``contour`` (controller
  ``projectcontour.io/ingress-controller``, not marked default) when missing;
* serves the Ingresses :func:`~.ingress_routes.is_ours` selects, merged into one
  :class:`~.ingress_routes.RouteTable` that :class:`~.ingress_proxy.IngressProxy` routes by;
* installs its front door at start, named as the Contour deployment of "Kubernetes: Up and
  Running" names it (the study notes: ``kubectl get -n heptio-contour service contour -o
  wide``): the namespace ``heptio-contour`` and in it the selector-less LoadBalancer Service
  ``contour`` (ports ``http`` 80 and ``https`` 443). The cloud's load balancers (:mod:`.loadbalancers`) give it an address;
  the controller itself listens on every frontend kube-proxy would program for it (that address,
  the cluster IP, the NodePorts on every node and 127.0.0.1) — HTTP on the ``http`` port, HTTPS
  with SNI-chosen certificates (:mod:`.ingress_tls`) on the ``https`` port. The Service has no
  endpoints, so kube-proxy never binds these frontends itself;
* writes the address into ``status.loadBalancer.ingress`` of every served Ingress;
* sends a request to a ready endpoint of the Service (by port number or name) in the Ingress's
  namespace, chosen by a :class:`~.balancer.Balancer` per backend as kube-proxy chooses;
* records Warning events on Ingresses: ``TLSConflict`` when an older Ingress's Secret serves a
  host this one also names a Secret for (saying which wins), ``TLSSecretError`` when a named
  Secret is missing or unusable; on the ``contour`` Service ``PortRemapped`` and
  ``FailedToStartListener`` as kube-proxy records them.

Where ports below 1024 cannot be bound, ``p`` is served on ``p + 10000`` (kube-proxy's remapping);
``address()`` tells where a frontend really answers, ``describe()`` says it for ``sim status``.

Invariants: listeners exist only for the ``contour`` Service's frontends while an Ingress is
served; ``stop()`` closes every socket, connection and task the controller opened.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections import defaultdict
from typing import Any

from backends.simulator.apiserver import status as api_status
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.cluster.api import (
    NAMESPACES,
    SERVICES,
    _resource,
    create,
    key,
    update_status,
)
from backends.simulator.cluster.events import WARNING, EventRecorder
from backends.simulator.kubelet.kubelet import REMAP_OFFSET, privileged_ports_allowed
from backends.simulator.network.balancer import Balancer
from backends.simulator.network.ingress_proxy import IngressProxy
from backends.simulator.network.ingress_routes import (
    CLASS_NAME,
    CONTROLLER,
    ServiceRef,
    build_table,
    ingress_key,
    is_ours,
    tls_certificates,
)
from backends.simulator.network.ingress_tls import Certificates
from backends.simulator.network.proxy import node_ips
from backends.simulator.network.reconciler import StoreReconciler
from backends.simulator.network.rules import (
    SERVICE_NAME_LABEL,
    Backend,
    service_rules,
    slice_backends,
)

log = logging.getLogger("pykctl.simulator.ingress")
Obj = dict[str, Any]
INGRESSES = _resource("networking.k8s.io", "ingresses")
INGRESS_CLASSES = _resource("networking.k8s.io", "ingressclasses")
SLICES = "discovery.k8s.io/endpointslices"
WATCHED = frozenset(
    {key(INGRESSES), key(INGRESS_CLASSES), "/services", SLICES, "/secrets", "/nodes"}
)
NAMESPACE = "heptio-contour"
SERVICE = "contour"
MANAGER = "contour"
HTTP, HTTPS = "http", "https"
Frontend = tuple[str, int, str]  # (address, port, scheme)


def front_door_service() -> Obj:
    """The front door's Service, as the book's Contour deployment defines it."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": SERVICE,
            "namespace": NAMESPACE,
            "labels": {"app": "contour"},
        },
        "spec": {
            "type": "LoadBalancer",
            "ports": [
                {"name": HTTP, "port": 80, "protocol": "TCP", "targetPort": 8080},
                {"name": HTTPS, "port": 443, "protocol": "TCP", "targetPort": 8443},
            ],
        },
    }


def ingress_class() -> Obj:
    """The controller's IngressClass."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {"name": CLASS_NAME},
        "spec": {"controller": CONTROLLER},
    }


def _service_port(service: Obj, port: int | str) -> Obj | None:
    for item in (service.get("spec") or {}).get("ports") or []:
        if (isinstance(port, int) and item.get("port") == port) or (
            isinstance(port, str) and item.get("name") == port
        ):
            return dict(item)
    return None


def _load_balancer_ips(service: Obj) -> list[str]:
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    return [str(item["ip"]) for item in ingress if item.get("ip")]


class IngressController(StoreReconciler):
    """Contour and Envoy for the simulator (see the module docstring)."""

    name = "ingress controller"
    watched = WATCHED

    def __init__(self, rest: Rest, clock: Clock, privileged: bool | None = None) -> None:
        super().__init__(rest.store)
        self.rest = rest
        self.clock = clock
        self.privileged = privileged_ports_allowed() if privileged is None else privileged
        self.recorder = EventRecorder(rest, clock, MANAGER)
        self.balancers: dict[ServiceRef, Balancer] = {}
        self.certificates = Certificates()
        self.proxy = IngressProxy(self._pick)
        self.listeners: dict[Frontend, asyncio.AbstractServer] = {}
        self.remapped: dict[Frontend, int] = {}
        self.addresses: list[str] = []
        self._reported: set[tuple[str, ...]] = set()

    async def start(self) -> None:
        self._create(INGRESS_CLASSES, None, ingress_class())
        self._install_front_door()
        self.start_watching()

    def _install_front_door(self) -> None:
        """The namespace and LoadBalancer Service the controller answers behind (again, if a
        user deleted them)."""
        namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}
        self._create(NAMESPACES, None, namespace)
        self._create(SERVICES, NAMESPACE, front_door_service())

    async def stop(self) -> None:
        await self.stop_watching()
        for server in self.listeners.values():
            server.close()
        self.listeners.clear()
        await self.proxy.stop()

    # --- the sync -------------------------------------------------------------------------

    async def sync(self) -> None:
        """Make routes, certificates, listeners and Ingress status match the store."""
        classes = self.store.objects(key(INGRESS_CLASSES))
        served = [i for i in self.store.objects(key(INGRESSES)) if is_ours(i, classes)]
        table = build_table(served)
        self._sync_balancers(table.services())
        self.proxy.table = table
        chosen, conflicts = tls_certificates(served)
        by_key = {ingress_key(i): i for i in served}
        problems = self.certificates.update(
            chosen, lambda namespace, name: self.store.get("/secrets", namespace, name)
        )
        for ref, problem in problems:
            self._warn(by_key.get(ref.ingress), "TLSSecretError", problem)
        for conflict in conflicts:
            winner = conflict.winner
            self._warn(
                by_key.get(conflict.ingress),
                "TLSConflict",
                f"host {conflict.host}: the certificate of secret "
                f"{winner.namespace}/{winner.name} (ingress {winner.ingress}) is served; "
                f"secret {conflict.secret} of this ingress is ignored for it",
            )
        service = self.store.get("/services", NAMESPACE, SERVICE)
        if service is None:
            self._install_front_door()
            service = self.store.get("/services", NAMESPACE, SERVICE)
        self.addresses = _load_balancer_ips(service) if service is not None else []
        await self._sync_listeners(service if served else None)
        for ingress in served:
            self._write_status(ingress)

    def _sync_balancers(self, targets: set[ServiceRef]) -> None:
        slices: dict[tuple[str, str], list[Obj]] = defaultdict(list)
        for item in self.store.objects(SLICES):
            meta = item.get("metadata") or {}
            name = (meta.get("labels") or {}).get(SERVICE_NAME_LABEL)
            if name:
                slices[(str(meta.get("namespace") or ""), str(name))].append(item)
        for target in targets:
            backends: tuple[Backend, ...] = ()
            service = self.store.get("/services", target.namespace, target.name)
            port = _service_port(service, target.port) if service is not None else None
            if port is not None:
                backends = slice_backends(
                    slices.get((target.namespace, target.name), []),
                    str(port.get("name") or ""),
                    str(port.get("protocol") or "TCP"),
                )
            balancer = self.balancers.get(target) or Balancer(self.clock)
            balancer.update([b.reached(self.privileged) for b in backends], None)
            self.balancers[target] = balancer
        for target in list(self.balancers):
            if target not in targets:
                del self.balancers[target]

    def _pick(self, target: ServiceRef, client_ip: str) -> Backend | None:
        balancer = self.balancers.get(target)
        return balancer.pick(client_ip) if balancer is not None else None

    # --- listeners ------------------------------------------------------------------------

    def frontends(self, service: Obj | None) -> set[Frontend]:
        """Where the front door answers: the ``contour`` Service's frontends, by scheme."""
        if service is None:
            return set()
        nodes = node_ips(self.store.objects("/nodes"))
        return {
            (ip, port, rule.port_name)
            for rule in service_rules(service, [], nodes)
            if rule.port_name in (HTTP, HTTPS) and rule.protocol == "TCP"
            for ip, port in rule.frontends
        }

    async def _sync_listeners(self, service: Obj | None) -> None:
        desired = self.frontends(service)
        for frontend in list(self.listeners):
            if frontend not in desired:
                self.listeners.pop(frontend).close()
                self.remapped.pop(frontend, None)
        for frontend in sorted(desired - set(self.listeners)):
            await self._open(frontend, service)

    async def _open(self, frontend: Frontend, service: Obj | None) -> None:
        ip, port, scheme = frontend
        bound = port + REMAP_OFFSET if port < 1024 and not self.privileged else port
        context = self.certificates.server_context if scheme == HTTPS else None
        try:
            server = await asyncio.get_running_loop().create_server(
                self.proxy.server, ip, bound, ssl=context, reuse_address=True, backlog=1024
            )
        except OSError as err:
            self._warn(
                service,
                "FailedToStartListener",
                f"listen tcp {ip}:{bound}: {err.strerror or err}",
            )
            return
        self.listeners[frontend] = server
        if bound != port:
            if frontend not in self.remapped:
                self._warn(
                    service,
                    "PortRemapped",
                    f"cannot bind privileged port {port}/TCP without privilege: "
                    f"{ip}:{port} is served on {ip}:{bound}",
                )
            self.remapped[frontend] = bound

    def address(self, ip: str, port: int) -> tuple[str, int]:
        """Where ``ip:port`` of the front door really answers."""
        for (host, frontend_port, _), bound in self.remapped.items():
            if (host, frontend_port) == (ip, port):
                return ip, bound
        return ip, port

    # --- writes ---------------------------------------------------------------------------

    def _create(self, resource: Any, namespace: str | None, obj: Obj) -> None:
        name = obj["metadata"]["name"]
        store_namespace = namespace or ""
        if self.store.get(key(resource), store_namespace, name) is not None:
            return
        try:
            create(self.rest, resource, namespace, obj, MANAGER)
        except api_status.ApiStatus as err:  # e.g. its namespace is terminating: next sync
            log.info("ingress controller cannot create %s %s: %s", resource.kind, name, err)

    def _write_status(self, ingress: Obj) -> None:
        wanted = {"ingress": [{"ip": ip} for ip in self.addresses]} if self.addresses else {}
        current = (ingress.get("status") or {}).get("loadBalancer") or {}
        if current == wanted:
            return
        updated = copy.deepcopy(ingress)
        updated.setdefault("status", {})["loadBalancer"] = wanted
        try:
            update_status(self.rest, INGRESSES, updated, MANAGER)
        except api_status.ApiStatus as err:  # changed meanwhile: the next event retries
            log.info("status of ingress %s not written: %s", ingress_key(ingress), err)

    def _warn(self, obj: Obj | None, reason: str, message: str) -> None:
        """A Warning event about ``obj``, once per (object, reason, message)."""
        if obj is None:
            return
        meta = obj.get("metadata") or {}
        once = (str(meta.get("uid")), reason, message)
        if once not in self._reported:
            self._reported.add(once)
            self.recorder.event(obj, WARNING, reason, message)

    def describe(self) -> str:
        """One line for ``pykctl sim status``."""
        if not self.listeners:
            return f"class {CLASS_NAME}; no Ingress served yet"
        shown = ", ".join(
            f"{scheme} {ip}:{self.remapped.get((ip, port, scheme), port)}"
            for ip, port, scheme in sorted(self.listeners)
            if ip in self.addresses
        )
        return f"class {CLASS_NAME}; {NAMESPACE}/{SERVICE} at {shown or 'pending address'}"
