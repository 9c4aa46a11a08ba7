"""System metadata the API server itself owns (the status and spec rules of each kind are the
admission strategy's, in admission/strategy.py).

On create: uid, creationTimestamp, generation 1; on update: uid, creationTimestamp and deletion
marks are kept, and generation is bumped when anything but metadata and status changed. Through
/status only the status changes. Objects that must not be touched are only read.

Either way metadata's empty ``omitempty`` lists and maps (``finalizers: []`` left by a patch that
removed the last one, ``labels: {}``) are dropped, as kube-apiserver's typed round trip drops them
(apimachinery's strategic merge itself keeps the empty list).
"""

from __future__ import annotations

import base64
import copy
import secrets
import uuid
from typing import Any

from backends.simulator.apiserver.resources import ResourceType
from backends.simulator.clock import Clock, rfc3339

Obj = dict[str, Any]

_NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
# Kinds whose REST strategy tracks metadata.generation (kube-apiserver sets it nowhere else).
GENERATION_KINDS = frozenset(
    {
        ("", "Pod"),
        ("", "PodTemplate"),
        ("", "ReplicationController"),
        ("apps", "Deployment"),
        ("apps", "ReplicaSet"),
        ("apps", "DaemonSet"),
        ("apps", "StatefulSet"),
        ("batch", "Job"),
        ("batch", "CronJob"),
        ("networking.k8s.io", "Ingress"),
        ("networking.k8s.io", "IngressClass"),
        ("networking.k8s.io", "NetworkPolicy"),
        ("discovery.k8s.io", "EndpointSlice"),
        ("policy", "PodDisruptionBudget"),
    }
)


# ObjectMeta's omitempty lists and maps (managedFields is not: an empty list there resets it).
_OMIT_EMPTY_METADATA = ("labels", "annotations", "ownerReferences", "finalizers")


def _omit_empty_metadata(metadata: Obj) -> None:
    for key in _OMIT_EMPTY_METADATA:
        if metadata.get(key) in ([], {}):
            del metadata[key]


def tracks_generation(resource: ResourceType) -> bool:
    return (resource.group, resource.kind) in GENERATION_KINDS


def generate_name(prefix: str) -> str:
    """``generateName`` plus five random characters from Kubernetes' alphabet."""
    return prefix + "".join(secrets.choice(_NAME_SUFFIX_ALPHABET) for _ in range(5))


def set_system_metadata(resource: ResourceType, obj: Obj, clock: Clock) -> None:
    """uid, creationTimestamp and generation of a new object (in place)."""
    metadata = obj.setdefault("metadata", {})
    metadata["uid"] = str(uuid.uuid4())
    metadata["creationTimestamp"] = rfc3339(clock.now())
    if tracks_generation(resource):
        metadata["generation"] = 1
    else:
        metadata.pop("generation", None)
    for key in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
        metadata.pop(key, None)
    _omit_empty_metadata(metadata)
    obj["apiVersion"] = resource.api_version
    obj["kind"] = resource.kind
    if resource.kind == "Namespace":
        metadata.setdefault("labels", {})["kubernetes.io/metadata.name"] = metadata["name"]


def _without(obj: Obj, *keys: str) -> Obj:
    return {k: v for k, v in obj.items() if k not in keys}


def keep_system_metadata(resource: ResourceType, new: Obj, old: Obj) -> None:
    """Keep the server-owned metadata of ``old`` and bump generation when more than metadata
    and status changed (in place; status itself is the admission strategy's business)."""
    metadata = new.setdefault("metadata", {})
    old_metadata = old.get("metadata") or {}
    for key in (
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generation",
    ):
        if key in old_metadata:
            metadata[key] = old_metadata[key]
        else:
            metadata.pop(key, None)
    _omit_empty_metadata(metadata)
    new["apiVersion"] = resource.api_version
    new["kind"] = resource.kind
    if resource.kind == "Namespace":
        metadata.setdefault("labels", {})["kubernetes.io/metadata.name"] = metadata.get("name", "")
    if tracks_generation(resource) and _without(new, "metadata", "status") != _without(
        old, "metadata", "status"
    ):
        metadata["generation"] = int(old_metadata.get("generation") or 0) + 1


def convert_secret(obj: Obj) -> None:
    """``stringData`` is write-only: its entries go into ``data``, base64-encoded (v1 conversion)."""
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = obj.setdefault("data", {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()


def prepare_for_status_update(new: Obj, old: Obj) -> Obj:
    """Through /status only the status changes."""
    result = copy.deepcopy(old)
    result["status"] = copy.deepcopy(new.get("status") or {})
    return result
