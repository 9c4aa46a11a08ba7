"""Fixtures for the Service data plane's end-to-end tests: the node side of kubelet_support
with kube-proxy, load balancers and cluster DNS wired in as the server wires them (the
allocator on the slot's service network, the kubelets' service_env and resolv_conf hooks).

``services`` gives a :class:`ServiceSide`: ``settle()`` blocks until kube-proxy applied every
change seen so far (no sleeping), ``endpoint_slice`` writes a hand-made EndpointSlice, ``get``
fetches over HTTP with a short timeout, ``kuards`` starts ready kuard pods.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from backends.simulator.network.services import ServiceNetwork
from tests.e2e.kubelet_support import NodeSide, node_side

__all__ = ["node_side"]
Obj = dict[str, Any]
KUARD = "gcr.io/kuar-demo/kuard-amd64:blue"
LOAD_BALANCER_DELAY = 30.0  # long enough to see <pending>; tests advance the clock past it


class ServiceSide:
    """A simulator whose services carry traffic (see the module docstring)."""

    def __init__(self, side: NodeSide, network: ServiceNetwork) -> None:
        self.side = side
        self.network = network

    def settle(self) -> None:
        self.side.run(self.network.proxy.settled(), 30)

    def service(self, name: str) -> Obj:
        found: Obj | None = self.side.on_loop(
            lambda: self.side.sim.simulator.store.get("/services", "default", name)
        )
        assert found is not None, f"service {name} not found"
        return found

    def endpoint_slice(
        self, service: str, endpoints: list[tuple[str, bool]], port: int = 8080
    ) -> None:
        """Write the EndpointSlice ``SERVICE-manual`` (port ``http``) with the real kubectl."""
        self.side.ok(
            "apply",
            "-f",
            "-",
            stdin=json.dumps(
                {
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "name": f"{service}-manual",
                        "labels": {"kubernetes.io/service-name": service},
                    },
                    "addressType": "IPv4",
                    "endpoints": [
                        {"addresses": [ip], "conditions": {"ready": ready}}
                        for ip, ready in endpoints
                    ],
                    "ports": [{"name": "http", "port": port, "protocol": "TCP"}],
                }
            ),
        )
        self.settle()

    def kuards(self, *names: str) -> list[str]:
        """Start ready kuard pods; their IPs."""
        for name in names:
            self.side.apply(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": name, "labels": {"app": "kuard"}},
                    "spec": {"containers": [{"name": "kuard", "image": KUARD}]},
                }
            )
        self.side.until(lambda: all(self._ready(name) for name in names))
        return [str(self.side.must(name)["status"]["podIP"]) for name in names]

    def _ready(self, pod: str) -> bool:
        return bool(self.side.container_status(pod).get("ready"))

    @staticmethod
    def get(url: str, method: str = "GET", body: bytes | None = None) -> str:
        request = urllib.request.Request(url, data=body, method=method)
        with urllib.request.urlopen(request, timeout=5) as response:
            return str(response.read().decode())

    @staticmethod
    def refused(url: str) -> bool:
        try:
            urllib.request.urlopen(url, timeout=5).close()
        except urllib.error.URLError as err:
            return isinstance(err.reason, ConnectionRefusedError)
        return False


@pytest.fixture
def services(node_side: NodeSide) -> Iterator[ServiceSide]:
    """The simulator's own service network, its load balancers slowed to LOAD_BALANCER_DELAY."""
    network = node_side.sim.simulator.service_network
    assert network is not None
    network.load_balancers.delay = LOAD_BALANCER_DELAY
    yield ServiceSide(node_side, network)
