"""The cloud's load balancers for ``type: LoadBalancer`` Services (the service controller of
cloud-controller-manager, with a pool of loopback addresses as the cloud).

A Service of type LoadBalancer (without ``spec.loadBalancerClass``, which names another
implementation) whose ``status.loadBalancer`` has no ingress gets, ``PROVISION_SECONDS`` later on
the injected clock, an address from the simulator's pool (its slot's /22 of 127.255.0.0/16;
``spec.loadBalancerIP`` when it is free and in the pool) written as ``{"ip": IP, "ipMode":
"VIP"}`` through the status subresource, so ``kubectl get svc`` shows ``<pending>`` first, as in
a cloud. Events as the service controller records them: ``EnsuringLoadBalancer`` then
``EnsuredLoadBalancer``, or ``SyncLoadBalancerFailed`` when no address can be given. A Service
that stops being a LoadBalancer has its ingress removed (``DeletingLoadBalancer``,
``DeletedLoadBalancer``). kube-proxy answers on the address once it is published.
"""

from __future__ import annotations

import asyncio
import copy
import ipaddress
import logging
from typing import Any

from backends.simulator.apiserver import status as api_status
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.cluster.api import SERVICES, update_status
from backends.simulator.cluster.events import NORMAL, WARNING, EventRecorder
from backends.simulator.kubelet import timing
from backends.simulator.network.ipam import free_load_balancer_ip, load_balancer_ips
from backends.simulator.store import Event

log = logging.getLogger("pykctl.simulator.loadbalancers")
Obj = dict[str, Any]
PROVISION_SECONDS = 2.0
MANAGER = "cloud-controller-manager"


def _ingress(service: Obj) -> list[Obj]:
    return list(((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or [])


def _wants_balancer(service: Obj) -> bool:
    spec = service.get("spec") or {}
    return spec.get("type") == "LoadBalancer" and not spec.get("loadBalancerClass")


class LoadBalancers:
    """Provisions LoadBalancer addresses (see the module docstring)."""

    def __init__(
        self,
        rest: Rest,
        clock: Clock,
        pool: ipaddress.IPv4Network,
        delay: float = PROVISION_SECONDS,
    ) -> None:
        self.rest = rest
        self.clock = clock
        self.pool = pool
        self.delay = delay
        self.recorder = EventRecorder(rest, clock, "service-controller", manager=MANAGER)
        self._tasks: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._changed: set[tuple[str, str]] = set()  # changed while a task was running

    async def start(self) -> None:
        self.rest.store.add_listener(self._on_event)
        for service in self.rest.store.objects("/services"):
            self._consider(service)

    async def stop(self) -> None:
        self.rest.store.remove_listener(self._on_event)
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _on_event(self, event: Event) -> None:
        if event.resource == "/services" and event.type != "DELETED":
            self._consider(event.object)

    def _consider(self, service: Obj) -> None:
        metadata = service.get("metadata") or {}
        key = (str(metadata.get("namespace") or ""), str(metadata.get("name") or ""))
        if key in self._tasks:
            self._changed.add(key)
            return
        if _wants_balancer(service) and not _ingress(service):
            self._spawn(key, self._provision(key))
        elif not _wants_balancer(service) and _ingress(service):
            self._spawn(key, self._remove(key))

    def _spawn(self, key: tuple[str, str], work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks[key] = task

        def done(finished: asyncio.Task[None]) -> None:
            if self._tasks.get(key) is finished:
                del self._tasks[key]
                current = self.rest.store.get("/services", *key)
                if key in self._changed and current is not None:
                    self._changed.discard(key)
                    self._consider(current)

        task.add_done_callback(done)

    async def _provision(self, key: tuple[str, str]) -> None:
        service = self.rest.store.get("/services", *key)
        if service is None:
            return
        self.recorder.event(service, NORMAL, "EnsuringLoadBalancer", "Ensuring load balancer")
        await timing.sleep(self.clock, self.delay)
        service = self.rest.store.get("/services", *key)
        if service is None or not _wants_balancer(service) or _ingress(service):
            return
        requested = str((service.get("spec") or {}).get("loadBalancerIP") or "")
        ip = free_load_balancer_ip(self.pool, load_balancer_ips(self.rest.store), requested)
        if ip is None:
            reason = (
                f"requested ip {requested} is not available in the pool {self.pool}"
                if requested
                else f"no free address in the pool {self.pool}"
            )
            self.recorder.event(
                service,
                WARNING,
                "SyncLoadBalancerFailed",
                f"Error syncing load balancer: failed to ensure load balancer: {reason}",
            )
            return
        if self._write(service, [{"ip": ip, "ipMode": "VIP"}]):
            self.recorder.event(service, NORMAL, "EnsuredLoadBalancer", "Ensured load balancer")

    async def _remove(self, key: tuple[str, str]) -> None:
        service = self.rest.store.get("/services", *key)
        if service is None:
            return
        self.recorder.event(service, NORMAL, "DeletingLoadBalancer", "Deleting load balancer")
        if self._write(service, []):
            self.recorder.event(service, NORMAL, "DeletedLoadBalancer", "Deleted load balancer")

    def _write(self, service: Obj, ingress: list[Obj]) -> bool:
        updated = copy.deepcopy(service)
        updated.setdefault("status", {})["loadBalancer"] = {"ingress": ingress} if ingress else {}
        try:
            update_status(self.rest, SERVICES, updated, MANAGER)
        except api_status.ApiStatus as err:  # changed meanwhile: the next event retries
            log.info("load balancer status of %s not written: %s", service["metadata"], err)
            return False
        return True
