"""Pod IP addresses: one per pod from 127.244.0.0/16 (all of 127/8 is loopback on Linux, so
every pod IP is reachable from the host and from other pods).

A node whose ``spec.podCIDR`` lies in 127/8 allocates from that range; otherwise all nodes
share 127.244.0.0/16. Addresses start at ``.2`` of the range and skip the network, broadcast
and ``.1``; an address is free again once its pod is gone. Allocations of pods already in the
store (a restarted daemon) are reserved at start, so no address is handed out twice.
"""

from __future__ import annotations

import ipaddress
from typing import Any

POD_CIDR = ipaddress.IPv4Network("127.244.0.0/16")
_LOOPBACK = ipaddress.IPv4Network("127.0.0.0/8")


def node_range(node: dict[str, Any] | None) -> ipaddress.IPv4Network:
    """The range a node's pods get addresses from."""
    cidr = ((node or {}).get("spec") or {}).get("podCIDR")
    if cidr:
        try:
            network = ipaddress.IPv4Network(str(cidr), strict=False)
        except ValueError:
            return POD_CIDR
        if network.subnet_of(_LOOPBACK):
            return network
    return POD_CIDR


class PodAddresses:
    """Allocates and releases pod IPs (shared by all the kubelets of a simulator)."""

    def __init__(self) -> None:
        self._by_uid: dict[str, str] = {}
        self._used: set[str] = set()

    def reserve(self, uid: str, address: str) -> None:
        """Keep ``address`` for pod ``uid`` (a pod that already had it)."""
        self._by_uid[uid] = address
        self._used.add(address)

    def allocate(self, uid: str, network: ipaddress.IPv4Network = POD_CIDR) -> str:
        """The address of pod ``uid`` (the same one on every call until released)."""
        if uid in self._by_uid:
            return self._by_uid[uid]
        first = int(network.network_address) + 2
        last = int(network.broadcast_address)
        for value in range(first, last):
            candidate = str(ipaddress.IPv4Address(value))
            if candidate not in self._used and not candidate.endswith((".0", ".255")):
                self.reserve(uid, candidate)
                return candidate
        raise RuntimeError(f"no free pod address in {network}")

    def release(self, uid: str) -> None:
        address = self._by_uid.pop(uid, None)
        if address is not None:
            self._used.discard(address)

    def of(self, uid: str) -> str | None:
        return self._by_uid.get(uid)
