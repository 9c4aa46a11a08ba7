"""kube-controller-manager's daemon set controller: one pod per node that should run it,
rolled by RollingUpdate (maxUnavailable) or OnDelete.

For each DaemonSet, ``reconcile`` claims its pods, snapshots the template as a
ControllerRevision (``<ds>-<hash>``, label ``controller-revision-hash``), then, as upstream:

* a node should run the daemon pod when the pod's required node affinity / nodeSelector match
  the node and the pod tolerates the node's NoSchedule and NoExecute taints; it may keep a pod
  it already has while the NoExecute taints are tolerated;
* each pod targets its node through node affinity (``matchFields metadata.name In [node]``,
  replacing any ``matchFields`` of the template's terms), so the scheduler binds it; pods get
  the daemon tolerations (not-ready and unreachable NoExecute; disk-, memory-, pid-pressure and
  unschedulable NoSchedule; network-unavailable with hostNetwork), and the labels
  ``controller-revision-hash`` and ``pod-template-generation``;
* a node that should run the pod and has none gets one; failed pods are deleted (event
  FailedDaemonPod) and replaced; of duplicates on a node the oldest stays; pods on nodes that
  should not run them, or that no longer exist, are deleted;
* RollingUpdate replaces old pods node by node, at most ``maxUnavailable`` (of the desired
  number, rounded up) unavailable at a time, unavailable old pods first; OnDelete only
  replaces pods deleted by someone else; ``maxSurge`` is not implemented (treated as 0);
* status: desiredNumberScheduled, currentNumberScheduled, numberMisscheduled, numberReady,
  updatedNumberScheduled, numberAvailable (minReadySeconds), numberUnavailable,
  observedGeneration.
"""

from __future__ import annotations

import copy
import datetime
import math
from typing import Any

from backends.simulator.apiserver.resources import lookup
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.cluster import taints as taint_rules
from backends.simulator.cluster.events import WARNING
from backends.simulator.cluster.placement import NodeInfo, matches_node_selector
from backends.simulator.controllers.deployment import compute_hash
from backends.simulator.controllers.framework import object_key
from backends.simulator.controllers.history import History, template_patch
from backends.simulator.controllers.ownership import PodOwnerController
from backends.simulator.controllers.pods import (
    is_available,
    is_ready,
    labels,
    meta,
    pod_from_template,
)

Obj = dict[str, Any]

_daemon_sets = lookup("apps", "v1", "daemonsets")
assert _daemon_sets is not None
DAEMON_SETS = _daemon_sets

HASH_LABEL = "controller-revision-hash"
GENERATION_LABEL = "pod-template-generation"
TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"
BURST = 250
_DAEMON_TOLERATIONS = (
    (taint_rules.NOT_READY, taint_rules.NO_EXECUTE),
    (taint_rules.UNREACHABLE, taint_rules.NO_EXECUTE),
    ("node.kubernetes.io/disk-pressure", taint_rules.NO_SCHEDULE),
    ("node.kubernetes.io/memory-pressure", taint_rules.NO_SCHEDULE),
    ("node.kubernetes.io/pid-pressure", taint_rules.NO_SCHEDULE),
    (taint_rules.UNSCHEDULABLE, taint_rules.NO_SCHEDULE),
)
NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable"


def template_generation(ds: Obj) -> str | None:
    """The template generation pods are labelled with: the API server's annotation
    (``util.GetTemplateGeneration``; None without it)."""
    found = (meta(ds).get("annotations") or {}).get(TEMPLATE_GENERATION)
    return None if found is None else str(found)


def _add_toleration(tolerations: list[Obj], wanted: Obj) -> None:
    """``AddOrUpdateTolerationInPodSpec``: an equal toleration is not added twice."""
    for existing in tolerations:
        if all(existing.get(k) == wanted.get(k) for k in ("key", "operator", "value", "effect")):
            return
    tolerations.append(wanted)


def daemon_pod_spec(spec: Obj, node: str | None = None) -> Obj:
    """The pod spec a daemon pod gets: the daemon tolerations and, for ``node``, the node
    affinity that pins it there (``ReplaceDaemonSetPodNodeNameNodeAffinity``)."""
    result = copy.deepcopy(spec)
    tolerations = result.setdefault("tolerations", [])
    wanted = list(_DAEMON_TOLERATIONS)
    if result.get("hostNetwork"):
        wanted.append((NETWORK_UNAVAILABLE, taint_rules.NO_SCHEDULE))
    for key, effect in wanted:
        _add_toleration(tolerations, {"key": key, "operator": "Exists", "effect": effect})
    if node is None:
        return result
    pin = {"key": "metadata.name", "operator": "In", "values": [node]}
    affinity = result.setdefault("affinity", {})
    node_affinity = affinity.setdefault("nodeAffinity", {})
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    terms = required.get("nodeSelectorTerms") or []
    if terms:
        terms = [{**term, "matchFields": [pin]} for term in terms]
    else:
        terms = [{"matchFields": [pin]}]
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": terms}
    return result


