"""What the workload controllers ask of pods and owner references, as
``pkg/controller/controller_utils.go`` and ``podutil`` answer it: active, ready and available
pods, controller references, and pods made from a template.

Pure functions over stored objects; nothing here writes or changes its arguments.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

from backends.simulator.clock import parse_rfc3339

Obj = dict[str, Any]

MANAGER = "kube-controller-manager"


def meta(obj: Obj) -> Obj:
    """``metadata``, ``{}`` when absent."""
    found = obj.get("metadata")
    return found if isinstance(found, dict) else {}


def controller_ref(obj: Obj) -> Obj | None:
    """The ownerReference with ``controller: true``, if any."""
    for ref in meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


def new_controller_ref(owner: Obj) -> Obj:
    """``metav1.NewControllerRef``: controller and blockOwnerDeletion set."""
    owner_meta = meta(owner)
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner_meta["name"],
        "uid": owner_meta["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def is_active(pod: Obj) -> bool:
    """``IsPodActive``: not finished and not being deleted."""
    return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed") and not meta(
        pod
    ).get("deletionTimestamp")


def is_terminating(pod: Obj) -> bool:
    """Being deleted and not yet finished."""
    return bool(meta(pod).get("deletionTimestamp")) and (pod.get("status") or {}).get(
        "phase"
    ) not in ("Succeeded", "Failed")


def ready_condition(pod: Obj) -> Obj | None:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return dict(condition)
    return None


def is_ready(pod: Obj) -> bool:
    """``IsPodReady``: the Ready condition is True."""
    condition = ready_condition(pod)
    return condition is not None and condition.get("status") == "True"


def ready_since(pod: Obj) -> datetime.datetime | None:
    """When a ready pod became ready (its Ready condition's lastTransitionTime)."""
    condition = ready_condition(pod)
    if condition is None or condition.get("status") != "True":
        return None
    stamp = condition.get("lastTransitionTime")
    return parse_rfc3339(stamp) if stamp else None


def is_available(pod: Obj, min_ready_seconds: int, now: datetime.datetime) -> bool:
    """``IsPodAvailable``: ready for longer than ``min_ready_seconds``."""
    if not is_ready(pod):
        return False
    if min_ready_seconds <= 0:
        return True
    since = ready_since(pod)
    return since is not None and since + datetime.timedelta(seconds=min_ready_seconds) < now


def labels(obj: Obj) -> dict[str, str]:
    return dict(meta(obj).get("labels") or {})


def pod_from_template(owner: Obj, template: Obj, namespace: str) -> Obj:
    """``GetPodFromTemplate``: a pod to create for ``owner`` (generateName ``<owner>-``)."""
    template_meta = template.get("metadata") or {}
    metadata: Obj = {"generateName": f"{meta(owner)['name']}-", "namespace": namespace}
    for field in ("labels", "annotations", "finalizers"):
        if template_meta.get(field):
            metadata[field] = copy.deepcopy(template_meta[field])
    metadata["ownerReferences"] = [new_controller_ref(owner)]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": copy.deepcopy(template.get("spec") or {}),
    }
