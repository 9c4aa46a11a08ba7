"""Registry strategies: ``PrepareForCreate`` and ``PrepareForUpdate`` of kube-apiserver v1.37.

Before validating, upstream's REST storage resets what a client may not set through the main
resource: ``status`` is cleared on create and carried over from the stored object on update,
pods get their initial ``Pending`` status and QoS class, namespaces their ``kubernetes``
finalizer, jobs their generated selector and labels, daemon sets their template generation
(apps/v1 carries ``spec.templateGeneration`` as the ``deprecated.daemonset.template.generation``
annotation: at least 1 on create, one more on an update that changes the template). Objects are then re-defaulted, as upstream
does when it reads them back from storage, so cleared status structs get their defaults again.

Invariants: ``prepare_for_create`` needs ``metadata.uid`` already set (the job selector is
derived from it); both functions mutate ``obj`` in place and never modify ``old``.
Resource versions, generation and allocation (cluster IPs, node ports) are the server's.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from fractions import Fraction

from backends.objects import schemas
from backends.simulator.apiserver.admission.defaults import Obj, apply_defaults, child, items
from backends.simulator.apiserver.admission.quantity import quantity_value
from backends.simulator.apiserver.resources import ResourceType

_QOS_RESOURCES = ("cpu", "memory")
_ZERO_VALUES = {"integer": 0, "boolean": False, "string": ""}
# Kinds whose stored status survives a create (kubelets register nodes with their status).
_STATUS_KEPT_ON_CREATE = {("", "Node")}


def _sum_quantities(total: dict[str, Fraction], resources: object) -> set[str]:
    """Add the positive cpu/memory quantities to ``total``; return the names found."""
    found = set()
    if isinstance(resources, dict):
        for name, raw in resources.items():
            value = quantity_value(raw)
            if name in _QOS_RESOURCES and value is not None and value > 0:
                total[name] = total.get(name, Fraction(0)) + value
                found.add(name)
    return found


def qos_class(spec: Obj) -> str:
    """``GetPodQOS``: BestEffort, Burstable or Guaranteed."""
    requests: dict[str, Fraction] = {}
    limits: dict[str, Fraction] = {}
    guaranteed = True
    pod_resources = spec.get("resources")
    if isinstance(pod_resources, dict):
        _sum_quantities(requests, pod_resources.get("requests"))
        guaranteed = _sum_quantities(limits, pod_resources.get("limits")) >= set(_QOS_RESOURCES)
    else:
        for container in items(spec, "containers") + items(spec, "initContainers"):
            resources = container.get("resources") or {}
            _sum_quantities(requests, resources.get("requests"))
            if _sum_quantities(limits, resources.get("limits")) < set(_QOS_RESOURCES):
                guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    matching = all(limits.get(name) == value for name, value in requests.items())
    if guaranteed and matching and len(requests) == len(limits):
        return "Guaranteed"
    return "Burstable"


def _zero_status(resource: ResourceType) -> Obj:
    """The empty status as Go serializes it: required scalars at their zero value."""
    status_schema = schemas.resolve(
        schemas.property_schema(
            schemas.for_kind(resource.group, resource.version, resource.kind), "status"
        )
    )
    status: Obj = {}
    if status_schema is None:
        return status
    for name in status_schema.get("required") or []:
        for json_type in schemas.types(schemas.property_schema(status_schema, name)):
            if json_type in _ZERO_VALUES:
                status[name] = _ZERO_VALUES[json_type]
    return status


def _now() -> str:
    """The current time as RFC 3339 in UTC, the way metav1.Time serializes."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pod_status(pod: Obj) -> Obj:
    spec = child(pod, "spec")
    status: Obj = {"phase": "Pending", "qosClass": qos_class(spec)}
    if spec.get("schedulingGates"):
        status["conditions"] = [
            {
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": None,
                "lastTransitionTime": _now(),
                "reason": "SchedulingGated",
                "message": "Scheduling is blocked due to non-empty scheduling gates",
            }
        ]
    return status


