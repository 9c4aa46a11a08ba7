"""ControllerRevisions, as the daemon set and stateful set controllers keep them
(``pkg/controller/history``): one snapshot of the pod template per revision, owned by the
workload, numbered 1, 2, ... in the order the templates were current.

Invariants:

* a revision's ``data`` is the strategic-merge patch that restores the template
  (``{"spec": {"template": {..., "$patch": "replace"}}}``);
* the current template always has the highest revision number: a template seen before gets
  its old revision renumbered instead of a duplicate;
* history is trimmed to ``revisionHistoryLimit`` revisions that no pod uses, oldest first.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from backends.objects import gojson
from backends.simulator.apiserver import status
from backends.simulator.apiserver.resources import lookup
from backends.simulator.apiserver.rest import Rest
from backends.simulator.cluster import api
from backends.simulator.controllers.deployment import SAFE_ALPHABET
from backends.simulator.controllers.pods import MANAGER, controller_ref, meta, new_controller_ref

Obj = dict[str, Any]

_revisions = lookup("apps", "v1", "controllerrevisions")
assert _revisions is not None
CONTROLLER_REVISIONS = _revisions


def fnv32(data: bytes) -> int:
    """FNV-1 (not 1a), 32 bits: Go's ``hash/fnv.New32``."""
    value = 0x811C9DC5
    for byte in data:
        value = ((value * 0x01000193) & 0xFFFFFFFF) ^ byte
    return value


def safe_encode(text: str) -> str:
    """``rand.SafeEncodeString``."""
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in text.encode())


def template_patch(template: Obj) -> Obj:
    """The revision data of a pod template."""
    return {"spec": {"template": {**copy.deepcopy(template), "$patch": "replace"}}}


def hash_revision(data: Obj, collision_count: int | None) -> str:
    """``history.HashControllerRevision`` over the revision's JSON data."""
    raw = gojson.dumps(data).encode()
    if collision_count is not None:
        raw += str(collision_count).encode()
    return safe_encode(str(fnv32(raw)))


def revision_number(revision: Obj) -> int:
    return int(revision.get("revision") or 0)


class History:
    """The ControllerRevisions of one kind of workload."""

    def __init__(self, rest: Rest) -> None:
        self.rest = rest

    def of(self, owner: Obj) -> list[Obj]:
        """``owner``'s revisions, lowest number first."""
        uid = meta(owner).get("uid")
        found = [
            revision
            for revision in self.rest.store.objects(
                api.key(CONTROLLER_REVISIONS), meta(owner).get("namespace") or ""
            )
            if (controller_ref(revision) or {}).get("uid") == uid
        ]
        return sorted(found, key=revision_number)

    def ensure(self, owner: Obj, name: str, data: Obj, labels: dict[str, str]) -> Obj:
        """The revision ``name`` holding ``data``, created or renumbered to be the newest."""
        existing = self.of(owner)
        newest = max((revision_number(r) for r in existing), default=0)
        namespace = meta(owner)["namespace"]
        for revision in existing:
            if meta(revision)["name"] != name:
                continue
            if revision_number(revision) == newest:
                return revision
            updated = copy.deepcopy(revision)
            updated["revision"] = newest + 1
            return api.update(self.rest, CONTROLLER_REVISIONS, updated, MANAGER)
        body: Obj = {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": labels,
                "ownerReferences": [new_controller_ref(owner)],
            },
            "data": data,
            "revision": newest + 1,
        }
        annotations = meta(owner).get("annotations")
        if annotations:
            body["metadata"]["annotations"] = dict(annotations)
        try:
            return api.create(self.rest, CONTROLLER_REVISIONS, namespace, body, MANAGER)
        except status.ApiStatus as err:
            if err.reason != "AlreadyExists":
                raise
            found = self.rest.store.get(api.key(CONTROLLER_REVISIONS), namespace, name)
            if found is None:
                raise
            return found

    def truncate(self, owner: Obj, in_use: Iterable[str]) -> None:
        """Delete the oldest unused revisions beyond ``spec.revisionHistoryLimit``."""
        limit = int((owner.get("spec") or {}).get("revisionHistoryLimit", 10))
        live = set(in_use)
        unused = [r for r in self.of(owner) if meta(r)["name"] not in live]
        for revision in unused[: max(0, len(unused) - limit)]:
            target = api.target(
                CONTROLLER_REVISIONS, meta(revision)["namespace"], meta(revision)["name"]
            )
            try:
                self.rest.delete(target, {}, api.NO_QUERY)
            except status.ApiStatus:
                continue
