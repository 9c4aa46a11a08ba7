"""kube-controller-manager's garbage collector: ownerReferences and cascading deletion.

The collector keeps a graph of every stored object by uid and of its dependents (objects whose
ownerReferences name it). Three ways an owner goes, as ``kubectl delete --cascade`` selects them
through ``propagationPolicy`` (the API server sets the finalizers, see apiserver/deletion.py):

* background (no finalizer): the owner is removed at once; every dependent whose owners are all
  gone is then deleted (with the policy its own finalizers ask for); a dependent that still has
  a live owner only loses the references to the dead ones;
* foreground (``foregroundDeletion``): the owner stays, marked; its dependents are deleted
  (foreground themselves when they have dependents), and when none of those with
  ``blockOwnerDeletion`` is left the finalizer goes and the owner with it;
* orphan (``orphan``): the references to the owner are removed from its dependents, then the
  finalizer goes.

Owners are resolved as upstream: by uid, in the dependent's namespace for namespaced kinds.
Work-queue keys are ``<store resource>|<namespace>|<name>``.
"""

from __future__ import annotations

import copy
from typing import Any

from backends.simulator.apiserver import status
from backends.simulator.apiserver.deletion import FOREGROUND_FINALIZER, ORPHAN_FINALIZER
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.resources import RESOURCES, ResourceType
from backends.simulator.apiserver.rest import Rest, resource_key
from backends.simulator.clock import Clock
from backends.simulator.cluster import api
from backends.simulator.controllers.framework import ALL, Controller
from backends.simulator.controllers.pods import MANAGER, meta
from backends.simulator.store import Event

Obj = dict[str, Any]
Node = tuple[str, str, str]  # (store resource, namespace, name)

_RESOURCES: dict[str, ResourceType] = {}
for _resource in RESOURCES:
    _RESOURCES.setdefault(resource_key(_resource), _resource)


def _node(resource: str, obj: Obj) -> Node:
    return resource, meta(obj).get("namespace") or "", meta(obj)["name"]


def _encode(node: Node) -> str:
    return "|".join(node)


def _decode(key: str) -> Node:
    resource, namespace, name = key.split("|", 2)
    return resource, namespace, name


def _owner_uids(obj: Obj) -> list[str]:
    return [str(ref.get("uid")) for ref in meta(obj).get("ownerReferences") or []]


def _finalizing(obj: Obj) -> bool:
    """Marked for deletion and waiting for the collector."""
    finalizers = meta(obj).get("finalizers") or []
    return bool(meta(obj).get("deletionTimestamp")) and (
        ORPHAN_FINALIZER in finalizers or FOREGROUND_FINALIZER in finalizers
    )


def _waits_for_dependents(obj: Obj) -> bool:
    return bool(meta(obj).get("deletionTimestamp")) and FOREGROUND_FINALIZER in (
        meta(obj).get("finalizers") or []
    )


