"""Unit tests for the simulated cluster's control side (backends/simulator/cluster/) over an
in-memory store and REST layer, time moved by a FakeClock: node registration and heartbeats,
the node lifecycle controller (grace periods, taints, pods marked not ready), taint-based
eviction, the scheduler's queue, binding, preemption and events, and the node power endpoint."""

from __future__ import annotations

import copy
from typing import Any

from backends.simulator.apiserver.rest import Rest
from backends.simulator.bootstrap import bootstrap
from backends.simulator.clock import FakeClock
from backends.simulator.cluster import Cluster, NodeResources, control
from backends.simulator.cluster.api import (
    CLAIMS,
    NO_QUERY,
    NODES,
    PODS,
    PRIORITY_CLASSES,
    STORAGE_CLASSES,
    create,
    patch,
    target,
    update,
    update_status,
)
from backends.simulator.cluster.nodes import HostInfo
from backends.simulator.controllers.namespaces import NamespaceDefaults
from backends.simulator.store import Store

Obj = dict[str, Any]
HOST = HostInfo("6.1.0-test", "Debian GNU/Linux 12 (bookworm)", "linux", "amd64")


def make(nodes: int = 3, **resources: Any) -> Cluster:
    rest = Rest(Store(None), FakeClock())
    bootstrap(rest, 6443)
    NamespaceDefaults(rest, "")  # the default ServiceAccount pods need
    cluster = Cluster(
        rest, rest.clock, nodes=nodes, resources=NodeResources(**resources), name="test", host=HOST
    )
    cluster.boot()
    return cluster


def advance(cluster: Cluster, seconds: float, step: float = 1.0) -> None:
    """Let ``seconds`` pass, the cluster's loop running once per ``step``."""
    clock = cluster.clock
    assert isinstance(clock, FakeClock)
    for _ in range(int(seconds / step)):
        clock.advance(step)
        cluster.sync()


def node(cluster: Cluster, name: str) -> Obj:
    found = cluster.rest.store.get("/nodes", "", name)
    assert found is not None
    return found


def get_pod(cluster: Cluster, name: str) -> Obj:
    found = cluster.rest.store.get("/pods", "default", name)
    assert found is not None
    return found


def conditions(obj: Obj) -> dict[str, Obj]:
    return {c["type"]: c for c in obj["status"].get("conditions") or []}


def taints(obj: Obj) -> list[tuple[str, str]]:
    return [(t["key"], t["effect"]) for t in obj["spec"].get("taints") or []]


def events(cluster: Cluster, reason: str) -> list[Obj]:
    return [e for e in cluster.rest.store.objects("/events") if e["reason"] == reason]


def run_pod(cluster: Cluster, name: str, **spec: Any) -> Obj:
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec},
    }
    create(cluster.rest, PODS, "default", body, "kubectl")
    cluster.sync()
    return get_pod(cluster, name)


def mark_ready(cluster: Cluster, name: str) -> None:
    """What the kubelet would do: the pod runs and is Ready."""
    ready = copy.deepcopy(get_pod(cluster, name))
    ready["status"]["phase"] = "Running"
    ready["status"]["conditions"].append(
        {
            "type": "Ready",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": "2026-01-01T00:00:00Z",
        }
    )
    update_status(cluster.rest, PODS, ready, "kubelet")


# ------------------------------------------------------------------------------ nodes


