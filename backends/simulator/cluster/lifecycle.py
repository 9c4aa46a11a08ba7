"""kube-controller-manager's node lifecycle controller: node health from heartbeats, condition
taints, and pods marked not ready when their node stops answering.

* Every 5 s (``nodeMonitorPeriod``) each node's signs of life are checked: a new
  ``lastHeartbeatTime`` on its Ready condition or a renewed Lease. After the grace period (40 s,
  60 s for a node that never posted status) its Ready, MemoryPressure, DiskPressure and
  PIDPressure conditions become ``Unknown`` with reason ``NodeStatusUnknown`` and message
  "Kubelet stopped posting node status." (NetworkUnavailable is left alone, as upstream).
* On the transition from Ready: a ``NodeNotReady`` event on the node, and every pod bound to it
  gets its Ready condition set to False with a ``NodeNotReady`` warning event ("Node is not
  ready"). Pods are not moved anywhere: nothing reschedules a bound pod.
* Condition taints (``TaintNodesByCondition``): ``NoSchedule`` taints follow the conditions
  (not-ready, unreachable, memory-, disk-, pid-pressure, network-unavailable) and
  ``spec.unschedulable`` (``node.kubernetes.io/unschedulable``), on every node change.
* Taint-based eviction: a node whose Ready condition is False or Unknown gets the
  ``not-ready``/``unreachable`` ``NoExecute`` taint, at most one node every 10 s
  (``--node-eviction-rate`` 0.1), and none while every node is unhealthy or while more than 2
  nodes and at least 55% of them are (kube-controller-manager's disruption modes, for a cluster
  under its 50-node "large cluster" threshold). Those taints go when the node is Ready again.

Events come from ``node-controller``; writes use the ``kube-controller-manager`` field manager.
Time is the injected Clock: ``sync()`` does what is due and is called by the cluster's loop.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

from backends.simulator.apiserver import status
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock, parse_rfc3339, rfc3339
from backends.simulator.cluster import taints as taint_rules
from backends.simulator.cluster.api import LEASES, NODES, PODS, key, metadata, patch, update_status
from backends.simulator.cluster.events import NORMAL, WARNING, EventRecorder
from backends.simulator.cluster.nodes import LEASE_NAMESPACE
from backends.simulator.store import Event

log = logging.getLogger("pykctl.simulator.nodelifecycle")

Obj = dict[str, Any]
MANAGER = "kube-controller-manager"

MONITOR_PERIOD_SECONDS = 5.0
GRACE_PERIOD_SECONDS = 40.0
STARTUP_GRACE_PERIOD_SECONDS = 60.0
EVICTION_INTERVAL_SECONDS = 10.0  # --node-eviction-rate 0.1
UNHEALTHY_ZONE_THRESHOLD = 0.55

_UNKNOWN_WHEN_SILENT = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
# node condition type -> {status: taint key}
_CONDITION_TAINTS = {
    "Ready": {"False": taint_rules.NOT_READY, "Unknown": taint_rules.UNREACHABLE},
    "MemoryPressure": {"True": "node.kubernetes.io/memory-pressure"},
    "DiskPressure": {"True": "node.kubernetes.io/disk-pressure"},
    "NetworkUnavailable": {"True": "node.kubernetes.io/network-unavailable"},
    "PIDPressure": {"True": "node.kubernetes.io/pid-pressure"},
}
_CONDITION_TAINT_KEYS = {k for by_status in _CONDITION_TAINTS.values() for k in by_status.values()}
_NO_EXECUTE = {
    "False": {"key": taint_rules.NOT_READY, "effect": taint_rules.NO_EXECUTE},
    "Unknown": {"key": taint_rules.UNREACHABLE, "effect": taint_rules.NO_EXECUTE},
}


def ready_condition(node: Obj) -> Obj | None:
    """The node's Ready condition, if it has one."""
    for condition in (node.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            found: Obj = condition
            return found
    return None


@dataclass
class _Health:
    """What the controller last saw of a node (its local times, not the node's)."""

    probe: float  # the last sign of life, on the monotonic clock
    heartbeat: str  # the Ready condition's lastHeartbeatTime then
    renew: str  # the Lease's renewTime then
    ready: str  # the Ready status after the last pass


class NodeLifecycleController:
    """Watches node heartbeats; see the module docstring."""

    def __init__(
        self,
        rest: Rest,
        clock: Clock,
        grace_period: float = GRACE_PERIOD_SECONDS,
        startup_grace_period: float = STARTUP_GRACE_PERIOD_SECONDS,
    ) -> None:
        self.rest = rest
        self.clock = clock
        self.grace_period = grace_period
        self.startup_grace_period = startup_grace_period
        self.recorder = EventRecorder(rest, clock, "node-controller", manager=MANAGER)
        self._health: dict[str, _Health] = {}
        self._known: dict[str, str] = {}  # node name -> uid
        self._monitored: float | None = None
        self._dirty_nodes: set[str] = set()
        self._dirty_pods: set[tuple[str, str]] = set()
        self._to_taint: list[str] = []  # the NoExecute tainter's queue
        self._tainted: float | None = None
        self._zone = "Initial"
        rest.store.add_listener(self._on_event)
        self._dirty_nodes.update(n["metadata"]["name"] for n in rest.store.objects(key(NODES)))

    def _on_event(self, event: Event) -> None:
        if event.resource == key(NODES) and event.type != "DELETED":
            self._dirty_nodes.add(metadata(event.object)["name"])
        elif event.resource == key(PODS) and event.type != "DELETED":
            node = (event.object.get("spec") or {}).get("nodeName")
            before = ((event.previous or {}).get("spec") or {}).get("nodeName")
            if node and node != before:
                meta = metadata(event.object)
                self._dirty_pods.add((meta.get("namespace") or "", meta["name"]))

    def pending(self) -> bool:
        """Whether there is work that does not wait for the clock."""
        return bool(self._dirty_nodes or self._dirty_pods)

    def sync(self) -> None:
        """Do what is due: condition taints of changed nodes, newly bound pods, health checks."""
        while self._dirty_nodes:
            self._taint_by_conditions(self._dirty_nodes.pop())
        while self._dirty_pods:
            self._check_pod(*self._dirty_pods.pop())
        now = self.clock.monotonic()
        if self._monitored is None or now - self._monitored >= MONITOR_PERIOD_SECONDS:
            self._monitored = now
            self._monitor()
        self._taint_no_execute()

    # ------------------------------------------------------------- NoSchedule tainting

    def _taint_by_conditions(self, name: str) -> None:
        node = self.rest.store.get(key(NODES), "", name)
        if node is None:
            return
        wanted = []
        for condition in (node.get("status") or {}).get("conditions") or []:
            taint_key = _CONDITION_TAINTS.get(condition.get("type") or "", {}).get(
                condition.get("status") or ""
            )
            if taint_key:
                wanted.append({"key": taint_key, "effect": taint_rules.NO_SCHEDULE})
        if (node.get("spec") or {}).get("unschedulable"):
            wanted.append({"key": taint_rules.UNSCHEDULABLE, "effect": taint_rules.NO_SCHEDULE})
        present = [
            t
            for t in taint_rules.node_taints(node)
            if t.get("effect") == taint_rules.NO_SCHEDULE
            and (t.get("key") in _CONDITION_TAINT_KEYS or t.get("key") == taint_rules.UNSCHEDULABLE)
        ]
        add = [t for t in wanted if not any(taint_rules.same_taint(t, p) for p in present)]
        remove = [p for p in present if not any(taint_rules.same_taint(p, t) for t in wanted)]
        self._swap_taints(node, add, remove)

    def _swap_taints(self, node: Obj, add: list[Obj], remove: list[Obj]) -> None:
        """kube-controller-manager's SwapNodeControllerTaint: one PATCH of spec.taints."""
        if not add and not remove:
            return
        now = rfc3339(self.clock.now())
        kept = [
            t
            for t in taint_rules.node_taints(node)
            if not any(taint_rules.same_taint(t, r) for r in [*remove, *add])
        ]
        taints = kept + [{**t, "timeAdded": now} for t in add]
        try:
            patch(
                self.rest,
                NODES,
                None,
                metadata(node)["name"],
                {"spec": {"taints": taints or None}},
                MANAGER,
            )
        except status.ApiStatus as err:
            log.warning("taints of node %s not updated: %s", metadata(node)["name"], err.message)

    # ------------------------------------------------------------------- node health

    def _monitor(self) -> None:
        nodes = self.rest.store.objects(key(NODES))
        names = {metadata(n)["name"] for n in nodes}
        for node in nodes:
            meta = metadata(node)
            if meta["name"] not in self._known:
                self._known[meta["name"]] = meta.get("uid") or ""
                self._node_event(
                    node, "RegisteredNode", f"Registered Node {meta['name']} in Controller"
                )
                self._mark_reachable(node)
        for name in sorted(set(self._known) - names):
            self._node_event(
                {"metadata": {"name": name, "uid": self._known.pop(name)}},
                "RemovingNode",
                f"Removing Node {name} from Controller",
            )
            self._health.pop(name, None)
            if name in self._to_taint:
                self._to_taint.remove(name)
        ready_statuses = []
        for node in nodes:
            observed, current = self._update_health(node)
            ready_statuses.append(current)
            self._taint_based_eviction(node, observed)
            if current != "True" and observed == "True":
                name = metadata(node)["name"]
                self.recorder.event(
                    _node_ref(node),
                    NORMAL,
                    "NodeNotReady",
                    f"Node {name} status is now: NodeNotReady",
                )
                self._mark_pods_not_ready(name)
        self._handle_disruption(nodes, ready_statuses)

    def _update_health(self, node: Obj) -> tuple[str, str]:
        """The node controller's tryUpdateNodeHealth; returns Ready's status before and after."""
        meta = metadata(node)
        name = meta["name"]
        now = self.clock.monotonic()
        condition = ready_condition(node)
        observed = str((condition or {}).get("status") or "Unknown")
        grace = self.grace_period if condition is not None else self.startup_grace_period
        heartbeat = str((condition or {}).get("lastHeartbeatTime") or "")
        lease = self.rest.store.get(key(LEASES), LEASE_NAMESPACE, name)
        renew = str(((lease or {}).get("spec") or {}).get("renewTime") or "")
        health = self._health.get(name)
        if health is None:
            first = now
            if condition is None:  # never posted: the grace runs from its creation
                first -= self._age(node)
            health = self._health[name] = _Health(first, heartbeat, renew, observed)
        if heartbeat != health.heartbeat:
            health.heartbeat, health.probe = heartbeat, now
        if renew and renew > health.renew:
            health.renew, health.probe = renew, now
        current = observed
        if now > health.probe + grace:
            current = self._mark_unknown(node)
        health.ready = current
        return observed, current

    def _age(self, node: Obj) -> float:
        created = metadata(node).get("creationTimestamp")
        if not created:
            return 0.0
        return max(0.0, (self.clock.now() - parse_rfc3339(str(created))).total_seconds())

    def _mark_unknown(self, node: Obj) -> str:
        """Set the kubelet's conditions to Unknown; returns the Ready status now stored."""
        silent = copy.deepcopy(node)
        stamp = rfc3339(self.clock.now())
        conditions = silent.setdefault("status", {}).setdefault("conditions", [])
        for condition_type in _UNKNOWN_WHEN_SILENT:
            condition = next((c for c in conditions if c.get("type") == condition_type), None)
            if condition is None:
                conditions.append(
                    {
                        "type": condition_type,
                        "status": "Unknown",
                        "lastHeartbeatTime": metadata(node).get("creationTimestamp"),
                        "lastTransitionTime": stamp,
                        "reason": "NodeStatusNeverUpdated",
                        "message": "Kubelet never posted node status.",
                    }
                )
            elif condition.get("status") != "Unknown":
                condition.update(
                    status="Unknown",
                    reason="NodeStatusUnknown",
                    message="Kubelet stopped posting node status.",
                    lastTransitionTime=stamp,
                )
        if ready_condition(silent) == ready_condition(node):
            return "Unknown"
        try:
            update_status(self.rest, NODES, silent, MANAGER)
        except status.ApiStatus as err:
            log.warning("node %s status not updated: %s", metadata(node)["name"], err.message)
            return str((ready_condition(node) or {}).get("status") or "Unknown")
        return "Unknown"

    def _node_event(self, node: Obj, reason: str, event: str) -> None:
        name = metadata(node)["name"]
        self.recorder.event(_node_ref(node), NORMAL, reason, f"Node {name} event: {event}")

    # ------------------------------------------------------------------------ pods

    def _mark_pods_not_ready(self, node_name: str) -> None:
        for pod in self.rest.store.objects(key(PODS)):
            if (pod.get("spec") or {}).get("nodeName") == node_name:
                self._mark_pod_not_ready(pod)

    def _mark_pod_not_ready(self, pod: Obj) -> None:
        """MarkPodsNotReady for one pod: its Ready condition goes False, with an event."""
        conditions = (pod.get("status") or {}).get("conditions") or []
        ready = next((c for c in conditions if c.get("type") == "Ready"), None)
        if ready is None or ready.get("status") == "False":
            return
        changed = copy.deepcopy(pod)
        for condition in changed["status"]["conditions"]:
            if condition.get("type") == "Ready":
                condition["status"] = "False"
                condition["lastTransitionTime"] = rfc3339(self.clock.now())
        try:
            update_status(self.rest, PODS, changed, MANAGER)
        except status.ApiStatus as err:
            log.info("pod %s not marked not ready: %s", metadata(pod)["name"], err.message)
            return
        self.recorder.event(pod, WARNING, "NodeNotReady", "Node is not ready")

    def _check_pod(self, namespace: str, name: str) -> None:
        """A pod newly bound to a node the controller knows to be unhealthy is not ready."""
        pod = self.rest.store.get(key(PODS), namespace, name)
        if pod is None:
            return
        health = self._health.get((pod.get("spec") or {}).get("nodeName") or "")
        if health is not None and health.ready != "True":
            self._mark_pod_not_ready(pod)

    # ------------------------------------------------------------ NoExecute tainting

    def _taint_based_eviction(self, node: Obj, observed: str) -> None:
        name = metadata(node)["name"]
        present = taint_rules.node_taints(node)
        if observed in _NO_EXECUTE:
            opposite = _NO_EXECUTE["Unknown" if observed == "False" else "False"]
            if any(taint_rules.same_taint(t, opposite) for t in present):
                self._swap_taints(node, [_NO_EXECUTE[observed]], [opposite])
            elif name not in self._to_taint and not any(
                taint_rules.same_taint(t, _NO_EXECUTE[observed]) for t in present
            ):
                self._to_taint.append(name)
        elif observed == "True":
            self._mark_reachable(node)

    def _mark_reachable(self, node: Obj) -> None:
        name = metadata(node)["name"]
        if name in self._to_taint:
            self._to_taint.remove(name)
        remove = [
            t
            for t in taint_rules.node_taints(node)
            if any(taint_rules.same_taint(t, n) for n in _NO_EXECUTE.values())
        ]
        self._swap_taints(node, [], remove)

    def _taint_no_execute(self) -> None:
        """The rate-limited NoExecute tainter (one node per interval; none when stopped)."""
        now = self.clock.monotonic()
        while self._to_taint and self._zone == "Normal":
            if self._tainted is not None and now - self._tainted < EVICTION_INTERVAL_SECONDS:
                return
            name = self._to_taint.pop(0)
            node = self.rest.store.get(key(NODES), "", name)
            ready = str((ready_condition(node or {}) or {}).get("status") or "")
            if node is None or ready not in _NO_EXECUTE:
                continue
            opposite = _NO_EXECUTE["Unknown" if ready == "False" else "False"]
            self._swap_taints(node, [_NO_EXECUTE[ready]], [opposite])
            self._tainted = now

    def _handle_disruption(self, nodes: list[Obj], ready_statuses: list[str]) -> None:
        """kube-controller-manager's zone states, for the one zone the simulator has."""
        not_ready = sum(1 for s in ready_statuses if s != "True")
        ready = len(ready_statuses) - not_ready
        if ready == 0 and not_ready > 0:
            state = "FullDisruption"
        elif not_ready > 2 and not_ready / len(ready_statuses) >= UNHEALTHY_ZONE_THRESHOLD:
            state = "PartialDisruption"
        else:
            state = "Normal"
        if state == "FullDisruption" and self._zone != "FullDisruption":
            for node in nodes:
                self._mark_reachable(node)
        elif self._zone == "FullDisruption" and state != "FullDisruption":
            now = self.clock.monotonic()
            for health in self._health.values():
                health.probe = now
        if not nodes:
            state = "Initial"
        self._zone = state


def _node_ref(node: Obj) -> Obj:
    """The node controller's reference to a node (with its real UID)."""
    meta = metadata(node)
    return {"kind": "Node", "name": meta["name"], "uid": meta.get("uid") or "", "apiVersion": "v1"}