class GarbageCollector(Controller):
    """Deletes, orphans or waits for dependents; see the module docstring."""

    name = "garbage-collector"
    watches = (ALL,)

    def __init__(self, rest: Rest, clock: Clock) -> None:
        super().__init__(rest, clock)
        self._by_uid: dict[str, Node] = {}
        self._dependents: dict[str, set[Node]] = {}
        self._owners: dict[Node, list[str]] = {}

    # ------------------------------------------------------------------------ the graph

    def _index(self, resource: str, obj: Obj) -> None:
        node = _node(resource, obj)
        uid = meta(obj).get("uid")
        if uid:
            self._by_uid[str(uid)] = node
        self._link(node, _owner_uids(obj))

    def _link(self, node: Node, owners: list[str]) -> None:
        for uid in self._owners.pop(node, []):
            found = self._dependents.get(uid)
            if found is not None:
                found.discard(node)
                if not found:
                    del self._dependents[uid]
        if owners:
            self._owners[node] = owners
            for uid in owners:
                self._dependents.setdefault(uid, set()).add(node)

    def _owner(self, dependent: Node, ref: Obj) -> Obj | None:
        """The live owner ``ref`` names (same uid), or None when it is gone."""
        node = self._by_uid.get(str(ref.get("uid")))
        if node is None:
            return None
        resource = _RESOURCES.get(node[0])
        if resource is not None and resource.namespaced and node[1] != dependent[1]:
            return None
        found = self.store.get(*node)
        return found if found is not None and meta(found).get("uid") == ref.get("uid") else None

    def catch_up(self) -> None:
        self._by_uid.clear()
        self._dependents.clear()
        self._owners.clear()
        for resource in self.store.resources():
            for obj in self.store.objects(resource):
                self._index(resource, obj)
        for resource in self.store.resources():
            for obj in self.store.objects(resource):
                if _finalizing(obj) or self._needs_attention(_node(resource, obj), obj):
                    self.queue.add(_encode(_node(resource, obj)))

    def _needs_attention(self, node: Node, obj: Obj) -> bool:
        """Whether a dependent has an owner that is gone or waits for its dependents."""
        for ref in meta(obj).get("ownerReferences") or []:
            owner = self._owner(node, ref)
            if owner is None or _waits_for_dependents(owner):
                return True
        return False

    def on_event(self, event: Event) -> None:
        obj = event.object
        node = _node(event.resource, obj)
        uid = str(meta(obj).get("uid") or "")
        if event.type == "DELETED":
            self._by_uid.pop(uid, None)
            self._link(node, [])
            for dependent in self._dependents.get(uid, set()):
                self.queue.add(_encode(dependent))
            for owner in _owner_uids(obj):
                self._wake_owner(owner)
            return
        previous_owners = _owner_uids(event.previous) if event.previous is not None else []
        self._index(event.resource, obj)
        if _finalizing(obj) or self._needs_attention(node, obj):
            self.queue.add(_encode(node))
        for owner in set(previous_owners) - set(_owner_uids(obj)):
            self._wake_owner(owner)

    def _wake_owner(self, uid: str) -> None:
        node = self._by_uid.get(uid)
        if node is not None:
            self.queue.add(_encode(node))

    # ------------------------------------------------------------------------ reconcile

    def reconcile(self, key: str) -> None:
        node = _decode(key)
        obj = self.store.get(*node)
        if obj is None:
            return
        finalizers = meta(obj).get("finalizers") or []
        if meta(obj).get("deletionTimestamp"):
            if ORPHAN_FINALIZER in finalizers:
                self._orphan_dependents(node, obj)
            elif FOREGROUND_FINALIZER in finalizers:
                self._delete_dependents(node, obj)
            return
        self._attempt_to_delete(node, obj)

    def _dependents_of(self, obj: Obj) -> list[tuple[Node, Obj]]:
        uid = meta(obj).get("uid")
        found = []
        for node in sorted(self._dependents.get(str(uid), set())):
            dependent = self.store.get(*node)
            if dependent is not None and str(uid) in _owner_uids(dependent):
                found.append((node, dependent))
        return found

    def _orphan_dependents(self, node: Node, owner: Obj) -> None:
        uid = meta(owner).get("uid")
        for dependent_node, dependent in self._dependents_of(owner):
            self._remove_refs(dependent_node, dependent, {str(uid)})
        self._remove_finalizer(node, owner, ORPHAN_FINALIZER)

    def _delete_dependents(self, node: Node, owner: Obj) -> None:
        uid = str(meta(owner).get("uid"))
        blocking = False
        for dependent_node, dependent in self._dependents_of(owner):
            ref = next(r for r in meta(dependent)["ownerReferences"] if r.get("uid") == uid)
            if ref.get("blockOwnerDeletion"):
                blocking = True
            if not meta(dependent).get("deletionTimestamp"):
                self._attempt_to_delete(dependent_node, dependent)
        if not blocking:
            self._remove_finalizer(node, owner, FOREGROUND_FINALIZER)

    def _attempt_to_delete(self, node: Node, obj: Obj) -> None:
        """``attemptToDeleteItem`` for a dependent that is not being deleted."""
        refs = meta(obj).get("ownerReferences") or []
        if not refs or meta(obj).get("deletionTimestamp"):
            return
        solid, gone, waiting = [], set(), set()
        for ref in refs:
            owner = self._owner(node, ref)
            if owner is None:
                gone.add(str(ref.get("uid")))
            elif _waits_for_dependents(owner):
                waiting.add(str(ref.get("uid")))
            else:
                solid.append(ref)
        if solid:
            if gone or waiting:
                self._remove_refs(node, obj, gone | waiting)
            return
        finalizers = meta(obj).get("finalizers") or []
        if waiting and self._dependents.get(str(meta(obj).get("uid"))):
            policy = "Foreground"
        elif ORPHAN_FINALIZER in finalizers:
            policy = "Orphan"
        elif FOREGROUND_FINALIZER in finalizers:
            policy = "Foreground"
        else:
            policy = "Background"
        self._delete(node, obj, policy)

    # --------------------------------------------------------------------------- writes

    def _delete(self, node: Node, obj: Obj, policy: str) -> None:
        resource = _RESOURCES[node[0]]
        options = {"propagationPolicy": policy, "preconditions": {"uid": meta(obj)["uid"]}}
        try:
            self.rest.delete(
                Target(resource, node[1] or None, node[2], None), options, api.NO_QUERY
            )
        except status.ApiStatus as err:
            if err.reason not in ("NotFound", "Conflict"):
                raise

    def _remove_refs(self, node: Node, obj: Obj, uids: set[str]) -> None:
        updated = copy.deepcopy(obj)
        refs = [r for r in meta(updated)["ownerReferences"] if str(r.get("uid")) not in uids]
        if refs:
            meta(updated)["ownerReferences"] = refs
        else:
            del meta(updated)["ownerReferences"]
        self._write(node, updated)

    def _remove_finalizer(self, node: Node, obj: Obj, finalizer: str) -> None:
        updated = copy.deepcopy(obj)
        finalizers = [f for f in meta(updated).get("finalizers") or [] if f != finalizer]
        if finalizers:
            meta(updated)["finalizers"] = finalizers
        else:
            meta(updated).pop("finalizers", None)
        self._write(node, updated)

    def _write(self, node: Node, obj: Obj) -> None:
        try:
            api.update(self.rest, _RESOURCES[node[0]], obj, MANAGER)
        except status.ApiStatus as err:
            if err.reason != "NotFound":
                raise  # a conflict: retried with backoff on the fresh object
