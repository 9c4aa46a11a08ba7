"""kube-controller-manager's namespace controller: a namespace marked for deletion is emptied,
its status tells what remains, and then it is finalized and goes.

``reconcile(name)`` of a namespace with a ``deletionTimestamp``, as upstream's
``namespacedResourcesDeleter``:

* every namespaced resource's objects in it are deleted (background propagation; bound pods get
  their graceful termination, objects with finalizers are only marked);
* what remains is counted per resource (``pods.`` / ``deployments.apps``) and per finalizer, and
  the namespace's status conditions say so: NamespaceDeletionDiscoveryFailure,
  NamespaceDeletionGroupVersionParsingFailure and NamespaceDeletionContentFailure False (the
  simulator's resources are always discovered, parsed and deletable), NamespaceContentRemaining
  True "Some resources are remaining: pods. has 2 resource instances" (False ContentRemoved once
  nothing is left), NamespaceFinalizersRemaining likewise for the remaining objects' finalizers;
  a condition's lastTransitionTime moves only when its status does;
* while anything remains the key is requeued after the estimate upstream uses (the longest
  grace period of the remaining pods, 15 s for objects held by finalizers), and at once whenever
  an object of the namespace goes;
* once empty, the ``kubernetes`` finalizer is removed from ``spec.finalizers``
  (``namespaces/finalize``); a namespace with no finalizers left is removed, as kube-apiserver
  removes it during that update.

Invariant: nothing else deletes a namespace's content or the namespace itself (the API server
only marks it ``Terminating``). Custom resources are not among the resources emptied.
"""

from __future__ import annotations

import copy
from collections import Counter

from backends.simulator.apiserver import status
from backends.simulator.apiserver.deletion import DEFAULT_POD_GRACE_SECONDS, delete_object
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.resources import RESOURCES, ResourceType, lookup
from backends.simulator.apiserver.rest import Rest, resource_key
from backends.simulator.clock import Clock, rfc3339
from backends.simulator.cluster import api
from backends.simulator.controllers.framework import ALL, Controller
from backends.simulator.controllers.pods import MANAGER, Obj, meta
from backends.simulator.store import ConflictError, Event, NotFoundError

_namespaces = lookup("", "v1", "namespaces")
assert _namespaces is not None
NAMESPACES = _namespaces

