"""Unit tests for the simulator's controllers over an in-memory store and REST layer, time
moved by a FakeClock and queues drained by ``ControllerManager.sync()``: the work queue and
expectations, the ReplicaSet controller (create, replace, adopt, release, scale-down order,
status), the garbage collector (background, foreground, orphan) with the API server's
deletion finalizers, and the endpoints/endpointslice controller."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from backends.simulator.apiserver.deletion import deletion_finalizers
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.rest import Rest
from backends.simulator.bootstrap import bootstrap
from backends.simulator.clock import FakeClock, rfc3339
from backends.simulator.cluster.api import (
    NO_QUERY,
    PODS,
    REPLICA_SETS,
    REPLICATION_CONTROLLERS,
    SERVICES,
    create,
    target,
    update,
    update_status,
)
from backends.simulator.cluster.scheduler import bind
from backends.simulator.controllers.endpoints import ENDPOINTS, EndpointsController
from backends.simulator.controllers.framework import (
    ControllerManager,
    Expectations,
    WorkQueue,
)
from backends.simulator.controllers.garbage_collector import GarbageCollector
from backends.simulator.controllers.namespaces import NamespaceDefaults
from backends.simulator.controllers.replicaset import (
    REPLICATION_CONTROLLERS as RC_WORKLOAD,
)
from backends.simulator.controllers.replicaset import (
    ReplicaSetController,
    deletion_order,
)
from backends.simulator.store import Store

Obj = dict[str, Any]


class Harness:
    """A store, the REST layer and a controller manager on a FakeClock."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.rest = Rest(Store(None), self.clock)
        bootstrap(self.rest, 6443)
        NamespaceDefaults(self.rest, "")
        self.manager = ControllerManager(
            self.rest,
            self.clock,
            [
                ReplicaSetController(self.rest, self.clock),
                ReplicaSetController(self.rest, self.clock, RC_WORKLOAD),
                GarbageCollector(self.rest, self.clock),
                EndpointsController(self.rest, self.clock),
            ],
        )
        self.manager.attach()

    def pods(self) -> list[Obj]:
        return self.rest.store.objects("/pods", "default")

    def pod(self, name: str) -> Obj:
        found = self.rest.store.get("/pods", "default", name)
        assert found is not None
        return found

    def rs(self, name: str = "web") -> Obj | None:
        return self.rest.store.get("apps/replicasets", "default", name)

    def events(self) -> list[tuple[str, str]]:
        return [(e["reason"], e["message"]) for e in self.rest.store.objects("/events", "default")]

    def run(self, pod: Obj, ready: bool = True, node: str = "node-1", ip: str = "") -> Obj:
        """Play scheduler and kubelet: bind ``pod`` and report it Running (and Ready)."""
        bound = copy.deepcopy(bind(self.rest, self.clock, pod, node))
        now = rfc3339(self.clock.now())
        bound["status"] = {
            "phase": "Running",
            "podIP": ip or f"127.244.0.{len(self.pods()) + 1}",
            "conditions": [
                {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": now}
            ],
        }
        return update_status(self.rest, PODS, bound, "test")

    def delete(self, resource: Any, name: str, **options: Any) -> None:
        self.rest.delete(target(resource, "default", name), options, NO_QUERY)


def replica_set(replicas: int = 3, name: str = "web", **spec: Any) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "busybox",
                            "ports": [{"containerPort": 8080, "name": "http"}],
                        }
                    ]
                },
            },
            **spec,
        },
    }


def bare_pod(name: str, labels: dict[str, str]) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }


@pytest.fixture
def harness() -> Harness:
    return Harness()


# ---------------------------------------------------------------------------- framework


