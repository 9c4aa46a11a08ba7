"""The real kubectl 1.37 against a simulator running three nodes and the scheduler
(backends/simulator/cluster/): nodes as ``kubectl get``/``describe`` show them, pods placed by
resources, node selectors, affinity, taints, cordons and spreading, kube-scheduler's messages
when nothing fits, and a failed node.

The cluster's time is a FakeClock started ten minutes ago, moved by the tests: nothing here
sleeps. Scheduling is driven by store changes; ``sync()`` makes sure it has happened, ``retry()`` lets
a failed pod's backoff pass.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import textwrap
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backends.simulator.clock import FakeClock
from backends.simulator.cluster import Cluster
from backends.simulator.cluster.api import PODS, update_status
from backends.simulator.cluster.nodes import HostInfo
from backends.simulator.network.slots import Network
from backends.simulator.testing import RunningSimulator, start_simulator
from tests.e2e.test_simulator_with_kubectl import Kubectl

pytestmark = pytest.mark.e2e

NOT_HELPFUL = (
    "no new claims to deallocate, preemption: 0/3 nodes are available: "
    "3 Preemption is not helpful for scheduling."
)


@dataclass
class Sim:
    """The simulator, its cluster and their clock, with kubectl."""

    running: RunningSimulator
    cluster: Cluster
    clock: FakeClock
    kubectl: Kubectl

    @property
    def network(self) -> Network:
        """The loopback addresses this simulator claimed."""
        assert self.running.simulator.network is not None
        return self.running.simulator.network

    def sync(self) -> None:
        """Let the cluster act on everything that changed."""
        self.running.call(self.cluster.sync)

    def advance(self, seconds: int, step: int = 5) -> None:
        """Move time on, the cluster acting every ``step`` seconds."""

        def tick() -> None:
            self.clock.advance(step)
            self.cluster.sync()

        for _ in range(seconds // step):
            self.running.call(tick)

    def retry(self) -> None:
        """Let the scheduler's backoff pass (1 s after a first failure, at most 10 s)."""
        self.advance(10, step=1)

    def apply(self, text: str) -> None:
        self.kubectl.ok("apply", "-f", "-", stdin=textwrap.dedent(text).lstrip())
        self.sync()

    def pod(self, name: str) -> dict[str, Any]:
        found = self.running.simulator.store.get("/pods", "default", name)
        assert found is not None
        return found

    def node_of(self, name: str) -> str:
        return self.kubectl.ok("get", "pod", name, "-o", "jsonpath={.spec.nodeName}")


@pytest.fixture
def sim(kubectl: str, tmp_path: Path) -> Iterator[Sim]:
    clock = FakeClock(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10))
    running = start_simulator(tmp_path / "sim", nodes=3, clock=clock, drive=False)
    home = tmp_path / "kchome"
    home.mkdir()
    assert running.simulator.cluster is not None
    try:
        yield Sim(running, running.simulator.cluster, clock, Kubectl(kubectl, running, home))
    finally:
        running.stop()


