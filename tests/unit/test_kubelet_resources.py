"""Resource limits: what a container asks for, how it joins its cgroups, RSS accounting."""

from __future__ import annotations

import os

import pytest

from backends.simulator.kubelet import resources
from backends.simulator.kubelet.resources import Confinement, Limits, tree_rss


def test_limits_are_read_from_the_container() -> None:
    limits = Limits.of(
        {"resources": {"limits": {"memory": "256Mi", "cpu": "500m"}, "requests": {"cpu": "0.1"}}}
    )
    assert limits == Limits(256 * 1024 * 1024, 500, 100)
    assert Limits.of({}) == Limits()
    assert Limits.of({"resources": {"limits": {"memory": "lots"}}}) == Limits()


def test_a_container_joins_its_cgroups_before_its_command_runs() -> None:
    confinement = Confinement(Limits(1024), "Burstable", ["/cg/memory/x", "/cg/cpu/x"])
    assert confinement.wrapper() == [
        "sh", "-c", 'echo $$ > "$1"; echo $$ > "$2"; shift 2; exec "$@"', "sh",
        "/cg/memory/x/cgroup.procs", "/cg/cpu/x/cgroup.procs",
    ]  # fmt: skip
    assert Confinement(Limits(), "BestEffort").wrapper() == []


def test_resident_memory_of_a_process_tree() -> None:
    table = {1: (0, 100), 10: (1, 1000), 11: (10, 20), 12: (10, 30), 20: (1, 5000)}
    assert tree_rss(10, table) == 1050
    assert tree_rss(99, table) == 0
    assert resources.process_table()[os.getpid()][1] > 0


def test_without_cgroups_memory_is_polled_and_cpu_is_niced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYKCTL_CGROUPS", "off")
    resources.reset_modes()
    try:
        assert resources.describe_modes() == "memory: rss-poll, cpu: nice"
        assert Confinement(Limits(), "BestEffort").nice == 10
        assert Confinement(Limits(), "Guaranteed").nice == 0
        assert resources.confine("k", Limits(1024, 100, 100), "Burstable").directories == []
    finally:
        monkeypatch.delenv("PYKCTL_CGROUPS")
        resources.reset_modes()