def test_work_queue_backs_off_exponentially_and_forgets() -> None:
    clock = FakeClock()
    queue = WorkQueue(clock)
    queue.add("a")
    queue.add("a")
    assert queue.take() == ["a"] and queue.take() == []
    queue.add_rate_limited("a")
    queue.add_rate_limited("a")  # 5 ms, then 10 ms
    assert not queue.pending()
    clock.advance(0.005)
    assert queue.take() == ["a"]
    clock.advance(0.005)
    assert queue.take() == ["a"]
    assert queue.limiter.retries("a") == 2
    queue.forget("a")
    assert queue.limiter.when("a") == pytest.approx(0.005)


def test_work_queue_bucket_limits_bursts() -> None:
    clock = FakeClock()
    queue = WorkQueue(clock)
    delays = [queue.limiter.when(f"k{i}") for i in range(101)]
    assert delays[:100] == [0.005] * 100
    assert delays[100] == pytest.approx(0.1)


def test_expectations_block_until_observed_or_expired() -> None:
    clock = FakeClock()
    expectations = Expectations(clock)
    expectations.expect("ns/rs", adds=2)
    assert not expectations.satisfied("ns/rs")
    expectations.creation_observed("ns/rs")
    expectations.creation_observed("ns/rs")
    assert expectations.satisfied("ns/rs")
    expectations.expect("ns/rs", deletes=["ns/p"])
    assert not expectations.satisfied("ns/rs")
    clock.advance(301)
    assert expectations.satisfied("ns/rs")


# --------------------------------------------------------------------------- replicaset


def test_replicaset_creates_pods_with_controller_refs_and_events(harness: Harness) -> None:
    create(harness.rest, REPLICA_SETS, "default", replica_set(), "kubectl")
    harness.manager.sync()
    pods = harness.pods()
    assert len(pods) == 3
    owner = harness.rs()
    assert owner is not None
    for pod in pods:
        assert pod["metadata"]["name"].startswith("web-") and len(pod["metadata"]["name"]) == 9
        assert pod["metadata"]["generateName"] == "web-"
        assert pod["metadata"]["labels"] == {"app": "web"}
        assert pod["metadata"]["ownerReferences"] == [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "web",
                "uid": owner["metadata"]["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    assert sorted(harness.events()) == sorted(
        ("SuccessfulCreate", f"Created pod: {p['metadata']['name']}") for p in pods
    )
    assert owner["status"] == {"replicas": 3, "fullyLabeledReplicas": 3, "observedGeneration": 1}


def test_replicaset_replaces_deleted_pod_and_counts_ready(harness: Harness) -> None:
    create(harness.rest, REPLICA_SETS, "default", replica_set(minReadySeconds=10), "kubectl")
    harness.manager.sync()
    for pod in harness.pods():
        harness.run(pod)
    harness.manager.sync()
    status = (harness.rs() or {})["status"]
    assert (status["readyReplicas"], status.get("availableReplicas")) == (3, None)
    harness.clock.advance(11)
    harness.manager.sync()
    assert (harness.rs() or {})["status"]["availableReplicas"] == 3
    victim = harness.pods()[0]["metadata"]["name"]
    harness.delete(PODS, victim, gracePeriodSeconds=0)
    harness.manager.sync()
    names = [p["metadata"]["name"] for p in harness.pods()]
    assert len(names) == 3 and victim not in names
    assert (harness.rs() or {})["status"]["readyReplicas"] == 2


def test_replicaset_adopts_orphans_and_releases_relabelled_pods(harness: Harness) -> None:
    create(harness.rest, PODS, "default", bare_pod("lonely", {"app": "web"}), "kubectl")
    create(harness.rest, REPLICA_SETS, "default", replica_set(), "kubectl")
    harness.manager.sync()
    assert len(harness.pods()) == 3
    adopted = harness.pod("lonely")
    assert adopted["metadata"]["ownerReferences"][0]["name"] == "web"
    quarantined = copy.deepcopy(adopted)
    quarantined["metadata"]["labels"] = {"app": "debug"}
    update(harness.rest, PODS, quarantined, "kubectl")
    harness.manager.sync()
    assert "ownerReferences" not in harness.pod("lonely")["metadata"]
    owned = [p for p in harness.pods() if p["metadata"].get("ownerReferences")]
    assert len(owned) == 3 and len(harness.pods()) == 4


def test_scale_down_removes_unscheduled_then_not_ready_pods_first(harness: Harness) -> None:
    create(harness.rest, REPLICA_SETS, "default", replica_set(4), "kubectl")
    harness.manager.sync()
    pods = harness.pods()
    harness.run(pods[0], ready=True)
    harness.run(pods[1], ready=False)
    harness.clock.advance(100)
    harness.run(pods[2], ready=True)  # ready more recently than pods[0]
    unscheduled = pods[3]["metadata"]["name"]
    ordered = [
        p["metadata"]["name"] for p in deletion_order(harness.pods(), [], harness.clock.now())
    ]
    assert ordered == [
        unscheduled,
        pods[1]["metadata"]["name"],
        pods[2]["metadata"]["name"],
        pods[0]["metadata"]["name"],
    ]
    scaled = copy.deepcopy(harness.rs())
    assert scaled is not None
    scaled["spec"]["replicas"] = 2
    update(harness.rest, REPLICA_SETS, scaled, "kubectl")
    harness.manager.sync()
    left = sorted(
        p["metadata"]["name"] for p in harness.pods() if not p["metadata"].get("deletionTimestamp")
    )
    assert left == sorted([pods[0]["metadata"]["name"], pods[2]["metadata"]["name"]])
    assert ("SuccessfulDelete", f"Deleted pod: {unscheduled}") in harness.events()


def test_deletion_order_prefers_newer_pods_on_a_log_scale() -> None:
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)

    def pod(uid: str, age: float, restarts: int = 0) -> Obj:
        created = rfc3339(now - datetime.timedelta(seconds=age))
        return {
            "metadata": {"name": uid, "uid": uid, "creationTimestamp": created},
            "spec": {"nodeName": "n"},
            "status": {"phase": "Running", "containerStatuses": [{"restartCount": restarts}]},
        }

    pods = [pod("old", 4000), pod("new", 10), pod("crashy", 4000, restarts=3), pod("b", 11)]
    assert [p["metadata"]["uid"] for p in deletion_order(pods, [], now)] == [
        "crashy",
        "b",
        "new",
        "old",
    ]


