"""Pod IP allocation on 127.244.0.0/16 (or the node's pod CIDR inside 127/8)."""

from __future__ import annotations

import ipaddress

from backends.simulator.kubelet.podips import POD_CIDR, PodAddresses, node_range


def test_addresses_are_stable_unique_and_reused_after_release() -> None:
    pool = PodAddresses()
    first, second = pool.allocate("a"), pool.allocate("b")
    assert (first, second) == ("127.244.0.2", "127.244.0.3")
    assert pool.allocate("a") == first
    pool.release("a")
    assert pool.allocate("c") == first and pool.of("a") is None


def test_reserved_addresses_are_never_handed_out() -> None:
    pool = PodAddresses()
    pool.reserve("old", "127.244.0.2")
    assert pool.allocate("new") == "127.244.0.3"


def test_a_nodes_loopback_pod_cidr_is_used() -> None:
    assert node_range({"spec": {"podCIDR": "127.244.1.0/24"}}) == ipaddress.IPv4Network(
        "127.244.1.0/24"
    )
    assert node_range({"spec": {"podCIDR": "10.244.1.0/24"}}) == POD_CIDR
    assert node_range(None) == POD_CIDR
    pool = PodAddresses()
    assert pool.allocate("x", node_range({"spec": {"podCIDR": "127.244.2.0/24"}})) == "127.244.2.2"
