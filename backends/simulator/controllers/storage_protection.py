"""kube-controller-manager's pvc-protection and pv-protection controllers.

A PersistentVolumeClaim marked for deletion keeps its ``kubernetes.io/pvc-protection``
finalizer while a pod uses it; a PersistentVolume keeps ``kubernetes.io/pv-protection`` while
it is Bound. Once that is no longer so, the finalizer goes and the deletion completes.
"""

from __future__ import annotations

import copy
from typing import Any

from backends.simulator.apiserver.deletion import finish_if_released
from backends.simulator.store import ConflictError, Event, NotFoundError, Store

Obj = dict[str, Any]
PVC_FINALIZER = "kubernetes.io/pvc-protection"
PV_FINALIZER = "kubernetes.io/pv-protection"


class StorageProtection:
    """Releases deleted claims and volumes nobody uses any more, driven by store events."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.add_listener(self._on_event)
        for claim in store.objects("/persistentvolumeclaims"):
            self._check_claim(claim)
        for volume in store.objects("/persistentvolumes"):
            self._check_volume(volume)

    def _on_event(self, event: Event) -> None:
        if event.resource == "/persistentvolumeclaims" and event.type != "DELETED":
            self._check_claim(event.object)
        elif event.resource == "/persistentvolumes" and event.type != "DELETED":
            self._check_volume(event.object)
        elif event.resource == "/pods":
            namespace = (event.object.get("metadata") or {}).get("namespace", "")
            for claim in self.store.objects("/persistentvolumeclaims", namespace):
                self._check_claim(claim)

    def _in_use(self, claim: Obj) -> bool:
        metadata = claim.get("metadata") or {}
        for pod in self.store.objects("/pods", metadata.get("namespace", "")):
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            for volume in (pod.get("spec") or {}).get("volumes") or []:
                if (volume.get("persistentVolumeClaim") or {}).get("claimName") == metadata.get(
                    "name"
                ):
                    return True
        return False

    def _check_claim(self, claim: Obj) -> None:
        if self._marked_with(claim, PVC_FINALIZER) and not self._in_use(claim):
            self._release("/persistentvolumeclaims", claim, PVC_FINALIZER)

    def _check_volume(self, volume: Obj) -> None:
        if (
            self._marked_with(volume, PV_FINALIZER)
            and (volume.get("status") or {}).get("phase") != "Bound"
        ):
            self._release("/persistentvolumes", volume, PV_FINALIZER)

    @staticmethod
    def _marked_with(obj: Obj, finalizer: str) -> bool:
        metadata = obj.get("metadata") or {}
        return bool(metadata.get("deletionTimestamp")) and finalizer in (
            metadata.get("finalizers") or []
        )

    def _release(self, resource: str, obj: Obj, finalizer: str) -> None:
        released = copy.deepcopy(obj)
        metadata = released["metadata"]
        metadata["finalizers"] = [f for f in metadata.get("finalizers") or [] if f != finalizer]
        if not metadata["finalizers"]:
            del metadata["finalizers"]
        try:
            stored = self.store.update(resource, released, obj["metadata"].get("resourceVersion"))
        except (ConflictError, NotFoundError):
            return  # a newer version is on its way: its event checks again
        finish_if_released(self.store, resource, stored)