def test_replication_controller_shares_the_code(harness: Harness) -> None:
    rc = {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": "legacy"},
        "spec": {
            "replicas": 2,
            "selector": {"app": "legacy"},
            "template": {
                "metadata": {"labels": {"app": "legacy"}},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            },
        },
    }
    create(harness.rest, REPLICATION_CONTROLLERS, "default", rc, "kubectl")
    harness.manager.sync()
    assert [p["metadata"]["ownerReferences"][0]["kind"] for p in harness.pods()] == [
        "ReplicationController"
    ] * 2
    harness.delete(REPLICATION_CONTROLLERS, "legacy")  # v1 defaults to orphaning
    harness.manager.sync()
    assert len(harness.pods()) == 2
    assert all("ownerReferences" not in p["metadata"] for p in harness.pods())


# ---------------------------------------------------------------------- garbage collector


def test_deletion_finalizers_follow_the_propagation_policy(harness: Harness) -> None:
    rs = Target(REPLICA_SETS, "default", "web", None)
    plain: Obj = {"metadata": {"finalizers": ["example.com/keep"]}}
    assert deletion_finalizers(rs, plain, {"propagationPolicy": "Orphan"}) == [
        "example.com/keep",
        "orphan",
    ]
    assert deletion_finalizers(rs, plain, {"propagationPolicy": "Foreground"})[-1] == (
        "foregroundDeletion"
    )
    assert deletion_finalizers(rs, plain, {}) == ["example.com/keep"]
    marked: Obj = {"metadata": {"finalizers": ["orphan"]}}
    assert deletion_finalizers(rs, marked, {"propagationPolicy": "Background"}) == []
    assert deletion_finalizers(rs, marked, {}) == ["orphan"]
    assert deletion_finalizers(rs, {}, {"orphanDependents": True}) == ["orphan"]