def test_nodes_register_as_kubelets_do() -> None:
    cluster = make(nodes=2)
    assert cluster.node_names == ["node-1", "node-2"]
    first = node(cluster, "node-1")
    assert first["metadata"]["labels"] == {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": "node-1",
        "kubernetes.io/os": "linux",
        "node-role.kubernetes.io/control-plane": "",
        "node.kubernetes.io/exclude-from-external-load-balancers": "",
    }
    assert (
        "node-role.kubernetes.io/control-plane" not in node(cluster, "node-2")["metadata"]["labels"]
    )
    assert first["status"]["addresses"] == [
        {"type": "InternalIP", "address": "127.18.0.1"},
        {"type": "Hostname", "address": "node-1"},
    ]
    assert node(cluster, "node-2")["spec"]["podCIDR"] == "127.244.2.0/24"
    assert first["status"]["capacity"] == {
        "cpu": "4",
        "ephemeral-storage": "100Gi",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": "8Gi",
        "pods": "110",
    }
    assert first["status"]["allocatable"] == first["status"]["capacity"]
    info = first["status"]["nodeInfo"]
    assert (info["kubeletVersion"], info["containerRuntimeVersion"], info["kernelVersion"]) == (
        "v1.37.1",
        "pykctl://0.1.0",
        "6.1.0-test",
    )
    assert [(c["type"], c["status"], c["reason"]) for c in first["status"]["conditions"]] == [
        ("NetworkUnavailable", "False", "PykctlNetworkIsUp"),
        ("MemoryPressure", "False", "KubeletHasSufficientMemory"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID"),
        ("Ready", "True", "KubeletReady"),
    ]
    assert taints(first) == []  # the not-ready taint admission added went with Ready
    assert [e["message"] for e in events(cluster, "RegisteredNode")] == [
        "Node node-1 event: Registered Node node-1 in Controller",
        "Node node-2 event: Registered Node node-2 in Controller",
    ]


def test_resources_are_configurable() -> None:
    cluster = make(nodes=1, cpu="2", memory="4Gi", pods=10)
    assert node(cluster, "node-1")["status"]["allocatable"]["memory"] == "4Gi"


def test_leases_renew_every_10_seconds_and_status_every_5_minutes() -> None:
    cluster = make(nodes=1)
    lease = cluster.rest.store.get("coordination.k8s.io/leases", "kube-node-lease", "node-1")
    assert lease is not None
    assert lease["spec"] == {
        "holderIdentity": "node-1",
        "leaseDurationSeconds": 40,
        "renewTime": "2026-01-01T00:00:00.000000Z",
    }
    assert lease["metadata"]["ownerReferences"][0]["name"] == "node-1"
    advance(cluster, 9)
    lease = cluster.rest.store.get("coordination.k8s.io/leases", "kube-node-lease", "node-1")
    assert lease is not None and lease["spec"]["renewTime"] == "2026-01-01T00:00:00.000000Z"
    advance(cluster, 1)
    lease = cluster.rest.store.get("coordination.k8s.io/leases", "kube-node-lease", "node-1")
    assert lease is not None and lease["spec"]["renewTime"] == "2026-01-01T00:00:10.000000Z"
    advance(cluster, 290, step=10)
    ready = conditions(node(cluster, "node-1"))["Ready"]
    assert ready["lastHeartbeatTime"] == "2026-01-01T00:05:00Z"
    assert ready["lastTransitionTime"] == "2026-01-01T00:00:00Z"


# ---------------------------------------------------------------------- node failure


def test_a_stopped_node_becomes_unknown_after_the_grace_period() -> None:
    cluster = make(nodes=3)
    run_pod(cluster, "web-1")
    run_pod(cluster, "web-2")
    mark_ready(cluster, "web-1")
    mark_ready(cluster, "web-2")
    victim = get_pod(cluster, "web-2")["spec"]["nodeName"]
    assert victim == "node-2"
    assert cluster.stop_node("node-2") is True
    assert cluster.stop_node("node-2") is False
    advance(cluster, 40)
    assert conditions(node(cluster, "node-2"))["Ready"]["status"] == "True"
    advance(cluster, 5)
    silent = conditions(node(cluster, "node-2"))
    for kind in ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure"):
        assert silent[kind]["status"] == "Unknown"
        assert silent[kind]["reason"] == "NodeStatusUnknown"
        assert silent[kind]["message"] == "Kubelet stopped posting node status."
    assert silent["NetworkUnavailable"]["status"] == "False"
    assert taints(node(cluster, "node-2")) == [("node.kubernetes.io/unreachable", "NoSchedule")]
    advance(cluster, 5)
    assert taints(node(cluster, "node-2")) == [
        ("node.kubernetes.io/unreachable", "NoSchedule"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
    ]
    assert [
        e["message"]
        for e in events(cluster, "NodeNotReady")
        if e["involvedObject"]["kind"] == "Node"
    ] == ["Node node-2 status is now: NodeNotReady"]
    # its pods are not ready, and stay where they are
    web2 = get_pod(cluster, "web-2")
    assert conditions(web2)["Ready"]["status"] == "False"
    assert web2["spec"]["nodeName"] == "node-2"
    assert conditions(get_pod(cluster, "web-1"))["Ready"]["status"] == "True"
    (pod_event,) = [
        e for e in events(cluster, "NodeNotReady") if e["involvedObject"]["kind"] == "Pod"
    ]
    assert (pod_event["type"], pod_event["message"], pod_event["involvedObject"]["name"]) == (
        "Warning",
        "Node is not ready",
        "web-2",
    )
    # new pods go elsewhere
    assert run_pod(cluster, "web-3")["spec"]["nodeName"] != "node-2"


def test_a_restarted_node_is_ready_again_and_its_taints_go() -> None:
    cluster = make(nodes=2)
    cluster.stop_node("node-2")
    advance(cluster, 60)
    assert cluster.start_node("node-2") is True
    assert cluster.start_node("node-2") is False
    advance(cluster, 5)
    restarted = node(cluster, "node-2")
    assert conditions(restarted)["Ready"]["status"] == "True"
    assert taints(restarted) == []
    assert [e["message"] for e in events(cluster, "NodeReady")] == [
        "Node node-2 status is now: NodeReady"
    ]
    (rebooted,) = events(cluster, "Rebooted")
    assert rebooted["type"] == "Warning"
    assert (
        rebooted["message"]
        == f"Node node-2 has been rebooted, boot id: {restarted['status']['nodeInfo']['bootID']}"
    )
    starting = [e for e in events(cluster, "Starting") if e["involvedObject"]["name"] == "node-2"]
    assert starting[0]["count"] == 2


def test_no_no_execute_taints_when_every_node_is_down() -> None:
    cluster = make(nodes=1)
    cluster.stop_node("node-1")
    advance(cluster, 120, step=5)
    assert taints(node(cluster, "node-1")) == [("node.kubernetes.io/unreachable", "NoSchedule")]


def test_pods_are_evicted_from_an_unreachable_node_after_their_toleration() -> None:
    cluster = make(nodes=2)
    run_pod(cluster, "a")
    patient = [
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}
    ]
    run_pod(cluster, "b", nodeName="node-1", tolerations=patient)
    cluster.stop_node("node-1")
    advance(cluster, 50, step=5)  # unreachable NoExecute taint from here
    advance(cluster, 295, step=5)
    assert "deletionTimestamp" not in get_pod(cluster, "a")["metadata"]
    advance(cluster, 10, step=5)
    evicted = get_pod(cluster, "a")
    assert evicted["metadata"]["deletionTimestamp"]
    assert conditions(evicted)["DisruptionTarget"]["reason"] == "DeletionByTaintManager"
    assert [e["message"] for e in events(cluster, "TaintManagerEviction")] == [
        "Marking for deletion Pod default/a"
    ]
    assert "deletionTimestamp" not in get_pod(cluster, "b")["metadata"]  # tolerates forever


def test_eviction_is_cancelled_when_the_node_comes_back() -> None:
    cluster = make(nodes=2)
    run_pod(cluster, "a")
    cluster.stop_node("node-1")
    advance(cluster, 100, step=5)
    cluster.start_node("node-1")
    advance(cluster, 10, step=5)
    assert [e["message"] for e in events(cluster, "TaintManagerEviction")] == [
        "Cancelling deletion of Pod default/a"
    ]
    advance(cluster, 400, step=10)
    assert "deletionTimestamp" not in get_pod(cluster, "a")["metadata"]


def test_a_node_that_never_posted_status_gets_the_startup_grace() -> None:
    cluster = make(nodes=1)
    body = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "ghost"}}
    create(cluster.rest, NODES, None, body, "kubectl")
    advance(cluster, 60, step=5)
    assert "Ready" not in conditions(node(cluster, "ghost"))
    advance(cluster, 5, step=5)
    ready = conditions(node(cluster, "ghost"))["Ready"]
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "Unknown",
        "NodeStatusNeverUpdated",
        "Kubelet never posted node status.",
    )


