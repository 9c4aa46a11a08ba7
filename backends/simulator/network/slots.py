"""The loopback address plan of one simulator, and its machine-wide claim on it.

Every simulator on a machine shares 127.0.0.0/8 with every other one, whoever runs it, so two
simulators must never hand out the same node or pod address. Each running simulator holds a
*slot* ``s`` (0 ≤ s < ``SLOTS``): its node K has InternalIP ``127.18.s.K`` and pod CIDR
``127.(244 - s).K.0/24``; its Service cluster IPs come from the ``s``-th /18 of 127.96.0.0/12
(cluster DNS answers on the range's ``.10``) and its LoadBalancer addresses from the ``s``-th /22
of 127.255.0.0/16. Slot 0 is the plan of a lone simulator (node-1 is 127.18.0.1, pods from
127.244.1.0/24, services from 127.96.0.0/18, load balancers from 127.255.0.0/22).

A slot is claimed by binding an abstract Unix socket named after it: the kernel keeps the name
unique across all users of the network namespace and frees it when the holder exits, even by
``kill -9``, so a crashed simulator never leaves a stale claim. A simulator keeps the slot its
nodes already carry (a restarted daemon's pods keep their addresses), else takes the first free
one.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

SLOTS = 40
NODE_PREFIX = "127.18"
POD_BASE_OCTET = 244
SERVICE_RANGE = ipaddress.IPv4Network("127.96.0.0/12")  # split in /18s, one per slot
LOAD_BALANCER_RANGE = ipaddress.IPv4Network("127.255.0.0/16")  # split in /22s, one per slot
DNS_HOST = 10  # the cluster DNS address is the service network's .10, as kube-dns's 10.96.0.10
_NAME = b"\0pykctl-simulator-network-%d"


class NetworkInUse(Exception):
    """The slot a simulator's nodes carry is held by another running simulator."""


class Network:
    """Addresses of slot ``slot``; ``claim()`` makes it this process's until ``release()``."""

    def __init__(self, slot: int) -> None:
        if not 0 <= slot < SLOTS:
            raise ValueError(f"network slot {slot} is not in [0, {SLOTS})")
        self.slot = slot
        self._claim: socket.socket | None = None

    @property
    def pod_network(self) -> ipaddress.IPv4Network:
        """The /16 all this simulator's pod CIDRs come from."""
        return ipaddress.IPv4Network(f"127.{POD_BASE_OCTET - self.slot}.0.0/16")

    @property
    def service_network(self) -> ipaddress.IPv4Network:
        """Where this simulator's Service cluster IPs come from (``.1``: ``kubernetes``)."""
        return list(SERVICE_RANGE.subnets(new_prefix=18))[self.slot]

    @property
    def load_balancer_network(self) -> ipaddress.IPv4Network:
        """Where this simulator's LoadBalancer ingress addresses come from."""
        return list(LOAD_BALANCER_RANGE.subnets(new_prefix=22))[self.slot]

    @property
    def dns_ip(self) -> str:
        """The address cluster DNS answers on (reserved in the service network)."""
        return str(self.service_network.network_address + DNS_HOST)

    def node_ip(self, index: int) -> str:
        """The InternalIP of node ``index`` (1-based)."""
        return f"{NODE_PREFIX}.{self.slot}.{index}"

    def pod_cidr(self, index: int) -> str:
        """The pod CIDR of node ``index`` (what kube-controller-manager's node IPAM assigns)."""
        return f"127.{POD_BASE_OCTET - self.slot}.{index}.0/24"

    def claim(self) -> bool:
        """Take the slot machine-wide; False when another process holds it."""
        if self._claim is not None:
            return True
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(_NAME % self.slot)
        except OSError:
            sock.close()
            return False
        self._claim = sock
        return True

    def release(self) -> None:
        if self._claim is not None:
            self._claim.close()
            self._claim = None


def slot_of(node_ips: Iterable[str]) -> int | None:
    """The slot the given node InternalIPs were assigned from, if any is one of ours."""
    for address in node_ips:
        parts = address.split(".")
        if len(parts) == 4 and ".".join(parts[:2]) == NODE_PREFIX and parts[2].isdigit():
            slot = int(parts[2])
            if slot < SLOTS:
                return slot
    return None


def claim_network(node_ips: Iterable[str]) -> Network:
    """Claim the slot the existing nodes use, else the first free one.

    Raises NetworkInUse when the existing nodes' slot is held elsewhere, and when all are."""
    known = slot_of(node_ips)
    if known is not None:
        network = Network(known)
        if network.claim():
            return network
        raise NetworkInUse(
            f"the simulator's node and pod addresses ({network.node_ip(1)}, "
            f"{network.pod_network}) are in use by another running simulator"
        )
    for slot in range(SLOTS):
        network = Network(slot)
        if network.claim():
            return network
    raise NetworkInUse(f"all {SLOTS} simulator networks are in use on this machine")
