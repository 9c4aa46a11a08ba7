"""kube-controller-manager's replicaset controller (and, on the same code, the
replicationcontroller controller).

For each ReplicaSet, ``reconcile`` claims the active pods of its namespace (adopting orphans its
selector matches, releasing its pods relabelled out of it), creates pods from the template or
deletes the surplus to reach ``spec.replicas`` and writes the status (replicas,
fullyLabeledReplicas, readyReplicas, availableReplicas after minReadySeconds, observedGeneration,
the ReplicaFailure condition).

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
* events are the controller's: SuccessfulCreate "Created pod: NAME", SuccessfulDelete
  "Deleted pod: NAME", FailedCreate / FailedDelete.
"""

from __future__ import annotations

import copy
import datetime
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backends.objects.selectors import (
    LabelSelector,
    SelectorError,
    label_selector_from_dict,
    selector_from_set,
)
from backends.simulator.apiserver import status
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.resources import ResourceType
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock, parse_rfc3339, rfc3339
from backends.simulator.cluster import api
from backends.simulator.cluster.events import NORMAL, WARNING, EventRecorder
from backends.simulator.controllers.framework import (
    Controller,
    Expectations,
    object_key,
    split_key,
)
from backends.simulator.controllers.pods import (
    MANAGER,
    controller_ref,
    is_active,
    is_available,
    is_ready,
    labels,
    meta,
    new_controller_ref,
    pod_from_template,
    ready_since,
)
from backends.simulator.store import Event

Obj = dict[str, Any]

BURST_REPLICAS = 500
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
_PHASE_ORDER = {"Pending": 0, "Unknown": 1, "Running": 2}
STRATEGIC = "application/strategic-merge-patch+json"


@dataclass(frozen=True)
class Workload:
    """What differs between ReplicaSets and ReplicationControllers."""

    resource: ResourceType
    component: str
    selector: Callable[[Obj], LabelSelector]

    @property
    def key(self) -> str:
        return api.key(self.resource)


def _rs_selector(rs: Obj) -> LabelSelector:
    return label_selector_from_dict((rs.get("spec") or {}).get("selector"))


def _rc_selector(rc: Obj) -> LabelSelector:
    spec = rc.get("spec") or {}
    selector = spec.get("selector") or ((spec.get("template") or {}).get("metadata") or {}).get(
        "labels"
    )
    return selector_from_set(selector) if selector else LabelSelector.nothing()


REPLICA_SETS = Workload(api.REPLICA_SETS, "replicaset-controller", _rs_selector)
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


