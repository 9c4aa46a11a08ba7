"""Unit tests for the scheduler's pure parts: placement (filters, scores, FitError messages),
preemption (victims and post-filter messages), pod requests and the scheduling queue.

Messages are kube-scheduler v1.37's word for word (FitError histogram sorted as strings,
DynamicResources' "no new claims to deallocate" before DefaultPreemption's verdicts).
"""

from __future__ import annotations

from typing import Any

import pytest

from backends.objects.selectors import selector_from_set
from backends.simulator.clock import FakeClock
from backends.simulator.cluster import placement, preemption
from backends.simulator.cluster.placement import NodeInfo, Rejection, Snapshot, fit_error, schedule
from backends.simulator.cluster.queue import SchedulingQueue
from backends.simulator.cluster.resources import pod_requests

Obj = dict[str, Any]
GI = 1024**3


def node(
    name: str,
    cpu: str = "4",
    memory: str = "8Gi",
    pods: int = 110,
    labels: dict[str, str] | None = None,
    taints: list[Obj] | None = None,
    unschedulable: bool = False,
) -> Obj:
    spec: Obj = {"taints": taints or []}
    if unschedulable:
        spec["unschedulable"] = True
    return {
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
        "spec": spec,
        "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": str(pods)}},
    }


def pod(
    name: str = "web",
    cpu: str | None = None,
    memory: str | None = None,
    priority: int = 0,
    owner: str | None = None,
    labels: dict[str, str] | None = None,
    **spec: Any,
) -> Obj:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    container: Obj = {"name": "c", "image": "nginx"}
    if requests:
        container["resources"] = {"requests": requests}
    meta: Obj = {"name": name, "namespace": "default", "labels": labels or {}, "uid": f"uid-{name}"}
    if owner:
        meta["ownerReferences"] = [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "rs",
                "uid": owner,
                "controller": True,
            }
        ]
    return {"metadata": meta, "spec": {"containers": [container], "priority": priority, **spec}}


def cluster(*nodes: Obj, placed: dict[str, list[Obj]] | None = None, **extra: Any) -> Snapshot:
    infos = [NodeInfo.of(n, (placed or {}).get(n["metadata"]["name"], [])) for n in nodes]
    return Snapshot(infos, **extra)


def message(p: Obj, snapshot: Snapshot) -> str:
    """What kube-scheduler says when ``p`` fits nowhere (FailedScheduling / PodScheduled)."""
    decision = schedule(p, snapshot)
    assert decision.node is None, decision
    post = preemption.post_filter(p, snapshot, decision)
    return fit_error(
        len(snapshot.nodes), decision.rejections, decision.prefilter_message, post.message
    )


THREE = (node("node-1"), node("node-2"), node("node-3"))
NOT_HELPFUL = "no new claims to deallocate, preemption: 0/{n} nodes are available: {n} Preemption is not helpful for scheduling."


# ------------------------------------------------------------------------- messages


def test_fit_error_sorts_the_histogram_as_strings() -> None:
    rejections = {f"n{i}": Rejection(("Insufficient cpu",)) for i in range(10)}
    rejections["x"] = Rejection(("node(s) had untolerated taint(s)",))
    rejections["y"] = Rejection(("node(s) had untolerated taint(s)",))
    assert fit_error(12, rejections) == (
        "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) had untolerated taint(s)."
    )


def test_fit_error_with_prefilter_and_postfilter_messages() -> None:
    assert (
        fit_error(2, {}, prefilter='persistentvolumeclaim "data" not found', postfilter="x.")
        == '0/2 nodes are available: persistentvolumeclaim "data" not found. x.'
    )


def test_more_memory_than_any_node_has() -> None:
    assert message(pod(memory="100Gi"), cluster(*THREE)) == (
        "0/3 nodes are available: 3 Insufficient memory. " + NOT_HELPFUL.format(n=3)
    )


def test_memory_taken_by_other_pods_has_no_preemption_victims() -> None:
    snapshot = cluster(node("node-1"), placed={"node-1": [pod("db", memory="6Gi")]})
    assert message(pod(memory="4Gi"), snapshot) == (
        "0/1 nodes are available: 1 Insufficient memory. no new claims to deallocate, "
        "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
    )


