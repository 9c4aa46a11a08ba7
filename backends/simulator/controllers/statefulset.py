"""kube-controller-manager's stateful set controller: pods with stable names ``<sts>-0`` ..
``<sts>-<N-1>``, stable hostnames and their own PersistentVolumeClaims.

For each StatefulSet, ``reconcile`` claims its pods, snapshots the template as a
ControllerRevision (``<sts>-<hash>``, label ``controller.kubernetes.io/hash``) and, as upstream:

* pod ``<sts>-<i>`` gets labels ``controller-revision-hash`` (the revision's name),
  ``statefulset.kubernetes.io/pod-name`` and ``apps.kubernetes.io/pod-index``, ``hostname``
  ``<sts>-<i>`` and ``subdomain`` ``spec.serviceName``; each volumeClaimTemplate ``<t>``
  becomes the claim ``<t>-<sts>-<i>`` (created first if missing, labelled with the selector's
  labels, kept when the pod goes: the Retain policy) mounted as the volume ``<t>``;
* OrderedReady: ordinals are created in order, each only once every lower one is Running and
  Ready; surplus ordinals go highest first, one at a time, only while the others are healthy.
  Parallel: all missing pods at once, all surplus pods at once;
* failed or succeeded pods are deleted and created again;
* RollingUpdate: once every pod is healthy, the highest ordinal at or above ``partition`` not
  at the update revision is deleted (and comes back at it); OnDelete leaves pods alone;
* status: replicas, readyReplicas, availableReplicas (minReadySeconds), currentReplicas,
  updatedReplicas, currentRevision (becomes updateRevision once every pod has it),
  updateRevision, collisionCount, observedGeneration;
* events: SuccessfulCreate "create Pod web-0 in StatefulSet web successful", "create Claim
  data-web-0 Pod web-0 in StatefulSet web success", SuccessfulDelete "delete Pod web-2 in
  StatefulSet web successful" (and FailedCreate / FailedDelete with the error).

The Delete claim retention policy and maxUnavailable are not implemented.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from backends.simulator.apiserver import status
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.cluster import api
from backends.simulator.cluster.events import NORMAL, WARNING
from backends.simulator.controllers.framework import object_key
from backends.simulator.controllers.history import History, hash_revision, template_patch
from backends.simulator.controllers.ownership import PodOwnerController
from backends.simulator.controllers.pods import (
    MANAGER,
    is_available,
    is_ready,
    labels,
    meta,
    pod_from_template,
)

Obj = dict[str, Any]

REVISION_LABEL = "controller-revision-hash"
HASH_LABEL = "controller.kubernetes.io/hash"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"


def ordinal(sts: Obj, pod: Obj) -> int | None:
    """The ordinal of ``<sts>-<i>``, None for a name of another shape."""
    found = re.fullmatch(rf"{re.escape(meta(sts)['name'])}-(0|[1-9][0-9]*)", meta(pod)["name"])
    return int(found.group(1)) if found else None


def claim_name(template: Obj, pod_name: str) -> str:
    return f"{meta(template).get('name')}-{pod_name}"


def healthy(pod: Obj) -> bool:
    """Running and Ready, and not being deleted."""
    return (
        (pod.get("status") or {}).get("phase") == "Running"
        and is_ready(pod)
        and not meta(pod).get("deletionTimestamp")
    )


def terminal(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Failed", "Succeeded")


class StatefulSetController(PodOwnerController):
    """Keeps each StatefulSet's ordinals running; see the module docstring."""

    created_message = "create Pod {pod} in {kind} {owner} successful"
    create_failed_message = "create Pod {pod} in {kind} {owner} failed error: {error}"
    deleted_message = "delete Pod {pod} in {kind} {owner} successful"
    delete_failed_message = "delete Pod {pod} in {kind} {owner} failed error: {error}"

    def __init__(self, rest: Rest, clock: Clock) -> None:
        super().__init__(rest, clock, api.STATEFUL_SETS, "statefulset-controller")
        self.history = History(rest)

    def reconcile(self, key: str) -> None:
        sts = self.owner(key)
        if sts is None:
            self.expectations.forget(key)
            return
        pods = self.pods_of(sts)
        if pods is None or meta(sts).get("deletionTimestamp"):
            return
        spec = sts.get("spec") or {}
        template = spec.get("template") or {}
        data = template_patch(template)
        collisions = int((sts.get("status") or {}).get("collisionCount") or 0)
        revision_hash = hash_revision(data, collisions)
        update_revision = f"{meta(sts)['name']}-{revision_hash}"
        template_labels = dict((template.get("metadata") or {}).get("labels") or {})
        self.history.ensure(
            sts, update_revision, data, {**template_labels, HASH_LABEL: revision_hash}
        )
        if self.expectations.satisfied(key):
            self._manage(key, sts, pods, update_revision)
        current = self.owner(key)
        if current is None:
            return
        self._update_status(current, update_revision)
        in_use = {str((current.get("status") or {}).get("currentRevision")), update_revision}
        self.history.truncate(current, in_use)

    # ----------------------------------------------------------------------- pods

    def _manage(self, key: str, sts: Obj, pods: list[Obj], revision: str) -> None:
        """Create and delete pods towards the spec (see the module docstring)."""
        create, delete = self._plan(sts, pods, revision)
        namespace = meta(sts)["namespace"]
        self.expectations.expect(
            key,
            adds=len(create),
            deletes=[object_key(namespace, meta(p)["name"]) for p in delete],
        )
        for index in create:
            if not self._create(sts, index, revision):
                self.expectations.creation_observed(key)
        for pod in delete:
            self.delete_pod(sts, pod)

    def _plan(self, sts: Obj, pods: list[Obj], revision: str) -> tuple[list[int], list[Obj]]:
        """The ordinals to create and the pods to delete in this pass."""
        spec = sts.get("spec") or {}
        replicas = int(spec.get("replicas", 1))
        parallel = spec.get("podManagementPolicy") == "Parallel"
        by_ordinal: dict[int, Obj] = {}
        condemned: list[Obj] = []
        for pod in pods:
            index = ordinal(sts, pod)
            if index is None:
                continue
            if index < replicas:
                by_ordinal[index] = pod
            else:
                condemned.append(pod)
        create: list[int] = []
        delete: list[Obj] = []
        for index in range(replicas):
            found = by_ordinal.get(index)
            if found is None:
                create.append(index)
            elif terminal(found) and not meta(found).get("deletionTimestamp"):
                delete.append(found)
            elif parallel or healthy(found):
                continue
            else:
                return create, delete  # OrderedReady: wait for this ordinal
            if not parallel:
                return create, delete
        if create or delete:
            return create, delete
        condemned.sort(key=lambda p: ordinal(sts, p) or 0, reverse=True)
        going = [p for p in condemned if not meta(p).get("deletionTimestamp")]
        if parallel and condemned:
            return [], going
        if condemned:
            if (
                going
                and len(going) == len(condemned)
                and all(healthy(p) for p in by_ordinal.values())
            ):
                return [], going[:1]
            return [], []
        strategy = spec.get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return [], []
        if not all(healthy(p) for p in by_ordinal.values()):
            return [], []
        partition = int((strategy.get("rollingUpdate") or {}).get("partition", 0))
        for index in range(replicas - 1, partition - 1, -1):
            found = by_ordinal.get(index)
            if found is not None and labels(found).get(REVISION_LABEL) != revision:
                return [], [found]
        return [], []

    def _create(self, sts: Obj, index: int, revision: str) -> bool:
        """Create ordinal ``index`` (its claims first); whether the pod was sent."""
        spec = sts.get("spec") or {}
        namespace = meta(sts)["namespace"]
        name = f"{meta(sts)['name']}-{index}"
        pod = pod_from_template(sts, spec.get("template") or {}, namespace)
        del pod["metadata"]["generateName"]
        pod["metadata"] = {"name": name, **pod["metadata"]}
        pod["metadata"]["labels"] = {
            **(pod["metadata"].get("labels") or {}),
            REVISION_LABEL: revision,
            POD_NAME_LABEL: name,
            POD_INDEX_LABEL: str(index),
        }
        pod_spec = pod["spec"]
        pod_spec["hostname"] = name
        if spec.get("serviceName"):
            pod_spec["subdomain"] = spec["serviceName"]
        templates = spec.get("volumeClaimTemplates") or []
        volumes = [
            v
            for v in pod_spec.get("volumes") or []
            if v.get("name") not in {meta(t).get("name") for t in templates}
        ]
        for template in templates:
            volumes.append(
                {
                    "name": meta(template)["name"],
                    "persistentVolumeClaim": {"claimName": claim_name(template, name)},
                }
            )
            if not self._ensure_claim(sts, template, name):
                return False
        if volumes:
            pod_spec["volumes"] = volumes
        self.create_pod(sts, pod)
        return True

    def _ensure_claim(self, sts: Obj, template: Obj, pod_name: str) -> bool:
        """Create the pod's claim from ``template`` unless it exists; whether it does now."""
        namespace = meta(sts)["namespace"]
        name = claim_name(template, pod_name)
        if self.store.get(api.key(api.CLAIMS), namespace, name) is not None:
            return True
        match = ((sts.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        claim_meta: Obj = {"name": name, "namespace": namespace}
        claim_labels = {**(meta(template).get("labels") or {}), **match}
        if claim_labels:
            claim_meta["labels"] = claim_labels
        if meta(template).get("annotations"):
            claim_meta["annotations"] = dict(meta(template)["annotations"])
        claim = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": claim_meta,
            "spec": copy.deepcopy(template.get("spec") or {}),
        }
        sts_name = meta(sts)["name"]
        try:
            api.create(self.rest, api.CLAIMS, namespace, claim, MANAGER)
        except status.ApiStatus as err:
            if err.reason == "AlreadyExists":
                return True
            self.recorder.event(
                sts,
                WARNING,
                "FailedCreate",
                f"create Claim {name} for Pod {pod_name} in StatefulSet {sts_name} failed "
                f"error: {err.message}",
            )
            return False
        self.recorder.event(
            sts,
            NORMAL,
            "SuccessfulCreate",
            f"create Claim {name} Pod {pod_name} in StatefulSet {sts_name} success",
        )
        return True

    # --------------------------------------------------------------------- status

    def _update_status(self, sts: Obj, update_revision: str) -> None:
        spec = sts.get("spec") or {}
        old = sts.get("status") or {}
        min_ready = int(spec.get("minReadySeconds") or 0)
        now = self.clock.now()
        pods = [p for p in self.pods_of(sts) or [] if ordinal(sts, p) is not None]
        current_revision = str(old.get("currentRevision") or update_revision)
        live = [p for p in pods if not meta(p).get("deletionTimestamp")]
        ready = [p for p in live if healthy(p)]
        updated = [p for p in live if labels(p).get(REVISION_LABEL) == update_revision]
        replicas = int(spec.get("replicas", 1))
        if len(updated) == replicas and len(ready) == replicas and len(live) == replicas:
            current_revision = update_revision
        current = [p for p in live if labels(p).get(REVISION_LABEL) == current_revision]
        new: Obj = {"replicas": len(live)}
        for field, value in (
            ("readyReplicas", len(ready)),
            ("currentReplicas", len(current)),
            ("updatedReplicas", len(updated)),
        ):
            if value:
                new[field] = value
        new["availableReplicas"] = sum(1 for p in ready if is_available(p, min_ready, now))
        new["currentRevision"] = current_revision
        new["updateRevision"] = update_revision
        new["collisionCount"] = int(old.get("collisionCount") or 0)
        generation = meta(sts).get("generation")
        if generation is not None:
            new["observedGeneration"] = generation
        if old.get("conditions"):
            new["conditions"] = old["conditions"]
        self.write_status(sts, new)
        if min_ready > 0 and new["availableReplicas"] < len(ready):
            self.queue.add_after(object_key(meta(sts)["namespace"], meta(sts)["name"]), min_ready)
