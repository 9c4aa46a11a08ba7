"""Taints and tolerations, with the matching rules of ``k8s.io/api/core/v1`` (``ToleratesTaint``).

A toleration tolerates a taint when its effect is empty or equal, its key is empty (with
``Exists``) or equal, and for ``Equal`` (the default operator) the values are equal; ``Exists``
ignores the value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

Obj = dict[str, Any]

NO_SCHEDULE = "NoSchedule"
PREFER_NO_SCHEDULE = "PreferNoSchedule"
NO_EXECUTE = "NoExecute"

NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"


def tolerates(toleration: Obj, taint: Obj) -> bool:
    """Whether ``toleration`` tolerates ``taint``."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    operator = toleration.get("operator") or "Equal"
    if key and key != taint.get("key"):
        return False
    if not key and operator != "Exists":
        return False
    if operator == "Exists":
        return True
    return (toleration.get("value") or "") == (taint.get("value") or "")


def tolerated(taint: Obj, tolerations: Iterable[Obj]) -> bool:
    """Whether any of ``tolerations`` tolerates ``taint``."""
    return any(tolerates(toleration, taint) for toleration in tolerations)


def pod_tolerations(pod: Obj) -> list[Obj]:
    """``spec.tolerations`` of a pod."""
    found = (pod.get("spec") or {}).get("tolerations")
    return [t for t in found if isinstance(t, dict)] if isinstance(found, list) else []


def node_taints(node: Obj) -> list[Obj]:
    """``spec.taints`` of a node."""
    found = (node.get("spec") or {}).get("taints")
    return [t for t in found if isinstance(t, dict)] if isinstance(found, list) else []


def with_effect(taints: Sequence[Obj], *effects: str) -> list[Obj]:
    """The taints with one of ``effects``."""
    return [taint for taint in taints if taint.get("effect") in effects]


def same_taint(a: Obj, b: Obj) -> bool:
    """Taints are the same when key and effect are (Go's ``Taint.MatchTaint``)."""
    return a.get("key") == b.get("key") and a.get("effect") == b.get("effect")
