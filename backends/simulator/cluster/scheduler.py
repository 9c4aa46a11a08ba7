"""kube-scheduler for the simulator: binds pods that have no ``spec.nodeName`` to a node.

New and changed unscheduled pods are tried highest ``spec.priority`` first, then in arrival
order (queue.py: with kube-scheduler's 1-10 s backoff); a pod that fits nowhere waits until the
cluster changes in a way that could help — a node added or changed (labels, taints,
allocatable, conditions, ``unschedulable``), an assigned pod deleted or finished, a claim
changed — or 5 minutes pass. Each cycle sees the nodes and their pods through a cache kept up to
date from store events (cache.py).

One cycle (``placement.schedule`` and ``preemption.post_filter``, both pure) either binds the pod
— ``POST pods/NAME/binding`` semantics: ``spec.nodeName`` and ``PodScheduled=True`` in one
write — and records ``Scheduled`` "Successfully assigned NS/NAME to NODE", or records
``FailedScheduling`` with kube-scheduler's message and sets ``PodScheduled=False``, reason
``Unschedulable``, with the same message (a status PATCH by ``kube-scheduler``, only when the
condition changed). When preemption finds a node, the victims get ``DisruptionTarget`` and are
deleted, each with a ``Preempted`` event, and the pod is nominated (``status.nominatedNodeName``,
cleared once it is bound, as with kube-scheduler's ClearingNominatedNodeNameAfterBinding).
A pod whose WaitForFirstConsumer claims are unbound is held on its node (counted there) while
its claims carry ``volume.kubernetes.io/selected-node``, and bound once they are Bound.

Events are events.k8s.io-style (``eventTime``, ``action``, series) from ``default-scheduler``,
as kube-scheduler records them. The scheduler reads the store and writes through the REST
layer; it never changes a stored dict.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from backends.objects.selectors import LabelSelector
from backends.simulator.apiserver import status
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock, rfc3339
from backends.simulator.cluster import placement, preemption
from backends.simulator.cluster.api import (
    CLAIMS,
    NAMESPACES,
    NO_QUERY,
    NODES,
    PODS,
    REPLICA_SETS,
    REPLICATION_CONTROLLERS,
    SERVICES,
    STATEFUL_SETS,
    STORAGE_CLASSES,
    key,
    metadata,
    patch,
    target,
)
from backends.simulator.cluster.cache import TERMINAL_PHASES, SchedulerCache, pod_key
from backends.simulator.cluster.events import NORMAL, WARNING, SeriesRecorder
from backends.simulator.cluster.queue import SchedulingQueue
from backends.simulator.store import ConflictError, Event, NotFoundError

log = logging.getLogger("pykctl.simulator.scheduler")

Obj = dict[str, Any]

SCHEDULER_NAME = "default-scheduler"
MANAGER = "kube-scheduler"
NOTE_LIMIT = 1024
SELECTED_NODE = "volume.kubernetes.io/selected-node"
_OWNER_KINDS = {
    "ReplicaSet": key(REPLICA_SETS),
    "StatefulSet": key(STATEFUL_SETS),
    "ReplicationController": key(REPLICATION_CONTROLLERS),
}


def _truncate(message: str) -> str:
    """Event notes are limited to 1024 bytes; kube-scheduler cuts with " ..."."""
    return message if len(message) <= NOTE_LIMIT else message[: NOTE_LIMIT - 4] + " ..."


def _wants_scheduling(pod: Obj) -> bool:
    spec = pod.get("spec") or {}
    return (
        not spec.get("nodeName")
        and not metadata(pod).get("deletionTimestamp")
        and (pod.get("status") or {}).get("phase") not in TERMINAL_PHASES
        and (spec.get("schedulerName") or SCHEDULER_NAME) == SCHEDULER_NAME
        and not spec.get("schedulingGates")
    )


def _scheduling_view(pod: Obj) -> Obj:
    """What of a pod matters for its placement (not its status or bookkeeping)."""
    meta = metadata(pod)
    return {
        "labels": meta.get("labels"),
        "annotations": meta.get("annotations"),
        "spec": pod.get("spec"),
    }


def _node_view(node: Obj) -> Obj:
    """What of a node matters for placement (not its heartbeats)."""
    conditions = (node.get("status") or {}).get("conditions") or []
    return {
        "labels": metadata(node).get("labels"),
        "spec": node.get("spec"),
        "allocatable": (node.get("status") or {}).get("allocatable"),
        "conditions": sorted((str(c.get("type")), str(c.get("status"))) for c in conditions),
    }


class Scheduler:
    """Schedules pending pods; ``sync()`` runs the queue, the cluster's loop calls it."""

    def __init__(self, rest: Rest, clock: Clock, host: str) -> None:
        self.rest = rest
        self.clock = clock
        self.events = SeriesRecorder(
            rest, clock, SCHEDULER_NAME, f"{SCHEDULER_NAME}-{host}", MANAGER
        )
        self.queue = SchedulingQueue(clock)
        self.cache = SchedulerCache(rest.store)
        rest.store.add_listener(self._on_event)
        for pod in rest.store.objects(key(PODS)):
            if _wants_scheduling(pod):
                self.queue.add(pod_key(pod))

    # --------------------------------------------------------------------------- queue

    def _on_event(self, event: Event) -> None:
        self.cache.observe(event)
        if event.resource == key(PODS):
            self._on_pod(event)
        elif event.resource == key(NODES):
            if event.type != "MODIFIED" or _node_view(event.object) != _node_view(
                event.previous or {}
            ):
                self.queue.cluster_changed()
        elif event.resource == key(CLAIMS):
            self.queue.cluster_changed()

    def _on_pod(self, event: Event) -> None:
        pod, previous = event.object, event.previous
        found = pod_key(pod)
        was_assigned = bool(((previous or pod).get("spec") or {}).get("nodeName"))
        if event.type == "DELETED" or not _wants_scheduling(pod):
            self.queue.remove(found)
            frees = event.type == "DELETED" or (
                (pod.get("status") or {}).get("phase") in TERMINAL_PHASES
                and ((previous or {}).get("status") or {}).get("phase") not in TERMINAL_PHASES
            )
            if was_assigned and frees:
                self.queue.cluster_changed()
        elif (
            previous is None or _scheduling_view(pod) != _scheduling_view(previous)
        ) and self.cache.assumed(found) is None:
            self.queue.add(found)

    def pending(self) -> bool:
        """Whether pods wait to be tried now."""
        return self.queue.pending()

    def sync(self) -> None:
        """Try the pods that are due, highest priority first."""
        store = self.rest.store
        while True:
            due = [(found, store.get(key(PODS), *found)) for found in self.queue.ready()]
            if not due:
                break
            due.sort(key=lambda item: -preemption.priority(item[1] or {}))  # stable: arrival
            for found, pod in due:
                if pod is not None and (_wants_scheduling(pod) or self.cache.assumed(found)):
                    self._schedule(pod)
        self.events.tick()

    # ---------------------------------------------------------------------- snapshot

    def snapshot(self) -> placement.Snapshot:
        """The cluster as one cycle sees it: the cached nodes with their pods."""
        store = self.rest.store
        services = store.objects(key(SERVICES))

        def default_selector(pod: Obj) -> LabelSelector:
            controllers = {}
            namespace = str(metadata(pod).get("namespace") or "")
            for ref in metadata(pod).get("ownerReferences") or []:
                resource = _OWNER_KINDS.get(str(ref.get("kind")))
                found = store.get(resource, namespace, str(ref.get("name"))) if resource else None
                if found is not None:
                    controllers[(str(ref.get("kind")), namespace, str(ref.get("name")))] = found
            return placement.default_selector(pod, services, controllers)

        return placement.Snapshot(
            self.cache.node_infos(),
            namespace_labels={
                metadata(ns)["name"]: dict(metadata(ns).get("labels") or {})
                for ns in store.objects(key(NAMESPACES))
            },
            default_selector=default_selector,
            claims={pod_key(claim): claim for claim in store.objects(key(CLAIMS))},
            binding_modes={
                metadata(sc)["name"]: str(sc.get("volumeBindingMode") or "Immediate")
                for sc in store.objects(key(STORAGE_CLASSES))
            },
        )

    # --------------------------------------------------------------------------- cycle

    def _schedule(self, pod: Obj) -> None:
        """One scheduling cycle for ``pod``."""
        found = pod_key(pod)
        held = self.cache.assumed(found)
        if held is not None:
            self._finish_volume_binding(pod, held)
            return
        snapshot = self.snapshot()
        decision = placement.schedule(pod, snapshot)
        if decision.node is not None:
            self._bind_with_volumes(pod, decision.node, snapshot)
            return
        nominated = ""
        if not snapshot.nodes:
            message = placement.NO_NODES_AVAILABLE
        else:
            post = preemption.post_filter(pod, snapshot, decision)
            message = placement.fit_error(
                len(snapshot.nodes), decision.rejections, decision.prefilter_message, post.message
            )
            if post.node is not None:
                self._preempt(pod, post.node, post.victims)
                nominated = post.node
        self.queue.failed(found)
        self.events.event(pod, WARNING, "FailedScheduling", "Scheduling", _truncate(message))
        self._set_unschedulable(pod, message, nominated)

    def _set_unschedulable(self, pod: Obj, message: str, nominated: str) -> None:
        """PodScheduled=False/Unschedulable (and the nomination), when either changed."""
        pod_status = pod.get("status") or {}
        before = next(
            (c for c in pod_status.get("conditions") or [] if c.get("type") == "PodScheduled"), None
        )
        condition = {
            "type": "PodScheduled",
            "status": "False",
            "lastProbeTime": None,
            "lastTransitionTime": rfc3339(self.clock.now()),
            "reason": "Unschedulable",
            "message": message,
        }
        body: Obj = {}
        if before is None or any(
            before.get(field) != condition[field] for field in ("status", "reason", "message")
        ):
            if before is not None and before.get("status") == "False":
                condition["lastTransitionTime"] = before.get("lastTransitionTime")
            body["conditions"] = [condition]
        if (pod_status.get("nominatedNodeName") or "") != nominated:
            body["nominatedNodeName"] = nominated or None
        if not body:
            return
        namespace, name = pod_key(pod)
        try:
            patch(self.rest, PODS, namespace, name, {"status": body}, MANAGER, status=True)
        except status.ApiStatus as err:
            log.info("status of pod %s/%s not updated: %s", namespace, name, err.message)

    def _preempt(self, pod: Obj, node: str, victims: list[Obj]) -> None:
        """Delete the victims (DisruptionTarget first, then a Preempted event)."""
        for victim in victims:
            namespace, name = pod_key(victim)
            condition = {
                "type": "DisruptionTarget",
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": rfc3339(self.clock.now()),
                "reason": preemption.PREEMPTION_REASON,
                "message": f"{SCHEDULER_NAME}: preempting to accommodate a higher priority pod",
            }
            try:
                patch(
                    self.rest,
                    PODS,
                    namespace,
                    name,
                    {"status": {"conditions": [condition]}},
                    MANAGER,
                    status=True,
                )
                self.rest.delete(target(PODS, namespace, name), {}, NO_QUERY)
            except status.ApiStatus as err:
                log.info("victim %s/%s not preempted: %s", namespace, name, err.message)
                continue
            uid = metadata(pod).get("uid") or ""
            self.events.event(
                victim,
                NORMAL,
                "Preempted",
                "Preempting",
                f"Preempted by pod {uid} on node {node}",
                related=pod,
            )

    # ------------------------------------------------------------------------ binding

    def _bind_with_volumes(self, pod: Obj, node: str, snapshot: placement.Snapshot) -> None:
        """Bind, or first have the pod's WaitForFirstConsumer claims provisioned on ``node``
        (the pod is then assumed there until they are Bound)."""
        namespace = pod_key(pod)[0]
        waiting = False
        for volume in (pod.get("spec") or {}).get("volumes") or []:
            claim_name = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            claim = snapshot.claims.get((namespace, claim_name)) if claim_name else None
            if claim is None or (claim.get("spec") or {}).get("volumeName"):
                continue
            waiting = True
            if (metadata(claim).get("annotations") or {}).get(SELECTED_NODE) != node:
                body = {"metadata": {"annotations": {SELECTED_NODE: node}}}
                try:
                    patch(self.rest, CLAIMS, namespace, metadata(claim)["name"], body, MANAGER)
                except status.ApiStatus as err:
                    log.info("claim %s/%s not annotated: %s", namespace, claim_name, err.message)
        if waiting:
            self.cache.assume(pod, node)
            self.queue.failed(pod_key(pod))  # back when a claim changes
        else:
            self._bind(pod, node)

    def _finish_volume_binding(self, pod: Obj, node: str) -> None:
        namespace = pod_key(pod)[0]
        for volume in (pod.get("spec") or {}).get("volumes") or []:
            claim_name = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            claim = self.rest.store.get(key(CLAIMS), namespace, claim_name) if claim_name else None
            if claim is not None and (claim.get("status") or {}).get("phase") != "Bound":
                self.queue.failed(pod_key(pod))
                return
        self.cache.forget(pod)
        self._bind(pod, node)

    def _bind(self, pod: Obj, node: str) -> None:
        """Bind ``pod`` to ``node``, record the Scheduled event, clear a nomination."""
        namespace, name = pod_key(pod)
        try:
            bind(self.rest, self.clock, pod, node)
        except status.ApiStatus as err:
            log.info("pod %s/%s not bound: %s", namespace, name, err.message)
            self.queue.failed((namespace, name))
            return
        self.events.event(
            pod,
            NORMAL,
            "Scheduled",
            "Binding",
            f"Successfully assigned {namespace}/{name} to {node}",
        )
        if (pod.get("status") or {}).get("nominatedNodeName"):
            body = {"status": {"nominatedNodeName": None}}
            try:
                patch(self.rest, PODS, namespace, name, body, MANAGER, status=True)
            except status.ApiStatus as err:
                log.info("nomination of pod %s/%s not cleared: %s", namespace, name, err.message)