def target_node(pod: Obj) -> str:
    """``GetTargetNodeName``: the node a daemon pod runs on or is pinned to."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for term in required.get("nodeSelectorTerms") or []:
        for field in term.get("matchFields") or []:
            values = field.get("values") or []
            if field.get("key") == "metadata.name" and field.get("operator") == "In" and values:
                return str(values[0])
    return ""


def should_run(ds: Obj, node: Obj) -> tuple[bool, bool]:
    """``nodeShouldRunDaemonPod``: (should run, may keep running) the daemon pod on ``node``."""
    template_spec = ((ds.get("spec") or {}).get("template") or {}).get("spec") or {}
    name = meta(node).get("name")
    if template_spec.get("nodeName") and template_spec["nodeName"] != name:
        return False, False
    pod = {"spec": daemon_pod_spec(template_spec, str(name))}
    if not matches_node_selector(pod, NodeInfo.of(node)):
        return False, False
    tolerations = taint_rules.pod_tolerations(pod)
    untolerated = [
        taint
        for taint in taint_rules.with_effect(
            taint_rules.node_taints(node), taint_rules.NO_SCHEDULE, taint_rules.NO_EXECUTE
        )
        if not taint_rules.tolerated(taint, tolerations)
    ]
    if untolerated:
        return False, not any(t.get("effect") == taint_rules.NO_EXECUTE for t in untolerated)
    return True, True


def max_unavailable(ds: Obj, desired: int) -> int:
    """RollingUpdate's ``maxUnavailable`` as a number of nodes (percentages round up)."""
    rolling = ((ds.get("spec") or {}).get("updateStrategy") or {}).get("rollingUpdate") or {}
    value = rolling.get("maxUnavailable", 1)
    if isinstance(value, str) and value.endswith("%"):
        number = math.ceil(int(value[:-1]) * desired / 100)
    else:
        number = int(value)
    return number or 1


def _created(pod: Obj) -> tuple[str, str]:
    return str(meta(pod).get("creationTimestamp") or ""), str(meta(pod).get("name"))


