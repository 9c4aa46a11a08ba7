"""The metrics sampler on a fake /proc and fake cgroups, with a FakeClock: which processes make up
a container, CPU and working-set readings, and metrics-server's two-point windows (nanocores over
the window, the synthetic start point of a fresh container, node sums with their overhead)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

import pytest

from backends.simulator.clock import FakeClock
from backends.simulator.metrics.sampler import (
    NODE_OVERHEAD_BYTES,
    NODE_OVERHEAD_NANOCORES,
    ContainerRef,
    Host,
    Proc,
    Reading,
    Sampler,
    parse_stat,
)

MI = 1024 * 1024


def stat_line(
    pid: int,
    ppid: int,
    session: int,
    utime: int = 0,
    stime: int = 0,
    cutime: int = 0,
    cstime: int = 0,
    rss_pages: int = 0,
    comm: str = "sh",
) -> str:
    """A /proc/PID/stat line with the fields the sampler reads (in clock ticks and pages)."""
    after = ["S", ppid, session, session, 0, -1, 4194304, 0, 0, 0, 0]
    after += [utime, stime, cutime, cstime, 20, 0, 1, 0, 12345, 1000000, rss_pages]
    return f"{pid} ({comm}) " + " ".join(map(str, after)) + " 0 0 0\n"


def fake_proc(root: Path, lines: dict[int, str]) -> Host:
    for pid, line in lines.items():
        (root / str(pid)).mkdir(parents=True)
        (root / str(pid) / "stat").write_text(line)
    (root / "self").mkdir(exist_ok=True)  # not a pid: ignored
    return Host(str(root), ticks_per_second=100, page_size=4096)


def ref(
    instance: str = "c1",
    pid: int = 100,
    main_pid: int = 100,
    started: datetime.datetime | None = None,
    cgroups: tuple[str, ...] = (),
    pod_uid: str = "uid-1",
    name: str = "c",
) -> ContainerRef:
    moment = started or datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    return ContainerRef(pod_uid, name, instance, pid, main_pid, moment, cgroups)


# ------------------------------------------------------------------------------ the host


def test_parse_stat_reads_past_a_command_holding_parentheses_and_spaces() -> None:
    line = stat_line(7, 1, 7, utime=150, stime=50, cutime=30, cstime=20, rss_pages=256)
    line = line.replace("(sh)", "(we (ird) name)")
    assert parse_stat(line, 100, 4096) == Proc(1, 7, 2_500_000_000, 1 * MI)


def test_a_sandboxed_container_is_its_session_and_pid_1_tree_without_the_launcher(
    tmp_path: Path,
) -> None:
    host = fake_proc(
        tmp_path,
        {
            100: stat_line(100, 1, 100, utime=1000, rss_pages=1000),  # bwrap, the launcher
            101: stat_line(101, 100, 100, utime=10, rss_pages=256),  # the container's PID 1
            102: stat_line(102, 101, 100, utime=20, stime=5, rss_pages=256),
            103: stat_line(103, 102, 103, utime=30, rss_pages=256),  # setsid: still its child
            104: stat_line(104, 1, 100, stime=40, rss_pages=256),  # orphaned, same session
            200: stat_line(200, 1, 200, utime=9999, rss_pages=9999),  # somebody else
        },
    )
    readings = host.read([ref(pid=100, main_pid=101)])
    assert readings == {"c1": Reading((10 + 25 + 30 + 40) * 10_000_000, 4 * MI)}


def test_a_plain_container_includes_the_process_the_runtime_started(tmp_path: Path) -> None:
    host = fake_proc(
        tmp_path,
        {
            100: stat_line(100, 1, 100, utime=100, cutime=50, rss_pages=512),
            101: stat_line(101, 100, 100, utime=10, rss_pages=512),
        },
    )
    assert host.read([ref()]) == {"c1": Reading(1_600_000_000, 4 * MI)}


def test_a_container_whose_processes_are_gone_has_no_reading(tmp_path: Path) -> None:
    host = fake_proc(tmp_path, {200: stat_line(200, 1, 200, utime=1)})
    assert host.read([ref()]) == {}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (  # cgroup v1: usage minus total_inactive_file
            {
                "memory.usage_in_bytes": f"{100 * MI}\n",
                "memory.stat": f"cache 1\ninactive_file 7\ntotal_inactive_file {20 * MI}\n",
            },
            80 * MI,
        ),
        (  # cgroup v2: memory.current minus inactive_file
            {"memory.current": f"{60 * MI}\n", "memory.stat": f"anon 1\ninactive_file {10 * MI}\n"},
            50 * MI,
        ),
        ({"memory.current": f"{5 * MI}\n"}, 5 * MI),  # no memory.stat: nothing inactive
        (  # more inactive than usage: zero, as cAdvisor floors it
            {"memory.current": "4096\n", "memory.stat": "inactive_file 8192\n"},
            0,
        ),
    ],
)
def test_working_set_of_a_memory_cgroup(
    tmp_path: Path, files: dict[str, str], expected: int
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert Host(str(tmp_path)).working_set(str(tmp_path)) == expected


def test_memory_comes_from_the_first_cgroup_with_memory_accounting(tmp_path: Path) -> None:
    host = fake_proc(tmp_path / "proc", {100: stat_line(100, 1, 100, rss_pages=512)})
    cpu_only, memory = tmp_path / "cpu", tmp_path / "memory"
    cpu_only.mkdir()
    (cpu_only / "cpu.shares").write_text("1024\n")
    memory.mkdir()
    (memory / "memory.usage_in_bytes").write_text(f"{9 * MI}\n")
    readings = host.read([ref(cgroups=(str(cpu_only), str(memory)))])
    assert readings["c1"].memory == 9 * MI
    assert host.read([ref(cgroups=(str(cpu_only),))])["c1"].memory == 2 * MI  # RSS instead


# --------------------------------------------------------------------------- the sampler


class FakeHost(Host):
    """Readings set by the test; remembers which containers each tick read."""

    def __init__(self) -> None:
        super().__init__(ticks_per_second=100, page_size=4096)
        self.readings: dict[str, Reading] = {}
        self.reads: list[list[str]] = []

    def read(self, containers: Sequence[ContainerRef]) -> dict[str, Reading]:
        self.reads.append([c.instance for c in containers])
        return {
            c.instance: self.readings[c.instance] for c in containers if c.instance in self.readings
        }


class World:
    """A FakeClock, a FakeHost and the inventory the sampler sees."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.t0 = self.clock.now()
        self.host = FakeHost()
        self.inventory: dict[str, list[ContainerRef]] = {"node-1": []}
        self.sampler = Sampler(self.clock, lambda: self.inventory, self.host)

    def at(self, seconds: float) -> datetime.datetime:
        return self.t0 + datetime.timedelta(seconds=seconds)

    def tick(self, seconds: float = 0.0) -> None:
        self.clock.advance(seconds)
        self.sampler.sample()

    def run(self, instance: str, started: float, pod_uid: str = "uid-1") -> ContainerRef:
        container = ref(instance, started=self.at(started), pod_uid=pod_uid)
        self.inventory["node-1"].append(container)
        return container


