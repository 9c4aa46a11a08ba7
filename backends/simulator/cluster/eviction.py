"""kube-controller-manager's taint eviction controller: pods bound to a node with ``NoExecute``
taints they do not tolerate are deleted.

A pod that does not tolerate one of the node's NoExecute taints is deleted at once; one that
tolerates them all is deleted after the smallest ``tolerationSeconds`` among the tolerations used
(counted from when the controller saw the taint), and never when none of them has a limit. Pods
admission gives every pod a 300 s toleration of ``not-ready`` and ``unreachable``, so pods stay
on a failed node for 5 minutes. Before deleting, the pod gets the ``DisruptionTarget`` condition
(reason ``DeletionByTaintManager``); the events are ``TaintManagerEviction`` "Marking for
deletion Pod NS/NAME", and "Cancelling deletion of Pod NS/NAME" when the taint goes first. The
deletion is an ordinary graceful one: on a node that is down the pod stays Terminating until its
kubelet is back, as in a real cluster.
"""

from __future__ import annotations

import logging
from typing import Any

from backends.simulator.apiserver import status
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock, rfc3339
from backends.simulator.cluster import taints as taint_rules
from backends.simulator.cluster.api import NO_QUERY, NODES, PODS, key, metadata, patch, target
from backends.simulator.cluster.events import NORMAL, EventRecorder
from backends.simulator.store import Event

log = logging.getLogger("pykctl.simulator.tainteviction")

Obj = dict[str, Any]
PodKey = tuple[str, str]
MANAGER = "kube-controller-manager"


def toleration_seconds(pod: Obj, no_execute: list[Obj]) -> float | None:
    """How long ``pod`` may stay with these NoExecute taints: 0 (now), seconds, or None (ever)."""
    used = []
    for taint in no_execute:
        match = next(
            (t for t in taint_rules.pod_tolerations(pod) if taint_rules.tolerates(t, taint)), None
        )
        if match is None:
            return 0.0
        used.append(match)
    limits = [t["tolerationSeconds"] for t in used if t.get("tolerationSeconds") is not None]
    if not limits:
        return None
    return float(max(0, min(int(seconds) for seconds in limits)))


class TaintEvictionController:
    """Deletes pods from nodes whose NoExecute taints they do not tolerate (long enough)."""

    def __init__(self, rest: Rest, clock: Clock) -> None:
        self.rest = rest
        self.clock = clock
        self.recorder = EventRecorder(rest, clock, "taint-eviction-controller", manager=MANAGER)
        # pod -> when to evict it; None once evicted (no second eviction until the work is cancelled)
        self._work: dict[PodKey, float | None] = {}
        self._dirty_nodes: set[str] = set()
        self._dirty_pods: set[PodKey] = set()
        rest.store.add_listener(self._on_event)

    def _on_event(self, event: Event) -> None:
        meta = metadata(event.object)
        if event.resource == key(NODES):
            self._dirty_nodes.add(meta["name"])
        elif event.resource == key(PODS):
            pod_key = (meta.get("namespace") or "", meta["name"])
            if event.type == "DELETED":
                self._work.pop(pod_key, None)
                return
            spec, before = event.object.get("spec") or {}, (event.previous or {}).get("spec") or {}
            if spec.get("nodeName") and (
                spec.get("nodeName") != before.get("nodeName")
                or spec.get("tolerations") != before.get("tolerations")
            ):
                self._dirty_pods.add(pod_key)

    def pending(self) -> bool:
        """Whether there is work that does not wait for the clock."""
        return bool(self._dirty_nodes or self._dirty_pods)

    def sync(self) -> None:
        """Re-examine changed nodes and pods; delete the pods whose time is up."""
        now = self.clock.monotonic()
        while self._dirty_nodes:
            name = self._dirty_nodes.pop()
            node = self.rest.store.get(key(NODES), "", name)
            for pod in self.rest.store.objects(key(PODS)):
                if (pod.get("spec") or {}).get("nodeName") == name:
                    self._examine(pod, node, now)
        while self._dirty_pods:
            bound = self.rest.store.get(key(PODS), *self._dirty_pods.pop())
            if bound is not None:
                node_name = (bound.get("spec") or {}).get("nodeName") or ""
                self._examine(bound, self.rest.store.get(key(NODES), "", node_name), now)
        for pod_key, due in sorted(self._work.items()):
            if due is not None and due <= now:
                self._work[pod_key] = None
                self._evict(*pod_key)

    def _examine(self, pod: Obj, node: Obj | None, now: float) -> None:
        meta = metadata(pod)
        pod_key = (meta.get("namespace") or "", meta["name"])
        no_execute = taint_rules.with_effect(
            taint_rules.node_taints(node or {}), taint_rules.NO_EXECUTE
        )
        if not no_execute:
            self._cancel(pod_key)
            return
        seconds = toleration_seconds(pod, no_execute)
        if seconds is None:
            self._cancel(pod_key)
            return
        if seconds == 0:
            self._cancel(pod_key)
            self._work[pod_key] = now
        elif pod_key not in self._work:
            self._work[pod_key] = now + seconds

    def _cancel(self, pod_key: PodKey) -> None:
        """Drop the pod's work; an eviction still to come is announced as cancelled."""
        if pod_key in self._work and self._work.pop(pod_key) is not None:
            self.recorder.event(
                _pod_ref(pod_key),
                NORMAL,
                "TaintManagerEviction",
                f"Cancelling deletion of Pod {pod_key[0]}/{pod_key[1]}",
            )

    def _evict(self, namespace: str, name: str) -> None:
        self.recorder.event(
            _pod_ref((namespace, name)),
            NORMAL,
            "TaintManagerEviction",
            f"Marking for deletion Pod {namespace}/{name}",
        )
        condition = {
            "type": "DisruptionTarget",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": rfc3339(self.clock.now()),
            "reason": "DeletionByTaintManager",
            "message": "Taint manager: deleting due to NoExecute taint",
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
            log.info("pod %s/%s not evicted: %s", namespace, name, err.message)


def _pod_ref(pod_key: PodKey) -> Obj:
    """The taint manager's reference to a pod (no UID: describe's event query misses it)."""
    return {"kind": "Pod", "namespace": pod_key[0], "name": pod_key[1], "apiVersion": "v1"}
