"""Resource usage of the simulator's containers, sampled from the host the way the kubelet's
resource metrics and metrics-server sample it.

A container instance's processes are those of its session (the runtime starts every instance in
a session of its own; a sandbox launcher that is not the container's PID 1 is left out) and all
descendants of its PID 1. Its cumulative CPU time is their ``utime + stime + cutime + cstime``
from /proc/PID/stat (children already reaped count too). Its memory is the working set of its
memory cgroup when it has one (usage minus inactive file pages, as cAdvisor computes it), else
the resident set of its processes.

:class:`Sampler` keeps the last two points of every running container instance and of every
node, as metrics-server keeps its last two scrapes: CPU usage is the CPU time used between them
divided by the window, memory the last reading. Everything is scraped when the sampler starts,
``FIRST_SAMPLE_AGE`` seconds later, then every ``PERIOD`` seconds. In between, each ``TICK`` a
container that has run for ``FIRST_SAMPLE_AGE`` seconds and was never sampled is sampled at once,
against a synthetic zero-CPU point at its start, as metrics-server does for fresh containers, so
``kubectl top`` answers a second or two after a container starts. A node's point adds up the CPU
its containers used since the node was first scraped, plus a constant system overhead
(``NODE_OVERHEAD_*``: the kubelet, container runtime and OS of a real node), and their memory.

Invariants: an instance's cumulative CPU never decreases (when a process leaves without being
reaped by one of the instance's own, what it had used is kept: that window shows less usage, never
a negative one); timestamps are whole milliseconds, as in the kubelet's Prometheus samples; the
time comes from the injected clock only; the host is read through :class:`Host`, whose /proc
root and cgroup directories tests replace with files of their own. ``listeners`` are called after
every tick (tests wait on them instead of sleeping).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from backends.simulator.clock import Clock
from backends.simulator.kubelet import timing
from backends.simulator.kubelet.agents import NodeAgents

PERIOD = 10.0
TICK = 1.0
FIRST_SAMPLE_AGE = 1.0
NODE_OVERHEAD_NANOCORES = 25_000_000
NODE_OVERHEAD_BYTES = 128 * 1024 * 1024
_NANOS = 1_000_000_000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_MILLISECOND = datetime.timedelta(milliseconds=1)
# cgroup v2, then v1: the usage file and the memory.stat key of inactive file pages.
_WORKING_SET_FILES = (
    ("memory.current", "inactive_file"),
    ("memory.usage_in_bytes", "total_inactive_file"),
)


def millis(moment: datetime.datetime) -> int:
    """``moment`` in whole milliseconds since the epoch."""
    return (moment - _EPOCH) // _MILLISECOND


def from_millis(ms: int) -> datetime.datetime:
    return _EPOCH + ms * _MILLISECOND


@dataclass(frozen=True)
class Proc:
    """One process, as /proc/PID/stat describes it."""

    ppid: int
    session: int
    cpu_ns: int  # utime + stime + cutime + cstime
    rss: int  # resident bytes


def parse_stat(text: str, ticks_per_second: int, page_size: int) -> Proc:
    """A /proc/PID/stat line (its command, in parentheses, may hold anything)."""
    fields = text.rpartition(")")[2].split()
    ticks = sum(int(value) for value in fields[11:15])
    return Proc(
        int(fields[1]),
        int(fields[3]),
        ticks * _NANOS // ticks_per_second,
        int(fields[21]) * page_size,
    )


@dataclass(frozen=True)
class ContainerRef:
    """A running container instance, as the sampler needs to know it."""

    pod_uid: str
    name: str
    instance: str  # the runtime's container ID: a restart is a new instance
    pid: int  # the process the runtime started, leader of the instance's session
    main_pid: int  # the container's PID 1, as the host sees it
    started: datetime.datetime
    cgroups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reading:
    """What one container instance has used so far: CPU time and memory now."""

    cpu_ns: int
    memory: int


Inventory = Mapping[str, Sequence[ContainerRef]]  # node name -> its running containers


class Host:
    """Reads processes from a /proc tree and working sets from cgroup directories."""

    def __init__(
        self,
        proc: str = "/proc",
        ticks_per_second: int | None = None,
        page_size: int | None = None,
    ) -> None:
        self.proc = proc
        self.ticks_per_second = ticks_per_second or os.sysconf("SC_CLK_TCK")
        self.page_size = page_size or os.sysconf("SC_PAGE_SIZE")

    def processes(self) -> dict[int, Proc]:
        """Every process we can see, by pid (processes that vanish meanwhile are skipped)."""
        found: dict[int, Proc] = {}
        for name in os.listdir(self.proc):
            if not name.isdigit():
                continue
            try:
                with open(os.path.join(self.proc, name, "stat"), encoding="utf-8") as f:
                    found[int(name)] = parse_stat(f.read(), self.ticks_per_second, self.page_size)
            except (OSError, ValueError, IndexError):
                continue
        return found

    def working_set(self, cgroup: str) -> int | None:
        """The working set of a memory cgroup directory (None: no memory accounting there)."""
        for usage_file, inactive_key in _WORKING_SET_FILES:
            try:
                with open(os.path.join(cgroup, usage_file), encoding="utf-8") as f:
                    usage = int(f.read())
            except (OSError, ValueError):
                continue
            inactive = 0
            with (
                contextlib.suppress(OSError, ValueError),
                open(os.path.join(cgroup, "memory.stat"), encoding="utf-8") as f,
            ):
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == inactive_key:
                        inactive = int(value)
            return max(0, usage - inactive)
        return None

    def read(self, containers: Sequence[ContainerRef]) -> dict[str, Reading]:
        """Readings of the containers whose processes are still there, by instance."""
        processes = self.processes()
        children: dict[int, list[int]] = {}
        for pid, process in processes.items():
            children.setdefault(process.ppid, []).append(pid)
        readings: dict[str, Reading] = {}
        for ref in containers:
            pids = members(ref, processes, children)
            if not pids:
                continue
            memory = next(
                (m for m in map(self.working_set, ref.cgroups) if m is not None),
                sum(processes[pid].rss for pid in pids),
            )
            readings[ref.instance] = Reading(sum(processes[pid].cpu_ns for pid in pids), memory)
        return readings


def members(
    ref: ContainerRef, processes: Mapping[int, Proc], children: Mapping[int, Sequence[int]]
) -> set[int]:
    """The pids of a container instance's processes (see the module docstring)."""
    launcher = ref.pid if ref.main_pid != ref.pid else None
    stack = [
        pid for pid, process in processes.items() if process.session == ref.pid and pid != launcher
    ]
    if ref.main_pid in processes:
        stack.append(ref.main_pid)
    found: set[int] = set()
    while stack:
        pid = stack.pop()
        if pid not in found:
            found.add(pid)
            stack.extend(children.get(pid, ()))
    return found


