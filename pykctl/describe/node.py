"""Nodes (kubectl's describeNode) and the pod resource arithmetic behind their tables.

A Node lists its roles, taints, lease, conditions, addresses, capacity, system info, then the
non-terminated pods on it with their requests and limits as percentages of what the node can
allocate, and the totals. Requests and limits follow component-helpers' PodRequests/PodLimits:
containers summed, init containers as a running maximum (restartable "sidecar" init containers
add up), pod-level resources override, overhead added. Percentages are computed in floats and
truncated like Go's ``int64(...)``, including its result for a division by zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backends.objects.quantity import Quantity
from pykctl.describe.events import describe_events
from pykctl.describe.format import (
    Obj,
    annotations_multiline,
    annotations_of,
    dig,
    items,
    labels_multiline,
    labels_of,
    mapping,
    parse_quantity,
    rfc1123z,
    since,
    sorted_resource_names,
    taints_multiline,
    text,
)
from pykctl.describe.writer import LEVEL_0, LEVEL_1, Writer

ResourceList = dict[str, Quantity]
ROLE_PREFIX = "node-role.kubernetes.io/"
ROLE_LABEL = "kubernetes.io/role"
_GO_INT64_MIN = -(1 << 63)
_POD_LEVEL = ("cpu", "memory")


@dataclass
class NodeRelated:
    """What a node description needs besides the node: its lease (or the error getting it),
    its non-terminated pods (None when listing them was forbidden) and its ResourceSlices."""

    lease: Obj | None = None
    lease_error: str = ""
    pods: list[Obj] | None = None
    resource_slices: Sequence[Obj] = ()


def node_roles(node: Obj) -> list[str]:
    """Roles from ``node-role.kubernetes.io/<role>`` and ``kubernetes.io/role=<role>`` labels."""
    roles = set()
    for key, value in labels_of(node).items():
        if key.startswith(ROLE_PREFIX):
            if key[len(ROLE_PREFIX) :]:
                roles.add(key[len(ROLE_PREFIX) :])
        elif key == ROLE_LABEL and value:
            roles.add(value)
    return sorted(roles)


def describe_node(
    node: Obj, related: NodeRelated, events: Sequence[Obj] | None, now: datetime
) -> str:
    """``kubectl describe node``."""
    spec, status = mapping(node, "spec"), mapping(node, "status")
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(node, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Roles:\t{','.join(node_roles(node)) or '<none>'}\n")
    labels_multiline(w, "Labels", labels_of(node))
    annotations_multiline(w, "Annotations", annotations_of(node))
    w.write(
        LEVEL_0, f"CreationTimestamp:\t{rfc1123z(dig(node, 'metadata', 'creationTimestamp'))}\n"
    )
    taints_multiline(w, "Taints", items(spec, "taints"))
    w.write(
        LEVEL_0, f"Unschedulable:\t{'true' if dig(spec, 'unschedulable') is True else 'false'}\n"
    )
    if related.lease is not None:
        _lease(w, related.lease)
    else:
        w.write(LEVEL_0, f"Lease:\tFailed to get lease: {related.lease_error}\n")
    conditions = items(status, "conditions")
    if conditions:
        w.write(
            LEVEL_0,
            "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n",
        )
        w.write(LEVEL_1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(
                LEVEL_1,
                f"{text(c, 'type')} \t{text(c, 'status')} \t"
                f"{rfc1123z(dig(c, 'lastHeartbeatTime'))} \t"
                f"{rfc1123z(dig(c, 'lastTransitionTime'))} \t{text(c, 'reason')} \t"
                f"{text(c, 'message')}\n",
            )
    w.write(LEVEL_0, "Addresses:\n")
    for address in items(status, "addresses"):
        w.write(LEVEL_1, f"{text(address, 'type')}:\t{text(address, 'address')}\n")
    for title, field in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        resources = mapping(status, field)
        if resources:
            w.write(LEVEL_0, f"{title}:\n")
            for name in sorted_resource_names(resources):
                w.write(LEVEL_0, f"  {name}:\t{parse_quantity(resources[name])}\n")
    _resource_slices(w, related.resource_slices)
    info = mapping(status, "nodeInfo")
    w.write(LEVEL_0, "System Info:\n")
    for title, field in (
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
    ):
        w.write(LEVEL_0, f"  {title}:\t{text(info, field)}\n")
    if text(spec, "podCIDR"):
        w.write(LEVEL_0, f"PodCIDR:\t{text(spec, 'podCIDR')}\n")
    if items(spec, "podCIDRs"):
        w.write(LEVEL_0, f"PodCIDRs:\t{','.join(map(str, items(spec, 'podCIDRs')))}\n")
    if text(spec, "providerID"):
        w.write(LEVEL_0, f"ProviderID:\t{text(spec, 'providerID')}\n")
    if related.pods is not None:
        _node_resources(w, node, related.pods, now)
    else:
        w.write(LEVEL_0, "Pods:\tnot authorized\n")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


def _lease(w: Writer, lease: Obj) -> None:
    w.write(LEVEL_0, "Lease:\n")
    holder = dig(lease, "spec", "holderIdentity")
    w.write(LEVEL_1, f"HolderIdentity:\t{'<unset>' if holder is None else holder}\n")
    for title, field in (("AcquireTime", "acquireTime"), ("RenewTime", "renewTime")):
        value = dig(lease, "spec", field)
        w.write(LEVEL_1, f"{title}:\t{'<unset>' if value is None else rfc1123z(value)}\n")


def _resource_slices(w: Writer, slices: Sequence[Obj]) -> None:
    pools: dict[str, list[Any]] = {}
    for resource_slice in slices:
        driver = text(resource_slice, "spec", "driver")
        pool = text(resource_slice, "spec", "pool", "name")
        entry = pools.setdefault(f"{driver}/{pool}", [driver, pool, 0, 0])
        entry[2] += 1
        entry[3] += len(items(resource_slice, "spec", "devices"))
    if not pools:
        return
    w.write(LEVEL_0, "Node-Local ResourceSlices:\n")
    w.write(LEVEL_1, "Driver\tPool\tSlices\tDevices\n")
    w.write(LEVEL_1, "------\t----\t------\t-------\n")
    keys = sorted(pools)
    for shown, key in enumerate(keys):
        if shown >= 10:
            w.write(LEVEL_1, f"...and {len(keys) - 10} more pools\n")
            break
        driver, pool, count, devices = pools[key]
        w.write(LEVEL_1, f"{driver}\t{pool}\t{count}\t{devices}\n")


# ---------------------------------------------------------------- resource arithmetic


def _resources(values: Any) -> ResourceList:
    return (
        {str(k): parse_quantity(v) for k, v in (values or {}).items()}
        if isinstance(values, dict)
        else {}
    )


def _add(total: ResourceList, more: Mapping[str, Quantity]) -> None:
    for name, value in more.items():
        total[name] = total[name] + value if name in total else value


def _max_into(total: ResourceList, more: Mapping[str, Quantity]) -> None:
    for name, value in more.items():
        if name not in total or value.compare(total[name]) > 0:
            total[name] = value


def _max(first: ResourceList, *others: ResourceList) -> ResourceList:
    result = dict(first)
    for other in others:
        _max_into(result, other)
    return result


def _status_of(pod: Obj, name: str) -> Obj | None:
    for field in ("containerStatuses", "initContainerStatuses"):
        for status in items(pod, "status", field):
            if text(status, "name") == name:
                return status if isinstance(status, dict) else None
    return None


def _resize_infeasible(pod: Obj) -> bool:
    for condition in items(pod, "status", "conditions"):
        if text(condition, "type") == "PodResizePending":
            return text(condition, "reason") == "Infeasible"
    return False


Getter = Callable[[Obj, "Obj | None", bool], "ResourceList | None"]


def _aggregate(pod: Obj, getter: Getter, use_status: bool) -> ResourceList:
    """Containers summed; init containers as the peak of each one's start-up footprint."""
    infeasible = use_status and _resize_infeasible(pod)

    def of(container: Obj) -> ResourceList:
        status = _status_of(pod, text(container, "name")) if use_status else None
        return getter(container, status, infeasible) or {}

    result: ResourceList = {}
    for container in items(pod, "spec", "containers"):
        _add(result, of(container))
    sidecars: ResourceList = {}
    peak: ResourceList = {}
    for container in items(pod, "spec", "initContainers"):
        own = of(container)
        if text(container, "restartPolicy") == "Always":
            _add(result, own)
            _add(sidecars, own)
            footprint = dict(sidecars)
        else:
            footprint = dict(own)
            _add(footprint, sidecars)
        _max_into(peak, footprint)
    _max_into(result, peak)
    return result


