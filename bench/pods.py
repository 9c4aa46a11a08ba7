"""The node side under load: how fast 100 pods start, and what the daemon holds meanwhile.

A simulator (SQLite store on disk) and the node agents run in this process, on one event loop,
as in ``pykctl sim start``; one Node is registered. ``--pods`` (default 100) busybox-style pods
running ``sleep 3600`` are created through the REST layer in one go (each with the token volume
admission adds, as ``kubectl run`` would get). Figures, with their targets:

* seconds from the first create until every pod is Running with its container ready
  (target: under 20 s);
* the daemon's peak resident memory (VmHWM of this process) with all of them running
  (target: under 500 MiB); the containers' own processes are separate and not counted;
* for reference: the isolation and resource-enforcement modes, the containers' own total
  resident memory, and how long stopping everything took.

    python bench/pods.py [--pods 100] [--quick]

``--quick`` runs 10 pods (a smoke run for CI; not comparable with the targets).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from multidict import MultiDict, MultiDictProxy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backends.simulator import certs  # noqa: E402
from backends.simulator.apiserver.paths import Target  # noqa: E402
from backends.simulator.apiserver.resources import lookup  # noqa: E402
from backends.simulator.kubelet import NodeAgents  # noqa: E402
from backends.simulator.kubelet.resources import process_table, tree_rss  # noqa: E402
from backends.simulator.server import Simulator, TLSFiles  # noqa: E402

TARGET_SECONDS = 20.0
TARGET_MIB = 500.0
_QUERY = MultiDictProxy(MultiDict[str]())


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM), in MiB."""
    with open("/proc/self/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def all_running(sim: Simulator, names: list[str]) -> bool:
    for name in names:
        pod = sim.store.get("/pods", "default", name)
        status = (pod or {}).get("status") or {}
        containers = status.get("containerStatuses") or []
        if status.get("phase") != "Running" or not containers or not containers[0].get("ready"):
            return False
    return True


@dataclass
class Figures:
    """What one run measured."""

    elapsed: float
    peak: float
    containers: float
    stop: float
    modes: str


async def run(count: int, state: Path) -> Figures:
    pods = lookup("", "v1", "pods")
    nodes = lookup("", "v1", "nodes")
    assert pods is not None and nodes is not None
    ca = certs.make_ca("pykctl-bench-ca")
    (state / "ca.crt").write_bytes(ca.cert_pem)
    serving = certs.make_serving_cert(ca)
    (state / "tls.crt").write_bytes(serving.cert_pem)
    (state / "tls.key").write_bytes(serving.key_pem)
    tls = TLSFiles(str(state / "tls.crt"), str(state / "tls.key"), str(state / "ca.crt"))
    sim = Simulator(str(state / "store.db"), "bench-token", tls, name="bench")
    sim.bootstrap()
    agents = NodeAgents(sim.rest, sim.clock, str(state), tokens=sim.context.tokens)
    await agents.start()
    sim.rest.create(
        Target(nodes, None, None, None),
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": "node-1"},
            "status": {"addresses": [{"type": "InternalIP", "address": "127.18.0.1"}]},
        },
        _QUERY,
    )
    await asyncio.sleep(0.2)
    names = [f"sleeper-{i}" for i in range(count)]
    began = time.perf_counter()
    for name in names:
        sim.rest.create(
            Target(pods, "default", None, None),
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "labels": {"run": name}},
                "spec": {
                    "nodeName": "node-1",
                    "containers": [
                        {"name": name, "image": "busybox", "command": ["sleep", "3600"]}
                    ],
                },
            },
            _QUERY,
        )
    while not all_running(sim, names):
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - began
    await asyncio.sleep(1.0)  # let every status write and event settle
    peak = peak_rss_mib()
    table = process_table()
    containers = 0
    for kubelet in agents.kubelets.values():
        for worker in kubelet.workers.values():
            for slot in worker.slots.values():
                if slot.container is not None:
                    containers += tree_rss(slot.container.pid, table)
    describe = "; ".join(agents.describe())
    stop_began = time.perf_counter()
    await agents.stop()
    stopped = time.perf_counter() - stop_began
    await sim.stop()
    return Figures(elapsed, peak, containers / (1024 * 1024), stopped, describe)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=100)
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args()
    count = 10 if options.quick else options.pods
    with tempfile.TemporaryDirectory(prefix="pykctl-bench-pods-") as directory:
        result = asyncio.run(run(count, Path(directory)))
    cpus = os.cpu_count()
    print(
        f"pykctl node side: {count} busybox pods (sleep 3600), Python {platform.python_version()}, {cpus} CPUs"
    )
    print(f"  {result.modes}")
    ok_time = "ok" if result.elapsed < TARGET_SECONDS else "OVER TARGET"
    ok_mem = "ok" if result.peak < TARGET_MIB else "OVER TARGET"
    print(
        f"  all Running and ready: {result.elapsed:.2f} s (target < {TARGET_SECONDS:.0f} s: {ok_time})"
    )
    print(
        f"  daemon peak memory:    {result.peak:.0f} MiB (target < {TARGET_MIB:.0f} MiB: {ok_mem})"
    )
    print(f"  containers' own memory: {result.containers:.0f} MiB (reference)")
    print(f"  stopping everything:   {result.stop:.2f} s (reference)")


if __name__ == "__main__":
    main()