def columns(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def event_lines(describe: str) -> list[str]:
    return describe.split("Events:\n", 1)[1].splitlines()[2:]


# ----------------------------------------------------------------------------- nodes


def test_get_nodes(sim: Sim) -> None:
    lines = sim.kubectl.ok("get", "nodes").splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert [columns(line)[:3] + columns(line)[4:] for line in lines[1:]] == [
        ["node-1", "Ready", "control-plane", "v1.37.1"],
        ["node-2", "Ready", "<none>", "v1.37.1"],
        ["node-3", "Ready", "<none>", "v1.37.1"],
    ]
    host = HostInfo.detect()
    network = sim.network
    wide = sim.kubectl.ok("get", "nodes", "-o", "wide").splitlines()
    assert columns(wide[0])[5:] == [
        "INTERNAL-IP",
        "EXTERNAL-IP",
        "OS-IMAGE",
        "KERNEL-VERSION",
        "CONTAINER-RUNTIME",
    ]
    assert [columns(line)[5:] for line in wide[1:]] == [
        [network.node_ip(i), "<none>", host.os_image, host.kernel_version, "pykctl://0.1.0"]
        for i in (1, 2, 3)
    ]


def test_describe_node(sim: Sim) -> None:
    out = sim.kubectl.ok("describe", "node", "node-2")
    for line in (
        "Name:               node-2",
        "Roles:              <none>",
        "                    kubernetes.io/hostname=node-2",
        "Annotations:        node.alpha.kubernetes.io/ttl: 0",
        "Taints:             <none>",
        "Unschedulable:      false",
        "  HolderIdentity:  node-2",
        f"  InternalIP:  {sim.network.node_ip(2)}",
        "  Hostname:    node-2",
        "  cpu:                4",
        "  memory:             8Gi",
        "  pods:               110",
        "  Container Runtime Version:  pykctl://0.1.0",
        "  Kubelet Version:            v1.37.1",
        f"PodCIDR:                      {sim.network.pod_cidr(2)}",
        "ProviderID:                   pykctl://pykctl-test/node-2",
        "Non-terminated Pods:          (0 in total)",
    ):
        assert line in out.splitlines(), line
    conditions = [
        columns(line)
        for line in out.split("Conditions:\n")[1].split("Addresses:")[0].splitlines()[2:]
    ]
    assert [(c[0], c[1], c[4], c[5]) for c in conditions] == [
        (
            "NetworkUnavailable",
            "False",
            "PykctlNetworkIsUp",
            "pykctl network is running on this node",
        ),
        (
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        ),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    events = [columns(line) for line in event_lines(out)]
    assert [(e[0], e[1], e[3], e[4]) for e in events] == [
        (
            "Normal",
            "RegisteredNode",
            "node-controller",
            "Node node-2 event: Registered Node node-2 in Controller",
        ),
        ("Normal", "Starting", "kubelet", "Starting kubelet."),
        (
            "Normal",
            "NodeAllocatableEnforced",
            "kubelet",
            "Updated Node Allocatable limit across pods",
        ),
        (
            "Normal",
            "NodeHasSufficientMemory",
            "kubelet",
            "Node node-2 status is now: NodeHasSufficientMemory",
        ),
        (
            "Normal",
            "NodeHasNoDiskPressure",
            "kubelet",
            "Node node-2 status is now: NodeHasNoDiskPressure",
        ),
        (
            "Normal",
            "NodeHasSufficientPID",
            "kubelet",
            "Node node-2 status is now: NodeHasSufficientPID",
        ),
    ]


def test_node_leases(sim: Sim) -> None:
    lines = sim.kubectl.ok("get", "leases", "-n", "kube-node-lease").splitlines()
    assert [columns(line)[:2] for line in lines] == [
        ["NAME", "HOLDER"],
        ["node-1", "node-1"],
        ["node-2", "node-2"],
        ["node-3", "node-3"],
    ]


# ------------------------------------------------------------------------ scheduling


def test_a_pod_gets_a_node_and_a_scheduled_event(sim: Sim) -> None:
    sim.kubectl.ok("run", "web", "--image=nginx")
    sim.sync()
    assert sim.node_of("web") == "node-1"
    out = sim.kubectl.ok("describe", "pod", "web")
    assert "Node:             node-1/" in out.splitlines()  # hostIP: the kubelet posts it
    (event,) = [columns(line) for line in event_lines(out)]
    assert (event[0], event[1], event[3], event[4]) == (
        "Normal",
        "Scheduled",
        "default-scheduler",
        "Successfully assigned default/web to node-1",
    )


def test_a_pod_bigger_than_any_node_stays_pending(sim: Sim) -> None:
    sim.apply(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: big}
        spec:
          containers:
          - {name: app, image: nginx, resources: {requests: {memory: 100Gi}}}
        """
    )
    message = "0/3 nodes are available: 3 Insufficient memory. " + NOT_HELPFUL
    assert columns(sim.kubectl.ok("get", "pod", "big").splitlines()[1])[:3] == [
        "big",
        "0/1",
        "Pending",
    ]
    condition = sim.kubectl.ok(
        "get", "pod", "big", "-o", 'jsonpath={.status.conditions[?(@.type=="PodScheduled")]}'
    )
    assert {k: v for k, v in json.loads(condition).items() if k != "lastTransitionTime"} == {
        "type": "PodScheduled",
        "status": "False",
        "reason": "Unschedulable",
        "message": message,
    }
    describe = sim.kubectl.ok("describe", "pod", "big")
    assert "  PodScheduled   False " in describe.splitlines()
    (event,) = [columns(line) for line in event_lines(describe)]
    assert (event[0], event[1], event[3], event[4]) == (
        "Warning",
        "FailedScheduling",
        "default-scheduler",
        message,
    )
    events = sim.kubectl.ok("get", "events").splitlines()
    assert [columns(line)[1:] for line in events if "pod/big" in line] == [
        ["Warning", "FailedScheduling", "pod/big", message]
    ]


def test_a_waiting_pod_is_placed_when_room_is_made(sim: Sim) -> None:
    for index in (1, 2, 3):
        sim.apply(
            f"""
            apiVersion: v1
            kind: Pod
            metadata: {{name: fill-{index}}}
            spec:
              containers:
              - {{name: app, image: nginx, resources: {{requests: {{memory: 6Gi}}}}}}
            """
        )
    sim.apply(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: late}
        spec:
          containers:
          - {name: app, image: nginx, resources: {requests: {memory: 4Gi}}}
        """
    )
    assert sim.node_of("late") == ""
    describe = sim.kubectl.ok("describe", "pod", "late")
    assert columns(event_lines(describe)[0])[4] == (
        "0/3 nodes are available: 3 Insufficient memory. no new claims to deallocate, preemption: "
        "0/3 nodes are available: 3 No preemption victims found for incoming pod."
    )
    sim.kubectl.ok("delete", "pod", "fill-2", "--grace-period=0", "--force")
    sim.retry()
    assert sim.node_of("late") == "node-2"


def test_node_selectors_and_labels(sim: Sim) -> None:
    sim.kubectl.ok("label", "node", "node-2", "disktype=ssd")
    sim.kubectl.ok(
        "run",
        "fast",
        "--image=nginx",
        "--overrides",
        '{"spec":{"nodeSelector":{"disktype":"ssd"}}}',
    )
    sim.kubectl.ok(
        "run",
        "faster",
        "--image=nginx",
        "--overrides",
        '{"spec":{"nodeSelector":{"disktype":"nvme"}}}',
    )
    sim.sync()
    assert sim.node_of("fast") == "node-2"
    assert columns(event_lines(sim.kubectl.ok("describe", "pod", "faster"))[0])[4] == (
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. "
        + NOT_HELPFUL
    )
    sim.kubectl.ok("label", "node", "node-3", "disktype=nvme")
    sim.retry()
    assert sim.node_of("faster") == "node-3"


def test_node_affinity(sim: Sim) -> None:
    for name, zone in (("node-1", "a"), ("node-2", "b"), ("node-3", "c")):
        sim.kubectl.ok("label", "node", name, f"zone={zone}")
    sim.apply(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: zoned}
        spec:
          containers: [{name: app, image: nginx}]
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                - matchExpressions: [{key: zone, operator: NotIn, values: [a]}]
              preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 50
                preference:
                  matchExpressions: [{key: zone, operator: In, values: [c]}]
        """
    )
    assert sim.node_of("zoned") == "node-3"


def test_taints_and_tolerations(sim: Sim) -> None:
    sim.kubectl.ok("taint", "nodes", "--all", "dedicated=gpu:NoSchedule")
    sim.kubectl.ok("run", "plain", "--image=nginx")
    sim.apply(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: tolerant}
        spec:
          containers: [{name: app, image: nginx}]
          tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]
        """
    )
    assert sim.node_of("plain") == ""
    assert columns(event_lines(sim.kubectl.ok("describe", "pod", "plain"))[0])[4] == (
        "0/3 nodes are available: 3 node(s) had untolerated taint(s). " + NOT_HELPFUL
    )
    assert sim.node_of("tolerant") == "node-1"
    sim.kubectl.ok("taint", "nodes", "--all", "dedicated-")
    sim.retry()
    assert sim.node_of("plain") != ""
    sim.kubectl.ok("taint", "nodes", "node-1", "node-2", "spot=true:PreferNoSchedule")
    sim.kubectl.ok("run", "steady", "--image=nginx")
    sim.sync()
    assert sim.node_of("steady") == "node-3"