class ReplicaSetController(Controller):
    """Keeps each ReplicaSet's (or ReplicationController's) pods at ``spec.replicas``."""

    def __init__(self, rest: Rest, clock: Clock, workload: Workload = REPLICA_SETS) -> None:
        super().__init__(rest, clock)
        self.workload = workload
        self.name = workload.component
        self.primary = workload.key
        self.watches = (workload.key, "/pods")
        self.expectations = Expectations(clock)
        self.recorder = EventRecorder(rest, clock, workload.component, manager=MANAGER)

    # ------------------------------------------------------------------------ informers

    def _owner_of(self, pod: Obj) -> str | None:
        """The key of the workload that controls ``pod``, if it is one of ours and exists."""
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != self.workload.resource.kind:
            return None
        namespace = meta(pod).get("namespace") or ""
        owner = self.store.get(self.workload.key, namespace, str(ref.get("name")))
        if owner is None or meta(owner).get("uid") != ref.get("uid"):
            return None
        return object_key(namespace, str(ref.get("name")))

    def _matching(self, pod: Obj) -> list[str]:
        """Keys of the workloads whose selector matches an orphan ``pod``."""
        namespace = meta(pod).get("namespace") or ""
        found = []
        for owner in self.store.objects(self.workload.key, namespace):
            try:
                if self.workload.selector(owner).matches(labels(pod)):
                    found.append(object_key(namespace, meta(owner)["name"]))
            except SelectorError:
                continue
        return found

    def on_event(self, event: Event) -> None:
        obj = event.object
        if event.resource == self.workload.key:
            key = object_key(meta(obj).get("namespace") or "", meta(obj)["name"])
            if event.type == "DELETED":
                self.expectations.forget(key)
            self.queue.add(key)
            return
        pod_name = object_key(meta(obj).get("namespace") or "", meta(obj)["name"])
        owner = self._owner_of(obj)
        old_owner = self._owner_of(event.previous) if event.previous is not None else None
        if old_owner is not None and old_owner != owner:
            self.queue.add(old_owner)
        if owner is None:
            if event.type != "DELETED" and controller_ref(obj) is None:
                for key in self._matching(obj):
                    self.queue.add(key)
            return
        if event.type == "ADDED":
            self.expectations.creation_observed(owner)
        if event.type == "DELETED" or meta(obj).get("deletionTimestamp"):
            self.expectations.deletion_observed(owner, pod_name)
        self.queue.add(owner)
        became_ready = is_ready(obj) and (event.previous is None or not is_ready(event.previous))
        if became_ready:
            workload = self.store.get(self.workload.key, *split_key(owner))
            min_ready = int(((workload or {}).get("spec") or {}).get("minReadySeconds") or 0)
            if min_ready > 0:
                self.queue.add_after(owner, min_ready + 1)

    # ------------------------------------------------------------------------ reconcile

    def reconcile(self, key: str) -> None:
        namespace, name = split_key(key)
        owner = self.store.get(self.workload.key, namespace, name)
        if owner is None:
            self.expectations.forget(key)
            return
        needs_sync = self.expectations.satisfied(key)
        try:
            selector = self.workload.selector(owner)
        except SelectorError:
            return
        active = [p for p in self.store.objects("/pods", namespace) if is_active(p)]
        pods = self._claim(owner, selector, active)
        error: tuple[str, str] | None = None
        if needs_sync and not meta(owner).get("deletionTimestamp"):
            error = self._manage(owner, pods, key)
        current = self.store.get(self.workload.key, namespace, name)
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

    def _claim(self, owner: Obj, selector: LabelSelector, pods: list[Obj]) -> list[Obj]:
        """``ClaimPods``: the pods ``owner`` controls, adopting and releasing as needed."""
        uid = meta(owner).get("uid")
        deleting = bool(meta(owner).get("deletionTimestamp"))
        claimed = []
        for pod in pods:
            ref = controller_ref(pod)
            matches = not selector.empty() and selector.matches(labels(pod))
            if ref is not None:
                if ref.get("uid") != uid:
                    continue
                if matches:
                    claimed.append(pod)
                elif not deleting:
                    self._release(owner, pod)
                continue
            if deleting or not matches or meta(pod).get("deletionTimestamp"):
                continue
            adopted = self._adopt(owner, pod)
            if adopted is not None:
                claimed.append(adopted)
        return claimed

    def _patch_pod(self, pod: Obj, refs: list[Obj]) -> Obj | None:
        body = {"metadata": {"ownerReferences": refs, "uid": meta(pod)["uid"]}}
        try:
            return api.patch(
                self.rest, api.PODS, meta(pod)["namespace"], meta(pod)["name"], body, MANAGER
            )
        except status.ApiStatus:
            return None  # gone or changed: the next event brings it back

    def _adopt(self, owner: Obj, pod: Obj) -> Obj | None:
        fresh = self.store.get(self.workload.key, meta(owner)["namespace"], meta(owner)["name"])
        if fresh is None or meta(fresh).get("uid") != meta(owner).get("uid"):
            return None
        if meta(fresh).get("deletionTimestamp"):
            return None
        return self._patch_pod(pod, [new_controller_ref(owner)])

    def _release(self, owner: Obj, pod: Obj) -> None:
        self._patch_pod(pod, [{"$patch": "delete", "uid": meta(owner)["uid"]}])

    def _related_pods(self, owner: Obj, pods: list[Obj]) -> list[Obj]:
        """Pods of the ReplicaSets that share ``owner``'s controller (a Deployment's)."""
        parent = controller_ref(owner)
        if parent is None:
            return pods
        namespace = meta(owner).get("namespace") or ""
        siblings = {
            meta(rs).get("uid")
            for rs in self.store.objects(self.workload.key, namespace)
            if (controller_ref(rs) or {}).get("uid") == parent.get("uid")
        }
        return [
            p
            for p in self.store.objects("/pods", namespace)
            if (controller_ref(p) or {}).get("uid") in siblings
        ]

    def _manage(self, owner: Obj, pods: list[Obj], key: str) -> tuple[str, str] | None:
        """``manageReplicas``: create or delete pods; the failure (reason, message) if any."""
        wanted = int((owner.get("spec") or {}).get("replicas", 1) or 0)
        diff = len(pods) - wanted
        namespace = meta(owner)["namespace"]
        if diff < 0:
            count = min(-diff, BURST_REPLICAS)
            self.expectations.expect(key, adds=count)
            template = (owner.get("spec") or {}).get("template") or {}
            created, batch, failure = 0, 1, None
            while created < count and failure is None:
                for _ in range(min(batch, count - created)):
                    try:
                        pod = api.create(
                            self.rest,
                            api.PODS,
                            namespace,
                            pod_from_template(owner, template, namespace),
                            MANAGER,
                        )
                    except status.ApiStatus as err:
                        self.expectations.creation_observed(key)
                        self.recorder.event(
                            owner, WARNING, "FailedCreate", f"Error creating: {err.message}"
                        )
                        failure = ("FailedCreate", err.message)
                    else:
                        self.recorder.event(
                            owner, NORMAL, "SuccessfulCreate", f"Created pod: {meta(pod)['name']}"
                        )
                    created += 1
                batch *= 2
            for _ in range(count - created):  # skipped after a failed batch
                self.expectations.creation_observed(key)
            return failure
        if diff > 0:
            count = min(diff, BURST_REPLICAS)
            ordered = (
                deletion_order(pods, self._related_pods(owner, pods), self.clock.now())
                if count < len(pods)
                else pods
            )
            doomed = ordered[:count]
            self.expectations.expect(
                key, deletes=[object_key(namespace, meta(p)["name"]) for p in doomed]
            )
            failure = None
            for pod in doomed:
                name = meta(pod)["name"]
                try:
                    self.rest.delete(Target(api.PODS, namespace, name, None), {}, api.NO_QUERY)
                except status.ApiStatus as err:
                    self.expectations.deletion_observed(key, object_key(namespace, name))
                    if err.reason != "NotFound":
                        self.recorder.event(
                            owner, WARNING, "FailedDelete", f"Error deleting: {err.message}"
                        )
                        failure = ("FailedDelete", err.message)
                    continue
                self.recorder.event(owner, NORMAL, "SuccessfulDelete", f"Deleted pod: {name}")
            return failure
        return None

    def _update_status(self, owner: Obj, pods: list[Obj], error: tuple[str, str] | None) -> None:
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
        if new != old:
            updated = copy.deepcopy(owner)
            updated["status"] = new
            api.update_status(self.rest, self.workload.resource, updated, MANAGER)
        if (
            error is None
            and min_ready > 0
            and ready == int(spec.get("replicas", 1) or 0)
            and available != ready
        ):
            self.queue.add_after(
                object_key(meta(owner)["namespace"], meta(owner)["name"]), min_ready
            )
