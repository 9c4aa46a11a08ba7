"""A HorizontalPodAutoscaler driven by kuard's keygen workload, end to end: a kuard Deployment
requesting 100m CPU, ``pykctl autoscale --min=1 --max=3 --cpu-percent=50``, keygen switched on
over kuard's ``PUT /keygen`` API so the pod's real CPU use (sampled by the simulator's
metrics-server) rises and the HPA scales the Deployment to 3; keygen off, the clock moved past
the 300 s scale-down stabilisation window, and the HPA scales back to 1. The real kubectl reads
the HPA and its events. No sleeps: waits are on store changes, time jumps on the JumpClock."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import run_pykctl
from tests.e2e.kubelet_support import NODE, NodeSide, node_side
from tests.e2e.test_workloads_with_kubectl import pods_of, renewed, stored

__all__ = ["node_side"]  # the fixture, used by name
pytestmark = [pytest.mark.e2e, pytest.mark.slow]
Obj = dict[str, Any]
KUARD = "gcr.io/kuar-demo/kuard-amd64:blue"
SYNC_STEP_SECONDS = 15.0  # the HPA controller's resync period
STABILIZATION_SECONDS = 300.0


def deployment() -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "kuard"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "kuard"}},
            "template": {
                "metadata": {"labels": {"app": "kuard"}},
                "spec": {
                    "containers": [
                        {
                            "name": "kuard",
                            "image": KUARD,
                            "resources": {"requests": {"cpu": "100m"}},
                        }
                    ]
                },
            },
        },
    }


def replicas(side: NodeSide) -> int:
    found = stored(side, "apps/deployments", "kuard") or {}
    return int((found.get("spec") or {}).get("replicas") or 0)


def cpu_millis(side: NodeSide, pod: Obj) -> int | None:
    """The pod's CPU use in the sampler's last window (None: not sampled yet)."""
    metrics = side.sim.simulator.metrics
    assert metrics is not None
    containers = metrics.sampler.pods().get(pod["metadata"]["uid"])
    if not containers:
        return None
    return sum(usage.cpu_nanocores for _, usage in containers) // 1_000_000


def keygen(side: NodeSide, pod: Obj, enable: bool) -> None:
    """Switch kuard's keygen workload on or off, as its UI does."""
    config = {
        "enable": enable,
        "numToGen": 0,
        "timeToRun": 0,
        "memQServer": "",
        "memQQueue": "",
        "exitOnComplete": False,
        "exitCode": 0,
    }
    url = f"http://{pod['status']['podIP']}:8080/keygen"
    code, body = side.http(url, "PUT", json.dumps(config).encode())
    assert code == 200 and json.loads(body)["config"]["enable"] is enable


def advance(side: NodeSide, seconds: float) -> None:
    """Move the clock in resync-sized steps, each once the node's lease has caught up."""
    while seconds > 0:
        step = min(seconds, SYNC_STEP_SECONDS)
        side.clock.advance(step)
        seconds -= step
        side.until(lambda: renewed(side, NODE))


def test_hpa_scales_kuard_up_under_keygen_and_back_down(node_side: NodeSide) -> None:
    side = node_side
    side.ok("apply", "-f", "-", stdin=json.dumps(deployment()))
    side.until(lambda: any(cpu_millis(side, p) is not None for p in pods_of(side, "app=kuard")))
    (pod,) = pods_of(side, "app=kuard")
    config = f"--kubeconfig={side.sim.kubeconfig}"
    result = run_pykctl(
        [config, "autoscale", "deployment", "kuard", "--min=1", "--max=3", "--cpu-percent=50"]
    )
    assert result.stdout == "horizontalpodautoscaler.autoscaling/kuard autoscaled\n"

    keygen(side, pod, True)
    side.until(lambda: (cpu_millis(side, pod) or 0) > 100)
    side.clock.advance(SYNC_STEP_SECONDS)  # the HPA's next resync, now
    side.until(lambda: replicas(side) == 3)
    events = side.ok("get", "events", "--field-selector", "involvedObject.name=kuard")
    assert (
        "New size: 3; reason: cpu resource utilization (percentage of request) above target"
        in events
    )
    row = side.ok("get", "hpa", "kuard", "--no-headers").split()
    assert row[:2] == ["kuard", "Deployment/kuard"] and row[-4:-2] == ["1", "3"]

    keygen(side, pod, False)
    side.until(lambda: (cpu_millis(side, pod) or 0) < 50)
    assert replicas(side) == 3  # a recent recommendation of 3 holds it up
    advance(side, STABILIZATION_SECONDS + SYNC_STEP_SECONDS)
    side.until(lambda: replicas(side) == 1)
    events = side.ok("get", "events", "--field-selector", "involvedObject.name=kuard")
    assert "New size: 1; reason: All metrics below target" in events
    side.until(lambda: len(pods_of(side, "app=kuard")) == 1)