def test_cordoned_nodes(sim: Sim) -> None:
    sim.kubectl.ok("cordon", "node-1", "node-2", "node-3")
    sim.sync()
    lines = sim.kubectl.ok("get", "nodes").splitlines()
    assert [columns(line)[1] for line in lines[1:]] == ["Ready,SchedulingDisabled"] * 3
    assert (
        "Taints:             node.kubernetes.io/unschedulable:NoSchedule"
        in sim.kubectl.ok("describe", "node", "node-1").splitlines()
    )
    sim.kubectl.ok("run", "web", "--image=nginx")
    sim.sync()
    assert columns(event_lines(sim.kubectl.ok("describe", "pod", "web"))[0])[4] == (
        "0/3 nodes are available: 3 node(s) were unschedulable. " + NOT_HELPFUL
    )
    sim.kubectl.ok("uncordon", "node-3")
    sim.retry()
    assert sim.node_of("web") == "node-3"


def test_pods_of_one_owner_are_spread(sim: Sim) -> None:
    pods = [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": f"web-{index}",
                "labels": {"app": "web"},
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "ReplicaSet",
                        "name": "web-7d4b9c6f5",
                        "uid": "0f8b4c6e-8a7d-4a39-9f1b-3c1f2b6c9d10",
                        "controller": True,
                    }
                ],
            },
            "spec": {"containers": [{"name": "app", "image": "nginx"}]},
        }
        for index in range(6)
    ]
    sim.kubectl.ok("apply", "-f", "-", stdin="\n---\n".join(json.dumps(p) for p in pods))
    sim.sync()
    wide = sim.kubectl.ok("get", "pods", "-o", "wide").splitlines()[1:]
    assert Counter(columns(line)[6] for line in wide) == {"node-1": 2, "node-2": 2, "node-3": 2}


