"""What the pod-owning controllers of kube-controller-manager (replica set and replication
controller, daemon set, stateful set, job) share: following their objects and their pods,
claiming pods (``ClaimPods``: adopting orphans the selector matches, releasing pods relabelled
out of it), creating and deleting pods with the controller's events and expectations, and
writing the owner's status.

Invariants:

* an owner's selector is ``spec.selector`` unless the subclass says otherwise (``selector``);
* a pod event enqueues the owner named by its controller reference (when that owner exists
  with the same uid), or, for an orphan, every owner of this kind whose selector matches it;
* an owner being deleted adopts nothing; pods are released only by an owner that is not being
  deleted; adoption re-reads the owner first (the uid must still be the same);
* every create/delete is announced to ``expectations`` before it is sent and counted as
  observed when it fails, so a failed write never blocks the owner;
* events are the upstream ones: SuccessfulCreate "Created pod: NAME", FailedCreate "Error
  creating: ...", SuccessfulDelete "Deleted pod: NAME", FailedDelete "Error deleting: ...".
"""

from __future__ import annotations

import copy
from typing import Any

from backends.objects.selectors import LabelSelector, SelectorError, label_selector_from_dict
from backends.simulator.apiserver import status
from backends.simulator.apiserver.resources import ResourceType
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.cluster import api
from backends.simulator.cluster.events import NORMAL, WARNING, EventRecorder
from backends.simulator.controllers.framework import (
    Controller,
    Expectations,
    object_key,
    split_key,
)
from backends.simulator.controllers.pods import (
    MANAGER,
    controller_ref,
    labels,
    meta,
    new_controller_ref,
)
from backends.simulator.store import Event

Obj = dict[str, Any]


def owner_selector(owner: Obj) -> LabelSelector:
    """``spec.selector`` of an apps/batch workload (raises SelectorError when invalid)."""
    return label_selector_from_dict((owner.get("spec") or {}).get("selector"))


