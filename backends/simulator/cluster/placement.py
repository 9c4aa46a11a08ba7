"""kube-scheduler's decision for one pod, as pure functions over a snapshot of the cluster:
filter every node, explain the failures, score the nodes that fit, pick one.

Filters run in kube-scheduler's default order and a node fails on the first one that rejects
it: NodeUnschedulable ("node(s) were unschedulable"), TaintToleration ("node(s) had untolerated
taint(s)"), NodeAffinity ("node(s) didn't match Pod's node affinity/selector"), NodePorts
("node(s) didn't have free ports for the requested pod ports"), NodeResourcesFit ("Too many
pods", "Insufficient cpu", "Insufficient memory", "Insufficient ephemeral-storage",
"Insufficient <extended resource>"), PodTopologySpread ("node(s) didn't match pod topology
spread constraints") and InterPodAffinity ("node(s) didn't match pod affinity rules", "... pod
anti-affinity rules", "node(s) didn't satisfy existing pods anti-affinity rules"). A rejection
is *unresolvable* (preemption cannot help) except for requests that would fit the node's
allocatable (kubernetes#131345), host ports, spreading skew and anti-affinity, as upstream. The VolumeBinding pre-filter
rejects the pod on every node when a claim is missing, being deleted or (Immediate binding)
unbound.

Feasible nodes are scored with the default plugins' weights: TaintToleration 3
(PreferNoSchedule taints), NodeAffinity 2 (preferred terms), NodeResourcesFit 1
(LeastAllocated), NodeResourcesBalancedAllocation 1, PodTopologySpread 2 (explicit
ScheduleAnyway constraints and the system default: spread by hostname the pods selected by the
pod's services and controller — or, when those give no selector, the pods of the same
controller) and InterPodAffinity 2 (preferred terms). The highest total wins; where
kube-scheduler breaks ties at random, the first node by name wins here.

The unschedulable message is kube-scheduler's FitError: "0/N nodes are available: " + the
pre-filter message, or a sorted histogram of the reasons ("1 Insufficient memory, 2 node(s) had
untolerated taint(s)") + "." + the post-filter message (preemption.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from backends.objects.selectors import (
    LabelSelector,
    Operator,
    Requirement,
    SelectorError,
    label_selector_from_dict,
    selector_from_set,
)
from backends.simulator.cluster import resources as res
from backends.simulator.cluster import taints as taint_rules

Obj = dict[str, Any]

MAX_NODE_SCORE = 100
HOSTNAME_LABEL = "kubernetes.io/hostname"
ZONE_LABEL = "topology.kubernetes.io/zone"
NO_NODES_AVAILABLE = "no nodes available to schedule pods"
UNSCHEDULABLE_NODE = "node(s) were unschedulable"
UNTOLERATED_TAINT = "node(s) had untolerated taint(s)"
NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
NODE_PORTS = "node(s) didn't have free ports for the requested pod ports"
TOO_MANY_PODS = "Too many pods"
TOPOLOGY_SPREAD = "node(s) didn't match pod topology spread constraints"
TOPOLOGY_SPREAD_LABEL = (
    "node(s) didn't match pod topology spread constraints (missing required label)"
)
POD_AFFINITY = "node(s) didn't match pod affinity rules"
POD_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
UNBOUND_IMMEDIATE_CLAIMS = "pod has unbound immediate PersistentVolumeClaims"
_FIXED_RESOURCES = ("cpu", "memory", "ephemeral-storage")
_SCORED_RESOURCES = ("cpu", "memory")


# ------------------------------------------------------------------------------ snapshot


Requests = Callable[[Obj, bool], res.Amounts]  # (pod, non_zero) -> amounts


@dataclass(frozen=True)
class NodeInfo:
    """A node, the (non-terminal) pods bound to it, and what they request in total."""

    node: Obj
    pods: tuple[Obj, ...]
    requested: res.Amounts
    non_zero_requested: res.Amounts  # with the scoring defaults for bare containers

    @classmethod
    def of(
        cls, node: Obj, pods: Iterable[Obj] = (), requests: Requests = res.pod_requests
    ) -> NodeInfo:
        """Total ``pods``' requests (``requests`` may be a memoized ``pod_requests``)."""
        info = cls(node, (), {}, {})
        for pod in pods:
            info = info.with_pod(pod, requests)
        return info

    def with_pod(self, pod: Obj, requests: Requests = res.pod_requests) -> NodeInfo:
        """This node with one more pod."""
        return NodeInfo(
            self.node,
            (*self.pods, pod),
            res.add(self.requested, requests(pod, False)),
            res.add(self.non_zero_requested, requests(pod, True)),
        )

    @cached_property
    def name(self) -> str:
        return str((self.node.get("metadata") or {}).get("name") or "")

    @cached_property
    def labels(self) -> dict[str, str]:
        return dict((self.node.get("metadata") or {}).get("labels") or {})

    @cached_property
    def allocatable(self) -> res.Amounts:
        return res.amounts((self.node.get("status") or {}).get("allocatable"))


