"""The Service data plane of one simulator, behind one object the server wires in.

``ServiceNetwork(rest, clock, network)`` owns kube-proxy (:mod:`.proxy`), the cloud's load
balancers (:mod:`.loadbalancers`, addresses from the slot's pool), cluster DNS (:mod:`.dns`
on the slot's ``.10`` address, port 53) and the Ingress controller (:mod:`.ingress`). It gives
the kubelets their two hooks: ``service_env`` (the service variables, :mod:`.envvars`) and
``resolv_conf`` (a pod's ``/etc/resolv.conf``).

DNS needs port 53 for the C resolver. Where it cannot be bound (no privilege, or taken), DNS
answers on ``10053`` instead (for ``dig -p``), pods keep the host's resolver, and ``describe()``
says so. In plain isolation mode the container sees the cluster's resolv.conf only through the
path rewriting of plain mode (``cat /etc/resolv.conf``); its processes resolve with the host's
resolver, so service names resolve in pods only in bwrap mode — plain processes reach services
by the ``{SVC}_SERVICE_HOST`` variables or by asking the DNS address directly.
"""

from __future__ import annotations

import logging
from typing import Any

from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.kubelet.isolation import BWRAP, isolation_mode
from backends.simulator.kubelet.kubelet import REMAP_OFFSET
from backends.simulator.network.dns import ClusterDns, host_search, resolv_conf
from backends.simulator.network.envvars import pod_service_env
from backends.simulator.network.ingress import IngressController
from backends.simulator.network.loadbalancers import PROVISION_SECONDS, LoadBalancers
from backends.simulator.network.proxy import KubeProxy
from backends.simulator.network.slots import Network

log = logging.getLogger("pykctl.simulator.services")
Obj = dict[str, Any]
DNS_PORT = 53


class ServiceNetwork:
    """kube-proxy, load balancers and DNS of one simulator (see the module docstring)."""

    def __init__(
        self,
        rest: Rest,
        clock: Clock,
        network: Network,
        privileged: bool | None = None,
        load_balancer_delay: float = PROVISION_SECONDS,
    ) -> None:
        self.rest = rest
        self.network = network
        self.proxy = KubeProxy(rest, clock, privileged)
        self.load_balancers = LoadBalancers(
            rest, clock, network.load_balancer_network, load_balancer_delay
        )
        self.dns = ClusterDns(rest.store, network.dns_ip, DNS_PORT)
        self.ingress = IngressController(rest, clock, privileged)
        self.dns_problem = ""  # why pods do not use cluster DNS, if they do not

    async def start(self) -> None:
        await self.proxy.start()
        await self.load_balancers.start()
        await self.ingress.start()
        for port in (DNS_PORT, DNS_PORT + REMAP_OFFSET):
            self.dns.port = port
            try:
                await self.dns.start()
            except OSError as err:
                self.dns_problem = f"cannot listen on {self.dns.address}:{port}: {err.strerror}"
                log.warning("cluster DNS: %s", self.dns_problem)
                continue
            if port != DNS_PORT:
                self.dns_problem = (
                    f"cannot listen on {self.dns.address}:{DNS_PORT}; "
                    f"answering on port {port}, which pods' resolvers cannot use"
                )
            else:
                self.dns_problem = ""
            return

    async def stop(self) -> None:
        await self.dns.stop()
        await self.ingress.stop()
        await self.load_balancers.stop()
        await self.proxy.stop()

    @property
    def dns_serves_pods(self) -> bool:
        return not self.dns_problem

    def service_env(self, pod: Obj) -> dict[str, str]:
        """The kubelet hook: the service variables of ``pod``'s containers."""
        return pod_service_env(
            pod, lambda namespace: self.rest.store.objects("/services", namespace)
        )

    def resolv_conf(self, pod: Obj) -> str | None:
        """The kubelet hook: ``pod``'s /etc/resolv.conf, None for the host's."""
        if not self.dns_serves_pods:
            return None
        return resolv_conf(pod, self.dns.address, host_search())

    def describe(self) -> dict[str, str]:
        """Lines for ``pykctl sim status`` (label → text)."""
        if self.dns_problem:
            dns = f"{self.dns.address} ({self.dns_problem}; pods use the host's resolver)"
        elif isolation_mode() == BWRAP:
            dns = f"{self.dns.address}:{DNS_PORT} (pods' /etc/resolv.conf)"
        else:
            dns = (
                f"{self.dns.address}:{DNS_PORT} (plain processes use the host's resolver: "
                "use the *_SERVICE_HOST variables or ask this address)"
            )
        return {
            "services": str(self.network.service_network),
            "balancers": str(self.network.load_balancer_network),
            "proxy": self.proxy.describe(),
            "dns": dns,
            "ingress": self.ingress.describe(),
        }