def test_each_insufficient_resource_is_counted() -> None:
    snapshot = cluster(node("node-1", pods=1), placed={"node-1": [pod("db")]})
    assert message(pod(cpu="8", memory="16Gi"), snapshot).startswith(
        "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods."
    )


def test_mixed_reasons_and_preemption_verdicts() -> None:
    tainted = node("node-1", taints=[{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}])
    snapshot = cluster(
        tainted,
        node("node-2"),
        node("node-3"),
        placed={"node-2": [pod("a", cpu="3")], "node-3": [pod("b", cpu="3")]},
    )
    assert message(pod(cpu="2"), snapshot) == (
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. "
        "no new claims to deallocate, preemption: 0/3 nodes are available: "
        "1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    )


def test_preemption_policy_never() -> None:
    snapshot = cluster(node("node-1", cpu="1"), placed={"node-1": [pod("a", cpu="1")]})
    assert message(pod(cpu="1", preemptionPolicy="Never"), snapshot) == (
        "0/1 nodes are available: 1 Insufficient cpu. no new claims to deallocate, "
        "preemption: not eligible due to preemptionPolicy=Never."
    )


def test_unbound_claims_reject_every_node_before_filtering() -> None:
    volumes = [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    assert message(pod(volumes=volumes), cluster(*THREE)) == (
        '0/3 nodes are available: persistentvolumeclaim "data" not found. '
        + NOT_HELPFUL.format(n=3)
    )
    claim = {
        "metadata": {"name": "data", "namespace": "default"},
        "spec": {},
        "status": {"phase": "Pending"},
    }
    snapshot = cluster(*THREE, claims={("default", "data"): claim})
    assert message(pod(volumes=volumes), snapshot).startswith(
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
    )
    waiting = cluster(
        *THREE,
        claims={("default", "data"): {**claim, "spec": {"storageClassName": "standard"}}},
        binding_modes={"standard": "WaitForFirstConsumer"},
    )
    assert schedule(pod(volumes=volumes), waiting).node == "node-1"


# ----------------------------------------------------------------------------- filters


def test_requests_fit_allocatable_minus_what_is_placed() -> None:
    snapshot = cluster(node("node-1", memory="8Gi"), placed={"node-1": [pod("a", memory="5Gi")]})
    assert schedule(pod(memory="3Gi"), snapshot).node == "node-1"
    assert schedule(pod(memory="3073Mi"), snapshot).node is None


def test_pods_per_node_are_limited() -> None:
    snapshot = cluster(node("node-1", pods=2), placed={"node-1": [pod("a"), pod("b")]})
    assert schedule(pod(), snapshot).rejections["node-1"].reasons == ("Too many pods",)


def test_cordoned_node() -> None:
    assert message(pod(), cluster(node("node-1", unschedulable=True))).startswith(
        "0/1 nodes are available: 1 node(s) were unschedulable. "
    )
    toleration = [
        {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}
    ]
    assert (
        schedule(pod(tolerations=toleration), cluster(node("node-1", unschedulable=True))).node
        == "node-1"
    )


def test_node_selector() -> None:
    snapshot = cluster(node("node-1"), node("node-2", labels={"disktype": "ssd"}), node("node-3"))
    assert schedule(pod(nodeSelector={"disktype": "ssd"}), snapshot).node == "node-2"
    assert message(pod(nodeSelector={"disktype": "hdd"}), snapshot) == (
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. "
        + NOT_HELPFUL.format(n=3)
    )


def required(*expressions: Obj) -> Obj:
    term = {"matchExpressions": list(expressions)}
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}
        }
    }


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ({"key": "zone", "operator": "In", "values": ["b", "c"]}, "node-2"),
        ({"key": "zone", "operator": "NotIn", "values": ["a"]}, "node-2"),
        ({"key": "gpu", "operator": "Exists"}, "node-3"),
        ({"key": "zone", "operator": "DoesNotExist"}, "node-3"),
        ({"key": "cores", "operator": "Gt", "values": ["16"]}, "node-2"),
        ({"key": "cores", "operator": "Lt", "values": ["16"]}, "node-1"),
    ],
)
def test_required_node_affinity_operators(expression: Obj, expected: str) -> None:
    snapshot = cluster(
        node("node-1", labels={"zone": "a", "cores": "8"}),
        node("node-2", labels={"zone": "b", "cores": "32"}),
        node("node-3", labels={"gpu": "yes"}),
    )
    decision = schedule(pod(affinity=required(expression)), snapshot)
    assert decision.node == expected