@dataclass(frozen=True)
class Snapshot:
    """What one scheduling cycle sees of the cluster (read-only)."""

    nodes: list[NodeInfo]
    namespace_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # the selector kube-scheduler derives from the pod's services and controller
    default_selector: Callable[[Obj], LabelSelector] = lambda pod: LabelSelector()
    # claim lookups for the VolumeBinding pre-filter: (namespace, name) -> claim
    claims: dict[tuple[str, str], Obj] = field(default_factory=dict)
    # StorageClass name -> volumeBindingMode
    binding_modes: dict[str, str] = field(default_factory=dict)

    @cached_property
    def placed(self) -> list[tuple[NodeInfo, Obj]]:
        """Every pod with its node."""
        return [(info, pod) for info in self.nodes for pod in info.pods]

    @cached_property
    def with_affinity(self) -> list[tuple[NodeInfo, Obj]]:
        """The placed pods that have pod affinity or anti-affinity of their own."""
        return [
            (info, pod)
            for info, pod in self.placed
            if (_spec(pod).get("affinity") or {}).keys() & {"podAffinity", "podAntiAffinity"}
        ]


@dataclass(frozen=True)
class Rejection:
    """Why a node does not fit (one filter's reasons)."""

    reasons: tuple[str, ...]
    unresolvable: bool = True


@dataclass
class Decision:
    """The outcome of one cycle: a node, or the rejections that explain why there is none."""

    node: str | None
    rejections: dict[str, Rejection] = field(default_factory=dict)
    prefilter_message: str = ""
    scores: dict[str, int] = field(default_factory=dict)


def fit_error(
    node_count: int, rejections: Mapping[str, Rejection], prefilter: str = "", postfilter: str = ""
) -> str:
    """kube-scheduler's FitError text."""
    message = f"0/{node_count} nodes are available:"
    if prefilter:
        message += f" {prefilter}."
    else:
        histogram: dict[str, int] = {}
        for rejection in rejections.values():
            for reason in rejection.reasons:
                histogram[reason] = histogram.get(reason, 0) + 1
        if histogram:
            message += (
                " "
                + ", ".join(sorted(f"{count} {reason}" for reason, count in histogram.items()))
                + "."
            )
    if postfilter:
        message += f" {postfilter}"
    return message


# ------------------------------------------------------------------------- helpers


def _spec(pod: Obj) -> Obj:
    found = pod.get("spec")
    return found if isinstance(found, dict) else {}


def _meta(obj: Obj) -> Obj:
    found = obj.get("metadata")
    return found if isinstance(found, dict) else {}


def _namespace(pod: Obj) -> str:
    return str(_meta(pod).get("namespace") or "")


def _pod_labels(pod: Obj) -> dict[str, str]:
    return dict(_meta(pod).get("labels") or {})


def _selector(obj: Mapping[str, Any] | None) -> LabelSelector:
    try:
        return label_selector_from_dict(obj)
    except SelectorError:
        return LabelSelector.nothing()