def _spec(field: str) -> Getter:
    def getter(container: Obj, status: Obj | None, infeasible: bool) -> ResourceList | None:
        return _resources(dig(container, "resources", field))

    return getter


def _allocated_requests(
    container: Obj, status: Obj | None, infeasible: bool
) -> ResourceList | None:
    if status is not None and isinstance(dig(status, "allocatedResources"), dict):
        return _resources(dig(status, "allocatedResources"))
    return None if infeasible else _resources(dig(container, "resources", "requests"))


def _actuated(field: str) -> Getter:
    def getter(container: Obj, status: Obj | None, infeasible: bool) -> ResourceList | None:
        if status is not None and isinstance(dig(status, "resources", field), dict):
            return _resources(dig(status, "resources", field))
        if (
            field == "requests"
            and status is not None
            and isinstance(dig(status, "allocatedResources"), dict)
        ):
            return _resources(dig(status, "allocatedResources"))
        return None if infeasible else _resources(dig(container, "resources", field))

    return getter


def _pod_level(pod: Obj, field: str) -> ResourceList:
    values = _resources(dig(pod, "spec", "resources", field))
    return {k: v for k, v in values.items() if k in _POD_LEVEL or k.startswith("hugepages-")}


def pod_requests(pod: Obj, use_status: bool) -> ResourceList:
    """component-helpers' PodRequests (no DRA claims, no in-place pod-level resize)."""
    if use_status:
        spec = _aggregate(pod, _spec("requests"), True)
        allocated = _aggregate(pod, _allocated_requests, True)
        actuated = _aggregate(pod, _actuated("requests"), True)
        result = (
            _max(actuated, allocated)
            if _resize_infeasible(pod)
            else _max(spec, actuated, allocated)
        )
    else:
        result = _aggregate(pod, _spec("requests"), False)
    result.update(_pod_level(pod, "requests"))
    _add(result, _resources(dig(pod, "spec", "overhead")))
    return result