@pytest.mark.parametrize("policy", ["Background", "Foreground", "Orphan"])
def test_cascading_deletion(harness: Harness, policy: str) -> None:
    create(harness.rest, REPLICA_SETS, "default", replica_set(), "kubectl")
    harness.manager.sync()
    for pod in harness.pods():
        harness.run(pod)
    harness.delete(REPLICA_SETS, "web", propagationPolicy=policy)
    if policy == "Foreground":
        owner = harness.rs()
        assert owner is not None and owner["metadata"]["finalizers"] == ["foregroundDeletion"]
    harness.manager.sync()
    if policy == "Orphan":
        assert harness.rs() is None and len(harness.pods()) == 3
        assert all("ownerReferences" not in p["metadata"] for p in harness.pods())
        return
    # Bound pods terminate gracefully: marked, the owner (foreground) waits for them.
    assert all(p["metadata"].get("deletionTimestamp") for p in harness.pods())
    assert (harness.rs() is None) == (policy == "Background")
    for pod in harness.pods():
        harness.delete(PODS, pod["metadata"]["name"], gracePeriodSeconds=0)
    harness.manager.sync()
    assert harness.rs() is None and harness.pods() == []


def test_dependent_with_a_live_owner_only_loses_the_dead_reference(harness: Harness) -> None:
    create(harness.rest, REPLICA_SETS, "default", replica_set(0, name="a"), "kubectl")
    create(harness.rest, REPLICA_SETS, "default", replica_set(0, name="b"), "kubectl")
    a, b = harness.rs("a"), harness.rs("b")
    assert a is not None and b is not None
    pod = bare_pod("shared", {"x": "y"})
    pod["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "name": o["metadata"]["name"],
            "uid": o["metadata"]["uid"],
        }
        for o in (a, b)
    ]
    create(harness.rest, PODS, "default", pod, "kubectl")
    harness.delete(REPLICA_SETS, "a")
    harness.manager.sync()
    refs = harness.pod("shared")["metadata"]["ownerReferences"]
    assert [r["name"] for r in refs] == ["b"]
    harness.delete(REPLICA_SETS, "b")
    harness.manager.sync()
    assert harness.pods() == []


# ---------------------------------------------------------------------------- endpoints


def service(name: str = "web", **spec: Any) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": {"tier": "front"}},
        "spec": {
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
            **spec,
        },
    }


def endpoints(harness: Harness, name: str = "web") -> Obj | None:
    return harness.rest.store.get("/endpoints", "default", name)


def slices(harness: Harness, name: str = "web") -> list[Obj]:
    return [
        s
        for s in harness.rest.store.objects("discovery.k8s.io/endpointslices", "default")
        if s["metadata"].get("labels", {}).get("kubernetes.io/service-name") == name
    ]