def _node_term_matches(term: Obj, info: NodeInfo) -> bool:
    """A NodeSelectorTerm: its expressions (labels) and fields (metadata.name) all match."""
    expressions = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not expressions and not fields:
        return False
    labels = info.labels
    for expression in expressions:
        if not _node_requirement(expression).matches(labels):
            return False
    for expression in fields:
        if expression.get("key") != "metadata.name":
            return False
        if not _node_requirement(expression).matches({"metadata.name": info.name}):
            return False
    return True


_NODE_OPERATORS = {
    "In": Operator.IN,
    "NotIn": Operator.NOT_IN,
    "Exists": Operator.EXISTS,
    "DoesNotExist": Operator.DOES_NOT_EXIST,
    "Gt": Operator.GREATER_THAN,
    "Lt": Operator.LESS_THAN,
}


def _node_requirement(expression: Obj) -> Requirement:
    operator = _NODE_OPERATORS.get(str(expression.get("operator") or ""), Operator.IN)
    values = tuple(str(v) for v in expression.get("values") or [])
    return Requirement(str(expression.get("key") or ""), operator, values)


def _node_affinity(pod: Obj) -> Obj:
    return (_spec(pod).get("affinity") or {}).get("nodeAffinity") or {}


def matches_node_selector(pod: Obj, info: NodeInfo) -> bool:
    """The pod's nodeSelector and required node affinity both match the node."""
    labels = info.labels
    for label, value in (_spec(pod).get("nodeSelector") or {}).items():
        if labels.get(label) != value:
            return False
    required = _node_affinity(pod).get("requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        return True
    return any(_node_term_matches(term, info) for term in required.get("nodeSelectorTerms") or [])


def _tolerates_all(pod: Obj, node_taints: Sequence[Obj]) -> bool:
    tolerations = taint_rules.pod_tolerations(pod)
    return all(taint_rules.tolerated(taint, tolerations) for taint in node_taints)


def _host_ports(pod: Obj) -> list[tuple[str, str, int]]:
    ports = []
    spec = _spec(pod)
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                ip = port.get("hostIP") or "0.0.0.0"
                ports.append((ip, port.get("protocol") or "TCP", int(port["hostPort"])))
    return ports


def _ports_conflict(a: tuple[str, str, int], b: tuple[str, str, int]) -> bool:
    if a[1:] != b[1:]:
        return False
    return a[0] == b[0] or "0.0.0.0" in (a[0], b[0])


# ------------------------------------------------------------------- pod (anti-)affinity


def _term_namespaces(pod: Obj, term: Obj, snapshot: Snapshot) -> Callable[[str], bool]:
    names = set(term.get("namespaces") or [])
    namespace_selector = term.get("namespaceSelector")
    if not names and namespace_selector is None:
        own = _namespace(pod)
        return lambda namespace: namespace == own
    selector = (
        _selector(namespace_selector) if namespace_selector is not None else LabelSelector.nothing()
    )
    return lambda namespace: (
        namespace in names or selector.matches(snapshot.namespace_labels.get(namespace, {}))
    )


def _term_selector(pod: Obj, term: Obj) -> LabelSelector:
    """A term's labelSelector, plus its matchLabelKeys and mismatchLabelKeys taken from ``pod``."""
    selector = _selector(term.get("labelSelector"))
    labels = _pod_labels(pod)
    extra = [
        Requirement(label, operator, (labels[label],))
        for keys, operator in (
            ("matchLabelKeys", Operator.IN),
            ("mismatchLabelKeys", Operator.NOT_IN),
        )
        for label in term.get(keys) or []
        if label in labels
    ]
    return selector.add(*extra) if extra else selector


def _term_matches_pod(owner: Obj, term: Obj, other: Obj, snapshot: Snapshot) -> bool:
    """Whether ``other`` is one of the pods ``owner``'s affinity term refers to."""
    if not _term_namespaces(owner, term, snapshot)(_namespace(other)):
        return False
    return _term_selector(owner, term).matches(_pod_labels(other))


def _same_domain(a: NodeInfo, b: NodeInfo, topology_key: str) -> bool:
    value = a.labels.get(topology_key)
    return value is not None and value == b.labels.get(topology_key)


def _pod_affinity(pod: Obj, kind: str) -> Obj:
    return (_spec(pod).get("affinity") or {}).get(kind) or {}


def _required_terms(pod: Obj, kind: str) -> list[Obj]:
    return list(
        _pod_affinity(pod, kind).get("requiredDuringSchedulingIgnoredDuringExecution") or []
    )


def _inter_pod_affinity(pod: Obj, info: NodeInfo, snapshot: Snapshot) -> Rejection | None:
    """InterPodAffinity: existing pods' anti-affinity, then the pod's affinity and anti-affinity."""
    for other_info, other in snapshot.with_affinity:
        for term in _required_terms(other, "podAntiAffinity"):
            if _same_domain(info, other_info, term.get("topologyKey") or "") and _term_matches_pod(
                other, term, pod, snapshot
            ):
                return Rejection((EXISTING_ANTI_AFFINITY,), unresolvable=False)
    placed = snapshot.placed
    terms = _required_terms(pod, "podAffinity")
    if terms:
        if any((term.get("topologyKey") or "") not in info.labels for term in terms):
            return Rejection((POD_AFFINITY,))
        matching = [
            o_info
            for o_info, other in placed
            if all(_term_matches_pod(pod, term, other, snapshot) for term in terms)
        ]
        if not all(
            any(_same_domain(info, o_info, term.get("topologyKey") or "") for o_info in matching)
            for term in terms
        ):
            # the first pod of a group that selects itself may go anywhere
            counted = any(
                (term.get("topologyKey") or "") in o_info.labels
                for term in terms
                for o_info in matching
            )
            if counted or not all(_term_matches_pod(pod, term, pod, snapshot) for term in terms):
                return Rejection((POD_AFFINITY,))
    for term in _required_terms(pod, "podAntiAffinity"):
        key = term.get("topologyKey") or ""
        if any(
            _same_domain(info, o_info, key) and _term_matches_pod(pod, term, other, snapshot)
            for o_info, other in placed
        ):
            return Rejection((POD_ANTI_AFFINITY,), unresolvable=False)
    return None


# ------------------------------------------------------------------ topology spreading


@dataclass(frozen=True)
class _Constraint:
    max_skew: int
    topology_key: str
    selects: Callable[[Obj], bool]  # whether a pod counts for the constraint
    hard: bool
    min_domains: int
    honor_affinity: bool
    honor_taints: bool


def _matcher(selector: LabelSelector) -> Callable[[Obj], bool]:
    return lambda other: selector.matches(_pod_labels(other))


def _explicit_constraints(pod: Obj) -> list[_Constraint]:
    constraints = []
    for item in _spec(pod).get("topologySpreadConstraints") or []:
        selector = _term_selector(pod, item)
        constraints.append(
            _Constraint(
                int(item.get("maxSkew") or 1),
                str(item.get("topologyKey") or ""),
                _matcher(selector),
                (item.get("whenUnsatisfiable") or "DoNotSchedule") == "DoNotSchedule",
                int(item.get("minDomains") or 1),
                (item.get("nodeAffinityPolicy") or "Honor") == "Honor",
                (item.get("nodeTaintsPolicy") or "Ignore") == "Honor",
            )
        )
    return constraints


def _spread_counts(
    pod: Obj, constraint: _Constraint, snapshot: Snapshot, constraints: Sequence[_Constraint]
) -> dict[str, int]:
    """Matching pods per topology domain, over the nodes the constraint considers."""
    counts: dict[str, int] = {}
    for info in snapshot.nodes:
        if any(c.topology_key not in info.labels for c in constraints):
            continue
        if constraint.honor_affinity and not matches_node_selector(pod, info):
            continue
        if constraint.honor_taints and not _tolerates_all(
            pod,
            taint_rules.with_effect(
                taint_rules.node_taints(info.node), taint_rules.NO_SCHEDULE, taint_rules.NO_EXECUTE
            ),
        ):
            continue
        domain = info.labels[constraint.topology_key]
        counts.setdefault(domain, 0)
        for other in info.pods:
            if (
                _namespace(other) == _namespace(pod)
                and not _meta(other).get("deletionTimestamp")
                and constraint.selects(other)
            ):
                counts[domain] += 1
    return counts


def _topology_spread(pod: Obj, info: NodeInfo, snapshot: Snapshot) -> Rejection | None:
    constraints = [c for c in _explicit_constraints(pod) if c.hard]
    for constraint in constraints:
        if constraint.topology_key not in info.labels:
            return Rejection((TOPOLOGY_SPREAD_LABEL,))
    for constraint in constraints:
        counts = _spread_counts(pod, constraint, snapshot, constraints)
        minimum = min(counts.values()) if counts else 0
        if len(counts) < constraint.min_domains:
            minimum = 0
        own = 1 if constraint.selects(pod) else 0
        skew = counts.get(info.labels[constraint.topology_key], 0) + own - minimum
        if skew > constraint.max_skew:
            return Rejection((TOPOLOGY_SPREAD,), unresolvable=False)
    return None


# --------------------------------------------------------------------------- filters


def _fit(pod: Obj, info: NodeInfo) -> Rejection | None:
    """NodeResourcesFit: requests against allocatable minus what is already placed."""
    reasons: list[str] = []
    unresolvable = False
    allocatable = info.allocatable
    if len(info.pods) + 1 > allocatable.get("pods", 0):
        reasons.append(TOO_MANY_PODS)
    requests = res.pod_requests(pod)
    requested = info.requested
    names = [
        *_FIXED_RESOURCES,
        *sorted(n for n in requests if n not in (*_FIXED_RESOURCES, "pods")),
    ]
    for name in names:
        wanted = requests.get(name, 0)
        if wanted > 0 and wanted > allocatable.get(name, 0) - requested.get(name, 0):
            reasons.append(f"Insufficient {name}")
            unresolvable = unresolvable or wanted > allocatable.get(name, 0)
    return Rejection(tuple(reasons), unresolvable) if reasons else None


def filter_node(pod: Obj, info: NodeInfo, snapshot: Snapshot) -> Rejection | None:
    """Run the filters on one node; the first rejection, or None when the pod fits."""
    node_taints = taint_rules.node_taints(info.node)
    tolerations = taint_rules.pod_tolerations(pod)
    if (info.node.get("spec") or {}).get("unschedulable") and not taint_rules.tolerated(
        {"key": taint_rules.UNSCHEDULABLE, "effect": taint_rules.NO_SCHEDULE}, tolerations
    ):
        return Rejection((UNSCHEDULABLE_NODE,))
    wanted_node = _spec(pod).get("nodeName")
    if wanted_node and wanted_node != info.name:
        return Rejection(("node(s) didn't match the requested node name",))
    hard_taints = taint_rules.with_effect(
        node_taints, taint_rules.NO_SCHEDULE, taint_rules.NO_EXECUTE
    )
    if not _tolerates_all(pod, hard_taints):
        return Rejection((UNTOLERATED_TAINT,))
    if not matches_node_selector(pod, info):
        return Rejection((NODE_AFFINITY,))
    wanted_ports = _host_ports(pod)
    if wanted_ports:
        used = [p for other in info.pods for p in _host_ports(other)]
        if any(_ports_conflict(a, b) for a in wanted_ports for b in used):
            return Rejection((NODE_PORTS,), unresolvable=False)
    return (
        _fit(pod, info)
        or _topology_spread(pod, info, snapshot)
        or _inter_pod_affinity(pod, info, snapshot)
    )


def claims_problem(pod: Obj, snapshot: Snapshot) -> str:
    """The VolumeBinding pre-filter: why the pod's claims keep it off every node ("" if none)."""
    unbound_immediate = False
    for volume in _spec(pod).get("volumes") or []:
        claim_name = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        if not claim_name:
            continue
        claim = snapshot.claims.get((_namespace(pod), claim_name))
        if claim is None:
            return f'persistentvolumeclaim "{claim_name}" not found'
        if (claim.get("status") or {}).get("phase") == "Lost":
            volume_name = (claim.get("spec") or {}).get("volumeName") or ""
            return f'persistentvolumeclaim "{claim_name}" bound to non-existent persistentvolume "{volume_name}"'
        if _meta(claim).get("deletionTimestamp"):
            return f'persistentvolumeclaim "{claim_name}" is being deleted'
        if (claim.get("status") or {}).get("phase") != "Bound" and not (
            claim.get("spec") or {}
        ).get("volumeName"):
            class_name = (claim.get("spec") or {}).get("storageClassName") or ""
            if snapshot.binding_modes.get(class_name, "Immediate") != "WaitForFirstConsumer":
                unbound_immediate = True
    return UNBOUND_IMMEDIATE_CLAIMS if unbound_immediate else ""


# ---------------------------------------------------------------------------- scores


def _default_normalize(raw: dict[str, int], reverse: bool) -> dict[str, int]:
    highest = max(raw.values(), default=0)
    if highest == 0:
        return {name: MAX_NODE_SCORE if reverse else 0 for name in raw}
    return {
        name: (MAX_NODE_SCORE - MAX_NODE_SCORE * score // highest)
        if reverse
        else MAX_NODE_SCORE * score // highest
        for name, score in raw.items()
    }


def _taint_scores(pod: Obj, infos: Sequence[NodeInfo]) -> dict[str, int]:
    tolerations = [
        t
        for t in taint_rules.pod_tolerations(pod)
        if (t.get("effect") or "") in ("", taint_rules.PREFER_NO_SCHEDULE)
    ]
    raw = {
        info.name: sum(
            1
            for taint in taint_rules.with_effect(
                taint_rules.node_taints(info.node), taint_rules.PREFER_NO_SCHEDULE
            )
            if not taint_rules.tolerated(taint, tolerations)
        )
        for info in infos
    }
    return _default_normalize(raw, reverse=True)


def _node_affinity_scores(pod: Obj, infos: Sequence[NodeInfo]) -> dict[str, int]:
    preferred = _node_affinity(pod).get("preferredDuringSchedulingIgnoredDuringExecution") or []
    raw = {
        info.name: sum(
            int(term.get("weight") or 0)
            for term in preferred
            if _node_term_matches(term.get("preference") or {}, info)
        )
        for info in infos
    }
    return _default_normalize(raw, reverse=False)


def _least_allocated(pod: Obj, info: NodeInfo) -> int:
    allocatable = info.allocatable
    requested = res.add(info.non_zero_requested, res.pod_requests(pod, non_zero=True))
    total = weights = 0
    for name in _SCORED_RESOURCES:
        capacity = allocatable.get(name, 0)
        if not capacity:
            continue
        used = requested.get(name, 0)
        total += (capacity - used) * MAX_NODE_SCORE // capacity if used <= capacity else 0
        weights += 1
    return total // weights if weights else 0


def _balanced_allocation(pod: Obj, info: NodeInfo) -> int:
    allocatable = info.allocatable
    requested = res.add(info.requested, res.pod_requests(pod))
    fractions = [
        min(1.0, requested.get(name, 0) / allocatable[name])
        for name in _SCORED_RESOURCES
        if allocatable.get(name)
    ]
    deviation = abs(fractions[0] - fractions[1]) / 2 if len(fractions) == 2 else 0.0
    return int((1 - deviation) * MAX_NODE_SCORE)


def _controller_uid(pod: Obj) -> str:
    for ref in _meta(pod).get("ownerReferences") or []:
        if ref.get("controller") and ref.get("uid"):
            return str(ref["uid"])
    return ""


def _default_spreading(pod: Obj, snapshot: Snapshot) -> Callable[[Obj], bool] | None:
    """Which pods the system default constraints spread ``pod`` from (None: no spreading)."""
    selector = snapshot.default_selector(pod)
    if not selector.empty():
        return _matcher(selector)
    owner = _controller_uid(pod)
    if not owner:
        return None
    return lambda other: _controller_uid(other) == owner


def _topology_spread_scores(
    pod: Obj, infos: Sequence[NodeInfo], snapshot: Snapshot
) -> dict[str, int]:
    soft = [c for c in _explicit_constraints(pod) if not c.hard]
    if not _spec(pod).get("topologySpreadConstraints"):
        selects = _default_spreading(pod, snapshot)
        if selects is not None:
            soft = [
                _Constraint(3, HOSTNAME_LABEL, selects, False, 1, True, False),
                _Constraint(5, ZONE_LABEL, selects, False, 1, True, False),
            ]
    if not soft:
        return {info.name: MAX_NODE_SCORE for info in infos}
    ignored = {
        info.name
        for info in infos
        if _spec(pod).get("topologySpreadConstraints")
        and any(c.topology_key not in info.labels for c in soft)
    }
    weights, counts = [], []
    for constraint in soft:
        key = constraint.topology_key
        weights.append(math.log(len({i.labels[key] for i in infos if key in i.labels}) + 2))
        per_domain: dict[str, int] = {}
        for other_info in snapshot.nodes:
            if key in other_info.labels:
                matching = sum(
                    1
                    for other in other_info.pods
                    if _namespace(other) == _namespace(pod)
                    and not _meta(other).get("deletionTimestamp")
                    and constraint.selects(other)
                )
                domain = other_info.labels[key]
                per_domain[domain] = per_domain.get(domain, 0) + matching
        counts.append(per_domain)
    raw: dict[str, int] = {}
    for info in infos:
        if info.name in ignored:
            continue
        score = 0.0
        for constraint, weight, per_domain in zip(soft, weights, counts, strict=True):
            value = info.labels.get(constraint.topology_key)
            if value is not None:
                score += per_domain.get(value, 0) * weight + (constraint.max_skew - 1)
        raw[info.name] = math.floor(score + 0.5)  # Go's math.Round
    lowest = min(raw.values(), default=0)
    highest = max(raw.values(), default=0)
    scores = {}
    for info in infos:
        if info.name in ignored:
            scores[info.name] = 0
        elif highest == 0:
            scores[info.name] = MAX_NODE_SCORE
        else:
            scores[info.name] = MAX_NODE_SCORE * (highest + lowest - raw[info.name]) // highest
    return scores


def _preferred_terms(pod: Obj, kind: str) -> list[Obj]:
    return list(
        _pod_affinity(pod, kind).get("preferredDuringSchedulingIgnoredDuringExecution") or []
    )


def _inter_pod_affinity_scores(
    pod: Obj, infos: Sequence[NodeInfo], snapshot: Snapshot
) -> dict[str, int]:
    raw = {info.name: 0 for info in infos}
    own_terms = _pod_affinity(pod, "podAffinity") or _pod_affinity(pod, "podAntiAffinity")
    for other_info, other in snapshot.placed if own_terms else snapshot.with_affinity:
        weighted: list[tuple[int, Obj, Obj, Obj]] = []  # weight, owner, term, selected pod
        for item in _preferred_terms(pod, "podAffinity"):
            weighted.append(
                (int(item.get("weight") or 0), pod, item.get("podAffinityTerm") or {}, other)
            )
        for item in _preferred_terms(pod, "podAntiAffinity"):
            weighted.append(
                (-int(item.get("weight") or 0), pod, item.get("podAffinityTerm") or {}, other)
            )
        for item in _preferred_terms(other, "podAffinity"):
            weighted.append(
                (int(item.get("weight") or 0), other, item.get("podAffinityTerm") or {}, pod)
            )
        for item in _preferred_terms(other, "podAntiAffinity"):
            weighted.append(
                (-int(item.get("weight") or 0), other, item.get("podAffinityTerm") or {}, pod)
            )
        for term in _required_terms(other, "podAffinity"):
            weighted.append((1, other, term, pod))  # hardPodAffinityWeight
        for weight, owner, term, selected in weighted:
            if not weight or not _term_matches_pod(owner, term, selected, snapshot):
                continue
            for info in infos:
                if _same_domain(info, other_info, term.get("topologyKey") or ""):
                    raw[info.name] += weight
    lowest, highest = min(raw.values(), default=0), max(raw.values(), default=0)
    spread = highest - lowest
    return {
        name: int(MAX_NODE_SCORE * (score - lowest) / spread) if spread > 0 else 0
        for name, score in raw.items()
    }


def score_nodes(pod: Obj, infos: Sequence[NodeInfo], snapshot: Snapshot) -> dict[str, int]:
    """The weighted sum of the default score plugins for each feasible node."""
    plugins: list[tuple[int, dict[str, int]]] = [
        (3, _taint_scores(pod, infos)),
        (2, _node_affinity_scores(pod, infos)),
        (1, {info.name: _least_allocated(pod, info) for info in infos}),
        (2, _topology_spread_scores(pod, infos, snapshot)),
        (2, _inter_pod_affinity_scores(pod, infos, snapshot)),
        (1, {info.name: _balanced_allocation(pod, info) for info in infos}),
    ]
    return {
        info.name: sum(weight * scores[info.name] for weight, scores in plugins) for info in infos
    }


# ---------------------------------------------------------------------------- decide


def schedule(pod: Obj, snapshot: Snapshot) -> Decision:
    """Where ``pod`` goes: the best feasible node, or the rejections explaining why none."""
    infos = sorted(snapshot.nodes, key=lambda info: info.name)
    if not infos:
        return Decision(None)
    problem = claims_problem(pod, snapshot)
    if problem:
        return Decision(None, {info.name: Rejection((problem,)) for info in infos}, problem)
    rejections: dict[str, Rejection] = {}
    feasible = []
    for info in infos:
        rejection = filter_node(pod, info, snapshot)
        if rejection is None:
            feasible.append(info)
        else:
            rejections[info.name] = rejection
    if not feasible:
        return Decision(None, rejections)
    if len(feasible) == 1:
        return Decision(feasible[0].name, rejections)
    scores = score_nodes(pod, feasible, snapshot)
    best = max(feasible, key=lambda info: scores[info.name])  # the first of equals
    return Decision(best.name, rejections, scores=scores)


def default_selector(
    pod: Obj,
    services: Sequence[Obj],
    controllers: Mapping[tuple[str, str, str], Obj],
) -> LabelSelector:
    """kube-scheduler's DefaultSelector: the pod's services' selectors and its controller's.

    ``controllers`` maps (kind, namespace, name) of ReplicaSets, ReplicationControllers and
    StatefulSets to the objects.
    """
    labels = _pod_labels(pod)
    merged: dict[str, str] = {}
    for service in services:
        wanted = (service.get("spec") or {}).get("selector") or {}
        if (
            _namespace(service) == _namespace(pod)
            and wanted
            and selector_from_set(wanted).matches(labels)
        ):
            merged.update(wanted)
    selector = selector_from_set(merged)
    owner = next(
        (ref for ref in _meta(pod).get("ownerReferences") or [] if ref.get("controller")), None
    )
    if owner is None:
        return selector
    controller = controllers.get((str(owner.get("kind")), _namespace(pod), str(owner.get("name"))))
    if controller is None:
        return selector
    wanted_selector = (controller.get("spec") or {}).get("selector")
    if owner.get("kind") == "ReplicationController":
        merged.update(wanted_selector or {})
        return selector_from_set(merged)
    return selector.add(*_selector(wanted_selector).requirements)
