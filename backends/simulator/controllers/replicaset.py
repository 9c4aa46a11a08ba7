"""kube-controller-manager's replicaset controller (and, on the same code, the
replicationcontroller controller).

For each ReplicaSet, ``reconcile`` claims the active pods of its namespace (adopting orphans its
selector matches, releasing its pods relabelled out of it), creates pods from the template or
deletes the surplus to reach ``spec.replicas`` and writes the status (replicas,
fullyLabeledReplicas, readyReplicas, availableReplicas after minReadySeconds, observedGeneration,
the ReplicaFailure condition). Following pods, claiming, the pod writes with their events and
expectations, and the status write are ``ownership.PodOwnerController``'s; this module adds the
scaling, the deletion ranking, the status fields and the minReadySeconds requeues.

Invariants, as upstream:

* pods are created in slow-start batches (1, 2, 4, ...) of at most 500 per pass, each with
  ``generateName: <rs>-`` and a controller ownerReference (blockOwnerDeletion); a batch that
  fails stops the pass;
* nothing is created or deleted while earlier creates/deletes have not been observed
  (expectations), so a pass never acts twice on a stale view;
* surplus pods go in Kubernetes' order: unassigned before assigned, Pending < Unknown <
  Running, not ready before ready, lower pod-deletion-cost, pods doubled up on a node, newer
  readiness, more restarts, newer pods (ages compared on a log2 scale);
* a ReplicaSet being deleted adopts nothing and creates nothing;
* a pod that becomes ready, and a ReplicaSet whose ready pods are not all available yet, are
  looked at again once minReadySeconds have passed;
* events are the controller's: SuccessfulCreate "Created pod: NAME", SuccessfulDelete
  "Deleted pod: NAME", FailedCreate / FailedDelete.
"""

from __future__ import annotations

import datetime
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backends.objects.selectors import LabelSelector, SelectorError, selector_from_set
from backends.simulator.apiserver.resources import ResourceType
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock, parse_rfc3339, rfc3339
from backends.simulator.cluster import api
from backends.simulator.controllers.framework import object_key, split_key
from backends.simulator.controllers.ownership import PodOwnerController, owner_selector
from backends.simulator.controllers.pods import (
    controller_ref,
    is_active,
    is_available,
    is_ready,
    labels,
    meta,
    pod_from_template,
    ready_since,
)
from backends.simulator.store import Event

Obj = dict[str, Any]
Failure = tuple[str, str]  # (reason, message) of the ReplicaFailure condition

BURST_REPLICAS = 500
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
_PHASE_ORDER = {"Pending": 0, "Unknown": 1, "Running": 2}


@dataclass(frozen=True)
class Workload:
    """What differs between ReplicaSets and ReplicationControllers."""

    resource: ResourceType
    component: str
    selector: Callable[[Obj], LabelSelector]


def _rc_selector(rc: Obj) -> LabelSelector:
    spec = rc.get("spec") or {}
    selector = spec.get("selector") or ((spec.get("template") or {}).get("metadata") or {}).get(
        "labels"
    )
    return selector_from_set(selector) if selector else LabelSelector.nothing()


REPLICA_SETS = Workload(api.REPLICA_SETS, "replicaset-controller", owner_selector)
REPLICATION_CONTROLLERS = Workload(
    api.REPLICATION_CONTROLLERS, "replication-controller", _rc_selector
)


def _log2_rank(moment: datetime.datetime, now: datetime.datetime) -> int:
    seconds = (now - moment).total_seconds()
    return int(math.log2(seconds * 1e9)) if seconds > 0 else -1


def _max_restarts(pod: Obj) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return max((int(s.get("restartCount") or 0) for s in statuses), default=0)


def _deletion_cost(pod: Obj) -> int:
    try:
        return int((meta(pod).get("annotations") or {}).get(DELETION_COST) or 0)
    except ValueError:
        return 0


def _newer_first(
    one: datetime.datetime | None,
    other: datetime.datetime | None,
    uids: tuple[str, str],
    now: datetime.datetime,
) -> int:
    """kube's log-scale ``afterOrZero`` with a UID tie-break; <0 when ``one`` goes first."""
    if one == other:
        return 0
    if one is None or other is None:
        return -1 if one is None else 1  # a zero time goes first
    diff = _log2_rank(one, now) - _log2_rank(other, now)
    if diff == 0:
        return -1 if uids[0] < uids[1] else (1 if uids[0] > uids[1] else 0)
    return diff


