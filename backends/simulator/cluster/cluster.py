"""The simulated cluster's control side, wired and driven on the simulator's event loop: K
nodes (their kubelets' node agents), the node lifecycle and taint eviction controllers, and the
scheduler.

``sync()`` does everything that is due once: node heartbeats, then the controllers and the
scheduler until none of them has work left. In production ``start()`` boots the nodes and runs a
task that calls it whenever the store changes and at least once a second; tests ``boot()``, move
a FakeClock and call ``sync()`` themselves. Components only share the store and the REST layer.

``stop_node``/``start_node`` simulate a machine failure and its reboot (``pykctl sim node
stop|start``); ``on_node_power`` callbacks let the kubelets follow (``callback(name, running)``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from backends.simulator.apiserver import status
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.cluster.api import NODES
from backends.simulator.cluster.eviction import TaintEvictionController
from backends.simulator.cluster.lifecycle import GRACE_PERIOD_SECONDS, NodeLifecycleController
from backends.simulator.cluster.nodes import HostInfo, NodeAgent, NodeResources, node_name
from backends.simulator.cluster.scheduler import Scheduler
from backends.simulator.network.slots import Network
from backends.simulator.store import Event

log = logging.getLogger("pykctl.simulator.cluster")

LOOP_PERIOD_SECONDS = 1.0
_MAX_ROUNDS = 100


class Cluster:
    """Nodes, their health, and scheduling; see the module docstring."""

    def __init__(
        self,
        rest: Rest,
        clock: Clock,
        nodes: int = 1,
        resources: NodeResources | None = None,
        name: str = "pykctl",
        host: HostInfo | None = None,
        grace_period: float = GRACE_PERIOD_SECONDS,
        network: Network | None = None,
    ) -> None:
        """``network``: the addresses of the nodes (slot 0, unclaimed, when not given)."""
        self.rest = rest
        self.clock = clock
        facts = host or HostInfo.detect()
        addresses = network or Network(0)
        self.agents = {
            node_name(index): NodeAgent(
                rest, clock, index, resources or NodeResources(), facts, name, addresses
            )
            for index in range(1, nodes + 1)
        }
        self.lifecycle = NodeLifecycleController(rest, clock, grace_period)
        self.eviction = TaintEvictionController(rest, clock)
        self.scheduler = Scheduler(rest, clock, host=node_name(1))
        self.on_node_power: list[Callable[[str, bool], None]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        rest.store.add_listener(self._on_event)

    @property
    def node_names(self) -> list[str]:
        """The simulated nodes, in order."""
        return list(self.agents)

    def _on_event(self, _event: Event) -> None:
        self._wake.set()

    # --------------------------------------------------------------------------- life

    def boot(self) -> None:
        """Boot every node and do what is due (without the loop: tests drive ``sync()``)."""
        for agent in self.agents.values():
            agent.start()
        self.sync()

    def start(self) -> None:
        """Boot every node and start the loop (call on the simulator's event loop)."""
        self.boot()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop the loop (the nodes' objects stay in the store)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            try:
                self.sync()
            except Exception:  # a bug in one pass must not stop the cluster
                log.exception("cluster sync failed")
            # A timer, not asyncio.wait_for: wait_for (3.11) can swallow a cancel that arrives
            # as the event is set, and stop() would wait forever.
            timer = loop.call_later(LOOP_PERIOD_SECONDS, self._wake.set)
            try:
                await self._wake.wait()
            finally:
                timer.cancel()

    def sync(self) -> None:
        """Do everything that is due now (see the module docstring)."""
        for agent in self.agents.values():
            agent.tick()
        for _ in range(_MAX_ROUNDS):
            self.lifecycle.sync()
            self.eviction.sync()
            self.scheduler.sync()
            if not (
                self.lifecycle.pending() or self.eviction.pending() or self.scheduler.pending()
            ):
                return

    # ------------------------------------------------------------------- node power

    def _agent(self, name: str) -> NodeAgent:
        agent = self.agents.get(name)
        if agent is None:
            raise status.not_found(NODES, name)
        return agent

    def stop_node(self, name: str) -> bool:
        """Fail node ``name``; False when it was already stopped. Unknown names: NotFound."""
        agent = self._agent(name)
        if not agent.running:
            return False
        agent.stop()
        for callback in self.on_node_power:
            callback(name, False)
        self.sync()
        return True

    def start_node(self, name: str) -> bool:
        """Reboot node ``name``; False when it was already running. Unknown names: NotFound."""
        agent = self._agent(name)
        if agent.running:
            return False
        agent.start()
        for callback in self.on_node_power:
            callback(name, True)
        self.sync()
        return True
