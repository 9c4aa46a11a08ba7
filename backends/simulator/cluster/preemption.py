"""kube-scheduler's post-filter step for a pod that fits nowhere, as pure functions: the
DynamicResources plugin ("no new claims to deallocate") and DefaultPreemption.

Preemption looks for a node where deleting pods of lower priority (``spec.priority``) would let
the pod fit: nodes rejected for an unresolvable reason are "Preemption is not helpful for
scheduling"; nodes with no lower-priority pod are "No preemption victims found for incoming
pod"; otherwise the filters run again without those pods (a rejection then is the filters'
reason) and as many of them as possible are spared, the most important first (higher priority,
then earlier start). Among the candidate nodes the one with the lowest highest-victim priority
wins, then the lowest priority sum, then the fewest victims, then the first by name.

With a candidate the post-filter message is empty (the pod is nominated to the node and its
victims are deleted by the scheduler). Without one it is "no new claims to deallocate,
preemption: " + the FitError over the preemption verdicts, e.g. "preemption: 0/3 nodes are
available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for
incoming pod.". A pod with ``preemptionPolicy: Never`` is "not eligible due to
preemptionPolicy=Never.", and so is a pod whose nominated node still has a victim terminating
("not eligible due to a terminating pod on the nominated node.").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backends.simulator.cluster.placement import (
    Decision,
    NodeInfo,
    Rejection,
    Snapshot,
    filter_node,
    fit_error,
)

Obj = dict[str, Any]

NO_CLAIMS = "no new claims to deallocate"
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"
NEVER = "not eligible due to preemptionPolicy=Never."
TERMINATING = "not eligible due to a terminating pod on the nominated node."
PREEMPTION_REASON = "PreemptionByScheduler"


@dataclass
class PostFilter:
    """The post-filter outcome: a message, or a node to nominate and the pods to delete."""

    message: str
    node: str | None = None
    victims: list[Obj] = field(default_factory=list)


def priority(pod: Obj) -> int:
    """``spec.priority`` (0 when unset)."""
    return int((pod.get("spec") or {}).get("priority") or 0)


def _start_time(pod: Obj) -> str:
    status = pod.get("status") or {}
    return str(
        status.get("startTime") or (pod.get("metadata") or {}).get("creationTimestamp") or ""
    )


def terminating_by_preemption(pod: Obj) -> bool:
    """A victim on its way out: being deleted, with the scheduler's DisruptionTarget."""
    if not (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    return any(
        c.get("type") == "DisruptionTarget" and c.get("reason") == PREEMPTION_REASON
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def _eligibility(pod: Obj, snapshot: Snapshot) -> str:
    """Why the pod may not preempt ("" when it may)."""
    spec = pod.get("spec") or {}
    if spec.get("preemptionPolicy") == "Never":
        return NEVER
    nominated = (pod.get("status") or {}).get("nominatedNodeName")
    for info in snapshot.nodes:
        if info.name == nominated and any(
            priority(other) < priority(pod) and terminating_by_preemption(other)
            for other in info.pods
        ):
            return TERMINATING
    return ""


def _victims_on(pod: Obj, info: NodeInfo, snapshot: Snapshot) -> tuple[list[Obj] | None, Rejection]:
    """The pods to delete on ``info`` (None: none would do) and the node's verdict."""
    lower = [other for other in info.pods if priority(other) < priority(pod)]
    if not lower:
        return None, Rejection((NO_VICTIMS,))
    kept = [other for other in info.pods if priority(other) >= priority(pod)]
    rejection = filter_node(pod, NodeInfo.of(info.node, kept), snapshot)
    if rejection is not None:
        return None, rejection
    # spare the most important first: higher priority, then the earlier started
    ordered = sorted(lower, key=_start_time)
    ordered.sort(key=priority, reverse=True)
    victims = []
    for candidate in ordered:
        if filter_node(pod, NodeInfo.of(info.node, (*kept, candidate)), snapshot) is None:
            kept.append(candidate)
        else:
            victims.append(candidate)
    return victims, Rejection(())


def post_filter(pod: Obj, snapshot: Snapshot, decision: Decision) -> PostFilter:
    """What happens after every node rejected ``pod`` (see the module docstring)."""
    reason = _eligibility(pod, snapshot)
    if reason:
        return PostFilter(f"{NO_CLAIMS}, preemption: {reason}")
    verdicts: dict[str, Rejection] = {}
    candidates: list[tuple[tuple[int, int, int], str, list[Obj]]] = []
    for info in sorted(snapshot.nodes, key=lambda i: i.name):
        rejection = decision.rejections.get(info.name)
        if decision.prefilter_message or rejection is None or rejection.unresolvable:
            verdicts[info.name] = Rejection((NOT_HELPFUL,))
            continue
        victims, verdict = _victims_on(pod, info, snapshot)
        if victims is None:
            verdicts[info.name] = verdict
            continue
        rank = (
            max((priority(v) for v in victims), default=-(2**31)),
            sum(priority(v) for v in victims),
            len(victims),
        )
        candidates.append((rank, info.name, victims))
    if not candidates:
        return PostFilter(f"{NO_CLAIMS}, preemption: {fit_error(len(snapshot.nodes), verdicts)}")
    _, node, victims = min(candidates, key=lambda c: (c[0], c[1]))
    return PostFilter("", node, victims)