def test_endpoints_follow_readiness_and_named_ports(harness: Harness) -> None:
    create(harness.rest, SERVICES, "default", service(clusterIP="127.96.0.10"), "kubectl")
    harness.manager.sync()
    assert "subsets" not in (endpoints(harness) or {"subsets": 1})
    (placeholder,) = slices(harness)
    assert placeholder.get("endpoints") is None and placeholder.get("ports") is None
    create(harness.rest, REPLICA_SETS, "default", replica_set(2), "kubectl")
    harness.manager.sync()
    first, second = harness.pods()
    harness.run(first, ready=True, ip="127.244.0.10")
    harness.run(second, ready=False, ip="127.244.0.11")
    harness.manager.sync()
    found = endpoints(harness)
    assert found is not None
    assert found["metadata"]["labels"] == {"tier": "front"}
    (subset,) = found["subsets"]
    assert [a["ip"] for a in subset["addresses"]] == ["127.244.0.10"]
    assert [a["ip"] for a in subset["notReadyAddresses"]] == ["127.244.0.11"]
    assert subset["addresses"][0]["targetRef"]["name"] == first["metadata"]["name"]
    assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    (live,) = slices(harness)
    assert live["metadata"]["labels"] == {
        "tier": "front",
        "kubernetes.io/service-name": "web",
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    }
    assert live["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert live["ports"] == [{"name": "http", "protocol": "TCP", "port": 8080}]
    assert [(e["addresses"], e["conditions"]["ready"]) for e in live["endpoints"]] == [
        (["127.244.0.10"], True),
        (["127.244.0.11"], False),
    ]
    harness.delete(SERVICES, "web")
    harness.manager.sync()
    assert endpoints(harness) is None and slices(harness) == []


def test_publish_not_ready_addresses_and_hostnames(harness: Harness) -> None:
    create(
        harness.rest,
        SERVICES,
        "default",
        service(publishNotReadyAddresses=True, clusterIP="None"),
        "kubectl",
    )
    pod = bare_pod("p", {"app": "web"})
    pod["spec"].update(hostname="p-0", subdomain="web")
    pod["spec"]["containers"][0]["ports"] = [{"containerPort": 9376, "name": "http"}]
    harness.run(create(harness.rest, PODS, "default", pod, "kubectl"), ready=False)
    harness.manager.sync()
    found = endpoints(harness)
    assert found is not None
    assert found["metadata"]["labels"]["service.kubernetes.io/headless"] == ""
    (subset,) = found["subsets"]
    assert subset["addresses"][0]["hostname"] == "p-0"
    assert subset["ports"] == [{"name": "http", "port": 9376, "protocol": "TCP"}]
    (live,) = slices(harness)
    (endpoint,) = live["endpoints"]
    assert endpoint["hostname"] == "p-0"
    assert endpoint["conditions"] == {"ready": True, "serving": False, "terminating": False}


def test_selectorless_services_keep_hand_written_endpoints(harness: Harness) -> None:
    manual = service()
    del manual["spec"]["selector"]
    create(harness.rest, SERVICES, "default", manual, "kubectl")
    written = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "web"},
        "subsets": [{"addresses": [{"ip": "10.1.2.3"}], "ports": [{"port": 5432}]}],
    }
    harness.rest.create(
        Target(ENDPOINTS, "default", None, None),
        written,
        NO_QUERY,
    )
    harness.manager.sync()
    found = endpoints(harness)
    assert found is not None and found["subsets"][0]["addresses"] == [{"ip": "10.1.2.3"}]
    assert slices(harness) == []
    kubernetes = harness.rest.store.get("/endpoints", "default", "kubernetes")
    assert kubernetes is not None and kubernetes["subsets"][0]["addresses"] == [{"ip": "127.0.0.1"}]


def test_mirrored_slices_group_subsets_by_ports_and_keep_readiness() -> None:
    from backends.simulator.controllers.mirroring import desired_slices

    endpoints = {
        "subsets": [
            {
                "addresses": [{"ip": "127.244.1.2", "hostname": "a", "nodeName": "node-1"}],
                "notReadyAddresses": [{"ip": "127.244.1.3"}, {"ip": "fd00::1"}],
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            },
            {"addresses": [{"ip": "127.244.1.4"}], "ports": [{"port": 53, "protocol": "UDP"}]},
        ]
    }
    slices = desired_slices(endpoints)
    assert [ports for ports, _ in slices] == [
        [{"name": "http", "port": 8080, "protocol": "TCP"}],
        [{"port": 53, "protocol": "UDP"}],
    ]
    http = slices[0][1]
    assert [e["addresses"] for e in http] == [["127.244.1.2"], ["127.244.1.3"]]  # IPv6 skipped
    assert http[0]["conditions"] == {"ready": True, "serving": True, "terminating": False}
    assert (http[0]["hostname"], http[0]["nodeName"]) == ("a", "node-1")
    assert http[1]["conditions"]["ready"] is False