class DaemonSetController(PodOwnerController):
    """Runs each DaemonSet's pod on the nodes that should run it; see the module docstring."""

    def __init__(self, rest: Rest, clock: Clock) -> None:
        super().__init__(rest, clock, DAEMON_SETS, "daemonset-controller")
        self.watches = (self.primary, "/pods", "/nodes")
        self.history = History(rest)

    def on_event(self, event: Any) -> None:
        if event.resource == "/nodes":
            for ds in self.store.objects(self.primary):
                self.queue.add(object_key(meta(ds)["namespace"], meta(ds)["name"]))
            return
        super().on_event(event)

    def reconcile(self, key: str) -> None:
        ds = self.owner(key)
        if ds is None:
            self.expectations.forget(key)
            return
        pods = self.pods_of(ds)
        if pods is None or meta(ds).get("deletionTimestamp"):
            return
        spec = ds.get("spec") or {}
        template = spec.get("template") or {}
        collisions = (ds.get("status") or {}).get("collisionCount")
        revision_hash = compute_hash(template, collisions)
        revision_name = f"{meta(ds)['name']}-{revision_hash}"
        self.history.ensure(
            ds,
            revision_name,
            template_patch(template),
            {**labels({"metadata": template.get("metadata") or {}}), HASH_LABEL: revision_hash},
        )
        nodes = {meta(n)["name"]: n for n in self.store.objects("/nodes")}
        by_node: dict[str, list[Obj]] = {}
        for pod in sorted(pods, key=_created):
            by_node.setdefault(target_node(pod), []).append(pod)
        if self.expectations.satisfied(key):
            changed = self._manage(ds, key, nodes, by_node, revision_hash)
            rolling = (spec.get("updateStrategy") or {}).get("type", "RollingUpdate")
            if not changed and rolling == "RollingUpdate":
                self._roll(ds, key, nodes, by_node, revision_hash)
        self.history.truncate(ds, {revision_name})
        current = self.owner(key)
        if current is not None:
            self._update_status(current, revision_hash)

    def _manage(
        self,
        ds: Obj,
        key: str,
        nodes: dict[str, Obj],
        by_node: dict[str, list[Obj]],
        revision_hash: str,
    ) -> bool:
        """``manage``: create and delete pods so each node has what it should; whether it
        wrote anything."""
        create_on: list[str] = []
        doomed: list[Obj] = []
        for name, node in nodes.items():
            run, keep = should_run(ds, node)
            here = [p for p in by_node.get(name, []) if not meta(p).get("deletionTimestamp")]
            if run:
                failed = [p for p in here if (p.get("status") or {}).get("phase") == "Failed"]
                for pod in failed:
                    self.recorder.event(
                        ds,
                        WARNING,
                        "FailedDaemonPod",
                        f"Found failed daemon pod {meta(pod)['namespace']}/{meta(pod)['name']} "
                        f"on node {name}, will try to kill it",
                    )
                doomed += failed
                healthy = [p for p in here if p not in failed]
                if not healthy and not failed:
                    create_on.append(name)
                doomed += healthy[1:]
            elif not keep:
                doomed += here
        doomed += [
            p
            for name, on_node in by_node.items()
            if name not in nodes
            for p in on_node
            if not meta(p).get("deletionTimestamp")
        ]
        return self._sync_nodes(ds, key, create_on[:BURST], doomed, revision_hash)

    def _sync_nodes(
        self, ds: Obj, key: str, create_on: list[str], doomed: list[Obj], revision_hash: str
    ) -> bool:
        namespace = meta(ds)["namespace"]
        self.expectations.expect(
            key,
            adds=len(create_on),
            deletes=[object_key(namespace, meta(p)["name"]) for p in doomed],
        )
        template = (ds.get("spec") or {}).get("template") or {}
        for node in create_on:
            pod = pod_from_template(ds, template, namespace)
            generation = template_generation(ds)
            pod["metadata"]["labels"] = {
                **(pod["metadata"].get("labels") or {}),
                HASH_LABEL: revision_hash,
                **({} if generation is None else {GENERATION_LABEL: generation}),
            }
            pod["spec"] = daemon_pod_spec(pod["spec"], node)
            self.create_pod(ds, pod)
        for pod in doomed:
            self.delete_pod(ds, pod)
        return bool(create_on or doomed)

    def _updated(self, ds: Obj, pod: Obj, revision_hash: str) -> bool:
        """``IsPodUpdated``: the pod has the current template's hash or generation."""
        pod_labels = labels(pod)
        if HASH_LABEL in pod_labels:
            return pod_labels[HASH_LABEL] == revision_hash
        generation = template_generation(ds)
        return generation is not None and pod_labels.get(GENERATION_LABEL) == generation

    def _roll(
        self,
        ds: Obj,
        key: str,
        nodes: dict[str, Obj],
        by_node: dict[str, list[Obj]],
        revision_hash: str,
    ) -> None:
        """``rollingUpdate`` without surge: replace old pods within maxUnavailable."""
        spec = ds.get("spec") or {}
        min_ready = int(spec.get("minReadySeconds") or 0)
        now = self.clock.now()
        desired = sum(1 for node in nodes.values() if should_run(ds, node)[0])
        allowed = max_unavailable(ds, desired)
        unavailable = 0
        replace: list[Obj] = []
        candidates: list[Obj] = []
        for name in sorted(by_node):
            if name not in nodes:
                continue
            here = [p for p in by_node[name] if not meta(p).get("deletionTimestamp")]
            new = [p for p in here if self._updated(ds, p, revision_hash)]
            old = [p for p in here if not self._updated(ds, p, revision_hash)]
            if len(new) > 1 or len(old) > 1 or (bool(new) == bool(old)):
                unavailable += 1
            elif new:
                if not is_available(new[0], min_ready, now):
                    unavailable += 1
            elif not is_available(old[0], min_ready, now):
                replace.append(old[0])
            elif unavailable < allowed:
                candidates.append(old[0])
        room = min(max(0, allowed - unavailable), len(candidates))
        doomed = replace + candidates[:room]
        if doomed:
            self._sync_nodes(ds, key, [], doomed, revision_hash)

    def _update_status(self, ds: Obj, revision_hash: str) -> None:
        min_ready = int((ds.get("spec") or {}).get("minReadySeconds") or 0)
        now = self.clock.now()
        pods = self.pods_of(ds) or []
        by_node: dict[str, list[Obj]] = {}
        for pod in sorted(pods, key=_created):
            by_node.setdefault(target_node(pod), []).append(pod)
        desired = current = misscheduled = ready = updated = available = 0
        waiting: list[datetime.datetime] = []
        for node in self.store.objects("/nodes"):
            here = by_node.get(meta(node)["name"], [])
            if should_run(ds, node)[0]:
                desired += 1
                if not here:
                    continue
                current += 1
                pod = here[0]
                if is_ready(pod):
                    ready += 1
                    if is_available(pod, min_ready, now):
                        available += 1
                    else:
                        waiting.append(now)
                if self._updated(ds, pod, revision_hash):
                    updated += 1
            elif here:
                misscheduled += 1
        old = ds.get("status") or {}
        new: Obj = {
            "currentNumberScheduled": current,
            "numberMisscheduled": misscheduled,
            "desiredNumberScheduled": desired,
            "numberReady": ready,
        }
        generation = meta(ds).get("generation")
        if generation is not None:
            new["observedGeneration"] = generation
        for field, value in (
            ("updatedNumberScheduled", updated),
            ("numberAvailable", available),
            ("numberUnavailable", desired - available),
        ):
            if value:
                new[field] = value
        for field in ("collisionCount", "conditions"):
            if field in old:
                new[field] = old[field]
        self.write_status(ds, new)
        if waiting and min_ready > 0:
            self.queue.add_after(object_key(meta(ds)["namespace"], meta(ds)["name"]), min_ready)
