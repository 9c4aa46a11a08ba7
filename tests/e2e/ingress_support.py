"""Fixtures for the Ingress controller's end-to-end tests: the service side of services_support
with load balancers provisioning at once, and helpers to send real HTTP and HTTPS requests to the
controller's front door.

``ingress`` gives an :class:`IngressSide`: ``backend`` makes a selector-less Service with a
hand-written EndpointSlice (no endpoints controller needed), ``address`` waits for the front
door's load-balancer address and listeners, ``request`` sends one request with a Host header
(HTTPS with SNI), ``page`` reads the request kuard received from its page context.
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from backends.simulator.network.ingress import NAMESPACE, SERVICE, IngressController
from tests.e2e.kubelet_support import node_side
from tests.e2e.services_support import ServiceSide, services

__all__ = ["node_side", "services"]
Obj = dict[str, Any]
_CONTEXT = re.compile(r"var pageContext = (\{.*?\});\n")


@dataclass
class Reply:
    """One HTTP response."""

    status: int
    headers: dict[str, str]
    body: str

    def page(self) -> Obj:
        """kuard's page context (hostname, requestDump...)."""
        found = _CONTEXT.search(self.body)
        assert found, f"not a kuard page: {self.status} {self.body[:200]!r}"
        context: Obj = json.loads(found.group(1))
        return context


class IngressSide:
    """A simulator whose Ingresses carry traffic (see the module docstring)."""

    def __init__(self, services: ServiceSide) -> None:
        self.services = services
        self.side = services.side
        self.controller: IngressController = services.network.ingress

    def settle(self) -> None:
        self.side.run(self.controller.settled(), 30)

    def apply(self, *objects: Obj) -> None:
        """Apply objects with the real kubectl, then let the controller catch up."""
        self.side.ok("apply", "-f", "-", stdin="\n---\n".join(json.dumps(o) for o in objects))
        self.settle()

    def backend(self, name: str, ip: str | None, namespace: str = "default") -> None:
        """Service ``name`` (port 80 ``http`` → 8080) whose one endpoint is ``ip`` (None: no
        endpoint)."""
        self.apply(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
            },
            {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "name": f"{name}-manual",
                    "namespace": namespace,
                    "labels": {"kubernetes.io/service-name": name},
                },
                "addressType": "IPv4",
                "endpoints": [{"addresses": [ip], "conditions": {"ready": True}}] if ip else [],
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            },
        )

    def address(self) -> str:
        """The front door's address, once published and listened on."""

        def published() -> bool:
            found = self.side.sim.simulator.store.get("/services", NAMESPACE, SERVICE) or {}
            return bool(((found.get("status") or {}).get("loadBalancer") or {}).get("ingress"))

        self.side.until(published)
        self.settle()
        ip = self.controller.addresses[0]
        assert any(frontend[0] == ip for frontend in self.controller.listeners)
        return ip

    def request(
        self,
        host: str,
        path: str,
        https: bool = False,
        ca: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        ip = self.address()
        where, port = self.controller.address(ip, 443 if https else 80)
        connection: http.client.HTTPConnection
        if https:
            context = ssl.create_default_context(cadata=ca.decode() if ca else None)
            connection = _SniConnection(where, port, host, context)
        else:
            connection = http.client.HTTPConnection(where, port, timeout=10)
        try:
            connection.request("GET", path, headers={"Host": host, **(headers or {})})
            response = connection.getresponse()
            body = response.read().decode()
            return Reply(response.status, dict(response.getheaders()), body)
        finally:
            connection.close()

    def ingress_status(self, name: str, namespace: str = "default") -> Obj:
        found = self.side.on_loop(
            lambda: self.side.sim.simulator.store.get(
                "networking.k8s.io/ingresses", namespace, name
            )
        )
        assert found is not None, name
        return dict(found.get("status") or {})

    def events(self, name: str, namespace: str = "default") -> list[tuple[str, str, str]]:
        objects = self.side.on_loop(
            lambda: self.side.sim.simulator.store.objects("/events", namespace)
        )
        return [
            (e["type"], e["reason"], e["message"])
            for e in objects
            if e["involvedObject"].get("name") == name
            and e["involvedObject"].get("kind") == "Ingress"
        ]


class _SniConnection(http.client.HTTPSConnection):
    """HTTPS to an address, sending ``server_name`` as SNI and checking the certificate for it."""

    def __init__(self, ip: str, port: int, server_name: str, context: ssl.SSLContext) -> None:
        super().__init__(ip, port, timeout=10, context=context)
        self.server_name = server_name
        self.tls_context = context

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self.tls_context.wrap_socket(self.sock, server_hostname=self.server_name)


def ingress_manifest(name: str, spec: Obj, namespace: str = "default", **annotations: str) -> Obj:
    """An Ingress (``annotations`` by keyword: ``**{"a/b": "v"}``)."""
    metadata: Obj = {"name": name, "namespace": namespace}
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata,
        "spec": spec,
    }


def rule(host: str, *paths: tuple[str, str, str]) -> Obj:
    """An Ingress rule: (path, pathType, service) on port 80."""
    found: Obj = {
        "http": {
            "paths": [
                {
                    "path": path,
                    "pathType": kind,
                    "backend": {"service": {"name": service, "port": {"number": 80}}},
                }
                for path, kind, service in paths
            ]
        }
    }
    if host:
        found["host"] = host
    return found


@pytest.fixture
def ingress(services: ServiceSide) -> Iterator[IngressSide]:
    """The simulator's Ingress controller; load balancers get their address at once."""
    services.network.load_balancers.delay = 0.0
    yield IngressSide(services)
