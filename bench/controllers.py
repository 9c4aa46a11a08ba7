"""The replicaset controller at scale: a ReplicaSet of busybox ``sleep 3600`` pods goes from 0
to N Running pods and back to 0, through the whole cluster (controller, scheduler, kubelet
processes, graceful deletion).

The simulator runs in this process (a background thread, as the pytest plugin runs it) with as
many nodes as the pods need (110 pods a node, the kubelet's default) and the controllers wired onto its loop. The ReplicaSet is scaled through the API (the
``scale`` subresource, as ``kubectl scale`` does). Timing waits on store events, not polling.

Figures, with their target: seconds from the scale to N pods Running, and from the scale to 0
to no pod left in the store. Target: under 30 s each way for N = 200.

    python bench/controllers.py [--pods 200]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from backends.simulator.cluster.api import REPLICA_SETS, create, patch
from backends.simulator.controllers.manager import controller_manager
from backends.simulator.testing import RunningSimulator, start_simulator

TARGET_SECONDS = 30.0
PODS_PER_NODE = 110  # the kubelet's default maxPods


def replica_set() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "sleepers"},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"app": "sleepers"}},
            "template": {
                "metadata": {"labels": {"app": "sleepers"}},
                "spec": {
                    "terminationGracePeriodSeconds": 1,
                    "containers": [
                        {"name": "sleep", "image": "busybox", "command": ["sleep", "3600"]}
                    ],
                },
            },
        },
    }


def timed(sim: RunningSimulator, replicas: int, done: Any, timeout: float) -> float:
    """Scale to ``replicas``; seconds until ``done(pods)`` holds."""
    store = sim.simulator.store
    reached = threading.Event()

    def check(_event: object = None) -> None:
        if not reached.is_set() and done(store.objects("/pods", "default")):
            reached.set()

    sim.call(store.add_listener, check)
    started = time.monotonic()
    sim.call(
        patch,
        sim.simulator.rest,
        REPLICA_SETS,
        "default",
        "sleepers",
        {"spec": {"replicas": replicas}},
        "bench",
    )
    sim.call(check)
    finished = reached.wait(timeout)
    elapsed = time.monotonic() - started
    sim.call(store.remove_listener, check)
    if not finished:
        raise SystemExit(f"not reached within {timeout:.0f} s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pykctl-bench-") as directory:
        nodes = -(-args.pods // PODS_PER_NODE)
        sim = start_simulator(Path(directory), store=False, nodes=nodes)
        simulator = sim.simulator
        manager = sim.call(controller_manager, simulator.rest, simulator.clock)
        sim.call(manager.start)
        try:
            sim.call(create, simulator.rest, REPLICA_SETS, "default", replica_set(), "bench")

            def all_running(pods: list[dict[str, Any]]) -> bool:
                phases = [(p.get("status") or {}).get("phase") for p in pods]
                return phases.count("Running") >= int(args.pods)

            up = timed(sim, args.pods, all_running, 300)
            down = timed(sim, 0, lambda pods: not pods, 300)
        finally:
            asyncio.run_coroutine_threadsafe(manager.stop(), sim.loop).result(30)
            sim.stop()
    for label, seconds in ((f"0 -> {args.pods} Running", up), (f"{args.pods} -> 0", down)):
        verdict = "ok" if seconds < TARGET_SECONDS else "over target"
        print(f"{label:<20} {seconds:6.2f} s   (target < {TARGET_SECONDS:.0f} s: {verdict})")


if __name__ == "__main__":
    main()
