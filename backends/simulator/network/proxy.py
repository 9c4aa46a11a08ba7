"""kube-proxy in userspace: every Service port of the cluster answers with real sockets.

:class:`KubeProxy` follows Services, EndpointSlices and Nodes in the store (a listener; a
change is applied within milliseconds, coalesced into one sync) and keeps one
:class:`~.listeners.TcpListener` or :class:`~.listeners.UdpListener` open per frontend of
:func:`~.rules.service_rules` — cluster IPs, NodePorts on every node's InternalIP and on
127.0.0.1, LoadBalancer ingress IPs, loopback externalIPs — while its service port has a ready
endpoint. A service port without one has no listener, so connections are refused as kube-proxy's
REJECT rule refuses them. One :class:`~.balancer.Balancer` per service port (shared by its
frontends) spreads connections and keeps ClientIP affinity.

Where the process may not bind ports below 1024, a frontend port ``p < 1024`` is served on
``p + 10000`` (the kubelet's remapping of container ports, whose endpoints are reached the same
way), a Warning event ``PortRemapped`` on the Service says so, and ``describe()`` lists it for
``pykctl sim status``. An address that cannot be bound (another program holds it) gets a
Warning event ``FailedToStartListener`` once and is retried at the next change.

Invariants: listeners exist only for frontends of service ports with ready endpoints; ``stop()``
closes every socket and task this proxy opened.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.cluster.events import WARNING, EventRecorder
from backends.simulator.kubelet.kubelet import REMAP_OFFSET, privileged_ports_allowed
from backends.simulator.network.balancer import Balancer
from backends.simulator.network.listeners import TcpListener, UdpListener
from backends.simulator.network.reconciler import StoreReconciler
from backends.simulator.network.rules import SERVICE_NAME_LABEL, PortRule, service_rules

Obj = dict[str, Any]
SLICES = "discovery.k8s.io/endpointslices"
WATCHED = ("/services", SLICES, "/nodes")
Frontend = tuple[str, int, str]  # (address, port, protocol)
RuleKey = tuple[str, str, str, str]
Listener = TcpListener | UdpListener


def node_ips(nodes: list[Obj]) -> list[str]:
    """The InternalIPs of ``nodes``."""
    return [
        str(address["address"])
        for node in nodes
        for address in (node.get("status") or {}).get("addresses") or []
        if address.get("type") == "InternalIP" and address.get("address")
    ]


class KubeProxy(StoreReconciler):
    """The cluster's service data plane (see the module docstring)."""

    name = "kube-proxy"
    watched = WATCHED

    def __init__(self, rest: Rest, clock: Clock, privileged: bool | None = None) -> None:
        super().__init__(rest.store)
        self.rest = rest
        self.clock = clock
        self.privileged = privileged_ports_allowed() if privileged is None else privileged
        self.recorder = EventRecorder(rest, clock, "kube-proxy")
        self.balancers: dict[RuleKey, Balancer] = {}
        self.listeners: dict[Frontend, tuple[RuleKey, Listener]] = {}
        self.remapped: dict[Frontend, int] = {}
        self._failed: set[tuple[RuleKey, Frontend]] = set()

    async def start(self) -> None:
        self.start_watching()

    async def stop(self) -> None:
        await self.stop_watching()
        for _, listener in self.listeners.values():
            await listener.close()
        self.listeners.clear()
        self.balancers.clear()

    def rules(self) -> list[PortRule]:
        """The rules of every stored service, from the current store state."""
        slices: dict[tuple[str, str], list[Obj]] = defaultdict(list)
        for item in self.store.objects(SLICES):
            metadata = item.get("metadata") or {}
            service = (metadata.get("labels") or {}).get(SERVICE_NAME_LABEL)
            if service:
                slices[(str(metadata.get("namespace") or ""), str(service))].append(item)
        ips = node_ips(self.store.objects("/nodes"))
        found: list[PortRule] = []
        for service in self.store.objects("/services"):
            metadata = service.get("metadata") or {}
            key = (str(metadata.get("namespace") or ""), str(metadata.get("name") or ""))
            found.extend(service_rules(service, slices.get(key, []), ips))
        return found

    async def sync(self) -> None:
        """Make the listeners and balancers match the store."""
        desired: dict[Frontend, RuleKey] = {}
        rules = self.rules()
        for rule in rules:
            balancer = self.balancers.get(rule.key)
            if balancer is None:
                balancer = self.balancers[rule.key] = Balancer(self.clock)
            balancer.update(
                [b.reached(self.privileged) for b in rule.backends], rule.affinity_seconds
            )
            if rule.backends:
                for ip, port in rule.frontends:
                    desired.setdefault((ip, port, rule.protocol), rule.key)
        for frontend, (key, listener) in list(self.listeners.items()):
            if desired.get(frontend) != key:
                del self.listeners[frontend]
                self.remapped.pop(frontend, None)
                await listener.close()
        for frontend, key in desired.items():
            if frontend not in self.listeners:
                await self._open(frontend, key)
        live = {rule.key for rule in rules}
        for key in list(self.balancers):
            if key not in live:
                del self.balancers[key]
        self._failed = {(key, frontend) for key, frontend in self._failed if key in live}

    async def _open(self, frontend: Frontend, key: RuleKey) -> None:
        ip, port, protocol = frontend
        bound = port + REMAP_OFFSET if port < 1024 and not self.privileged else port
        balancer = self.balancers[key]
        listener: Listener = (
            UdpListener(ip, bound, balancer, self.clock)
            if protocol == "UDP"
            else TcpListener(ip, bound, balancer)
        )
        try:
            await listener.start()
        except OSError as err:
            await listener.close()
            if (key, frontend) not in self._failed:
                self._failed.add((key, frontend))
                self._event(
                    key,
                    "FailedToStartListener",
                    f"listen {protocol.lower()} {ip}:{bound}: {err.strerror or err}",
                )
            return
        self._failed.discard((key, frontend))
        self.listeners[frontend] = (key, listener)
        if bound != port:
            if frontend not in self.remapped:
                self._event(
                    key,
                    "PortRemapped",
                    f"cannot bind privileged port {port}/{protocol} without privilege: "
                    f"{ip}:{port} is served on {ip}:{bound}",
                )
            self.remapped[frontend] = bound

    def _event(self, key: RuleKey, reason: str, message: str) -> None:
        service = self.store.get("/services", key[0], key[1])
        if service is not None:
            self.recorder.event(service, WARNING, reason, message)

    def address(self, ip: str, port: int, protocol: str = "TCP") -> tuple[str, int]:
        """Where ``ip:port`` really answers (shifted when the port was remapped)."""
        return ip, self.remapped.get((ip, port, protocol), port)

    def describe(self) -> str:
        """One line for ``pykctl sim status``."""
        line = f"userspace, {len(self.listeners)} listening addresses"
        if self.privileged:
            return line
        moved = ", ".join(
            f"{ip}:{port}/{protocol} on {bound}"
            for (ip, port, protocol), bound in sorted(self.remapped.items())
        )
        return (
            f"{line}; ports below 1024 cannot be bound here and are served {REMAP_OFFSET} higher"
            + (f" ({moved})" if moved else "")
        )
