"""Deleting objects as kube-apiserver does: preconditions, finalizers, graceful pod deletion,
namespace termination.

* An object with finalizers is only marked (``deletionTimestamp``); it disappears when an update
  removes the last finalizer.
* A pod bound to a node is deleted gracefully: marked with ``deletionTimestamp`` and
  ``deletionGracePeriodSeconds`` (30 unless told otherwise); the kubelet removes it when its
  containers have stopped. ``gracePeriodSeconds=0`` and unbound pods go at once.
* ``propagationPolicy`` (or ``orphanDependents``) sets the garbage collector's finalizers as
  kube-apiserver does: ``orphan`` for Orphan, ``foregroundDeletion`` for Foreground, neither for
  Background; without a policy the object's own finalizer decides, then the kind's default
  (ReplicationControllers orphan, everything else deletes dependents in the background).
* A namespace becomes ``Terminating``; the namespace controller (controllers/namespace_deletion.py)
  deletes everything in it, then the namespace itself.
"""

from __future__ import annotations

import copy
import datetime
from typing import TYPE_CHECKING, Any

from backends.objects.durations import parse_time
from backends.simulator.apiserver import status
from backends.simulator.apiserver.paths import Target
from backends.simulator.clock import rfc3339
from backends.simulator.store import ConflictError, NotFoundError, Store

if TYPE_CHECKING:
    from backends.simulator.apiserver.rest import Response, Rest

Obj = dict[str, Any]
DEFAULT_POD_GRACE_SECONDS = 30
ORPHAN_FINALIZER = "orphan"
FOREGROUND_FINALIZER = "foregroundDeletion"
_GC_FINALIZERS = (ORPHAN_FINALIZER, FOREGROUND_FINALIZER)


def _gc_policy(target: Target, finalizers: list[str], options: Obj) -> str:
    """The dependents' fate (``shouldOrphanDependents``/``shouldDeleteDependents``)."""
    if options.get("orphanDependents") is not None:
        return "Orphan" if options["orphanDependents"] else "Background"
    policy = options.get("propagationPolicy")
    if policy in ("Orphan", "Background", "Foreground"):
        return str(policy)
    if ORPHAN_FINALIZER in finalizers:
        return "Orphan"
    if FOREGROUND_FINALIZER in finalizers:
        return "Foreground"
    return "Orphan" if target.resource.kind == "ReplicationController" else "Background"


def deletion_finalizers(target: Target, obj: Obj, options: Obj) -> list[str]:
    """The object's finalizers once deleted with ``options`` (``deletionFinalizersFor...``)."""
    current = list((obj.get("metadata") or {}).get("finalizers") or [])
    policy = _gc_policy(target, current, options)
    kept = [f for f in current if f not in _GC_FINALIZERS]
    if policy == "Orphan":
        kept.append(ORPHAN_FINALIZER)
    elif policy == "Foreground":
        kept.append(FOREGROUND_FINALIZER)
    return current if set(kept) == set(current) else kept


def _grace_period(target: Target, obj: Obj, options: Obj) -> int:
    if options.get("gracePeriodSeconds") is not None:
        return max(0, int(options["gracePeriodSeconds"]))
    if target.resource.kind == "Pod":
        spec_grace = (obj.get("spec") or {}).get("terminationGracePeriodSeconds")
        return int(spec_grace) if spec_grace is not None else DEFAULT_POD_GRACE_SECONDS
    return 0


def _check_preconditions(target: Target, obj: Obj, options: Obj) -> None:
    preconditions = options.get("preconditions") or {}
    metadata = obj.get("metadata") or {}
    uid = preconditions.get("uid")
    if uid and uid != metadata.get("uid"):
        raise status.conflict_message(
            target.resource,
            target.name or "",
            f"Precondition failed: UID in precondition: {uid}, UID in object meta: {metadata.get('uid')}",
        )
    rv = preconditions.get("resourceVersion")
    if rv and rv != metadata.get("resourceVersion"):
        raise status.conflict_message(
            target.resource,
            target.name or "",
            f"Precondition failed: ResourceVersion in precondition: {rv}, "
            f"ResourceVersion in object meta: {metadata.get('resourceVersion')}",
        )


def delete_object(rest: Rest, target: Target, options: Obj, dry_run: bool) -> Response:
    from backends.simulator.apiserver.rest import Response, resource_key

    resource = target.resource
    key = resource_key(resource)
    obj = rest._get_existing(target)
    _check_preconditions(target, obj, options)
    metadata = obj.get("metadata") or {}
    now = rest.clock.now()
    grace = _grace_period(target, obj, options)
    finished = (obj.get("status") or {}).get("phase") in ("Succeeded", "Failed")
    graceful = (
        resource.kind == "Pod"
        and grace > 0
        and bool((obj.get("spec") or {}).get("nodeName"))
        and not finished  # podStrategy.CheckGracefulDelete: terminal pods go at once
    )
    finalizers = deletion_finalizers(target, obj, options) if resource.kind != "Namespace" else []
    marks = resource.kind == "Namespace" or bool(finalizers) or graceful
    if not marks:
        if dry_run:
            return Response(200, obj)
        try:
            deleted = rest.store.delete(
                key, target.namespace or "", target.name or "", metadata.get("resourceVersion")
            )
        except (NotFoundError, ConflictError):
            raise status.not_found(resource, target.name or "") from None
        return Response(200, deleted)
    marked = copy.deepcopy(obj)
    marked_meta = marked["metadata"]
    period = grace if graceful else 0
    previous = parse_time(marked_meta.get("deletionTimestamp"))
    previous_period = marked_meta.get("deletionGracePeriodSeconds")
    if previous is None:
        marked_meta["deletionTimestamp"] = rfc3339(now + datetime.timedelta(seconds=period))
        marked_meta["deletionGracePeriodSeconds"] = period
    elif previous_period is not None and period < int(previous_period):
        # rest.BeforeDelete: a second delete may only shorten the grace period, moving the
        # deletion time by the difference (grace 0 then lets the object go with its finalizers).
        moved = previous - datetime.timedelta(seconds=int(previous_period) - period)
        marked_meta["deletionTimestamp"] = rfc3339(moved)
        marked_meta["deletionGracePeriodSeconds"] = period
    if finalizers:
        marked_meta["finalizers"] = finalizers
    else:
        marked_meta.pop("finalizers", None)
    if resource.kind == "Namespace":
        marked.setdefault("status", {})["phase"] = "Terminating"
    if marked == obj or dry_run:
        return Response(200, marked)
    stored = rest.store.update(key, marked, metadata.get("resourceVersion"))
    return Response(200, stored)


def finish_if_released(store: Store, key: str, obj: Obj) -> bool:
    """Remove an object marked for deletion whose finalizers are all gone and whose grace
    period is over (client-go's "zero finalizers and zero grace" rule); a namespace also waits
    for its ``spec.finalizers`` (the namespace controller's). True when removed."""
    metadata = obj.get("metadata") or {}
    if not metadata.get("deletionTimestamp") or metadata.get("finalizers"):
        return False
    if key == "/namespaces" and (obj.get("spec") or {}).get("finalizers"):
        return False
    if int(metadata.get("deletionGracePeriodSeconds") or 0) > 0:
        return False
    try:
        store.delete(key, metadata.get("namespace") or "", metadata["name"])
    except NotFoundError:
        return False
    return True
