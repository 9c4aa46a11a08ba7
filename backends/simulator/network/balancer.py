"""Choosing an endpoint for a new connection, as kube-proxy does for one service port.

A :class:`Balancer` holds the ready endpoints of one service port. ``pick(client_ip)`` returns
one at random (kube-proxy's iptables/nftables modes spread connections with equal probability),
or None when there is none. With ClientIP session affinity a client keeps the endpoint it got
while it comes back within the affinity timeout (measured on the injected clock from its last
connection, as the ``recent`` match does) and that endpoint stays ready; otherwise it gets a
fresh pick. Updating the endpoints drops affinities to endpoints that left.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from backends.simulator.clock import Clock
from backends.simulator.network.rules import Backend


class Balancer:
    """Endpoint choice for one service port (see the module docstring)."""

    def __init__(self, clock: Clock, rng: random.Random | None = None) -> None:
        self.clock = clock
        self.rng = rng or random.Random()
        self.backends: tuple[Backend, ...] = ()
        self.affinity_seconds: float | None = None
        self._affinity: dict[str, tuple[Backend, float]] = {}

    def update(self, backends: Sequence[Backend], affinity_seconds: float | None) -> None:
        """New endpoints and affinity setting (from the service and its slices)."""
        self.backends = tuple(backends)
        if affinity_seconds != self.affinity_seconds:
            self._affinity.clear()
        self.affinity_seconds = affinity_seconds
        present = set(self.backends)
        self._affinity = {
            client: entry for client, entry in self._affinity.items() if entry[0] in present
        }

    def pick(self, client_ip: str) -> Backend | None:
        """The endpoint for a new connection from ``client_ip``; None when none is ready."""
        if not self.backends:
            return None
        now = self.clock.monotonic()
        if self.affinity_seconds is not None:
            kept = self._affinity.get(client_ip)
            if kept is not None and now - kept[1] <= self.affinity_seconds:
                self._affinity[client_ip] = (kept[0], now)
                return kept[0]
        chosen = self.backends[self.rng.randrange(len(self.backends))]
        if self.affinity_seconds is not None:
            self._affinity[client_ip] = (chosen, now)
        return chosen