# ------------------------------------------------------------------------- scheduling


def test_pods_are_bound_with_a_scheduled_event() -> None:
    cluster = make(nodes=1)
    web = run_pod(cluster, "web")
    assert web["spec"]["nodeName"] == "node-1"
    assert conditions(web)["PodScheduled"]["status"] == "True"
    (scheduled,) = events(cluster, "Scheduled")
    assert scheduled["message"] == "Successfully assigned default/web to node-1"
    assert (
        scheduled["action"],
        scheduled["reportingComponent"],
        scheduled["reportingInstance"],
    ) == (
        "Binding",
        "default-scheduler",
        "default-scheduler-node-1",
    )


def test_unschedulable_pods_wait_for_the_cluster_to_change() -> None:
    cluster = make(nodes=1, memory="8Gi")
    run_pod(
        cluster,
        "db",
        containers=[{"name": "c", "image": "x", "resources": {"requests": {"memory": "6Gi"}}}],
    )
    big = run_pod(
        cluster,
        "big",
        containers=[{"name": "c", "image": "x", "resources": {"requests": {"memory": "4Gi"}}}],
    )
    scheduled = conditions(big)["PodScheduled"]
    expected = (
        "0/1 nodes are available: 1 Insufficient memory. no new claims to deallocate, preemption: "
        "0/1 nodes are available: 1 No preemption victims found for incoming pod."
    )
    assert (scheduled["status"], scheduled["reason"], scheduled["message"]) == (
        "False",
        "Unschedulable",
        expected,
    )
    (failed,) = events(cluster, "FailedScheduling")
    assert (failed["type"], failed["message"], failed["action"]) == (
        "Warning",
        expected,
        "Scheduling",
    )
    advance(cluster, 300, step=10)  # retried after 5 minutes: the pod changed since (status)
    assert [e.get("series") for e in events(cluster, "FailedScheduling")] == [None, None]
    advance(cluster, 300, step=10)  # retried again: the same pod, the same event
    assert [e.get("series", {}).get("count") for e in events(cluster, "FailedScheduling")] == [
        None,
        2,
    ]
    cluster.rest.delete(target(PODS, "default", "db"), {"gracePeriodSeconds": 0}, NO_QUERY)
    advance(cluster, 4)  # the third attempt's backoff
    assert get_pod(cluster, "big")["spec"]["nodeName"] == "node-1"