# ----------------------------------------------------------------------- node failure


def test_a_stopped_node_is_not_ready_and_its_pods_stay(sim: Sim) -> None:
    for name in ("web-1", "web-2"):
        sim.kubectl.ok("run", name, "--image=nginx")
    sim.sync()
    assert sim.node_of("web-2") == "node-2"

    def ready(name: str) -> None:  # what the kubelet reports for a running pod
        pod = copy.deepcopy(sim.pod(name))
        pod["status"]["phase"] = "Running"
        pod["status"]["conditions"].append(
            {"type": "Ready", "status": "True", "lastProbeTime": None}
        )
        update_status(sim.running.simulator.rest, PODS, pod, "kubelet")

    for name in ("web-1", "web-2"):
        sim.running.call(ready, name)
    sim.running.call(sim.cluster.stop_node, "node-2")
    sim.advance(50)  # Unknown after the 40 s grace, NoExecute-tainted at the next check
    lines = sim.kubectl.ok("get", "nodes").splitlines()
    assert [columns(line)[:2] for line in lines[1:]] == [
        ["node-1", "Ready"],
        ["node-2", "NotReady"],
        ["node-3", "Ready"],
    ]
    describe = sim.kubectl.ok("describe", "node", "node-2")
    assert "Taints:             node.kubernetes.io/unreachable:NoExecute" in describe.splitlines()
    assert "                    node.kubernetes.io/unreachable:NoSchedule" in describe.splitlines()
    rows = [
        columns(line)
        for line in describe.split("Conditions:\n")[1].split("Addresses:")[0].splitlines()[2:]
    ]
    assert [(r[0], r[1], r[4], r[5]) for r in rows[1:]] == [
        (kind, "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")
        for kind in ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")
    ]
    assert (
        "Normal",
        "NodeNotReady",
        "node-controller",
        "Node node-2 status is now: NodeNotReady",
    ) in [(e[0], e[1], e[3], e[4]) for e in map(columns, event_lines(describe))]
    # the pod stays on its node, no longer ready; nothing reschedules it
    assert sim.node_of("web-2") == "node-2"
    ready_status = sim.kubectl.ok(
        "get", "pod", "web-2", "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'
    )
    assert ready_status == "False"
    pod_events = [columns(line) for line in event_lines(sim.kubectl.ok("describe", "pod", "web-2"))]
    assert ("Warning", "NodeNotReady", "node-controller", "Node is not ready") in [
        (e[0], e[1], e[3], e[4]) for e in pod_events
    ]
    sim.kubectl.ok("run", "web-3", "--image=nginx")
    sim.sync()
    assert sim.node_of("web-3") != "node-2"

    sim.running.call(sim.cluster.start_node, "node-2")
    sim.advance(5)
    assert columns(sim.kubectl.ok("get", "node", "node-2").splitlines()[1])[1] == "Ready"
    assert "Taints:             <none>" in sim.kubectl.ok("describe", "node", "node-2").splitlines()
