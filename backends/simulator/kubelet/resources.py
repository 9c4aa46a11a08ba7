"""Container resource limits: memory enforced, CPU weighted where the OS lets us.

Modes (chosen once per process, reported by ``describe_modes()`` for ``pykctl sim status``):

* memory: ``cgroup-v2`` or ``cgroup-v1`` when a memory cgroup can be created below our own
  (the kernel then OOM-kills over ``limits.memory``, and the kill is read back from
  ``memory.events`` / ``memory.oom_control``); otherwise ``rss-poll``: every 100 ms the resident
  set of each limited container's process tree is summed and, over the limit, the container is
  SIGKILLed. Either way the container ends ``OOMKilled`` with exit code 137.
* cpu: ``cgroup-v2``/``cgroup-v1`` (quota from ``limits.cpu``, weight/shares from
  ``requests.cpu``), else ``nice`` by QoS class (Guaranteed 0, Burstable 5, BestEffort 10).

A container joins its cgroups through a tiny ``sh`` wrapper that writes its own pid into
``cgroup.procs`` and then execs the container command, so nothing runs before it is confined.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from backends.objects.quantity import Quantity, QuantityError

_CGROUP_ROOT = "/sys/fs/cgroup"
CFS_PERIOD_US = 100_000
RSS_POLL_SECONDS = 0.1
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_NICE_BY_QOS = {"Guaranteed": 0, "Burstable": 5, "BestEffort": 10}


def quantity(value: object) -> Quantity | None:
    """A resources.limits/requests value as a Quantity (None when absent or malformed)."""
    if value is None:
        return None
    try:
        return Quantity.parse(str(value))
    except QuantityError:
        return None


@dataclass(frozen=True)
class Limits:
    """What a container asks for, in the units the enforcers use."""

    memory_bytes: int | None = None
    cpu_limit_milli: int | None = None
    cpu_request_milli: int | None = None

    @classmethod
    def of(cls, container: dict[str, object]) -> Limits:
        resources = container.get("resources")
        resources = resources if isinstance(resources, dict) else {}
        limits = resources.get("limits") or {}
        requests = resources.get("requests") or {}
        memory = quantity(limits.get("memory"))
        cpu_limit = quantity(limits.get("cpu"))
        cpu_request = quantity(requests.get("cpu"))
        return cls(
            memory.value() if memory is not None else None,
            cpu_limit.milli_value() if cpu_limit is not None else None,
            cpu_request.milli_value() if cpu_request is not None else None,
        )


def _own_cgroup(controller: str) -> tuple[str, str] | None:
    """(version, directory) of this process's cgroup for ``controller``."""
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            directory = os.path.join(_CGROUP_ROOT, controller) + path
            if os.path.isdir(directory):
                return "cgroup-v1", directory
    for line in lines:
        if line.startswith("0::"):
            for mount in (_CGROUP_ROOT, os.path.join(_CGROUP_ROOT, "unified")):
                try:
                    with open(os.path.join(mount, "cgroup.controllers"), encoding="utf-8") as f:
                        available = f.read().split()
                except OSError:
                    continue
                if controller in available:
                    return "cgroup-v2", mount + line[3:]
    return None


_BASES: dict[str, tuple[str, str] | None] = {}


def _cgroup_base(controller: str) -> tuple[str, str] | None:
    """(version, our writable parent cgroup) for ``controller``, or None (found once)."""
    if controller not in _BASES:
        _BASES[controller] = _make_base(controller)
    return _BASES[controller]


def _make_base(controller: str) -> tuple[str, str] | None:
    if os.environ.get("PYKCTL_CGROUPS") == "off":
        return None
    own = _own_cgroup(controller)
    if own is None:
        return None
    version, directory = own
    base = os.path.join(directory, f"pykctl-{os.getpid()}")
    try:
        os.makedirs(base, exist_ok=True)
        if version == "cgroup-v2":
            with open(os.path.join(directory, "cgroup.subtree_control"), "w") as f:
                f.write(f"+{controller}")
            with open(os.path.join(base, "cgroup.subtree_control"), "w") as f:
                f.write(f"+{controller}")
        probe = os.path.join(base, "probe")
        os.makedirs(probe, exist_ok=True)
        os.rmdir(probe)
    except OSError:
        with contextlib.suppress(OSError):
            os.rmdir(base)
        return None
    return version, base


def reset_modes() -> None:
    """Remove our (empty) parent cgroups and detect the modes again on next use (at stop, and
    for tests that switch ``PYKCTL_CGROUPS``)."""
    for base in _BASES.values():
        if base is not None:
            with contextlib.suppress(OSError):
                os.rmdir(base[1])
    _BASES.clear()


def memory_mode() -> str:
    base = _cgroup_base("memory")
    return base[0] if base else "rss-poll"


def cpu_mode() -> str:
    base = _cgroup_base("cpu")
    return base[0] if base else "nice"


def describe_modes() -> str:
    """``memory: cgroup-v1, cpu: nice``."""
    return f"memory: {memory_mode()}, cpu: {cpu_mode()}"