def _generate_job_selector(job: Obj) -> None:
    """``generateSelector``: job-name and controller-uid labels and the selector on the uid."""
    metadata = child(job, "metadata")
    spec = child(job, "spec")
    if spec.get("manualSelector"):
        return
    labels = child(child(child(spec, "template"), "metadata"), "labels")
    for key in ("job-name", "batch.kubernetes.io/job-name"):
        labels.setdefault(key, metadata.get("name", ""))
    for key in ("controller-uid", "batch.kubernetes.io/controller-uid"):
        labels.setdefault(key, metadata.get("uid", ""))
    match_labels = child(child(spec, "selector"), "matchLabels")
    match_labels.setdefault("batch.kubernetes.io/controller-uid", metadata.get("uid", ""))


def _namespace_spec(namespace: Obj) -> None:
    child(namespace, "spec")["finalizers"] = ["kubernetes"]


TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"


def _template_generation(ds: Obj) -> int:
    """The daemon set's ``spec.templateGeneration`` (0 when its annotation is absent or bad)."""
    value = ((ds.get("metadata") or {}).get("annotations") or {}).get(TEMPLATE_GENERATION)
    try:
        return int(str(value))
    except ValueError:
        return 0


def _set_template_generation(ds: Obj, generation: int) -> None:
    annotations = child(child(ds, "metadata"), "annotations")
    annotations[TEMPLATE_GENERATION] = str(generation)


def _daemon_set_on_create(ds: Obj) -> None:
    _set_template_generation(ds, max(_template_generation(ds), 1))


def _daemon_set_on_update(ds: Obj, old: Obj) -> None:
    """A changed template is one generation newer; otherwise the stored generation stays."""
    generation = _template_generation(old)
    if (ds.get("spec") or {}).get("template") != (old.get("spec") or {}).get("template"):
        generation += 1
    _set_template_generation(ds, generation)


_ON_CREATE: dict[tuple[str, str], Callable[[Obj], None]] = {
    ("", "Namespace"): _namespace_spec,
    ("batch", "Job"): _generate_job_selector,
    ("apps", "DaemonSet"): _daemon_set_on_create,
}

_STATUS_ON_CREATE: dict[tuple[str, str], Callable[[Obj], Obj]] = {
    ("", "Pod"): _pod_status,
    ("", "Service"): lambda _: {"loadBalancer": {}},
    ("networking.k8s.io", "Ingress"): lambda _: {"loadBalancer": {}},
}


def _has_status(resource: ResourceType) -> bool:
    return resource.subresource("status") is not None


def prepare_for_create(resource: ResourceType, obj: Obj) -> None:
    """Reset what clients may not set on create, then re-default (in place)."""
    key = (resource.group, resource.kind)
    prepare = _ON_CREATE.get(key)
    if prepare is not None:
        prepare(obj)
    if _has_status(resource) and key not in _STATUS_KEPT_ON_CREATE:
        make_status = _STATUS_ON_CREATE.get(key)
        obj["status"] = make_status(obj) if make_status else _zero_status(resource)
    apply_defaults(resource, obj)


def prepare_for_update(resource: ResourceType, obj: Obj, old: Obj) -> None:
    """Keep what an update of the main resource may not change, then re-default (in place).

    ``status`` comes from ``old`` (it changes only through ``/status``); a namespace's
    ``spec.finalizers`` change only through ``/finalize``.
    """
    if _has_status(resource):
        if "status" in old:
            obj["status"] = copy.deepcopy(old["status"])
        else:
            obj.pop("status", None)
    if (resource.group, resource.kind) == ("apps", "DaemonSet"):
        _daemon_set_on_update(obj, old)
    if (resource.group, resource.kind) == ("", "Namespace"):
        old_finalizers = (old.get("spec") or {}).get("finalizers")
        spec = child(obj, "spec")
        if old_finalizers is None:
            spec.pop("finalizers", None)
        else:
            spec["finalizers"] = list(old_finalizers)
    apply_defaults(resource, obj)