def test_a_fresh_container_is_measured_against_its_start_once_a_second_old() -> None:
    world = World()
    world.run("c1", started=-0.5)
    world.host.readings["c1"] = Reading(750_000_000, 3 * MI)
    world.tick()  # the first scrape: the container is too young to be read
    assert world.host.reads == []
    assert world.sampler.pods() == {}
    world.tick(1.0)  # the second scrape, 1.5 s after the start
    ((name, usage),) = world.sampler.pods()["uid-1"]
    assert name == "c"
    assert (usage.window_ms, usage.cpu_nanocores, usage.memory) == (1500, 500_000_000, 3 * MI)
    assert usage.timestamp == world.at(1.0)


def test_scrapes_come_every_period_and_only_new_containers_are_read_between() -> None:
    world = World()
    world.run("c1", started=-5)
    world.host.readings["c1"] = Reading(1_000_000_000, MI)
    world.tick()  # t0: scrape
    world.tick(0.5)  # nothing due, nothing new
    world.tick(0.5)  # t0+1: the second scrape
    world.host.readings["c1"] = Reading(6_000_000_000, MI)
    world.tick(5.0)  # t0+6: not due
    world.tick(4.0)  # t0+10: not due yet (t0+11)
    assert world.host.reads == [["c1"], ["c1"]]
    world.tick(1.0)  # t0+11
    assert world.host.reads[-1] == ["c1"]
    ((_, usage),) = world.sampler.pods()["uid-1"]
    assert (usage.window_ms, usage.cpu_nanocores) == (10_000, 500_000_000)
    world.run("c2", started=11.2, pod_uid="uid-2")
    world.host.readings["c2"] = Reading(100_000_000, MI)
    world.tick(1.0)  # t0+12: c2 is 0.8 s old
    world.tick(0.3)  # t0+12.3: 1.1 s old, read alone
    assert world.host.reads[-1] == ["c2"]
    ((_, fresh),) = world.sampler.pods()["uid-2"]
    assert (fresh.window_ms, fresh.cpu_nanocores) == (1100, 90_909_090)