def _write(path: str, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


@dataclass
class Confinement:
    """The cgroups (if any) of one container instance."""

    limits: Limits
    qos: str
    directories: list[str] = field(default_factory=list)

    @property
    def nice(self) -> int:
        return 0 if cpu_mode() != "nice" else _NICE_BY_QOS.get(self.qos, 0)

    def wrapper(self) -> list[str]:
        """argv prefix that joins the cgroups, then execs the rest."""
        if not self.directories:
            return []
        procs = [os.path.join(d, "cgroup.procs") for d in self.directories]
        script = "; ".join(f'echo $$ > "${i + 1}"' for i in range(len(procs)))
        return ["sh", "-c", f'{script}; shift {len(procs)}; exec "$@"', "sh", *procs]

    def oom_killed(self) -> bool:
        """Whether the kernel OOM-killed a process of this container."""
        for directory in self.directories:
            for name in ("memory.events", "memory.oom_control"):
                try:
                    with open(os.path.join(directory, name), encoding="utf-8") as f:
                        for line in f:
                            key, _, value = line.partition(" ")
                            if key == "oom_kill" and int(value) > 0:
                                return True
                except (OSError, ValueError):
                    continue
        return False

    def release(self) -> None:
        for directory in self.directories:
            with contextlib.suppress(OSError):
                os.rmdir(directory)
        self.directories = []


def confine(key: str, limits: Limits, qos: str) -> Confinement:
    """Create the cgroups of container instance ``key`` (a unique, path-safe name)."""
    confinement = Confinement(limits, qos)
    memory = _cgroup_base("memory") if limits.memory_bytes is not None else None
    if memory is not None:
        version, base = memory
        directory = os.path.join(base, key)
        try:
            os.makedirs(directory, exist_ok=True)
            if version == "cgroup-v2":
                _write(os.path.join(directory, "memory.max"), str(limits.memory_bytes))
                _write(os.path.join(directory, "memory.swap.max"), "0")
            else:
                _write(os.path.join(directory, "memory.limit_in_bytes"), str(limits.memory_bytes))
                with contextlib.suppress(OSError):  # no swap accounting here
                    _write(
                        os.path.join(directory, "memory.memsw.limit_in_bytes"),
                        str(limits.memory_bytes),
                    )
            confinement.directories.append(directory)
        except OSError:
            pass
    cpu = _cgroup_base("cpu")
    if cpu is not None and (limits.cpu_limit_milli or limits.cpu_request_milli):
        version, base = cpu
        directory = os.path.join(base, key)
        shares = max(2, (limits.cpu_request_milli or 0) * 1024 // 1000)
        quota = limits.cpu_limit_milli * CFS_PERIOD_US // 1000 if limits.cpu_limit_milli else None
        try:
            os.makedirs(directory, exist_ok=True)
            if version == "cgroup-v2":
                weight = 1 + ((shares - 2) * 9999) // 262142
                _write(os.path.join(directory, "cpu.weight"), str(weight))
                if quota:
                    _write(os.path.join(directory, "cpu.max"), f"{quota} {CFS_PERIOD_US}")
            else:
                _write(os.path.join(directory, "cpu.shares"), str(shares))
                if quota:
                    _write(os.path.join(directory, "cpu.cfs_period_us"), str(CFS_PERIOD_US))
                    _write(os.path.join(directory, "cpu.cfs_quota_us"), str(max(1000, quota)))
            confinement.directories.append(directory)
        except OSError:
            pass
    return confinement


def process_table() -> dict[int, tuple[int, int]]:
    """pid → (ppid, resident bytes) for every process we can see."""
    table: dict[int, tuple[int, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as f:
                fields = f.read().rpartition(")")[2].split()
        except OSError:
            continue
        table[int(name)] = (int(fields[1]), int(fields[21]) * _PAGE_SIZE)
    return table


def tree_rss(root: int, table: dict[int, tuple[int, int]]) -> int:
    """Resident bytes of ``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += table.get(pid, (0, 0))[1]
        stack.extend(children.get(pid, ()))
    return total


@dataclass
class Watched:
    """A container the RSS poller watches: its root pid, limit and how to kill it."""

    pid: int
    limit: int
    kill: Callable[[int], None]  # called with the RSS that broke the limit


class RssPoller:
    """The ``rss-poll`` memory enforcer: one loop for all limited containers of a kubelet."""

    def __init__(self) -> None:
        self._watched: dict[str, Watched] = {}
        self._task: asyncio.Task[None] | None = None

    def watch(self, key: str, watched: Watched) -> None:
        self._watched[key] = watched
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def unwatch(self, key: str) -> None:
        self._watched.pop(key, None)

    async def _run(self) -> None:
        while self._watched:
            table = await asyncio.get_running_loop().run_in_executor(None, process_table)
            for key, watched in list(self._watched.items()):
                rss = tree_rss(watched.pid, table)
                if rss > watched.limit:
                    self._watched.pop(key, None)
                    watched.kill(rss)
            await asyncio.sleep(RSS_POLL_SECONDS)

    async def stop(self) -> None:
        self._watched.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