def deletion_order(pods: list[Obj], related: list[Obj], now: datetime.datetime) -> list[Obj]:
    """``pods`` sorted as ``ActivePodsWithRanks`` with ``LogarithmicScaleDown``: those to
    delete first come first (ranks count ``related`` active pods on the same node)."""
    on_node: dict[str, int] = {}
    for pod in related:
        if is_active(pod):
            node = (pod.get("spec") or {}).get("nodeName") or ""
            on_node[node] = on_node.get(node, 0) + 1

    def rank(pod: Obj) -> int:
        return on_node.get((pod.get("spec") or {}).get("nodeName") or "", 0)

    def created(pod: Obj) -> datetime.datetime | None:
        stamp = meta(pod).get("creationTimestamp")
        return parse_rfc3339(stamp) if stamp else None

    def compare(a: Obj, b: Obj) -> int:
        node_a, node_b = ((p.get("spec") or {}).get("nodeName") or "" for p in (a, b))
        if bool(node_a) != bool(node_b):
            return -1 if not node_a else 1
        phase_a, phase_b = (
            _PHASE_ORDER.get((p.get("status") or {}).get("phase") or "", 0) for p in (a, b)
        )
        if phase_a != phase_b:
            return phase_a - phase_b
        if is_ready(a) != is_ready(b):
            return -1 if not is_ready(a) else 1
        if _deletion_cost(a) != _deletion_cost(b):
            return _deletion_cost(a) - _deletion_cost(b)
        if rank(a) != rank(b):
            return rank(b) - rank(a)
        uids = (str(meta(a).get("uid") or ""), str(meta(b).get("uid") or ""))
        if is_ready(a) and is_ready(b):
            order = _newer_first(ready_since(a), ready_since(b), uids, now)
            if order:
                return order
        if _max_restarts(a) != _max_restarts(b):
            return _max_restarts(b) - _max_restarts(a)
        return _newer_first(created(a), created(b), uids, now)

    return sorted(pods, key=functools.cmp_to_key(compare))


