"""Loopback address slots: two simulators on one machine never share node or pod addresses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backends.simulator.network.slots import Network, NetworkInUse, claim_network, slot_of


@pytest.fixture
def held() -> Iterator[list[Network]]:
    """Networks claimed by a test, released afterwards."""
    networks: list[Network] = []
    yield networks
    for network in networks:
        network.release()


def test_slot_zero_is_the_plan_of_a_lone_simulator() -> None:
    network = Network(0)
    assert network.node_ip(1) == "127.18.0.1"
    assert network.pod_cidr(1) == "127.244.1.0/24"
    assert str(network.pod_network) == "127.244.0.0/16"


def test_a_slot_is_held_by_one_claim_at_a_time(held: list[Network]) -> None:
    first = claim_network([])
    held.append(first)
    rival = Network(first.slot)
    assert not rival.claim()
    first.release()
    assert rival.claim()
    held.append(rival)


def test_a_second_simulator_gets_other_addresses(held: list[Network]) -> None:
    first = claim_network([])
    second = claim_network([])
    held.extend([first, second])
    assert first.slot != second.slot
    assert first.node_ip(1) != second.node_ip(1)
    assert not first.pod_network.overlaps(second.pod_network)


def test_a_restarted_simulator_keeps_the_slot_its_nodes_carry(held: list[Network]) -> None:
    network = claim_network(["127.18.7.1", "127.18.7.2"])
    held.append(network)
    assert network.slot == 7
    assert network.pod_cidr(2) == "127.237.2.0/24"


def test_a_slot_in_use_elsewhere_is_refused_with_the_addresses(held: list[Network]) -> None:
    other = Network(9)
    assert other.claim()
    held.append(other)
    with pytest.raises(NetworkInUse, match=r"127\.18\.9\.1, 127\.235\.0\.0/16"):
        claim_network(["127.18.9.1"])


@pytest.mark.parametrize("addresses", [[], ["10.0.0.1"], ["127.18.x.1"], ["127.18.99.1"]])
def test_addresses_not_from_a_slot_name_none(addresses: list[str]) -> None:
    assert slot_of(addresses) is None


def test_slots_outside_the_range_are_rejected() -> None:
    with pytest.raises(ValueError):
        Network(40)