def test_finished_pods_free_their_resources() -> None:
    cluster = make(nodes=1, memory="8Gi")
    requests = {"resources": {"requests": {"memory": "6Gi"}}}
    run_pod(cluster, "job", containers=[{"name": "c", "image": "x", **requests}])
    assert (
        run_pod(cluster, "web", containers=[{"name": "c", "image": "x", **requests}])["spec"].get(
            "nodeName"
        )
        is None
    )
    done = copy.deepcopy(get_pod(cluster, "job"))
    done["status"]["phase"] = "Succeeded"
    update_status(cluster.rest, PODS, done, "kubelet")
    advance(cluster, 1)
    assert get_pod(cluster, "web")["spec"]["nodeName"] == "node-1"


def test_uncordoning_a_node_schedules_waiting_pods() -> None:
    cluster = make(nodes=2)
    for name in ("node-1", "node-2"):
        patch(cluster.rest, NODES, None, name, {"spec": {"unschedulable": True}}, "kubectl")
    cluster.sync()
    assert taints(node(cluster, "node-1")) == [("node.kubernetes.io/unschedulable", "NoSchedule")]
    waiting = run_pod(cluster, "web")
    assert conditions(waiting)["PodScheduled"]["message"] == (
        "0/2 nodes are available: 2 node(s) were unschedulable. no new claims to deallocate, "
        "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
    )
    patch(cluster.rest, NODES, None, "node-2", {"spec": {"unschedulable": None}}, "kubectl")
    cluster.sync()
    assert get_pod(cluster, "web")["spec"].get("nodeName") is None  # backing off for 1 s
    advance(cluster, 1)
    assert get_pod(cluster, "web")["spec"]["nodeName"] == "node-2"
    assert taints(node(cluster, "node-2")) == []


def test_a_new_node_label_schedules_a_waiting_pod() -> None:
    cluster = make(nodes=2)
    assert run_pod(cluster, "web", nodeSelector={"disktype": "ssd"})["spec"].get("nodeName") is None
    patch(
        cluster.rest,
        NODES,
        None,
        "node-2",
        {"metadata": {"labels": {"disktype": "ssd"}}},
        "kubectl",
    )
    advance(cluster, 1)
    assert get_pod(cluster, "web")["spec"]["nodeName"] == "node-2"


