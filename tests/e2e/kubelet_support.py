"""Fixtures for the kubelet's end-to-end tests: a simulator with its node side running.

``node_side`` starts a simulator with one node on a :class:`JumpClock` (real time that a test
may move forward to skip a back-off); its own :class:`NodeAgents` run ``node-1``'s pods. It
gives helpers: ``apply`` (the real kubectl), ``pod`` (the stored object), ``until`` (block until a
predicate over the store holds, re-checked on every store event: no sleeping) and ``watch``
(``kubectl get -w`` lines until one matches).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backends.simulator.kubelet import NodeAgents
from backends.simulator.network.slots import Network
from backends.simulator.testing import RunningSimulator, start_simulator
from tests.conftest import Result, isolated_env, run_process

NODE = "node-1"
Obj = dict[str, Any]


class JumpClock:
    """The real clock, plus an offset a test can advance."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
            seconds=self.offset
        )

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class NodeSide:
    """A running simulator with kubelets, and the real kubectl pointed at it."""

    def __init__(self, sim: RunningSimulator, clock: JumpClock, kubectl: str, home: Path) -> None:
        self.sim = sim
        self.kubectl_path = kubectl
        self.env = isolated_env(home)
        self.home = home
        self.clock = clock
        assert sim.simulator.kubelets is not None
        self.agents: NodeAgents = sim.simulator.kubelets
        assert sim.simulator.network is not None
        self.network: Network = sim.simulator.network

    def run(self, coroutine: Any, timeout: float = 60) -> Any:
        """Run a coroutine on the simulator's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.sim.loop).result(timeout)

    def start(self) -> None:
        """Start the kubelets (again); the simulator registers ``node-1`` itself."""
        self.run(self.agents.start())
        self.ready()

    def ready(self) -> None:
        """Wait until ``node-1``'s kubelet runs."""
        self.until(lambda: NODE in self.agents.kubelets)

    def stop(self) -> None:
        self.run(self.agents.stop())

    def kubectl(self, *args: str, stdin: str = "") -> Result:
        return run_process(
            [self.kubectl_path, "--kubeconfig", str(self.sim.kubeconfig), *args],
            cwd=self.home,
            env=self.env,
            stdin=stdin,
        )

    def ok(self, *args: str, stdin: str = "") -> str:
        result = self.kubectl(*args, stdin=stdin)
        assert result.code == 0, f"kubectl {' '.join(args)}: {result.stderr}"
        return result.stdout

    def apply(self, manifest: Obj) -> None:
        """Create a pod (bound to ``node-1``) with the real kubectl."""
        manifest = json.loads(json.dumps(manifest))
        if manifest.get("kind") == "Pod":
            manifest.setdefault("spec", {}).setdefault("nodeName", NODE)
        self.ok("apply", "-f", "-", stdin=json.dumps(manifest))

    def on_loop(self, fn: Callable[[], Any]) -> Any:
        """``fn()`` on the simulator's loop (directly when already there, as in ``until``)."""
        if threading.current_thread() is self.sim.thread:
            return fn()
        return self.sim.call(fn)

    def pod(self, name: str, namespace: str = "default") -> Obj | None:
        found: Obj | None = self.on_loop(
            lambda: self.sim.simulator.store.get("/pods", namespace, name)
        )
        return found

    def must(self, name: str, namespace: str = "default") -> Obj:
        """The stored pod, which must exist."""
        found = self.pod(name, namespace)
        assert found is not None, f"pod {name} not found"
        return found

    def log_line(self, pod: str, container: str, needle: str, timeout: float = 20) -> str:
        """Follow a container's log until a line containing ``needle``; that line."""
        from backends.simulator.kubelet.logs import LogOptions

        async def follow() -> str:
            source = self.agents.logs(self.must(pod), container)
            async for chunk in source.read(LogOptions(follow=True)):
                line = chunk.decode()
                if needle in line:
                    return line.rstrip("\n")
            raise AssertionError(f"{needle!r} not in the log")

        async def bounded() -> str:
            return await asyncio.wait_for(follow(), timeout)

        line: str = self.run(bounded(), timeout + 5)
        return line

    def until(self, predicate: Callable[[], bool], timeout: float = 30) -> None:
        """Block until ``predicate`` (evaluated on the loop, after every store change) holds."""
        done = threading.Event()

        def check(_event: object = None) -> None:
            if not done.is_set() and predicate():
                done.set()

        def install() -> None:
            self.sim.simulator.store.add_listener(check)
            check()

        self.sim.call(install)
        assert done.wait(timeout), "condition not reached in time"

    def container_status(self, pod: str, container: str | None = None) -> Obj:
        status = (self.pod(pod) or {}).get("status") or {}
        for item in status.get("containerStatuses") or []:
            if container is None or item.get("name") == container:
                return dict(item)
        return {}

    def watch(self, pod: str, wanted: Callable[[str], bool], timeout: float = 30) -> list[str]:
        """``kubectl get pod NAME -w`` lines until one satisfies ``wanted``."""
        process = subprocess.Popen(
            [self.kubectl_path, "--kubeconfig", str(self.sim.kubeconfig), "get", "pod", pod, "-w"],
            cwd=self.home,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        lines: list[str] = []
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line.rstrip("\n"))
                if wanted(line):
                    break
        finally:
            timer.cancel()
            process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
        assert lines and wanted(lines[-1]), f"not seen: {lines}"
        return lines

    def http(self, url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, str]:
        request = urllib.request.Request(url, data=body, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def events(self, pod: str) -> list[tuple[str, str, str]]:
        """(type, reason, message) of the events about ``pod``, oldest first."""
        objects = self.on_loop(lambda: self.sim.simulator.store.objects("/events", "default"))
        return [
            (e["type"], e["reason"], e["message"])
            for e in objects
            if e["involvedObject"].get("name") == pod
        ]

    def columns(self, pod: str) -> list[str]:
        """``kubectl get pod NAME --no-headers`` split into columns."""
        return self.ok("get", "pod", pod, "--no-headers").split()


@pytest.fixture
def node_side(kubectl: str, tmp_path: Path) -> Iterator[NodeSide]:
    home = tmp_path / "kchome"
    home.mkdir()
    clock = JumpClock()
    running = start_simulator(tmp_path / "sim", clock=clock)
    side = NodeSide(running, clock, kubectl, home)
    try:
        side.ready()
        yield side
    finally:
        if side.agents is not running.simulator.kubelets:  # a test started agents of its own
            side.stop()
        running.stop()