def test_match_fields_on_the_node_name_and_empty_terms() -> None:
    fields = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-3"]}]}
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [fields]}
        }
    }
    assert schedule(pod(affinity=affinity), cluster(*THREE)).node == "node-3"
    empty: Obj = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{}]}
        }
    }
    assert schedule(pod(affinity=empty), cluster(*THREE)).node is None


def test_preferred_node_affinity_is_a_score() -> None:
    preferred = [
        {
            "weight": 10,
            "preference": {
                "matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]
            },
        },
        {
            "weight": 80,
            "preference": {
                "matchExpressions": [{"key": "zone", "operator": "In", "values": ["c"]}]
            },
        },
    ]
    snapshot = cluster(
        node("node-1", labels={"zone": "a"}),
        node("node-2", labels={"zone": "b"}),
        node("node-3", labels={"zone": "c"}),
    )
    affinity = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": preferred}}
    assert schedule(pod(affinity=affinity), snapshot).node == "node-3"


@pytest.mark.parametrize("effect", ["NoSchedule", "NoExecute"])
def test_taints_need_tolerations(effect: str) -> None:
    taint = {"key": "dedicated", "value": "gpu", "effect": effect}
    snapshot = cluster(node("node-1", taints=[taint]), node("node-2", taints=[taint]))
    assert message(pod(), snapshot).startswith(
        "0/2 nodes are available: 2 node(s) had untolerated taint(s). "
    )
    for toleration in (
        {"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": effect},
        {"key": "dedicated", "operator": "Exists"},
        {"operator": "Exists"},
    ):
        assert schedule(pod(tolerations=[toleration]), snapshot).node == "node-1"
    wrong_value = {"key": "dedicated", "operator": "Equal", "value": "cpu"}
    assert schedule(pod(tolerations=[wrong_value]), snapshot).node is None


def test_prefer_no_schedule_taints_are_avoided_not_forbidden() -> None:
    soft = {"key": "spot", "value": "true", "effect": "PreferNoSchedule"}
    assert schedule(pod(), cluster(node("node-1", taints=[soft]), node("node-2"))).node == "node-2"
    assert schedule(pod(), cluster(node("node-1", taints=[soft]))).node == "node-1"


def test_host_ports_conflict() -> None:
    with_port = {
        "containers": [
            {"name": "c", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 8080}]}
        ]
    }
    placed = {**pod("a"), "spec": with_port}
    snapshot = cluster(node("node-1"), placed={"node-1": [placed]})
    assert message({**pod("b"), "spec": with_port}, snapshot).startswith(
        "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. "
        "no new claims to deallocate, preemption: 0/1 nodes are available: 1 No preemption victims"
    )


def test_topology_spread_constraint_do_not_schedule() -> None:
    constraint = {
        "maxSkew": 1,
        "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app": "web"}},
    }
    web = [pod(f"w{i}", labels={"app": "web"}) for i in range(3)]
    snapshot = cluster(
        node("node-1"), node("node-2"), placed={"node-1": web[:2], "node-2": web[2:]}
    )
    decision = schedule(
        pod(labels={"app": "web"}, topologySpreadConstraints=[constraint]), snapshot
    )
    assert decision.node == "node-2"
    assert decision.rejections["node-1"].reasons == (
        "node(s) didn't match pod topology spread constraints",
    )