def test_cumulative_cpu_never_decreases_when_processes_leave() -> None:
    world = World()
    world.run("c1", started=-10)
    world.host.readings["c1"] = Reading(4_000_000_000, MI)
    world.tick()
    world.tick(1.0)
    world.host.readings["c1"] = Reading(3_000_000_000, MI)  # a process left, unreaped by ours
    world.tick(10.0)
    ((_, usage),) = world.sampler.pods()["uid-1"]
    assert usage.cpu_nanocores == 0
    world.host.readings["c1"] = Reading(4_000_000_000, MI)
    world.tick(10.0)
    ((_, usage),) = world.sampler.pods()["uid-1"]
    assert usage.cpu_nanocores == 100_000_000  # 1 s more over 10 s


def test_a_node_sums_its_containers_plus_overhead_after_two_scrapes() -> None:
    world = World()
    world.run("old", started=-60)  # used CPU before the sampler started: not the node's
    world.host.readings["old"] = Reading(30_000_000_000, 10 * MI)
    world.tick()
    assert world.sampler.node("node-1") is None
    world.tick(1.0)
    usage = world.sampler.node("node-1")
    assert usage is not None
    assert (usage.window_ms, usage.cpu_nanocores) == (1000, NODE_OVERHEAD_NANOCORES)
    assert usage.memory == 10 * MI + NODE_OVERHEAD_BYTES
    world.run("new", started=1.5, pod_uid="uid-2")
    world.host.readings["new"] = Reading(200_000_000, 5 * MI)
    world.tick(1.5)  # t0+2.5: "new" is read (1 s old), the node is not scraped
    world.host.readings["old"] = Reading(35_000_000_000, 10 * MI)
    world.host.readings["new"] = Reading(1_000_000_000, 5 * MI)
    world.tick(8.5)  # t0+11: scrape
    usage = world.sampler.node("node-1")
    assert usage is not None
    assert usage.window_ms == 10_000
    assert usage.cpu_nanocores == (5_000_000_000 + 1_000_000_000) // 10 + NODE_OVERHEAD_NANOCORES
    assert usage.memory == 15 * MI + NODE_OVERHEAD_BYTES


def test_ended_containers_leave_their_cpu_to_the_node_and_vanish() -> None:
    world = World()
    world.tick()
    world.tick(1.0)  # t0+1: the node's first window
    gone = world.run("gone", started=1.5)
    world.host.readings["gone"] = Reading(400_000_000, MI)
    world.tick(1.5)  # t0+2.5: first sample, between scrapes
    assert "uid-1" in world.sampler.pods()
    world.inventory["node-1"].remove(gone)
    world.tick(0.5)
    assert world.sampler.pods() == {}
    world.tick(8.0)  # t0+11: its CPU is still the node's
    usage = world.sampler.node("node-1")
    assert usage is not None
    assert usage.cpu_nanocores == 40_000_000 + NODE_OVERHEAD_NANOCORES
    world.tick(10.0)
    usage = world.sampler.node("node-1")
    assert usage is not None
    assert usage.cpu_nanocores == NODE_OVERHEAD_NANOCORES
    del world.inventory["node-1"]
    world.tick(10.0)
    assert world.sampler.node("node-1") is None


def test_listeners_hear_every_tick() -> None:
    world = World()
    heard: list[int] = []
    world.sampler.listeners.append(lambda: heard.append(len(heard)))
    world.tick()
    world.tick(0.5)
    assert heard == [0, 1]
