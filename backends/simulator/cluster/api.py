"""How the cluster's components talk to the API: reads from the store (their informer cache),
writes through the simulator's REST layer with their own field manager, as a client would.

Invariants: nothing here changes a dict the store returned (every write sends a new body);
every write goes through ``Rest`` so admission, validation, managedFields, resourceVersions and
watch events are those of a real API request.
"""

from __future__ import annotations

import datetime
from typing import Any

from multidict import MultiDict, MultiDictProxy

from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.resources import ResourceType, lookup
from backends.simulator.apiserver.rest import Rest, resource_key

Obj = dict[str, Any]

STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
NO_QUERY: MultiDictProxy[str] = MultiDictProxy(MultiDict())


def _resource(group: str, plural: str) -> ResourceType:
    found = lookup(group, "v1", plural)
    assert found is not None, plural
    return found


NAMESPACES = _resource("", "namespaces")
PODS = _resource("", "pods")
NODES = _resource("", "nodes")
EVENTS = _resource("", "events")
LEASES = _resource("coordination.k8s.io", "leases")
REPLICA_SETS = _resource("apps", "replicasets")
STATEFUL_SETS = _resource("apps", "statefulsets")
REPLICATION_CONTROLLERS = _resource("", "replicationcontrollers")
SERVICES = _resource("", "services")
CLAIMS = _resource("", "persistentvolumeclaims")
STORAGE_CLASSES = _resource("storage.k8s.io", "storageclasses")
PRIORITY_CLASSES = _resource("scheduling.k8s.io", "priorityclasses")


def key(resource: ResourceType) -> str:
    """The store's name for ``resource``."""
    return resource_key(resource)


def target(resource: ResourceType, namespace: str | None, name: str | None = None) -> Target:
    """The REST target of one object (``name``) or of a collection."""
    return Target(resource, namespace if resource.namespaced else None, name, None)


def metadata(obj: Obj) -> Obj:
    """``metadata`` of an object, ``{}`` when absent."""
    found = obj.get("metadata")
    return found if isinstance(found, dict) else {}


def create(
    rest: Rest, resource: ResourceType, namespace: str | None, obj: Obj, manager: str
) -> Obj:
    """POST ``obj``; returns the stored object."""
    response = rest.create(target(resource, namespace), obj, NO_QUERY, manager)
    stored: Obj = response.body
    return stored


def patch(
    rest: Rest,
    resource: ResourceType,
    namespace: str | None,
    name: str,
    body: Obj,
    manager: str,
    status: bool = False,
) -> Obj:
    """PATCH (strategic merge) the object or, with ``status``, its status subresource."""
    response = rest.patch(
        target(resource, namespace, name),
        body,
        STRATEGIC_MERGE_PATCH,
        NO_QUERY,
        status_only=status,
        manager=manager,
    )
    patched: Obj = response.body
    return patched


def update(rest: Rest, resource: ResourceType, obj: Obj, manager: str) -> Obj:
    """PUT ``obj`` (a modified copy of the stored object)."""
    meta = metadata(obj)
    response = rest.update(
        target(resource, meta.get("namespace") or None, meta["name"]), obj, NO_QUERY, manager
    )
    updated: Obj = response.body
    return updated


def update_status(rest: Rest, resource: ResourceType, obj: Obj, manager: str) -> Obj:
    """PUT the status subresource with ``obj`` (a modified copy of the stored object)."""
    meta = metadata(obj)
    response = rest.update_status(
        target(resource, meta.get("namespace") or None, meta["name"]), obj, NO_QUERY, manager
    )
    updated: Obj = response.body
    return updated


def micro_time(moment: datetime.datetime) -> str:
    """Kubernetes' metav1.MicroTime form: microseconds, ``Z``."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
