"""A small volume provisioner and binder (the persistentvolume controller's part the node side
needs): claims get PersistentVolumes that are directories on the local disk.

* At start it makes sure a default StorageClass exists: ``standard``, provisioner
  ``pykctl.io/hostpath``, reclaim policy Delete, binding Immediate (created only when the
  cluster has no default class).
* A pending claim first binds to an Available PV that fits (same class, every requested access
  mode, enough capacity, selector); else, when its class is provisioned by ``pykctl.io/hostpath``,
  a PV ``pvc-<claim uid>`` is created with ``hostPath`` ``<state>/storage/pvc-<uid>`` and bound,
  with the controller's annotations and events (ExternalProvisioning, Provisioning,
  ProvisioningSucceeded). Data outlives the pods that use the claim.
* When a bound claim is deleted, its PV is Released; a provisioned PV with reclaim policy Delete
  is then deleted with its directory.

Work is queued from store events and done on the event loop; objects are changed only through
the REST layer.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import os
import shutil
from typing import Any

from multidict import MultiDict, MultiDictProxy

from backends.objects.selectors import label_selector_from_dict
from backends.simulator.apiserver import status as api_status
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.resources import lookup
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock, rfc3339
from backends.simulator.cluster.events import EventRecorder
from backends.simulator.kubelet.resources import quantity
from backends.simulator.store import Event

Obj = dict[str, Any]
log = logging.getLogger("pykctl.simulator.provisioner")
PROVISIONER = "pykctl.io/hostpath"
DEFAULT_CLASS = "standard"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
_NO_QUERY = MultiDictProxy(MultiDict[str]())
_CLAIMS = lookup("", "v1", "persistentvolumeclaims")
_VOLUMES = lookup("", "v1", "persistentvolumes")
_CLASSES = lookup("storage.k8s.io", "v1", "storageclasses")


class Provisioner:
    """Binds claims to volumes and provisions hostPath volumes (see the module docstring)."""

    def __init__(self, rest: Rest, clock: Clock, root: str) -> None:
        self.rest = rest
        self.clock = clock
        self.root = root
        self.recorder = EventRecorder(rest, clock, "persistentvolume-controller")
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._running = False

    async def start(self) -> None:
        os.makedirs(self.root, exist_ok=True)
        self._running = True
        self._ensure_default_class()
        self.rest.store.add_listener(self._on_event)
        self._task = asyncio.get_running_loop().create_task(self._run())
        for claim in self.rest.store.objects("/persistentvolumeclaims"):
            self._queue.put_nowait(Event("MODIFIED", "/persistentvolumeclaims", 0, claim))

    async def stop(self) -> None:
        self._running = False
        self.rest.store.remove_listener(self._on_event)
        if self._task is not None:
            self._queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _on_event(self, event: Event) -> None:
        if self._running and event.resource in ("/persistentvolumeclaims", "/persistentvolumes"):
            self._queue.put_nowait(event)

    async def _run(self) -> None:
        while True:
            event = await self._queue.get()
            if event is None:
                return
            try:
                if event.resource == "/persistentvolumeclaims":
                    if event.type == "DELETED":
                        self._claim_deleted(event.object)
                    else:
                        self._sync_claim(event.object)
            except api_status.ApiStatus as err:
                log.debug("provisioning step failed: %s", err.message)

    # ----------------------------------------------------------------------- classes

    def _ensure_default_class(self) -> None:
        assert _CLASSES is not None
        for cls in self.rest.store.objects("storage.k8s.io/storageclasses"):
            if (cls.get("metadata") or {}).get("annotations", {}).get(
                DEFAULT_CLASS_ANNOTATION
            ) == "true":
                return
        if self.rest.store.get("storage.k8s.io/storageclasses", "", DEFAULT_CLASS) is not None:
            return
        body = {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {
                "name": DEFAULT_CLASS,
                "annotations": {DEFAULT_CLASS_ANNOTATION: "true"},
            },
            "provisioner": PROVISIONER,
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate",
        }
        with contextlib.suppress(api_status.ApiStatus):
            self.rest.create(
                Target(_CLASSES, None, None, None), body, _NO_QUERY, "pykctl-provisioner"
            )

    def _class(self, name: str) -> Obj | None:
        return self.rest.store.get("storage.k8s.io/storageclasses", "", name)

    # ------------------------------------------------------------------------ claims

    def _sync_claim(self, claim: Obj) -> None:
        metadata = claim.get("metadata") or {}
        current = self.rest.store.get(
            "/persistentvolumeclaims", metadata.get("namespace", ""), metadata.get("name", "")
        )
        if current is None or (current.get("metadata") or {}).get("deletionTimestamp"):
            return
        claim = current
        spec = claim.get("spec") or {}
        if spec.get("volumeName"):
            volume = self.rest.store.get("/persistentvolumes", "", spec["volumeName"])
            if volume is not None and (claim.get("status") or {}).get("phase") != "Bound":
                self._bind(claim, volume, dynamic=False)
            return
        volume = self._matching_volume(claim)
        if volume is not None:
            self._bind(claim, volume, dynamic=False)
            return
        cls = self._class(str(spec.get("storageClassName") or ""))
        if cls is None or cls.get("provisioner") != PROVISIONER:
            return
        self._provision(claim, cls)

    def _matching_volume(self, claim: Obj) -> Obj | None:
        """The smallest Available PV that satisfies the claim (the PV controller's choice)."""
        spec = claim.get("spec") or {}
        wanted = quantity(((spec.get("resources") or {}).get("requests") or {}).get("storage"))
        candidates: list[tuple[int, str, Obj]] = []
        for volume in self.rest.store.objects("/persistentvolumes"):
            vspec = volume.get("spec") or {}
            phase = (volume.get("status") or {}).get("phase")
            capacity = quantity((vspec.get("capacity") or {}).get("storage"))
            labels = (volume.get("metadata") or {}).get("labels") or {}
            if (
                vspec.get("claimRef")
                or phase not in (None, "Available", "Pending")
                or (vspec.get("storageClassName") or "") != (spec.get("storageClassName") or "")
                or not set(spec.get("accessModes") or []) <= set(vspec.get("accessModes") or [])
                or (vspec.get("volumeMode") or "Filesystem")
                != (spec.get("volumeMode") or "Filesystem")
                or capacity is None
                or (wanted is not None and capacity < wanted)
                or (
                    spec.get("selector")
                    and not label_selector_from_dict(spec["selector"]).matches(labels)
                )
            ):
                continue
            candidates.append((capacity.value(), volume["metadata"]["name"], volume))
        return min(candidates, key=lambda c: c[:2])[2] if candidates else None

    def _provision(self, claim: Obj, cls: Obj) -> None:
        assert _VOLUMES is not None and _CLAIMS is not None
        metadata = claim.get("metadata") or {}
        namespace, name, uid = metadata.get("namespace"), metadata.get("name"), metadata.get("uid")
        self.recorder.event(
            claim, "Normal", "ExternalProvisioning",
            f"Waiting for a volume to be created either by the external provisioner '{PROVISIONER}' "
            "or manually by the system administrator. If volume creation is delayed, please verify "
            "that the provisioner is running and correctly registered.",
        )  # fmt: skip
        annotated = copy.deepcopy(claim)
        annotations = annotated["metadata"].setdefault("annotations", {})
        annotations["volume.beta.kubernetes.io/storage-provisioner"] = PROVISIONER
        annotations["volume.kubernetes.io/storage-provisioner"] = PROVISIONER
        if annotated != claim:
            claim = self.rest.update(
                Target(_CLAIMS, namespace, name, None),
                annotated,
                _NO_QUERY,
                "kube-controller-manager",
            ).body
        self.recorder.event(
            claim, "Normal", "Provisioning",
            f'External provisioner is provisioning volume for claim "{namespace}/{name}"',
        )  # fmt: skip
        volume_name = f"pvc-{uid}"
        path = os.path.join(self.root, volume_name)
        os.makedirs(path, exist_ok=True)
        spec = claim.get("spec") or {}
        body = {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {
                "name": volume_name,
                "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER},
            },
            "spec": {
                "capacity": {
                    "storage": ((spec.get("resources") or {}).get("requests") or {}).get(
                        "storage", "1Gi"
                    )
                },
                "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
                "persistentVolumeReclaimPolicy": cls.get("reclaimPolicy") or "Delete",
                "storageClassName": (cls.get("metadata") or {}).get("name"),
                "volumeMode": spec.get("volumeMode") or "Filesystem",
                "hostPath": {"path": path, "type": ""},
                "claimRef": self._claim_ref(claim),
            },
        }
        try:
            volume = self.rest.create(
                Target(_VOLUMES, None, None, None), body, _NO_QUERY, "pykctl-provisioner"
            ).body
        except api_status.ApiStatus:
            volume = self.rest.store.get("/persistentvolumes", "", volume_name)
            if volume is None:
                raise
        self.recorder.event(
            claim,
            "Normal",
            "ProvisioningSucceeded",
            f"Successfully provisioned volume {volume_name}",
        )
        self._bind(claim, volume, dynamic=True)

    @staticmethod
    def _claim_ref(claim: Obj) -> Obj:
        metadata = claim.get("metadata") or {}
        return {
            "kind": "PersistentVolumeClaim",
            "namespace": metadata.get("namespace"),
            "name": metadata.get("name"),
            "uid": metadata.get("uid"),
            "apiVersion": "v1",
            "resourceVersion": metadata.get("resourceVersion"),
        }

    def _bind(self, claim: Obj, volume: Obj, dynamic: bool) -> None:
        """Point the PV at the claim and the claim at the PV; both Bound."""
        assert _VOLUMES is not None and _CLAIMS is not None
        now = rfc3339(self.clock.now())
        volume_name = volume["metadata"]["name"]
        bound_volume = copy.deepcopy(volume)
        if not (bound_volume.get("spec") or {}).get("claimRef"):
            bound_volume["spec"]["claimRef"] = self._claim_ref(claim)
            bound_volume["metadata"].setdefault("annotations", {})[
                "pv.kubernetes.io/bound-by-controller"
            ] = "yes"
        if bound_volume != volume:
            volume = self.rest.update(
                Target(_VOLUMES, None, volume_name, None),
                bound_volume,
                _NO_QUERY,
                "kube-controller-manager",
            ).body
        if (volume.get("status") or {}).get("phase") != "Bound":
            volume = {**volume, "status": {"phase": "Bound", "lastPhaseTransitionTime": now}}
            self.rest.update_status(
                Target(_VOLUMES, None, volume_name, "status"),
                volume,
                _NO_QUERY,
                "kube-controller-manager",
            )
        metadata = claim.get("metadata") or {}
        namespace, name = metadata.get("namespace"), metadata.get("name")
        bound_claim = copy.deepcopy(claim)
        bound_claim["spec"]["volumeName"] = volume_name
        annotations = bound_claim["metadata"].setdefault("annotations", {})
        annotations["pv.kubernetes.io/bind-completed"] = "yes"
        annotations["pv.kubernetes.io/bound-by-controller"] = "yes"
        if bound_claim != claim:
            claim = self.rest.update(
                Target(_CLAIMS, namespace, name, None),
                bound_claim,
                _NO_QUERY,
                "kube-controller-manager",
            ).body
        vspec = volume.get("spec") or {}
        status = {
            "phase": "Bound",
            "accessModes": list(vspec.get("accessModes") or []),
            "capacity": dict(vspec.get("capacity") or {}),
        }
        if (claim.get("status") or {}) != status:
            self.rest.update_status(
                Target(_CLAIMS, namespace, name, "status"),
                {**claim, "status": status},
                _NO_QUERY,
                "kube-controller-manager",
            )
        del dynamic

    def _claim_deleted(self, claim: Obj) -> None:
        assert _VOLUMES is not None
        uid = (claim.get("metadata") or {}).get("uid")
        for volume in self.rest.store.objects("/persistentvolumes"):
            ref = (volume.get("spec") or {}).get("claimRef") or {}
            if ref.get("uid") != uid:
                continue
            name = volume["metadata"]["name"]
            spec = volume.get("spec") or {}
            provisioned = (volume["metadata"].get("annotations") or {}).get(
                "pv.kubernetes.io/provisioned-by"
            ) == PROVISIONER
            if provisioned and spec.get("persistentVolumeReclaimPolicy") == "Delete":
                path = (spec.get("hostPath") or {}).get("path")
                self.rest.delete(Target(_VOLUMES, None, name, None), {}, _NO_QUERY)
                if path and os.path.realpath(path).startswith(os.path.realpath(self.root) + os.sep):
                    shutil.rmtree(path, ignore_errors=True)
            else:
                released = {
                    **volume,
                    "status": {
                        "phase": "Released",
                        "lastPhaseTransitionTime": rfc3339(self.clock.now()),
                    },
                }
                self.rest.update_status(
                    Target(_VOLUMES, None, name, "status"),
                    released,
                    _NO_QUERY,
                    "kube-controller-manager",
                )