def pod_limits(pod: Obj, use_status: bool) -> ResourceList:
    """component-helpers' PodLimits (overhead added only to non-zero limits)."""
    if use_status:
        spec = _aggregate(pod, _spec("limits"), True)
        actuated = _aggregate(pod, _actuated("limits"), True)
        result = actuated if _resize_infeasible(pod) else _max(spec, actuated)
    else:
        result = _aggregate(pod, _spec("limits"), False)
    if _pod_level(pod, "requests") or _pod_level(pod, "limits"):
        result.update(_pod_level(pod, "limits"))
    for name, value in _resources(dig(pod, "spec", "overhead")).items():
        if name in result and not result[name].is_zero():
            result[name] = result[name] + value
    return result


def _percent(part: int, whole: int) -> int:
    """``int64(float64(part) / float64(whole) * 100)`` as Go computes it on amd64."""
    if whole == 0:
        return _GO_INT64_MIN
    result = float(part) / float(whole) * 100
    if result != result or result in (float("inf"), float("-inf")):
        return _GO_INT64_MIN
    truncated = int(result)
    return truncated if _GO_INT64_MIN <= truncated < -_GO_INT64_MIN else _GO_INT64_MIN


def _share(value: Quantity, whole: Quantity, milli: bool, guard: bool) -> str:
    """``"<quantity> (<percent>%)"``; with ``guard`` a zero whole reads as 0%."""
    part_value = value.milli_value() if milli else value.value()
    whole_value = whole.milli_value() if milli else whole.value()
    percent = 0 if guard and whole_value == 0 else _percent(part_value, whole_value)
    return f"{value} ({percent}%)"


def _node_resources(w: Writer, node: Obj, pods: Sequence[Obj], now: datetime) -> None:
    w.write(LEVEL_0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(
        LEVEL_1,
        "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n",
    )
    w.write(
        LEVEL_1,
        "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
    )
    allocatable = _resources(dig(node, "status", "capacity"))
    if mapping(node, "status", "allocatable"):
        allocatable = _resources(dig(node, "status", "allocatable"))
    zero = Quantity()
    cpu, memory = allocatable.get("cpu", zero), allocatable.get("memory", zero)
    for pod in pods:
        requests, limits = pod_requests(pod, True), pod_limits(pod, True)
        w.write(
            LEVEL_1,
            f"{text(pod, 'metadata', 'namespace')}\t{text(pod, 'metadata', 'name')}\t\t"
            f"{_share(requests.get('cpu', zero), cpu, True, False)}\t"
            f"{_share(limits.get('cpu', zero), cpu, True, False)}\t"
            f"{_share(requests.get('memory', zero), memory, False, False)}\t"
            f"{_share(limits.get('memory', zero), memory, False, False)}\t"
            f"{since(dig(pod, 'metadata', 'creationTimestamp'), now)}\n",
        )
    w.write(
        LEVEL_0,
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n",
    )
    w.write(LEVEL_1, "Resource\tRequests\tLimits\n")
    w.write(LEVEL_1, "--------\t--------\t------\n")
    requests, limits = {}, {}
    for pod in pods:
        _add(requests, pod_requests(pod, False))
        _add(limits, pod_limits(pod, False))
    for name, milli in (("cpu", True), ("memory", False), ("ephemeral-storage", False)):
        whole = allocatable.get(name, zero)
        w.write(
            LEVEL_1,
            f"{name}\t{_share(requests.get(name, zero), whole, milli, True)}\t"
            f"{_share(limits.get(name, zero), whole, milli, True)}\n",
        )
    huge = sorted(name for name in allocatable if name.startswith("hugepages-"))
    extended = sorted(
        name
        for name in allocatable
        if name not in ("cpu", "memory", "ephemeral-storage", "pods")
        and not name.startswith("hugepages-")
    )
    for name in huge:
        whole = allocatable[name]
        w.write(
            LEVEL_1,
            f"{name}\t{_share(requests.get(name, zero), whole, False, True)}\t"
            f"{_share(limits.get(name, zero), whole, False, True)}\n",
        )
    for name in extended:
        w.write(LEVEL_1, f"{name}\t{requests.get(name, zero)}\t{limits.get(name, zero)}\n")