def test_pod_anti_affinity_and_affinity() -> None:
    term = {
        "labelSelector": {"matchLabels": {"app": "web"}},
        "topologyKey": "kubernetes.io/hostname",
    }
    anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}
    snapshot = cluster(
        node("node-1"), node("node-2"), placed={"node-1": [pod("w", labels={"app": "web"})]}
    )
    assert schedule(pod(labels={"app": "web"}, affinity=anti), snapshot).node == "node-2"
    both = cluster(
        node("node-1"),
        node("node-2"),
        placed={
            "node-1": [pod("w", labels={"app": "web"})],
            "node-2": [pod("v", labels={"app": "web"})],
        },
    )
    assert message(pod(affinity=anti), both).startswith(
        "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. "
    )
    together = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}
    assert schedule(pod(affinity=together), snapshot).node == "node-1"
    alone = cluster(node("node-1"), node("node-2"))
    assert message(pod(affinity=together), alone).startswith(
        "0/2 nodes are available: 2 node(s) didn't match pod affinity rules. "
    )
    # the first of a group whose affinity selects itself may go anywhere
    assert schedule(pod(labels={"app": "web"}, affinity=together), alone).node == "node-1"


def test_existing_pods_anti_affinity_keeps_others_away() -> None:
    term = {
        "labelSelector": {"matchLabels": {"app": "web"}},
        "topologyKey": "kubernetes.io/hostname",
    }
    loner = pod(
        "loner",
        affinity={"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}},
    )
    snapshot = cluster(node("node-1"), placed={"node-1": [loner]})
    assert schedule(pod(labels={"app": "web"}), snapshot).rejections["node-1"].reasons == (
        "node(s) didn't satisfy existing pods anti-affinity rules",
    )


# ------------------------------------------------------------------------------ scores


def test_pods_of_one_controller_spread_over_the_nodes() -> None:
    placed: dict[str, list[Obj]] = {}
    chosen = []
    for index in range(6):
        replica = pod(f"web-{index}", owner="rs-uid")
        target = schedule(replica, cluster(*THREE, placed=placed)).node
        assert target is not None
        chosen.append(target)
        placed.setdefault(target, []).append(replica)
    assert chosen == ["node-1", "node-2", "node-3", "node-1", "node-2", "node-3"]


def test_spreading_follows_the_default_selector_of_services() -> None:
    others = [pod(f"o{i}", labels={"app": "web"}) for i in range(2)]
    snapshot = cluster(
        node("node-1"),
        node("node-2", memory="16Gi", cpu="8"),
        placed={"node-2": others},
        default_selector=lambda p: selector_from_set({"app": "web"}),
    )
    decision = schedule(pod(labels={"app": "web"}), snapshot)
    assert decision.node == "node-1"
    assert decision.scores["node-1"] > decision.scores["node-2"]


def test_least_allocated_prefers_the_emptier_node() -> None:
    snapshot = cluster(
        node("node-1"), node("node-2"), placed={"node-1": [pod("a", cpu="2", memory="4Gi")]}
    )
    assert schedule(pod(cpu="1", memory="1Gi"), snapshot).node == "node-2"


def test_default_selector_merges_services_and_the_controller() -> None:
    p = pod(labels={"app": "web", "tier": "fe"}, owner="u")
    service = {"metadata": {"namespace": "default"}, "spec": {"selector": {"app": "web"}}}
    other_ns = {"metadata": {"namespace": "other"}, "spec": {"selector": {"tier": "fe"}}}
    rs = {"spec": {"selector": {"matchLabels": {"tier": "fe"}}}}
    selector = placement.default_selector(
        p, [service, other_ns], {("ReplicaSet", "default", "rs"): rs}
    )
    assert str(selector) == "app=web,tier=fe"
    assert placement.default_selector(pod(), [service], {}).empty()


# -------------------------------------------------------------------------- preemption


def test_preemption_picks_the_fewest_lowest_priority_victims() -> None:
    snapshot = cluster(
        node("node-1", cpu="2"),
        node("node-2", cpu="2"),
        placed={
            "node-1": [pod("a", cpu="1", priority=50), pod("b", cpu="1", priority=10)],
            "node-2": [pod("c", cpu="2", priority=100)],
        },
    )
    urgent = pod("urgent", cpu="1", priority=1000)
    decision = schedule(urgent, snapshot)
    post = preemption.post_filter(urgent, snapshot, decision)
    assert post.message == ""
    assert post.node == "node-1"
    assert [v["metadata"]["name"] for v in post.victims] == ["b"]
    assert (
        fit_error(2, decision.rejections, "", post.message)
        == "0/2 nodes are available: 2 Insufficient cpu."
    )


def test_no_preemption_while_a_victim_is_terminating_on_the_nominated_node() -> None:
    victim = pod("a", cpu="2")
    victim["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:30Z"
    victim["status"] = {
        "conditions": [{"type": "DisruptionTarget", "reason": "PreemptionByScheduler"}]
    }
    snapshot = cluster(node("node-1", cpu="2"), placed={"node-1": [victim]})
    urgent = {**pod("urgent", cpu="1", priority=10), "status": {"nominatedNodeName": "node-1"}}
    assert message(urgent, snapshot).endswith(
        "preemption: not eligible due to a terminating pod on the nominated node."
    )


# ---------------------------------------------------------------------------- requests


def test_pod_requests_count_init_containers_as_a_maximum_and_sidecars_as_a_sum() -> None:
    spec: Obj = {
        "initContainers": [
            {"name": "i1", "resources": {"requests": {"cpu": "2", "memory": "1G"}}},
            {"name": "i2", "resources": {"requests": {"cpu": "2", "memory": "3G"}}},
        ],
        "containers": [
            {"name": "c1", "resources": {"requests": {"cpu": "2", "memory": "1G"}}},
            {"name": "c2", "resources": {"requests": {"cpu": "1", "memory": "1G"}}},
        ],
    }
    assert pod_requests({"spec": spec}) == {"cpu": 3000, "memory": 3 * 10**9}
    sidecar = {"name": "s", "restartPolicy": "Always", "resources": {"requests": {"cpu": "500m"}}}
    spec["initContainers"] = [sidecar, *spec["initContainers"]]
    assert pod_requests({"spec": spec}) == {"cpu": 3500, "memory": 3 * 10**9}
    spec["overhead"] = {"memory": "100M"}
    spec["resources"] = {"requests": {"cpu": "5"}}
    assert pod_requests({"spec": spec}) == {"cpu": 5000, "memory": 3 * 10**9 + 10**8}


def test_non_zero_requests_for_scoring() -> None:
    assert pod_requests(pod(), non_zero=True) == {"cpu": 100, "memory": 200 * 1024 * 1024}
    assert pod_requests(pod(cpu="1"), non_zero=True) == {"cpu": 1000, "memory": 200 * 1024 * 1024}


def test_no_nodes_at_all() -> None:
    decision = schedule(pod(), Snapshot([]))
    assert decision.node is None and decision.rejections == {}
    assert placement.NO_NODES_AVAILABLE == "no nodes available to schedule pods"


# ------------------------------------------------------------------------------- queue


def test_the_queue_backs_off_failed_pods_from_1_to_10_seconds() -> None:
    clock = FakeClock()
    queue = SchedulingQueue(clock)
    queue.add(("default", "b"))
    queue.add(("default", "a"))
    assert queue.ready() == [("default", "b"), ("default", "a")]  # arrival order
    waits = []
    for _ in range(6):
        queue.failed(("default", "a"))
        queue.cluster_changed()
        waited = 0
        while not queue.ready():
            clock.advance(1)
            waited += 1
        waits.append(waited)
    assert waits == [1, 2, 4, 8, 10, 10]


def test_the_queue_retries_parked_pods_after_5_minutes() -> None:
    clock = FakeClock()
    queue = SchedulingQueue(clock)
    queue.failed(("default", "a"))
    clock.advance(299)
    assert queue.ready() == []
    clock.advance(1)
    assert queue.ready() == [("default", "a")]
    queue.failed(("default", "a"))
    queue.remove(("default", "a"))
    queue.cluster_changed()
    clock.advance(300)
    assert queue.ready() == [] and not queue.pending()