class PodOwnerController(Controller):
    """A controller whose objects (``resource``) own pods; see the module docstring.

    The event messages are templates over ``{pod}``, ``{owner}``, ``{kind}`` and ``{error}``.
    """

    created_message = "Created pod: {pod}"
    create_failed_message = "Error creating: {error}"
    deleted_message = "Deleted pod: {pod}"
    delete_failed_message = "Error deleting: {error}"

    def __init__(self, rest: Rest, clock: Clock, resource: ResourceType, component: str) -> None:
        super().__init__(rest, clock)
        self.resource = resource
        self.name = component
        self.primary = api.key(resource)
        self.watches = (self.primary, "/pods")
        self.expectations = Expectations(clock)
        self.recorder = EventRecorder(rest, clock, component, manager=MANAGER)

    # ------------------------------------------------------------------------ informers

    def owner_key(self, pod: Obj) -> str | None:
        """The key of the owner of this kind that controls ``pod``, if it exists."""
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != self.resource.kind:
            return None
        namespace = meta(pod).get("namespace") or ""
        owner = self.store.get(self.primary, namespace, str(ref.get("name")))
        if owner is None or meta(owner).get("uid") != ref.get("uid"):
            return None
        return object_key(namespace, str(ref.get("name")))

    def selector(self, owner: Obj) -> LabelSelector:
        """The pods ``owner`` selects (raises SelectorError when invalid)."""
        return owner_selector(owner)

    def _matching(self, pod: Obj) -> list[str]:
        namespace = meta(pod).get("namespace") or ""
        found = []
        for owner in self.store.objects(self.primary, namespace):
            try:
                if self.selector(owner).matches(labels(pod)):
                    found.append(object_key(namespace, meta(owner)["name"]))
            except SelectorError:
                continue
        return found

    def on_event(self, event: Event) -> None:
        obj = event.object
        if event.resource == self.primary:
            key = object_key(meta(obj).get("namespace") or "", meta(obj)["name"])
            if event.type == "DELETED":
                self.expectations.forget(key)
            self.queue.add(key)
            return
        owner = self.owner_key(obj)
        old_owner = self.owner_key(event.previous) if event.previous is not None else None
        if old_owner is not None and old_owner != owner:
            self.queue.add(old_owner)
        if owner is None:
            if event.type != "DELETED" and controller_ref(obj) is None:
                for key in self._matching(obj):
                    self.queue.add(key)
            return
        pod_key = object_key(meta(obj).get("namespace") or "", meta(obj)["name"])
        if event.type == "ADDED":
            self.expectations.creation_observed(owner)
        if event.type == "DELETED" or meta(obj).get("deletionTimestamp"):
            self.expectations.deletion_observed(owner, pod_key)
        self.pod_changed(owner, event)
        self.queue.add(owner)

    def pod_changed(self, owner: str, event: Event) -> None:
        """A hook for subclasses: a pod of ``owner`` changed (before ``owner`` is enqueued)."""

    # ------------------------------------------------------------------------ claiming

    def owner(self, key: str) -> Obj | None:
        return self.store.get(self.primary, *split_key(key))

    def claim(self, owner: Obj, selector: LabelSelector, pods: list[Obj]) -> list[Obj]:
        """``ClaimPods``: the pods ``owner`` controls, adopting and releasing as needed."""
        uid = meta(owner).get("uid")
        deleting = bool(meta(owner).get("deletionTimestamp"))
        claimed = []
        for pod in pods:
            ref = controller_ref(pod)
            matches = not selector.empty() and selector.matches(labels(pod))
            if ref is not None:
                if ref.get("uid") != uid:
                    continue
                if matches:
                    claimed.append(pod)
                elif not deleting:
                    self._set_refs(pod, [{"$patch": "delete", "uid": uid}], uid)
                continue
            if deleting or not matches or meta(pod).get("deletionTimestamp"):
                continue
            fresh = self.store.get(self.primary, meta(owner)["namespace"], meta(owner)["name"])
            if (
                fresh is None
                or meta(fresh).get("uid") != uid
                or meta(fresh).get("deletionTimestamp")
            ):
                continue
            adopted = self._set_refs(pod, [new_controller_ref(owner)], None)
            if adopted is not None:
                claimed.append(adopted)
        return claimed

    def _set_refs(self, pod: Obj, refs: list[Obj], releasing: str | None) -> Obj | None:
        if releasing is not None:
            others = [
                r for r in meta(pod).get("ownerReferences") or [] if r.get("uid") != releasing
            ]
            body: Obj = {"metadata": {"ownerReferences": refs if others else None}}
        else:
            body = {"metadata": {"ownerReferences": refs}}
        body["metadata"]["uid"] = meta(pod)["uid"]
        try:
            return api.patch(
                self.rest, api.PODS, meta(pod)["namespace"], meta(pod)["name"], body, MANAGER
            )
        except status.ApiStatus:
            return None  # gone or changed: the next event brings it back

    def pods_of(self, owner: Obj) -> list[Obj] | None:
        """Every pod (finished ones too) ``owner`` claims; None when its selector is invalid."""
        try:
            selector = self.selector(owner)
        except SelectorError:
            return None
        namespace = meta(owner).get("namespace") or ""
        return self.claim(owner, selector, self.store.objects("/pods", namespace))

    # ------------------------------------------------------------------------- writing

    def create_pod(self, owner: Obj, pod: Obj) -> tuple[Obj | None, str]:
        """Create ``pod`` for ``owner``: (the stored pod, "") or (None, the error message).
        The caller has counted the creation in ``expectations``."""
        key = object_key(meta(owner)["namespace"], meta(owner)["name"])
        try:
            created = api.create(self.rest, api.PODS, meta(owner)["namespace"], pod, MANAGER)
        except status.ApiStatus as err:
            self.expectations.creation_observed(key)
            self._record(owner, WARNING, "FailedCreate", self.create_failed_message, pod, err)
            return None, err.message
        self._record(owner, NORMAL, "SuccessfulCreate", self.created_message, created)
        return created, ""

    def delete_pod(self, owner: Obj, pod: Obj) -> str | None:
        """Delete ``pod`` of ``owner`` (counted in ``expectations`` by the caller); None when it
        went (or was already gone), else the error message."""
        namespace, name = meta(pod)["namespace"], meta(pod)["name"]
        key = object_key(meta(owner)["namespace"], meta(owner)["name"])
        try:
            self.rest.delete(api.target(api.PODS, namespace, name), {}, api.NO_QUERY)
        except status.ApiStatus as err:
            self.expectations.deletion_observed(key, object_key(namespace, name))
            if err.reason == "NotFound":
                return None
            self._record(owner, WARNING, "FailedDelete", self.delete_failed_message, pod, err)
            return err.message
        self._record(owner, NORMAL, "SuccessfulDelete", self.deleted_message, pod)
        return None

    def _record(
        self,
        owner: Obj,
        event_type: str,
        reason: str,
        template: str,
        pod: Obj,
        error: status.ApiStatus | None = None,
    ) -> None:
        message = template.format(
            pod=meta(pod).get("name") or meta(pod).get("generateName") or "",
            owner=meta(owner)["name"],
            kind=self.resource.kind,
            error=error.message if error is not None else "",
        )
        self.recorder.event(owner, event_type, reason, message)

    def write_status(self, owner: Obj, new: Obj) -> Obj:
        """PUT ``owner``'s status when it differs from ``new``; the object as stored."""
        if (owner.get("status") or {}) == new:
            return owner
        updated = copy.deepcopy(owner)
        updated["status"] = new
        return api.update_status(self.rest, self.resource, updated, MANAGER)
