"""The namespace controller on a FakeClock, without nodes or kubelets: a deleted namespace is
emptied, its conditions say what remains (by resource and by finalizer), it is requeued, and
it goes once empty, after its ``kubernetes`` finalizer is removed."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

from multidict import MultiDict, MultiDictProxy

from backends.simulator.apiserver.rest import Rest
from backends.simulator.bootstrap import bootstrap
from backends.simulator.clock import FakeClock
from backends.simulator.cluster.api import REPLICA_SETS, create, target, update
from backends.simulator.controllers.manager import controller_manager
from backends.simulator.controllers.namespace_deletion import (
    NAMESPACES,
    remaining_conditions,
    updated_conditions,
)
from backends.simulator.store import Store

Obj = dict[str, Any]
NO_QUERY = MultiDictProxy(MultiDict[str]())
NOW = "2026-01-01T00:00:00Z"


def test_remaining_conditions_name_resources_and_finalizers() -> None:
    found = remaining_conditions(
        Counter({"pods.": 2, "deployments.apps": 1}), Counter({"example.com/hold": 1})
    )
    assert found["NamespaceContentRemaining"] == {
        "status": "True",
        "reason": "SomeResourcesRemain",
        "message": "Some resources are remaining: deployments.apps has 1 resource instances, "
        "pods. has 2 resource instances",
    }
    assert found["NamespaceFinalizersRemaining"]["message"] == (
        "Some finalizers are remaining: example.com/hold in 1 resource instances"
    )
    assert remaining_conditions(Counter(), Counter()) == {}


def test_updated_conditions_move_transition_time_only_with_status() -> None:
    first = updated_conditions([], remaining_conditions(Counter({"pods.": 1}), Counter()), NOW)
    assert [c["type"] for c in first] == [
        "NamespaceDeletionDiscoveryFailure",
        "NamespaceDeletionGroupVersionParsingFailure",
        "NamespaceDeletionContentFailure",
        "NamespaceContentRemaining",
        "NamespaceFinalizersRemaining",
    ]
    later = updated_conditions(first, {}, "2026-01-01T00:01:00Z")
    by_type = {c["type"]: c for c in later}
    assert by_type["NamespaceContentRemaining"] == {
        "type": "NamespaceContentRemaining",
        "status": "False",
        "lastTransitionTime": "2026-01-01T00:01:00Z",
        "reason": "ContentRemoved",
        "message": "All content successfully removed",
    }
    assert by_type["NamespaceDeletionDiscoveryFailure"]["lastTransitionTime"] == NOW


def replica_set(name: str) -> Obj:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            },
        },
    }


def test_a_deleted_namespace_waits_for_finalizers_then_goes() -> None:
    clock = FakeClock()
    rest = Rest(Store(None), clock)
    bootstrap(rest, 6443)
    manager = controller_manager(rest, clock, workloads=False)
    manager.attach()
    create(rest, NAMESPACES, None, {"metadata": {"name": "shop"}}, "test")
    create(rest, REPLICA_SETS, "shop", replica_set("web"), "test")
    held = replica_set("held")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    create(rest, REPLICA_SETS, "shop", held, "test")

    rest.delete(target(NAMESPACES, None, "shop"), {}, NO_QUERY)
    manager.sync()
    namespace = rest.store.get("/namespaces", "", "shop")
    assert namespace is not None and namespace["status"]["phase"] == "Terminating"
    conditions = {c["type"]: c for c in namespace["status"]["conditions"]}
    assert conditions["NamespaceContentRemaining"]["message"] == (
        "Some resources are remaining: replicasets.apps has 1 resource instances"
    )
    assert conditions["NamespaceFinalizersRemaining"]["reason"] == "SomeFinalizerRemain"
    assert namespace["spec"]["finalizers"] == ["kubernetes"]
    assert rest.store.get("apps/replicasets", "shop", "web") is None

    released = copy.deepcopy(rest.store.get("apps/replicasets", "shop", "held"))
    assert released is not None
    released["metadata"]["finalizers"] = []
    update(rest, REPLICA_SETS, released, "test")
    manager.sync()
    assert rest.store.get("/namespaces", "", "shop") is None