FINALIZER = "kubernetes"
FINALIZER_ESTIMATE_SECONDS = 15
# (type, reason, message) of each condition when all is well, in upstream's order.
_OK = (
    ("NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"),
    ("NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions", "All legacy kube types successfully parsed"),
    ("NamespaceDeletionContentFailure", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
    ("NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"),
    ("NamespaceFinalizersRemaining", "ContentRemoved", "All content successfully removed"),
)  # fmt: skip


def _content_resources() -> list[ResourceType]:
    """One namespaced resource per store key (the first listed: core before events.k8s.io)."""
    seen: dict[str, ResourceType] = {}
    for resource in RESOURCES:
        if resource.namespaced:
            seen.setdefault(resource_key(resource), resource)
    return list(seen.values())


def _grace_estimate(pod: Obj) -> int:
    """``estimateGracefulTermination`` for one pod: its deletion grace, else its spec's."""
    if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return 0
    grace = meta(pod).get("deletionGracePeriodSeconds")
    if grace is None:
        grace = (pod.get("spec") or {}).get("terminationGracePeriodSeconds")
    return int(grace if grace is not None else DEFAULT_POD_GRACE_SECONDS)


def remaining_conditions(remaining: Counter[str], finalizers: Counter[str]) -> dict[str, Obj]:
    """The conditions that differ from the ok ones: what is left, by resource and finalizer."""
    found: dict[str, Obj] = {}
    if remaining:
        listed = sorted(f"{gvr} has {n} resource instances" for gvr, n in remaining.items())
        found["NamespaceContentRemaining"] = {
            "status": "True",
            "reason": "SomeResourcesRemain",
            "message": f"Some resources are remaining: {', '.join(listed)}",
        }
    if finalizers:
        listed = sorted(f"{name} in {n} resource instances" for name, n in finalizers.items())
        found["NamespaceFinalizersRemaining"] = {
            "status": "True",
            "reason": "SomeFinalizerRemain",
            "message": f"Some finalizers are remaining: {', '.join(listed)}",
        }
    return found


def updated_conditions(old: list[Obj], wanted: dict[str, Obj], now: str) -> list[Obj]:
    """``updateConditions``: every maintained type, the transition time moved only with the
    status; conditions of other types are kept first, as upstream appends."""
    ours = {kind for kind, _, _ in _OK}
    result = [dict(c) for c in old if c.get("type") not in ours]
    by_type = {c.get("type"): c for c in old}
    for kind, reason, message in _OK:
        new = wanted.get(kind) or {"status": "False", "reason": reason, "message": message}
        previous = by_type.get(kind)
        since = now
        if previous is not None and previous.get("status") == new["status"]:
            since = str(previous.get("lastTransitionTime") or now)
        result.append(
            {
                "type": kind,
                "status": new["status"],
                "lastTransitionTime": since,
                "reason": new["reason"],
                "message": new["message"],
            }
        )
    return result


class NamespaceController(Controller):
    """Empties and finalizes namespaces being deleted; see the module docstring."""

    name = "namespace"
    primary = api.key(NAMESPACES)
    watches = (ALL,)

    def __init__(self, rest: Rest, clock: Clock) -> None:
        super().__init__(rest, clock)
        self.resources = _content_resources()
        self._terminating: set[str] = set()  # enqueue index: namespaces seen marked

    def on_event(self, event: Event) -> None:
        metadata = meta(event.object)
        if event.resource == self.primary:
            if event.type == "DELETED" or not metadata.get("deletionTimestamp"):
                self._terminating.discard(metadata["name"])
                return
            self._terminating.add(metadata["name"])
            self.queue.add(metadata["name"])
        elif event.type == "DELETED" and metadata.get("namespace") in self._terminating:
            self.queue.add(str(metadata["namespace"]))

    def reconcile(self, key: str) -> None:
        namespace = self.store.get(self.primary, "", key)
        if namespace is None or not meta(namespace).get("deletionTimestamp"):
            return
        self._terminating.add(key)
        remaining, finalizers, estimate = self._delete_content(key)
        namespace = self._update_status(namespace, remaining_conditions(remaining, finalizers))
        if remaining:
            self.queue.add_after(key, max(estimate, 1))
            return
        try:
            self._finalize(namespace)
        except ConflictError:  # changed meanwhile: look again
            self.queue.add(key)

    def _delete_content(self, namespace: str) -> tuple[Counter[str], Counter[str], int]:
        """Delete everything in ``namespace``; what remains (per resource and per finalizer)
        and the seconds it is estimated to take."""
        remaining: Counter[str] = Counter()
        finalizers: Counter[str] = Counter()
        estimate = 0
        for resource in self.resources:
            key = resource_key(resource)
            for obj in self.store.objects(key, namespace):
                if not meta(obj).get("deletionTimestamp"):
                    target = Target(resource, namespace, meta(obj)["name"], None)
                    try:
                        delete_object(
                            self.rest, target, {"propagationPolicy": "Background"}, dry_run=False
                        )
                    except status.ApiStatus:
                        continue
            left = self.store.objects(key, namespace)
            if not left:
                continue
            remaining[f"{resource.plural}.{resource.group}"] = len(left)
            for obj in left:
                held = meta(obj).get("finalizers") or []
                finalizers.update(held)
                if held:
                    estimate = max(estimate, FINALIZER_ESTIMATE_SECONDS)
                if resource.kind == "Pod":
                    estimate = max(estimate, _grace_estimate(obj))
        return remaining, finalizers, estimate

    def _update_status(self, namespace: Obj, wanted: dict[str, Obj]) -> Obj:
        old = namespace.get("status") or {}
        conditions = updated_conditions(
            old.get("conditions") or [], wanted, rfc3339(self.clock.now())
        )
        if old.get("phase") == "Terminating" and conditions == old.get("conditions"):
            return namespace
        updated = copy.deepcopy(namespace)
        updated["status"] = {**old, "phase": "Terminating", "conditions": conditions}
        return api.update_status(self.rest, NAMESPACES, updated, MANAGER)

    def _finalize(self, namespace: Obj) -> None:
        """Remove our finalizer (``namespaces/finalize``); with none left the namespace goes."""
        spec_finalizers = list((namespace.get("spec") or {}).get("finalizers") or [])
        kept = sorted({f for f in spec_finalizers if f != FINALIZER})
        if kept != spec_finalizers:
            finalized = copy.deepcopy(namespace)
            finalized.setdefault("spec", {})["finalizers"] = kept
            namespace = self.store.update(
                self.primary, finalized, meta(namespace).get("resourceVersion")
            )
        if kept or meta(namespace).get("finalizers"):
            return
        try:
            self.store.delete(self.primary, "", meta(namespace)["name"])
        except NotFoundError:
            return
        self._terminating.discard(meta(namespace)["name"])