def test_higher_priority_pods_preempt() -> None:
    cluster = make(nodes=1, cpu="2")
    high = {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": {"name": "high"},
        "value": 1000,
    }
    create(cluster.rest, PRIORITY_CLASSES, None, high, "kubectl")
    requests = {"resources": {"requests": {"cpu": "2"}}}
    run_pod(cluster, "low", containers=[{"name": "c", "image": "x", **requests}])
    urgent = run_pod(
        cluster,
        "urgent",
        priorityClassName="high",
        containers=[{"name": "c", "image": "x", **requests}],
    )
    assert urgent["status"]["nominatedNodeName"] == "node-1"
    assert (
        conditions(urgent)["PodScheduled"]["message"]
        == "0/1 nodes are available: 1 Insufficient cpu."
    )
    low = get_pod(cluster, "low")
    assert low["metadata"]["deletionTimestamp"]
    assert conditions(low)["DisruptionTarget"]["message"] == (
        "default-scheduler: preempting to accommodate a higher priority pod"
    )
    (preempted,) = events(cluster, "Preempted")
    assert preempted["message"] == f"Preempted by pod {urgent['metadata']['uid']} on node node-1"
    advance(cluster, 300, step=10)  # retried while the victim terminates: no more preemption
    assert conditions(get_pod(cluster, "urgent"))["PodScheduled"]["message"] == (
        "0/1 nodes are available: 1 Insufficient cpu. no new claims to deallocate, "
        "preemption: not eligible due to a terminating pod on the nominated node."
    )
    assert len(events(cluster, "Preempted")) == 1
    cluster.rest.store.delete("/pods", "default", "low")  # the kubelet finished it
    advance(cluster, 2)  # the second attempt's backoff
    bound = get_pod(cluster, "urgent")
    assert bound["spec"]["nodeName"] == "node-1"
    assert "nominatedNodeName" not in bound["status"]


def test_wait_for_first_consumer_claims_are_provisioned_on_the_chosen_node() -> None:
    cluster = make(nodes=2)
    storage_class = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": "standard"},
        "provisioner": "pykctl.io/hostpath",
        "volumeBindingMode": "WaitForFirstConsumer",
    }
    create(cluster.rest, STORAGE_CLASSES, None, storage_class, "kubectl")
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data"},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": "standard",
            "resources": {"requests": {"storage": "1Gi"}},
        },
    }
    create(cluster.rest, CLAIMS, "default", claim, "kubectl")
    volumes = [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    assert run_pod(cluster, "db", volumes=volumes)["spec"].get("nodeName") is None
    stored = cluster.rest.store.get("/persistentvolumeclaims", "default", "data")
    assert stored is not None
    assert stored["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == "node-1"
    bound = copy.deepcopy(stored)
    bound["spec"]["volumeName"] = "pv-1"
    bound = copy.deepcopy(update(cluster.rest, CLAIMS, bound, "provisioner"))
    bound["status"] = {"phase": "Bound"}
    update_status(cluster.rest, CLAIMS, bound, "provisioner")
    advance(cluster, 1)
    assert get_pod(cluster, "db")["spec"]["nodeName"] == "node-1"


# --------------------------------------------------------------------- node power API


def test_the_node_power_endpoint() -> None:
    cluster = make(nodes=2)
    assert control.serve(cluster, "POST", "/pykctl/v1/nodes/node-2/stop") == (
        200,
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "message": "node/node-2 stopped",
            "code": 200,
        },
    )
    assert (
        control.serve(cluster, "POST", "/pykctl/v1/nodes/node-2/stop")[1]["message"]
        == "node/node-2 already stopped"
    )
    assert (
        control.serve(cluster, "POST", "/pykctl/v1/nodes/node-2/start")[1]["message"]
        == "node/node-2 started"
    )
    assert (
        control.serve(cluster, "POST", "/pykctl/v1/nodes/node-2/start")[1]["message"]
        == "node/node-2 already started"
    )
    code, body = control.serve(cluster, "POST", "/pykctl/v1/nodes/node-9/stop")
    assert (code, body["reason"], body["message"]) == (404, "NotFound", 'nodes "node-9" not found')
    assert control.serve(cluster, "POST", "/pykctl/v1/nodes/node-1/reboot")[0] == 404
    assert control.serve(cluster, "GET", "/pykctl/v1/nodes/node-1/stop")[0] == 405


def test_a_cluster_without_nodes_says_so() -> None:
    cluster = make(nodes=0)
    waiting = run_pod(cluster, "web")
    assert conditions(waiting)["PodScheduled"]["message"] == "no nodes available to schedule pods"
    assert (
        events(cluster, "FailedScheduling")[0]["message"] == "no nodes available to schedule pods"
    )