@dataclass(frozen=True)
class Point:
    """One sample: when, the cumulative CPU time used by then, and the memory in use."""

    at: int  # milliseconds since the epoch
    cpu_ns: int
    memory: int


@dataclass(frozen=True)
class Usage:
    """CPU (nanocores) and memory (bytes) over a window, as metrics-server reports them."""

    timestamp: datetime.datetime
    window_ms: int
    cpu_nanocores: int
    memory: int

    @classmethod
    def between(cls, prev: Point, last: Point) -> Usage:
        window = last.at - prev.at
        cpu = (last.cpu_ns - prev.cpu_ns) * 1000 // window
        return cls(from_millis(last.at), window, cpu, last.memory)


@dataclass
class _Series:
    """The last two points of one container instance."""

    ref: ContainerRef
    node: str
    prev: Point
    last: Point
    raw_ns: int  # the last reading of its processes' CPU time
    lost_ns: int = 0  # CPU time of processes that have left the instance since it started
    counted_ns: int = 0  # cumulative CPU time already added to its node

    def add(self, at: int, reading: Reading) -> None:
        if at <= self.last.at:
            return
        if reading.cpu_ns < self.raw_ns:
            self.lost_ns += self.raw_ns - reading.cpu_ns
        self.raw_ns = reading.cpu_ns
        self.prev, self.last = self.last, Point(at, reading.cpu_ns + self.lost_ns, reading.memory)


@dataclass
class _Node:
    """The last two points of one node (``prev`` is None until its second scrape)."""

    last: Point
    prev: Point | None = None
    ended_ns: int = 0  # CPU time of instances that ended since ``last``, not yet counted