class ReplicaSetController(PodOwnerController):
    """Keeps each ReplicaSet's (or ReplicationController's) pods at ``spec.replicas``."""

    def __init__(self, rest: Rest, clock: Clock, workload: Workload = REPLICA_SETS) -> None:
        super().__init__(rest, clock, workload.resource, workload.component)
        self.workload = workload

    def selector(self, owner: Obj) -> LabelSelector:
        return self.workload.selector(owner)

    def pod_changed(self, owner: str, event: Event) -> None:
        """A pod that became ready may be available after minReadySeconds: look again then."""
        if not is_ready(event.object) or (event.previous is not None and is_ready(event.previous)):
            return
        min_ready = int(((self.owner(owner) or {}).get("spec") or {}).get("minReadySeconds") or 0)
        if min_ready > 0:
            self.queue.add_after(owner, min_ready + 1)

    # ------------------------------------------------------------------------ reconcile

    def reconcile(self, key: str) -> None:
        namespace, _ = split_key(key)
        owner = self.owner(key)
        if owner is None:
            self.expectations.forget(key)
            return
        needs_sync = self.expectations.satisfied(key)
        try:
            selector = self.selector(owner)
        except SelectorError:
            return
        active = [p for p in self.store.objects("/pods", namespace) if is_active(p)]
        pods = self.claim(owner, selector, active)
        error: Failure | None = None
        if needs_sync and not meta(owner).get("deletionTimestamp"):
            error = self._manage(owner, pods, key)
        current = self.owner(key)
        if current is not None:
            self._update_status(current, self._owned(current, selector), error)

    def _owned(self, owner: Obj, selector: LabelSelector) -> list[Obj]:
        """The active pods ``owner`` controls now (after its writes)."""
        uid = meta(owner).get("uid")
        return [
            pod
            for pod in self.store.objects("/pods", meta(owner).get("namespace") or "")
            if is_active(pod)
            and (controller_ref(pod) or {}).get("uid") == uid
            and selector.matches(labels(pod))
        ]

    def _related_pods(self, owner: Obj, pods: list[Obj]) -> list[Obj]:
        """Pods of the ReplicaSets that share ``owner``'s controller (a Deployment's)."""
        parent = controller_ref(owner)
        if parent is None:
            return pods
        namespace = meta(owner).get("namespace") or ""
        siblings = {
            meta(rs).get("uid")
            for rs in self.store.objects(self.primary, namespace)
            if (controller_ref(rs) or {}).get("uid") == parent.get("uid")
        }
        return [
            p
            for p in self.store.objects("/pods", namespace)
            if (controller_ref(p) or {}).get("uid") in siblings
        ]

    def _manage(self, owner: Obj, pods: list[Obj], key: str) -> Failure | None:
        """``manageReplicas``: create or delete pods; the failure (reason, message) if any."""
        diff = len(pods) - int((owner.get("spec") or {}).get("replicas", 1) or 0)
        if diff < 0:
            return self._scale_up(owner, min(-diff, BURST_REPLICAS), key)
        if diff > 0:
            return self._scale_down(owner, pods, min(diff, BURST_REPLICAS), key)
        return None

    def _scale_up(self, owner: Obj, count: int, key: str) -> Failure | None:
        """Create ``count`` pods in slow-start batches; a batch with a failure ends the pass."""
        namespace = meta(owner)["namespace"]
        template = (owner.get("spec") or {}).get("template") or {}
        self.expectations.expect(key, adds=count)
        created, batch, failure = 0, 1, None
        while created < count and failure is None:
            for _ in range(min(batch, count - created)):
                pod, error = self.create_pod(owner, pod_from_template(owner, template, namespace))
                if pod is None:
                    failure = ("FailedCreate", error)
                created += 1
            batch *= 2
        for _ in range(count - created):  # skipped after a failed batch
            self.expectations.creation_observed(key)
        return failure

    def _scale_down(self, owner: Obj, pods: list[Obj], count: int, key: str) -> Failure | None:
        """Delete the ``count`` pods ranked first for deletion."""
        ordered = (
            deletion_order(pods, self._related_pods(owner, pods), self.clock.now())
            if count < len(pods)
            else pods
        )
        doomed = ordered[:count]
        namespace = meta(owner)["namespace"]
        self.expectations.expect(
            key, deletes=[object_key(namespace, meta(p)["name"]) for p in doomed]
        )
        failure = None
        for pod in doomed:
            error = self.delete_pod(owner, pod)
            if error is not None:
                failure = ("FailedDelete", error)
        return failure

    def _update_status(self, owner: Obj, pods: list[Obj], error: Failure | None) -> None:
        spec = owner.get("spec") or {}
        template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        min_ready = int(spec.get("minReadySeconds") or 0)
        now = self.clock.now()
        fully = sum(
            1 for p in pods if all(labels(p).get(k) == v for k, v in template_labels.items())
        )
        ready = sum(1 for p in pods if is_ready(p))
        available = sum(1 for p in pods if is_available(p, min_ready, now))
        old = owner.get("status") or {}
        conditions = [dict(c) for c in old.get("conditions") or []]
        failing = [c for c in conditions if c.get("type") == "ReplicaFailure"]
        if error is not None and not failing:
            conditions.append(
                {
                    "type": "ReplicaFailure",
                    "status": "True",
                    "lastTransitionTime": rfc3339(now),
                    "reason": error[0],
                    "message": error[1],
                }
            )
        elif error is None and failing:
            conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
        new: Obj = {"replicas": len(pods)}
        for field, value in (
            ("fullyLabeledReplicas", fully),
            ("readyReplicas", ready),
            ("availableReplicas", available),
        ):
            if value:
                new[field] = value
        generation = meta(owner).get("generation")
        if generation is not None:
            new["observedGeneration"] = generation
        if conditions:
            new["conditions"] = conditions
        self.write_status(owner, new)
        if (
            error is None
            and min_ready > 0
            and ready == int(spec.get("replicas", 1) or 0)
            and available != ready
        ):
            self.queue.add_after(
                object_key(meta(owner)["namespace"], meta(owner)["name"]), min_ready
            )
