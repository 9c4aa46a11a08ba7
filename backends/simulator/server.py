"""One simulator instance: store + API server (+ the parts that run the cluster), on one event
loop, listening on 127.0.0.1 only.

``Simulator`` wires the pieces and bootstraps what every cluster has (see bootstrap.py). It is used by the
daemon (``pykctl sim start``) and in-process by the pytest fixture.
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import functools
import logging
import ssl
import tempfile
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from backends.simulator import dashboard, streaming
from backends.simulator.addons import install_addons
from backends.simulator.apiserver import status
from backends.simulator.apiserver.app import ServerContext, make_app
from backends.simulator.apiserver.resources import ResourceType
from backends.simulator.apiserver.rest import Rest
from backends.simulator.bootstrap import bootstrap
from backends.simulator.clock import Clock, RealClock
from backends.simulator.cluster import Cluster, control
from backends.simulator.controllers.manager import controller_manager
from backends.simulator.controllers.namespaces import NamespaceDefaults
from backends.simulator.controllers.storage_protection import StorageProtection
from backends.simulator.kubelet import NodeAgents
from backends.simulator.metrics import MetricsServer
from backends.simulator.network.ipam import ServiceAllocator
from backends.simulator.network.services import ServiceNetwork
from backends.simulator.network.slots import claim_network
from backends.simulator.store import Store
from backends.simulator.tokens import TokenIssuer

log = logging.getLogger("pykctl.simulator")

HOST = "127.0.0.1"
STATUS_PATH = "/pykctl/v1/status"


@dataclass(frozen=True)
class TLSFiles:
    """Paths of the serving certificate and key (PEM)."""

    cert: str
    key: str
    ca: str = ""  # the CA certificate, published in every namespace as kube-root-ca.crt

    def context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert, self.key)
        return context


class Simulator:
    """A running cluster: call ``start()`` on an event loop, ``stop()`` to shut it down."""

    def __init__(
        self,
        store_path: str | None,
        token: str,
        tls: TLSFiles | None = None,
        clock: Clock | None = None,
        name: str = "default",
        service_account_key: bytes | None = None,
        nodes: int = 1,
        drive_cluster: bool = True,
        state_dir: str | None = None,
    ) -> None:
        """``nodes``: how many nodes the cluster runs; 0 runs the API server and its namespace
        controllers alone (no nodes, no scheduler, no kubelets), as envtest does.
        ``drive_cluster=False`` boots the nodes' API objects but nothing runs by itself: no
        control loop and no kubelets; the caller (a test moving a FakeClock) calls
        ``cluster.sync()``. ``state_dir`` holds the kubelets' files (container logs, volumes);
        without one they go to a temporary directory removed at ``stop()``."""
        self.name = name
        self.clock = clock or RealClock()
        self.store = Store(store_path)
        self.rest = Rest(self.store, self.clock)
        # A claim on loopback addresses no other simulator on this machine uses (see network).
        self.network = claim_network(_node_ips(self.store)) if nodes else None
        self.services = ServiceAllocator(self.store, self.network)
        self.rest.on_create.append(self._allocate)
        ca_pem = ""
        if tls is not None and tls.ca:
            with open(tls.ca, encoding="utf-8") as f:
                ca_pem = f.read()
        self.namespace_defaults = NamespaceDefaults(self.rest, ca_pem)
        self.storage_protection = StorageProtection(self.store)
        self.context = ServerContext(
            self.rest, self.clock, token, tokens=TokenIssuer(service_account_key)
        )
        self.cluster = (
            Cluster(self.rest, self.clock, nodes=nodes, name=name, network=self.network)
            if nodes
            else None
        )
        self.drive_cluster = drive_cluster
        # kube-proxy, load balancers and cluster DNS: Services that carry real traffic.
        self.service_network = (
            ServiceNetwork(self.rest, self.clock, self.network)
            if self.network is not None and drive_cluster
            else None
        )
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self.kubelets: NodeAgents | None = None
        if self.cluster is not None:
            self.context.simulator_routes[control.PREFIX] = functools.partial(
                control.serve, self.cluster
            )
        if self.cluster is not None and drive_cluster:
            if state_dir is None:
                self._scratch = tempfile.TemporaryDirectory(prefix="pykctl-sim-")
                state_dir = self._scratch.name
            self.kubelets = NodeAgents(
                self.rest,
                self.clock,
                state_dir,
                tokens=self.context.tokens,
                service_env=self.service_network.service_env if self.service_network else None,
                resolv_conf=self.service_network.resolv_conf if self.service_network else None,
            )
            self.cluster.on_node_power.append(self.kubelets.node_power)
        # metrics-server: usage of the kubelets' containers, served as metrics.k8s.io.
        self.metrics: MetricsServer | None = None
        if self.kubelets is not None:
            self.metrics = MetricsServer(self.rest, self.clock, self.kubelets)
            self.context.served_groups.append(self.metrics.group)
        # kube-controller-manager: the garbage collector always; workload controllers (and the
        # HPA, reading metrics-server's samples) with nodes.
        self.controllers = controller_manager(
            self.rest,
            self.clock,
            workloads=nodes > 0,
            metrics=self.metrics.sampler.pods if self.metrics is not None else None,
        )
        # pods/log, pods/exec, pods/attach (and port-forward): streams from the kubelets.
        self.context.subresource_handlers.update(streaming.handlers(self))
        self.context.simulator_routes[STATUS_PATH] = self._status
        # The web dashboard under /ui/ (its own login; the API behind it checks the token).
        self.dashboard = dashboard.mount(self.context)
        self.app = make_app(self.context)
        self.tls = tls
        self.port = 0
        self._runner: web.AppRunner | None = None

    def _allocate(
        self, resource: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None
    ) -> None:
        if resource.kind == "Service" and resource.group == "":
            self.services.allocate(obj, old)

    def bootstrap(self) -> None:
        """Create what every cluster starts with, if missing (and, with nodes and a service
        network, the kube-system components the daemon runs itself)."""
        bootstrap(self.rest, self.port or 6443)
        if self.service_network is not None:
            install_addons(self.rest, self.service_network.dns.address)

    async def start(self, port: int = 0) -> int:
        """Listen on 127.0.0.1:``port`` (0: any free port); returns the port."""
        # handler_cancellation: a watch whose client went away is cancelled (and unregistered)
        self._runner = web.AppRunner(
            self.app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=5.0,
            handler_cancellation=True,
        )
        await self._runner.setup()
        site = web.TCPSite(
            self._runner,
            HOST,
            port,
            ssl_context=self.tls.context() if self.tls else None,
            reuse_address=True,
        )
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.base_events.Server)
        self.port = server.sockets[0].getsockname()[1]
        self.context.address = f"{HOST}:{self.port}"
        try:
            self.bootstrap()
        except status.ApiStatus as err:  # pragma: no cover - bootstrap objects are valid
            log.error("bootstrap failed: %s", err.message)
        # After bootstrap: nodes need kube-node-lease.
        if self.cluster is not None and self.drive_cluster:
            self.cluster.start()
        elif self.cluster is not None:
            self.cluster.boot()
        if self.service_network is not None:  # first: adopted pods get its env and resolv.conf
            await self.service_network.start()
        if self.kubelets is not None:
            await self.kubelets.start()
        if self.drive_cluster:
            self.controllers.start()
        else:
            self.controllers.attach()  # tests on a FakeClock call controllers.sync()
        if self.metrics is not None:
            self.metrics.start()
        return self.port

    def _status(self, method: str, path: str) -> tuple[int, dict[str, Any]]:
        """``GET /pykctl/v1/status``: how this simulator runs containers and services, for
        ``sim status``."""
        runtime = self.kubelets.describe() if self.kubelets is not None else {}
        nodes = self.cluster.node_names if self.cluster is not None else []
        services = self.service_network.describe() if self.service_network is not None else {}
        return 200, {"nodes": nodes, "runtime": runtime, "services": services}

    async def stop(self) -> None:
        """Stop the cluster's loops, close open watches (their streams end cleanly), stop
        listening, close the store."""
        await self.controllers.stop()
        if self.service_network is not None:
            await self.service_network.stop()
        if self.metrics is not None:
            await self.metrics.stop()
        if self.kubelets is not None:
            await self.kubelets.stop()
        if self.cluster is not None:
            await self.cluster.stop()
        if self.network is not None:
            self.network.release()
        self.store.stop_all_watches()
        if self._runner is not None:
            server = self._runner.server
            handlers = list(server.connections) if server is not None else []
            transports = [h.transport for h in handlers if h.transport is not None]
            await self._runner.cleanup()
            for transport in transports:  # no half-closed TLS connection may outlive the loop
                transport.abort()
            self._runner = None
        self.store.close()
        if self._scratch is not None:
            self._scratch.cleanup()


def _node_ips(store: Store) -> list[str]:
    """The InternalIPs of the nodes already in ``store`` (a restarted simulator's)."""
    return [
        str(address.get("address"))
        for node in store.objects("/nodes")
        for address in (node.get("status") or {}).get("addresses") or []
        if address.get("type") == "InternalIP"
    ]