def bind(rest: Rest, clock: Clock, pod: Obj, node: str) -> Obj:
    """What ``POST pods/NAME/binding`` does (kube-apiserver's BindingREST): assign ``pod``
    (as read, UID as precondition) to ``node`` and set PodScheduled=True, in one write.

    Conflicts are kube-apiserver's: already assigned, being deleted, or changed meanwhile.
    """
    resource = PODS
    namespace, name = pod_key(pod)
    current = rest.store.get(key(PODS), namespace, name)
    if current is None or metadata(current).get("uid") != metadata(pod).get("uid"):
        raise status.not_found(resource, name)
    assigned = (current.get("spec") or {}).get("nodeName")
    if assigned:
        raise status.conflict_message(
            resource, name, f'pod {name} is already assigned to node "{assigned}"'
        )
    if metadata(current).get("deletionTimestamp"):
        raise status.conflict_message(
            resource, name, "pod is being deleted, cannot be assigned to a host"
        )
    bound = copy.deepcopy(current)
    bound["spec"]["nodeName"] = node
    conditions = (bound.setdefault("status", {})).setdefault("conditions", [])
    scheduled = {
        "type": "PodScheduled",
        "status": "True",
        "lastProbeTime": None,
        "lastTransitionTime": rfc3339(clock.now()),
    }
    for index, condition in enumerate(conditions):
        if condition.get("type") == "PodScheduled":
            conditions[index] = scheduled
            break
    else:
        conditions.append(scheduled)
    try:
        return rest.store.update(key(resource), bound, metadata(current).get("resourceVersion"))
    except (ConflictError, NotFoundError):
        raise status.conflict(resource, name) from None
