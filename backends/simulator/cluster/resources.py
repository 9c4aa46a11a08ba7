"""What pods request, as kube-scheduler counts it (``k8s.io/component-helpers`` PodRequests).

Amounts are integers: CPU in millicores, everything else in units (bytes, pods, devices).
A pod requests the sum of its containers' requests; init containers run one at a time, so the
pod needs at least the largest of them (plus the sidecars started before it); sidecars
(``restartPolicy: Always`` init containers) run alongside everything and add up; pod-level
``spec.resources.requests`` replace the CPU and memory sums; ``spec.overhead`` is added.
For scoring, a container without a CPU or memory request counts as 100m CPU and 200 MB.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from backends.objects.quantity import Quantity, QuantityError

Obj = dict[str, Any]
Amounts = dict[str, int]

DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024
_POD_LEVEL = ("cpu", "memory")


def amount(name: str, value: Any) -> int:
    """A quantity as the scheduler counts it: millicores for ``cpu``, units otherwise."""
    try:
        quantity = Quantity.from_json(value)
    except QuantityError:
        return 0
    return quantity.milli_value() if name == "cpu" else quantity.value()


def amounts(resource_list: Mapping[str, Any] | None) -> Amounts:
    """A ResourceList as amounts."""
    return {name: amount(name, value) for name, value in (resource_list or {}).items()}


def add(total: Amounts, more: Mapping[str, int]) -> Amounts:
    """``total + more``, per resource (a new dict)."""
    result = dict(total)
    for name, value in more.items():
        result[name] = result.get(name, 0) + value
    return result


def maximum(a: Mapping[str, int], b: Mapping[str, int]) -> Amounts:
    """The larger amount of each resource."""
    return {name: max(a.get(name, 0), b.get(name, 0)) for name in {*a, *b}}


def _containers(spec: Obj, field: str) -> Iterable[Obj]:
    found = spec.get(field)
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def _container_requests(container: Obj, non_zero: bool) -> Amounts:
    requests = amounts((container.get("resources") or {}).get("requests"))
    if non_zero:
        requests.setdefault("cpu", DEFAULT_MILLI_CPU_REQUEST)
        requests.setdefault("memory", DEFAULT_MEMORY_REQUEST)
    return requests


def pod_requests(pod: Obj, non_zero: bool = False) -> Amounts:
    """What ``pod`` requests; ``non_zero`` applies the scoring defaults to bare containers."""
    spec = pod.get("spec") or {}
    total: Amounts = {}
    for container in _containers(spec, "containers"):
        total = add(total, _container_requests(container, non_zero))
    sidecars: Amounts = {}
    largest_init: Amounts = {}
    for container in _containers(spec, "initContainers"):
        requests = _container_requests(container, non_zero)
        if container.get("restartPolicy") == "Always":
            total = add(total, requests)
            sidecars = add(sidecars, requests)
        else:
            largest_init = maximum(largest_init, add(requests, sidecars))
    total = maximum(total, largest_init)
    pod_level = amounts((spec.get("resources") or {}).get("requests"))
    for name in _POD_LEVEL:
        if name in pod_level:
            total[name] = pod_level[name]
    return add(total, amounts(spec.get("overhead")))