class Sampler:
    """Samples the containers ``inventory()`` lists (see the module docstring)."""

    def __init__(
        self,
        clock: Clock,
        inventory: Callable[[], Inventory],
        host: Host | None = None,
        period: float = PERIOD,
    ) -> None:
        self.clock = clock
        self.inventory = inventory
        self.host = host or Host()
        self.period_ms = int(period * 1000)
        self._series: dict[str, _Series] = {}
        self._nodes: dict[str, _Node] = {}
        self._next_scrape: int | None = None  # None: scrape at once
        self.listeners: list[Callable[[], None]] = []  # called after every tick

    # ------------------------------------------------------------------------ sampling

    def sample(self) -> None:
        """One tick, now: scrape everything when due, else sample new containers only."""
        containers = self.inventory()
        full, wanted = self._wanted(containers, millis(self.clock.now()))
        readings = self.host.read(wanted) if wanted else {}
        self._record(containers, readings, millis(self.clock.now()), full)

    async def run(self) -> None:
        """Tick every ``TICK`` seconds until cancelled (the host is read off the event loop)."""
        loop = asyncio.get_running_loop()
        while True:
            containers = self.inventory()
            full, wanted = self._wanted(containers, millis(self.clock.now()))
            readings = await loop.run_in_executor(None, self.host.read, wanted) if wanted else {}
            self._record(containers, readings, millis(self.clock.now()), full)
            await timing.sleep(self.clock, TICK)

    def _wanted(self, containers: Inventory, now: int) -> tuple[bool, list[ContainerRef]]:
        """Whether a scrape is due, and which containers to read now."""
        full = self._next_scrape is None or now >= self._next_scrape
        old_enough = now - int(FIRST_SAMPLE_AGE * 1000)
        wanted = [
            ref
            for refs in containers.values()
            for ref in refs
            if millis(ref.started) <= old_enough and (full or ref.instance not in self._series)
        ]
        return full, wanted

    def _record(
        self, containers: Inventory, readings: Mapping[str, Reading], at: int, full: bool
    ) -> None:
        running: set[str] = set()
        for node, refs in containers.items():
            known = self._nodes.get(node)
            for ref in refs:
                running.add(ref.instance)
                reading = readings.get(ref.instance)
                if reading is None:
                    continue
                series = self._series.get(ref.instance)
                if series is not None:
                    series.add(at, reading)
                    continue
                started = millis(ref.started)
                series = _Series(
                    ref,
                    node,
                    Point(started, 0, reading.memory),
                    Point(at, reading.cpu_ns, reading.memory),
                    reading.cpu_ns,
                )
                if known is None or started < known.last.at:
                    series.counted_ns = reading.cpu_ns  # used before its node's window began
                self._series[ref.instance] = series
        for instance in [i for i in self._series if i not in running]:
            ended = self._series.pop(instance)
            node_of = self._nodes.get(ended.node)
            if node_of is not None:
                node_of.ended_ns += ended.last.cpu_ns - ended.counted_ns
        if full:
            self._scrape_nodes(containers, at)
            first = self._next_scrape is None
            self._next_scrape = at + (int(FIRST_SAMPLE_AGE * 1000) if first else self.period_ms)
        for listener in list(self.listeners):
            listener()

    def _scrape_nodes(self, containers: Inventory, at: int) -> None:
        for node in containers:
            series = [s for s in self._series.values() if s.node == node]
            memory = sum(s.last.memory for s in series) + NODE_OVERHEAD_BYTES
            known = self._nodes.get(node)
            used = sum(s.last.cpu_ns - s.counted_ns for s in series)
            for s in series:
                s.counted_ns = s.last.cpu_ns
            if known is None:
                self._nodes[node] = _Node(Point(at, 0, memory))
                continue
            elapsed = at - known.last.at
            cpu = known.last.cpu_ns + used + known.ended_ns
            cpu += NODE_OVERHEAD_NANOCORES * elapsed // 1000
            known.prev, known.last, known.ended_ns = known.last, Point(at, cpu, memory), 0
        for gone in [n for n in self._nodes if n not in containers]:
            del self._nodes[gone]

    # ------------------------------------------------------------------------- results

    def pods(self) -> dict[str, list[tuple[str, Usage]]]:
        """Per pod UID, its sampled containers' usage, in the order they were first seen."""
        found: dict[str, list[tuple[str, Usage]]] = {}
        for series in self._series.values():
            found.setdefault(series.ref.pod_uid, []).append(
                (series.ref.name, Usage.between(series.prev, series.last))
            )
        return found

    def node(self, name: str) -> Usage | None:
        """A node's usage, once it has been scraped twice."""
        known = self._nodes.get(name)
        if known is None or known.prev is None:
            return None
        return Usage.between(known.prev, known.last)


def running_containers(agents: NodeAgents) -> dict[str, list[ContainerRef]]:
    """Every node with a running kubelet, and the container instances running there."""
    found: dict[str, list[ContainerRef]] = {}
    for node, kubelet in list(agents.kubelets.items()):
        refs = found.setdefault(node, [])
        for worker in list(kubelet.workers.values()):
            for slot in worker.slots.values():
                container = slot.container
                if not slot.running or container is None or container.state != "running":
                    continue
                if container.started_at is None:
                    continue
                refs.append(
                    ContainerRef(
                        worker.uid,
                        slot.name,
                        container.id,
                        container.pid,
                        container.main_pid,
                        container.started_at,
                        container.cgroup_directories,
                    )
                )
    return found
