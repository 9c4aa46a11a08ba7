"""Server-side Table printing: what kube-apiserver answers to ``Accept: ...;as=Table;g=meta.k8s.io``.

A port of the behaviour of kubernetes ``pkg/printers/internalversion/printers.go`` (v1.37) for
the built-in kinds the simulator serves, of the default table convertor
(``apiserver/pkg/registry/rest/table.go``: Name and Created At) for everything else, and of the
``includeObject`` handling in ``apiserver/pkg/endpoints/handlers/response.go``.

Invariants:

* The server always renders the wide variant (``GenerateOptions{Wide: true}``): every row has
  one cell per column, priority-1 (``-o wide``) columns included, and nothing is truncated.
  kubectl hides priority-1 columns unless asked for ``-o wide``.
* Objects are plain dicts decoded from JSON, read as the internal types would be: a missing (or
  wrongly typed) field reads as Go's zero value (``0``, ``""``, ``false``, nil). Nothing is
  defaulted here; that is admission's job. Inputs are never mutated and never make this raise.
* Cells are JSON scalars (``str``, ``int``, ``bool``), exactly as kube-apiserver produces them.
* Ages are computed against the ``now`` passed in; nothing here reads the clock.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from backends.objects import schemas
from backends.objects.durations import as_utc, human_duration, parse_time, since
from backends.simulator.apiserver.resources import RESOURCES

Obj = Mapping[str, Any]
Cell = str | int | bool
RowFunction = Callable[[Obj, datetime], list[Cell]]

INCLUDE_OBJECT_VALUES = ("Metadata", "Object", "None")

# --- reading dicts as Go structs --------------------------------------------------------------


def _get(value: object, *path: str) -> Any:
    """The value at ``path``, or None as soon as a step is missing or not an object."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _str(value: object, *path: str) -> str:
    found = _get(value, *path)
    return found if isinstance(found, str) else ""


def _int(value: object, *path: str) -> int:
    found = _get(value, *path)
    return found if isinstance(found, int) and not isinstance(found, bool) else 0


def _list(value: object, *path: str) -> list[Any]:
    found = _get(value, *path)
    return found if isinstance(found, list) else []


def _map(value: object, *path: str) -> Mapping[str, Any]:
    found = _get(value, *path)
    return found if isinstance(found, dict) else {}


def _present(value: object, *path: str) -> bool:
    """A non-nil pointer: the field is there and not null."""
    return _get(value, *path) is not None


def _condition(conditions: Iterable[Any], kind: str) -> str:
    """The status of the first condition of type ``kind`` ("" if there is none)."""
    for condition in conditions:
        if _str(condition, "type") == kind:
            return _str(condition, "status")
    return ""


def _quantity(value: object) -> str:
    """``Quantity.String()`` of a stored (already canonical) quantity; the zero value is ``0``."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return "0"


def _quantity_pointer(value: object) -> str:
    """``(*Quantity).String()``, which prints ``<nil>`` for a nil pointer."""
    return "<nil>" if value is None else _quantity(value)


def _age(obj: Obj, now: datetime) -> str:
    return since(_get(obj, "metadata", "creationTimestamp"), now)


def _name(obj: Obj) -> str:
    return _str(obj, "metadata", "name")


# --- shared formatters (labels, selectors, containers) ----------------------------------------


def format_labels(labels: object) -> str:
    """``labels.FormatLabels``: sorted ``k=v`` pairs joined by commas, ``<none>`` when empty."""
    pairs = sorted(
        f"{key}={value}"
        for key, value in (labels.items() if isinstance(labels, Mapping) else ())
        if isinstance(value, str)
    )
    return ",".join(pairs) or "<none>"


_SELECTOR_OPERATORS = {"In": " in ", "NotIn": " notin ", "Exists": "", "DoesNotExist": ""}


def selector_string(selector: object) -> str | None:
    """``LabelSelectorAsSelector(sel).String()``; None when the selector is invalid."""
    if not isinstance(selector, Mapping):
        return ""
    requirements: list[tuple[str, str]] = []
    for key, value in _map(selector, "matchLabels").items():
        requirements.append((key, f"{key}={value}"))
    for expression in _list(selector, "matchExpressions"):
        key, operator = _str(expression, "key"), _str(expression, "operator")
        values = [v for v in _list(expression, "values") if isinstance(v, str)]
        if operator not in _SELECTOR_OPERATORS:
            return None
        if operator in ("In", "NotIn"):
            if not values:
                return None
            text = f"{key}{_SELECTOR_OPERATORS[operator]}({','.join(sorted(values))})"
        elif values:
            return None
        else:
            text = key if operator == "Exists" else f"!{key}"
        requirements.append((key, text))
    requirements.sort(key=lambda requirement: requirement[0])
    return ",".join(text for _, text in requirements)


def format_label_selector(selector: object) -> str:
    """``metav1.FormatLabelSelector``: the selector string, ``<none>`` or ``<error>``."""
    text = selector_string(selector)
    if text is None:
        return "<error>"
    return text or "<none>"


def _container_cells(pod_spec: object) -> list[Cell]:
    """``layoutContainerCells``: container names and images, each joined by commas."""
    containers = _list(pod_spec, "containers")
    return [
        ",".join(_str(c, "name") for c in containers),
        ",".join(_str(c, "image") for c in containers),
    ]


def _more(items: list[str], total: int, limit: int) -> str:
    """The first ``limit`` items, then `` + N more...`` when there were more."""
    text = ",".join(items[:limit])
    return f"{text} + {total - limit} more..." if total > limit else text


def _join_host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _load_balancer(status: object) -> list[str]:
    """Sorted unique ingress IPs (or else hostnames) of a load balancer status."""
    found = set()
    for ingress in _list(status, "loadBalancer", "ingress"):
        address = _str(ingress, "ip") or _str(ingress, "hostname")
        if address:
            found.add(address)
    return sorted(found)


# --- column definitions -----------------------------------------------------------------------

_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_API = "io.k8s.api."
Doc = str | tuple[str, str]  # a literal description, or (definition, field) in the schemas


@dataclass(frozen=True)
class Column:
    """A ``TableColumnDefinition``; ``doc`` may point at a field's OpenAPI description."""

    name: str
    doc: Doc
    type: str = "string"
    format: str = ""
    priority: int = 0

    def definition(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "format": self.format,
            "description": _describe(self.doc),
            "priority": self.priority,
        }


@functools.cache
def _describe(doc: Doc) -> str:
    if isinstance(doc, str):
        return doc
    definition, field = doc
    name = definition if definition.startswith("io.k8s.") else _API + definition
    prop = schemas.property_schema(schemas.definitions().get(name), field) or {}
    description = prop.get("description")
    return description if isinstance(description, str) else ""


def _col(name: str, doc: Doc, kind: str = "string", wide: bool = False) -> Column:
    return Column(name, doc, kind, priority=1 if wide else 0)


NAME = Column("Name", (_OBJECT_META, "name"), format="name")
AGE = Column("Age", (_OBJECT_META, "creationTimestamp"))
_CONTAINERS = _col("Containers", "Names of each container in the template.", wide=True)
_IMAGES = _col("Images", "Images referenced by each container in the template.", wide=True)
DEFAULT_COLUMNS = (NAME, Column("Created At", (_OBJECT_META, "creationTimestamp"), "date"))


@dataclass(frozen=True)
class _Printer:
    columns: tuple[Column, ...]
    row: RowFunction


_PRINTERS: dict[tuple[str, str], _Printer] = {}


def _prints(group: str, resource: str, *columns: Column) -> Callable[[RowFunction], RowFunction]:
    """Register the decorated row function and its columns for ``resource`` in ``group``."""

    def register(row: RowFunction) -> RowFunction:
        _PRINTERS[group, resource] = _Printer(columns, row)
        return row

    return register


# --- pods -------------------------------------------------------------------------------------


def _later(current: datetime | None, candidate: datetime | None) -> datetime | None:
    if candidate is None or (current is not None and candidate <= current):
        return current
    return candidate


def _termination_reason(terminated: object, prefix: str) -> str:
    reason = _str(terminated, "reason")
    if reason:
        return prefix + reason
    signal = _int(terminated, "signal")
    if signal:
        return f"{prefix}Signal:{signal}"
    return f"{prefix}ExitCode:{_int(terminated, 'exitCode')}"


@dataclass
class _PodSummary:
    ready: int = 0
    reason: str = ""
    restarts: int = 0
    last_restart: datetime | None = None


def _pod_summary(pod: Obj) -> _PodSummary:
    """READY count, STATUS and restarts of a pod (``printPod``)."""
    spec, status = _map(pod, "spec"), _map(pod, "status")
    conditions = _list(status, "conditions")
    phase = _str(status, "phase")
    summary = _PodSummary(reason=_str(status, "reason") or phase)
    if any(
        _str(c, "type") == "PodScheduled" and _str(c, "reason") == "SchedulingGated"
        for c in conditions
    ):
        summary.reason = "SchedulingGated"

    init_containers = _list(spec, "initContainers")
    init_specs = {_str(c, "name"): c for c in init_containers}

    def is_sidecar(name: str) -> bool:
        return _str(init_specs.get(name), "restartPolicy") == "Always"

    sidecar_restarts, sidecar_last = 0, None
    initializing = False
    for index, container in enumerate(_list(status, "initContainerStatuses")):
        restarts = _int(container, "restartCount")
        finished = parse_time(_get(container, "lastState", "terminated", "finishedAt"))
        summary.restarts += restarts
        summary.last_restart = _later(summary.last_restart, finished)
        sidecar = is_sidecar(_str(container, "name"))
        if sidecar:
            sidecar_restarts += restarts
            sidecar_last = _later(sidecar_last, finished)
        terminated = _get(container, "state", "terminated")
        waiting_reason = _str(container, "state", "waiting", "reason")
        if terminated is not None and _int(terminated, "exitCode") == 0:
            continue
        if sidecar and _get(container, "started") is True:
            if _get(container, "ready") is True:
                summary.ready += 1
            continue
        if terminated is not None:
            summary.reason = _termination_reason(terminated, "Init:")
        elif waiting_reason and waiting_reason != "PodInitializing":
            summary.reason = "Init:" + waiting_reason
        else:
            summary.reason = f"Init:{index}/{len(init_containers)}"
        initializing = True
        break

    if not initializing or _condition(conditions, "Initialized") == "True":
        summary.restarts, summary.last_restart = sidecar_restarts, sidecar_last
        has_running, error_reason = False, ""
        for container in reversed(_list(status, "containerStatuses")):
            summary.restarts += _int(container, "restartCount")
            finished = parse_time(_get(container, "lastState", "terminated", "finishedAt"))
            summary.last_restart = _later(summary.last_restart, finished)
            terminated = _get(container, "state", "terminated")
            waiting_reason = _str(container, "state", "waiting", "reason")
            if waiting_reason:
                summary.reason = waiting_reason
            elif terminated is not None:
                summary.reason = _termination_reason(terminated, "")
                if _int(terminated, "exitCode") != 0:
                    error_reason = summary.reason
            elif _get(container, "ready") is True and _present(container, "state", "running"):
                has_running = True
                summary.ready += 1
        if summary.reason == "Completed":
            pod_ready = any(
                _str(c, "type") == "Ready" and _str(c, "status") == "True" for c in conditions
            )
            if has_running and pod_ready:
                summary.reason = "Running"
            elif error_reason:
                summary.reason = error_reason
            elif has_running:
                summary.reason = "NotReady"

    if _present(pod, "metadata", "deletionTimestamp"):
        if _str(status, "reason") == "NodeLost":
            summary.reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            summary.reason = "Terminating"
    return summary


def _pod_ip(status: object) -> str:
    """The pod's primary IP; ``podIP`` wins over ``podIPs`` as in the v1 conversion."""
    ips = _list(status, "podIPs")
    return _str(status, "podIP") or (_str(ips[0], "ip") if ips else "")


def _readiness_gates(pod: Obj) -> str:
    gates = _list(pod, "spec", "readinessGates")
    if not gates:
        return "<none>"
    conditions = _list(pod, "status", "conditions")
    true = sum(_condition(conditions, _str(gate, "conditionType")) == "True" for gate in gates)
    return f"{true}/{len(gates)}"


@_prints(
    "",
    "pods",
    NAME,
    _col("Ready", "The aggregate readiness state of this pod for accepting traffic."),
    _col("Status", "The aggregate status of the containers in this pod."),
    _col(
        "Restarts",
        "The number of times the containers in this pod have been restarted and when the last "
        "container in this pod has restarted.",
    ),
    AGE,
    _col("IP", ("core.v1.PodStatus", "podIP"), wide=True),
    _col("Node", ("core.v1.PodSpec", "nodeName"), wide=True),
    _col("Nominated Node", ("core.v1.PodStatus", "nominatedNodeName"), wide=True),
    _col("Readiness Gates", ("core.v1.PodSpec", "readinessGates"), wide=True),
)
def _pod_row(pod: Obj, now: datetime) -> list[Cell]:
    summary = _pod_summary(pod)
    total = len(_list(pod, "spec", "containers")) + sum(
        _str(c, "restartPolicy") == "Always" for c in _list(pod, "spec", "initContainers")
    )
    restarts = str(summary.restarts)
    if summary.restarts and summary.last_restart is not None:
        restarts += f" ({human_duration(as_utc(now) - summary.last_restart)} ago)"
    status = _map(pod, "status")
    return [
        _name(pod),
        f"{summary.ready}/{total}",
        summary.reason,
        restarts,
        _age(pod, now),
        _pod_ip(status) or "<none>",
        _str(pod, "spec", "nodeName") or "<none>",
        _str(status, "nominatedNodeName") or "<none>",
        _readiness_gates(pod),
    ]


_POD_ROW_CONDITIONS = {
    "Succeeded": "The pod has completed successfully.",
    "Failed": "The pod failed.",
}


def row_conditions(resource: str, group: str, obj: Obj) -> list[dict[str, str]]:
    """``TableRow.conditions``: a Completed condition for pods in a terminal phase."""
    phase = _str(obj, "status", "phase")
    if (group, resource) != ("", "pods") or phase not in _POD_ROW_CONDITIONS:
        return []
    message = _POD_ROW_CONDITIONS[phase]
    return [{"type": "Completed", "status": "True", "reason": phase, "message": message}]


@_prints(
    "",
    "podtemplates",
    NAME,
    _col("Containers", "Names of each container in the template."),
    _col("Images", "Images referenced by each container in the template."),
    _col("Pod Labels", "The labels for the pod template."),
)
def _pod_template_row(obj: Obj, now: datetime) -> list[Cell]:
    template = _map(obj, "template")
    return [
        _name(obj),
        *_container_cells(template.get("spec")),
        format_labels(_get(template, "metadata", "labels")),
    ]


# --- services, endpoints, ingresses -----------------------------------------------------------


def _service_external_ip(spec: Obj, status: Obj) -> str:
    external_ips = [ip for ip in _list(spec, "externalIPs") if isinstance(ip, str)]
    kind = _str(spec, "type")
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) or "<none>"
    if kind == "LoadBalancer":
        return ",".join(_load_balancer(status) + external_ips) or "<pending>"
    if kind == "ExternalName":
        return _str(spec, "externalName")
    return "<unknown>"


def _cluster_ip(spec: Obj) -> str:
    """``clusterIPs[0]``; a lone ``clusterIP`` is what normalization would have copied there."""
    ips = _list(spec, "clusterIPs")
    if ips:
        return ips[0] if isinstance(ips[0], str) else ""
    return _str(spec, "clusterIP") or "<none>"


def _service_ports(spec: Obj) -> str:
    pieces = []
    for port in _list(spec, "ports"):
        node_port, protocol = _int(port, "nodePort"), _str(port, "protocol")
        number = _int(port, "port")
        pieces.append(
            f"{number}:{node_port}/{protocol}" if node_port > 0 else f"{number}/{protocol}"
        )
    return ",".join(pieces) or "<none>"


@_prints(
    "",
    "services",
    NAME,
    _col("Type", ("core.v1.ServiceSpec", "type")),
    _col("Cluster-IP", ("core.v1.ServiceSpec", "clusterIP")),
    _col("External-IP", ("core.v1.ServiceSpec", "externalIPs")),
    _col("Port(s)", ("core.v1.ServiceSpec", "ports")),
    AGE,
    _col("Selector", ("core.v1.ServiceSpec", "selector"), wide=True),
)
def _service_row(svc: Obj, now: datetime) -> list[Cell]:
    spec, status = _map(svc, "spec"), _map(svc, "status")
    return [
        _name(svc),
        _str(spec, "type"),
        _cluster_ip(spec),
        _service_external_ip(spec, status),
        _service_ports(spec),
        _age(svc, now),
        format_labels(spec.get("selector")),
    ]


def _format_endpoints(endpoints: Obj) -> str:
    subsets = _list(endpoints, "subsets")
    if not subsets:
        return "<none>"
    shown: list[str] = []
    total = 0
    for subset in subsets:
        addresses = [_str(address, "ip") for address in _list(subset, "addresses")]
        ports = _list(subset, "ports")
        if not ports:
            total += len(addresses)
            shown.extend(addresses)
        for port in ports:
            total += len(addresses)
            shown.extend(_join_host_port(ip, _int(port, "port")) for ip in addresses)
    return _more(shown, total, 3)


@_prints(
    "",
    "endpoints",
    NAME,
    _col("Endpoints", ("core.v1.Endpoints", "subsets")),
    AGE,
)
def _endpoints_row(obj: Obj, now: datetime) -> list[Cell]:
    return [_name(obj), _format_endpoints(obj), _age(obj, now)]


def _discovery_ports(slice_: Obj) -> str:
    ports = []
    for port in _list(slice_, "ports"):
        number, name = _get(port, "port"), _get(port, "name")
        if isinstance(number, int):
            ports.append(str(number))
        else:
            ports.append(name if isinstance(name, str) else "*")
    return _more(ports, len(ports), 3) or "<unset>"


def _discovery_endpoints(slice_: Obj) -> str:
    addresses = [
        address
        for endpoint in _list(slice_, "endpoints")
        for address in _list(endpoint, "addresses")
        if isinstance(address, str)
    ]
    return _more(addresses, len(addresses), 3) or "<unset>"


@_prints(
    "discovery.k8s.io",
    "endpointslices",
    NAME,
    _col("AddressType", ("discovery.v1.EndpointSlice", "addressType")),
    _col("Ports", ("discovery.v1.EndpointSlice", "ports")),
    _col("Endpoints", ("discovery.v1.EndpointSlice", "endpoints")),
    AGE,
)
def _endpoint_slice_row(obj: Obj, now: datetime) -> list[Cell]:
    return [
        _name(obj),
        _str(obj, "addressType"),
        _discovery_ports(obj),
        _discovery_endpoints(obj),
        _age(obj, now),
    ]


def _ingress_hosts(rules: list[Any]) -> str:
    hosts: list[str] = []
    for rule in rules:
        if len(hosts) == 3:  # every further rule counts as "more", with a host or not
            return f"{','.join(hosts)} + {len(rules) - 3} more..."
        if _str(rule, "host"):
            hosts.append(_str(rule, "host"))
    return ",".join(hosts) or "*"


@_prints(
    "networking.k8s.io",
    "ingresses",
    NAME,
    _col(
        "Class",
        "The name of the IngressClass resource that should be used for additional configuration",
    ),
    _col("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
    _col("Address", "Address is a list containing ingress points for the load-balancer"),
    _col("Ports", "Ports of TLS configurations that open"),
    AGE,
)
def _ingress_row(obj: Obj, now: datetime) -> list[Cell]:
    spec = _map(obj, "spec")
    class_name = spec.get("ingressClassName")
    return [
        _name(obj),
        class_name if isinstance(class_name, str) else "<none>",
        _ingress_hosts(_list(spec, "rules")),
        ",".join(_load_balancer(_map(obj, "status"))),
        "80, 443" if _list(spec, "tls") else "80",
        _age(obj, now),
    ]


# --- workloads --------------------------------------------------------------------------------


def _selector_column(doc: tuple[str, str]) -> Column:
    return _col("Selector", doc, wide=True)


@_prints(
    "",
    "replicationcontrollers",
    NAME,
    _col("Desired", ("core.v1.ReplicationControllerSpec", "replicas"), "integer"),
    _col("Current", ("core.v1.ReplicationControllerStatus", "replicas"), "integer"),
    _col("Ready", ("core.v1.ReplicationControllerStatus", "readyReplicas"), "integer"),
    AGE,
    _CONTAINERS,
    _IMAGES,
    _selector_column(("core.v1.ReplicationControllerSpec", "selector")),
)
def _replication_controller_row(obj: Obj, now: datetime) -> list[Cell]:
    return [
        _name(obj),
        _int(obj, "spec", "replicas"),
        _int(obj, "status", "replicas"),
        _int(obj, "status", "readyReplicas"),
        _age(obj, now),
        *_container_cells(_get(obj, "spec", "template", "spec")),
        format_labels(_get(obj, "spec", "selector")),
    ]


@_prints(
    "apps",
    "replicasets",
    NAME,
    _col("Desired", ("apps.v1.ReplicaSetSpec", "replicas"), "integer"),
    _col("Current", ("apps.v1.ReplicaSetStatus", "replicas"), "integer"),
    _col("Ready", ("apps.v1.ReplicaSetStatus", "readyReplicas"), "integer"),
    AGE,
    _CONTAINERS,
    _IMAGES,
    _selector_column(("apps.v1.ReplicaSetSpec", "selector")),
)
def _replica_set_row(obj: Obj, now: datetime) -> list[Cell]:
    return [
        _name(obj),
        _int(obj, "spec", "replicas"),
        _int(obj, "status", "replicas"),
        _int(obj, "status", "readyReplicas"),
        _age(obj, now),
        *_container_cells(_get(obj, "spec", "template", "spec")),
        format_label_selector(_get(obj, "spec", "selector")),
    ]


@_prints(
    "apps",
    "deployments",
    NAME,
    _col("Ready", "Number of the pod with ready state"),
    _col("Up-to-date", ("apps.v1.DeploymentStatus", "updatedReplicas")),
    _col("Available", ("apps.v1.DeploymentStatus", "availableReplicas")),
    AGE,
    _CONTAINERS,
    _IMAGES,
    _selector_column(("apps.v1.DeploymentSpec", "selector")),
)
def _deployment_row(obj: Obj, now: datetime) -> list[Cell]:
    selector = selector_string(_get(obj, "spec", "selector"))
    return [
        _name(obj),
        f"{_int(obj, 'status', 'readyReplicas')}/{_int(obj, 'spec', 'replicas')}",
        _int(obj, "status", "updatedReplicas"),
        _int(obj, "status", "availableReplicas"),
        _age(obj, now),
        *_container_cells(_get(obj, "spec", "template", "spec")),
        "<invalid>" if selector is None else selector,
    ]


@_prints(
    "apps",
    "daemonsets",
    NAME,
    _col("Desired", ("apps.v1.DaemonSetStatus", "desiredNumberScheduled"), "integer"),
    _col("Current", ("apps.v1.DaemonSetStatus", "currentNumberScheduled"), "integer"),
    _col("Ready", ("apps.v1.DaemonSetStatus", "numberReady"), "integer"),
    _col("Up-to-date", ("apps.v1.DaemonSetStatus", "updatedNumberScheduled"), "integer"),
    _col("Available", ("apps.v1.DaemonSetStatus", "numberAvailable"), "integer"),
    _col("Node Selector", ("core.v1.PodSpec", "nodeSelector")),
    AGE,
    _CONTAINERS,
    _IMAGES,
    _selector_column(("apps.v1.DaemonSetSpec", "selector")),
)
def _daemon_set_row(obj: Obj, now: datetime) -> list[Cell]:
    status = _map(obj, "status")
    pod_spec = _get(obj, "spec", "template", "spec")
    return [
        _name(obj),
        _int(status, "desiredNumberScheduled"),
        _int(status, "currentNumberScheduled"),
        _int(status, "numberReady"),
        _int(status, "updatedNumberScheduled"),
        _int(status, "numberAvailable"),
        format_labels(_get(pod_spec, "nodeSelector")),
        _age(obj, now),
        *_container_cells(pod_spec),
        format_label_selector(_get(obj, "spec", "selector")),
    ]


@_prints(
    "apps",
    "statefulsets",
    NAME,
    _col("Ready", "Number of the pod with ready state"),
    AGE,
    _CONTAINERS,
    _IMAGES,
)
def _stateful_set_row(obj: Obj, now: datetime) -> list[Cell]:
    return [
        _name(obj),
        f"{_int(obj, 'status', 'readyReplicas')}/{_int(obj, 'spec', 'replicas')}",
        _age(obj, now),
        *_container_cells(_get(obj, "spec", "template", "spec")),
    ]


def _controller_name(obj: Obj) -> str:
    """``kind.group/name`` (lowercased kind and group) of the controlling owner, or ``<none>``."""
    for owner in _list(obj, "metadata", "ownerReferences"):
        if _get(owner, "controller") is not True:
            continue
        api_version, kind = _str(owner, "apiVersion"), _str(owner, "kind")
        group = api_version.split("/")[0] if "/" in api_version else ""
        group_kind = f"{kind}.{group}" if group else kind
        name = _str(owner, "name")
        return f"{group_kind.lower()}/{name}" if group_kind else name
    return "<none>"


@_prints(
    "apps",
    "controllerrevisions",
    NAME,
    _col("Controller", "Controller of the object"),
    _col("Revision", ("apps.v1.ControllerRevision", "revision")),
    AGE,
)
def _controller_revision_row(obj: Obj, now: datetime) -> list[Cell]:
    return [_name(obj), _controller_name(obj), _int(obj, "revision"), _age(obj, now)]


def _job_status(job: Obj) -> str:
    conditions = _list(job, "status", "conditions")
    for condition, status in (("Complete", "Complete"), ("Failed", "Failed")):
        if _condition(conditions, condition) == "True":
            return status
    if _present(job, "metadata", "deletionTimestamp"):
        return "Terminating"
    for condition in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if _condition(conditions, condition) == "True":
            return condition
    return "Running"


def _job_completions(job: Obj) -> str:
    succeeded = _int(job, "status", "succeeded")
    if _present(job, "spec", "completions"):
        return f"{succeeded}/{_int(job, 'spec', 'completions')}"
    parallelism = _int(job, "spec", "parallelism")
    return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"


def _job_duration(job: Obj, now: datetime) -> str:
    started = parse_time(_get(job, "status", "startTime"))
    if started is None:
        return ""
    completed = parse_time(_get(job, "status", "completionTime"))
    return human_duration((completed or as_utc(now)) - started)


@_prints(
    "batch",
    "jobs",
    NAME,
    _col("Status", "Status of the job."),
    _col("Completions", ("batch.v1.JobStatus", "succeeded")),
    _col("Duration", "Time required to complete the job."),
    AGE,
    _CONTAINERS,
    _IMAGES,
    _selector_column(("batch.v1.JobSpec", "selector")),
)
def _job_row(obj: Obj, now: datetime) -> list[Cell]:
    return [
        _name(obj),
        _job_status(obj),
        _job_completions(obj),
        _job_duration(obj, now),
        _age(obj, now),
        *_container_cells(_get(obj, "spec", "template", "spec")),
        format_label_selector(_get(obj, "spec", "selector")),
    ]


def _go_bool_pointer(value: object) -> str:
    """``printBoolPtr``: ``True``/``False``, or ``<unset>`` for nil."""
    if isinstance(value, bool):
        return "True" if value else "False"
    return "<unset>"


@_prints(
    "batch",
    "cronjobs",
    NAME,
    _col("Schedule", ("batch.v1.CronJobSpec", "schedule")),
    _col("Timezone", ("batch.v1.CronJobSpec", "timeZone")),
    _col("Suspend", ("batch.v1.CronJobSpec", "suspend"), "boolean"),
    _col("Active", ("batch.v1.CronJobStatus", "active"), "integer"),
    _col("Last Schedule", ("batch.v1.CronJobStatus", "lastScheduleTime")),
    AGE,
    _CONTAINERS,
    _IMAGES,
    _selector_column(("batch.v1.JobSpec", "selector")),
)
def _cron_job_row(obj: Obj, now: datetime) -> list[Cell]:
    spec = _map(obj, "spec")
    time_zone = spec.get("timeZone")
    last_schedule = _get(obj, "status", "lastScheduleTime")
    job_spec = _get(spec, "jobTemplate", "spec")
    return [
        _name(obj),
        _str(spec, "schedule"),
        time_zone if isinstance(time_zone, str) else "<none>",
        _go_bool_pointer(spec.get("suspend")),
        len(_list(obj, "status", "active")),
        "<none>" if last_schedule is None else since(last_schedule, now),
        _age(obj, now),
        *_container_cells(_get(job_spec, "template", "spec")),
        format_label_selector(_get(job_spec, "selector")),
    ]


def _int_or_string(value: object) -> str:
    """``IntOrString.String()``; ``N/A`` when unset."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else "N/A"


@_prints(
    "policy",
    "poddisruptionbudgets",
    NAME,
    _col("Min Available", "The minimum number of pods that must be available."),
    _col("Max Unavailable", "The maximum number of pods that may be unavailable."),
    _col(
        "Allowed Disruptions",
        "Calculated number of pods that may be disrupted at this time.",
        "integer",
    ),
    AGE,
)
def _pod_disruption_budget_row(obj: Obj, now: datetime) -> list[Cell]:
    return [
        _name(obj),
        _int_or_string(_get(obj, "spec", "minAvailable")),
        _int_or_string(_get(obj, "spec", "maxUnavailable")),
        _int(obj, "status", "disruptionsAllowed"),
        _age(obj, now),
    ]


def _metric_current(status: object, source: str, field: str) -> str:
    """The current value of a metric status, ``<unknown>`` when not reported."""
    if not _present(status, source):
        return "<unknown>"
    return _quantity_pointer(_get(status, source, "current", field))


def _hpa_metric(spec: object, status: object) -> str:
    """One TARGETS entry (``cpu: 45%/80%``, ``1k/2k (avg)``) for a metric spec and status."""
    kind = _str(spec, "type")
    source = {
        "External": "external",
        "Object": "object",
        "Pods": "pods",
        "Resource": "resource",
        "ContainerResource": "containerResource",
    }.get(kind)
    if source is None:
        return "<unknown type>"
    target = _map(spec, source, "target")
    if source == "pods":
        current = _metric_current(status, source, "averageValue")
        return f"{current}/{_quantity_pointer(target.get('averageValue'))}"
    if source in ("external", "object"):
        if _present(target, "averageValue"):
            average = _get(status, source, "current", "averageValue")
            current = "<unknown>" if average is None else _quantity(average)
            return f"{current}/{_quantity_pointer(target['averageValue'])} (avg)"
        current = _metric_current(status, source, "value")
        return f"{current}/{_quantity_pointer(target.get('value'))}"
    name = _str(spec, source, "name")
    if _present(target, "averageValue"):
        current = _metric_current(status, source, "averageValue")
        return f"{name}: {current}/{_quantity_pointer(target['averageValue'])}"
    current = "<unknown>"
    utilization = _get(status, source, "current", "averageUtilization")
    if isinstance(utilization, int):
        current = f"{utilization}%"
    wanted = target.get("averageUtilization")
    return f"{name}: {current}/{f'{wanted}%' if isinstance(wanted, int) else '<auto>'}"


def _hpa_targets(hpa: Obj) -> str:
    specs = _list(hpa, "spec", "metrics")
    if not specs:
        return "<none>"
    statuses = _list(hpa, "status", "currentMetrics")
    entries = [
        _hpa_metric(spec, statuses[index] if index < len(statuses) else None)
        for index, spec in enumerate(specs)
    ]
    text = ", ".join(entries[:2])
    return f"{text} + {len(entries) - 2} more..." if len(entries) > 2 else text


@_prints(
    "autoscaling",
    "horizontalpodautoscalers",
    NAME,
    _col("Reference", ("autoscaling.v2.HorizontalPodAutoscalerSpec", "scaleTargetRef")),
    _col("Targets", ("autoscaling.v2.HorizontalPodAutoscalerSpec", "metrics")),
    _col("MinPods", ("autoscaling.v2.HorizontalPodAutoscalerSpec", "minReplicas")),
    _col("MaxPods", ("autoscaling.v2.HorizontalPodAutoscalerSpec", "maxReplicas")),
    _col("Replicas", ("autoscaling.v2.HorizontalPodAutoscalerStatus", "currentReplicas")),
    AGE,
)
def _hpa_row(obj: Obj, now: datetime) -> list[Cell]:
    spec = _map(obj, "spec")
    min_replicas = spec.get("minReplicas")
    return [
        _name(obj),
        f"{_str(spec, 'scaleTargetRef', 'kind')}/{_str(spec, 'scaleTargetRef', 'name')}",
        _hpa_targets(obj),
        str(min_replicas) if isinstance(min_replicas, int) else "<unset>",
        _int(spec, "maxReplicas"),
        _int(obj, "status", "currentReplicas"),
        _age(obj, now),
    ]


# --- cluster and configuration ----------------------------------------------------------------


def _node_address(node: Obj, kind: str) -> str:
    for address in _list(node, "status", "addresses"):
        if _str(address, "type") == kind:
            return _str(address, "address")
    return "<none>"


def _node_roles(node: Obj) -> str:
    roles = set()
    for key, value in _map(node, "metadata", "labels").items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key.removeprefix("node-role.kubernetes.io/")
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and isinstance(value, str) and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


@_prints(
    "",
    "nodes",
    NAME,
    _col("Status", "The status of the node"),
    _col("Roles", "The roles of the node"),
    AGE,
    _col("Version", ("core.v1.NodeSystemInfo", "kubeletVersion")),
    _col("Internal-IP", ("core.v1.NodeStatus", "addresses"), wide=True),
    _col("External-IP", ("core.v1.NodeStatus", "addresses"), wide=True),
    _col("OS-Image", ("core.v1.NodeSystemInfo", "osImage"), wide=True),
    _col("Kernel-Version", ("core.v1.NodeSystemInfo", "kernelVersion"), wide=True),
    _col("Container-Runtime", ("core.v1.NodeSystemInfo", "containerRuntimeVersion"), wide=True),
)
def _node_row(node: Obj, now: datetime) -> list[Cell]:
    ready: str | None = None  # the last Ready condition wins, as in the printer's map
    for condition in _list(node, "status", "conditions"):
        if _str(condition, "type") == "Ready":
            ready = _str(condition, "status")
    status = ["Unknown" if ready is None else "Ready" if ready == "True" else "NotReady"]
    if _get(node, "spec", "unschedulable") is True:
        status.append("SchedulingDisabled")
    info = _map(node, "status", "nodeInfo")
    return [
        _name(node),
        ",".join(status),
        _node_roles(node),
        _age(node, now),
        _str(info, "kubeletVersion"),
        _node_address(node, "InternalIP"),
        _node_address(node, "ExternalIP"),
        _str(info, "osImage") or "<unknown>",
        _str(info, "kernelVersion") or "<unknown>",
        _str(info, "containerRuntimeVersion") or "<unknown>",
    ]


@_prints("", "namespaces", NAME, _col("Status", "The status of the namespace"), AGE)
def _namespace_row(obj: Obj, now: datetime) -> list[Cell]:
    return [_name(obj), _str(obj, "status", "phase"), _age(obj, now)]


@_prints(
    "",
    "componentstatuses",
    NAME,
    _col("Status", "Status of the component conditions"),
    _col("Message", "Message of the component conditions"),
    _col("Error", "Error of the component conditions"),
)
def _component_status_row(obj: Obj, now: datetime) -> list[Cell]:
    for condition in _list(obj, "conditions"):
        if _str(condition, "type") == "Healthy":
            healthy = "Healthy" if _str(condition, "status") == "True" else "Unhealthy"
            return [_name(obj), healthy, _str(condition, "message"), _str(condition, "error")]
    return [_name(obj), "Unknown", "", ""]


@_prints("", "configmaps", NAME, _col("Data", ("core.v1.ConfigMap", "data")), AGE)
def _config_map_row(obj: Obj, now: datetime) -> list[Cell]:
    return [_name(obj), len(_map(obj, "data")) + len(_map(obj, "binaryData")), _age(obj, now)]


@_prints(
    "",
    "secrets",
    NAME,
    _col("Type", ("core.v1.Secret", "type")),
    _col("Data", ("core.v1.Secret", "data")),
    AGE,
)
def _secret_row(obj: Obj, now: datetime) -> list[Cell]:
    return [_name(obj), _str(obj, "type"), len(_map(obj, "data")), _age(obj, now)]


@_prints("", "serviceaccounts", NAME, AGE)
def _service_account_row(obj: Obj, now: datetime) -> list[Cell]:
    return [_name(obj), _age(obj, now)]


def _resource_quota_usage(quota: Obj) -> tuple[str, str]:
    """REQUEST and LIMIT cells: ``name: used/hard`` per resource, ``limits.*`` in the latter."""
    hard, used = _map(quota, "status", "hard"), _map(quota, "status", "used")
    requests: list[str] = []
    limits: list[str] = []
    for resource in sorted(hard):
        pieces = resource.split(".")
        column = limits if len(pieces) > 1 and pieces[0] == "limits" else requests
        column.append(f"{resource}: {_quantity(used.get(resource))}/{_quantity(hard[resource])}")
    return ", ".join(requests), ", ".join(limits)


@_prints(
    "",
    "resourcequotas",
    NAME,
    _col(
        "Request",
        "Request represents a minimum amount of cpu/memory that a container may consume.",
    ),
    _col(
        "Limit",
        "Limits control the maximum amount of cpu/memory that a container may use independent "
        "of contention on the node.",
    ),
    AGE,
)
def _resource_quota_row(obj: Obj, now: datetime) -> list[Cell]:
    return [_name(obj), *_resource_quota_usage(obj), _age(obj, now)]


@_prints(
    "scheduling.k8s.io",
    "priorityclasses",
    NAME,
    _col("Value", ("scheduling.v1.PriorityClass", "value"), "integer"),
    _col("Global-Default", ("scheduling.v1.PriorityClass", "globalDefault"), "boolean"),
    AGE,
    _col("PreemptionPolicy", ("scheduling.v1.PriorityClass", "preemptionPolicy")),
)
def _priority_class_row(obj: Obj, now: datetime) -> list[Cell]:
    return [
        _name(obj),
        _int(obj, "value"),
        _get(obj, "globalDefault") is True,
        _age(obj, now),
        _str(obj, "preemptionPolicy"),
    ]


@_prints(
    "coordination.k8s.io",
    "leases",
    NAME,
    _col("Holder", ("coordination.v1.LeaseSpec", "holderIdentity")),
    AGE,
)
def _lease_row(obj: Obj, now: datetime) -> list[Cell]:
    return [_name(obj), _str(obj, "spec", "holderIdentity"), _age(obj, now)]


# --- events -----------------------------------------------------------------------------------


@_prints(
    "",
    "events",
    _col("Last Seen", ("core.v1.Event", "lastTimestamp")),
    _col("Type", ("core.v1.Event", "type")),
    _col("Reason", ("core.v1.Event", "reason")),
    _col("Object", ("core.v1.Event", "involvedObject")),
    _col("Subobject", ("core.v1.ObjectReference", "fieldPath"), wide=True),
    _col("Source", ("core.v1.Event", "source"), wide=True),
    _col("Message", ("core.v1.Event", "message")),
    _col("First Seen", ("core.v1.Event", "firstTimestamp"), wide=True),
    _col("Count", ("core.v1.Event", "count"), wide=True),
    Column("Name", (_OBJECT_META, "name"), format="name", priority=1),
)
def _event_row(event: Obj, now: datetime) -> list[Cell]:
    if parse_time(event.get("firstTimestamp")) is not None:
        first_seen = since(event.get("firstTimestamp"), now)
    else:
        first_seen = since(event.get("eventTime"), now)
    last_seen = first_seen
    if parse_time(event.get("lastTimestamp")) is not None:
        last_seen = since(event.get("lastTimestamp"), now)
    count = _int(event, "count")
    if _present(event, "series"):
        last_seen = since(_get(event, "series", "lastObservedTime"), now)
        count = _int(event, "series", "count")
    elif count == 0:
        count = 1  # singleton events carry no count in events.k8s.io/v1
    involved = _map(event, "involvedObject")
    kind, name = _str(involved, "kind").lower(), _str(involved, "name")
    component = _str(event, "source", "component") or _str(event, "reportingComponent")
    instance = _str(event, "source", "host") or _str(event, "reportingInstance")
    return [
        last_seen,
        _str(event, "type"),
        _str(event, "reason"),
        f"{kind}/{name}" if name else kind,
        _str(involved, "fieldPath"),
        f"{component}, {instance}" if instance else component,
        _str(event, "message").strip(),
        first_seen,
        count,
        _name(event),
    ]


# events.k8s.io/v1 field -> core/v1 field (both are stored as the same internal Event)
_EVENTS_V1_FIELDS = {
    "metadata": "metadata",
    "eventTime": "eventTime",
    "series": "series",
    "type": "type",
    "reason": "reason",
    "regarding": "involvedObject",
    "note": "message",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
    "reportingController": "reportingComponent",
    "reportingInstance": "reportingInstance",
}


def _events_v1_row(event: Obj, now: datetime) -> list[Cell]:
    core = {core: event[v1] for v1, core in _EVENTS_V1_FIELDS.items() if v1 in event}
    return _event_row(core, now)


_PRINTERS["events.k8s.io", "events"] = _Printer(_PRINTERS["", "events"].columns, _events_v1_row)


# --- storage ----------------------------------------------------------------------------------

_ACCESS_MODES = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)


def _access_modes(modes: list[Any]) -> str:
    return ",".join(short for mode, short in _ACCESS_MODES if mode in modes)


def _attributes_class(spec: Obj) -> str:
    name = spec.get("volumeAttributesClassName")
    return name if isinstance(name, str) else "<unset>"


def _volume_mode(spec: Obj) -> str:
    mode = spec.get("volumeMode")
    return mode if isinstance(mode, str) else "<unset>"


_BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"


def _storage_class(obj: Obj) -> str:
    """The beta annotation if present (even empty), else ``spec.storageClassName``."""
    annotations = _map(obj, "metadata", "annotations")
    if _BETA_STORAGE_CLASS in annotations:
        return _str(annotations, _BETA_STORAGE_CLASS)
    return _str(obj, "spec", "storageClassName")


@_prints(
    "",
    "persistentvolumes",
    NAME,
    _col("Capacity", ("core.v1.PersistentVolumeSpec", "capacity")),
    _col("Access Modes", ("core.v1.PersistentVolumeSpec", "accessModes")),
    _col("Reclaim Policy", ("core.v1.PersistentVolumeSpec", "persistentVolumeReclaimPolicy")),
    _col("Status", ("core.v1.PersistentVolumeStatus", "phase")),
    _col("Claim", ("core.v1.PersistentVolumeSpec", "claimRef")),
    _col("StorageClass", "StorageClass of the pv"),
    _col("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
    _col("Reason", ("core.v1.PersistentVolumeStatus", "reason")),
    AGE,
    _col("VolumeMode", ("core.v1.PersistentVolumeSpec", "volumeMode"), wide=True),
)
def _persistent_volume_row(obj: Obj, now: datetime) -> list[Cell]:
    spec = _map(obj, "spec")
    claim = ""
    if _present(spec, "claimRef"):
        claim = f"{_str(spec, 'claimRef', 'namespace')}/{_str(spec, 'claimRef', 'name')}"
    deleting = _present(obj, "metadata", "deletionTimestamp")
    return [
        _name(obj),
        _quantity(_get(spec, "capacity", "storage")),
        _access_modes(_list(spec, "accessModes")),
        _str(spec, "persistentVolumeReclaimPolicy"),
        "Terminating" if deleting else _str(obj, "status", "phase"),
        claim,
        _storage_class(obj),
        _attributes_class(spec),
        _str(obj, "status", "reason"),
        _age(obj, now),
        _volume_mode(spec),
    ]


@_prints(
    "",
    "persistentvolumeclaims",
    NAME,
    _col("Status", ("core.v1.PersistentVolumeClaimStatus", "phase")),
    _col("Volume", ("core.v1.PersistentVolumeClaimSpec", "volumeName")),
    _col("Capacity", ("core.v1.PersistentVolumeClaimStatus", "capacity")),
    _col("Access Modes", ("core.v1.PersistentVolumeClaimStatus", "accessModes")),
    _col("StorageClass", "StorageClass of the pvc"),
    _col("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
    AGE,
    _col("VolumeMode", ("core.v1.PersistentVolumeClaimSpec", "volumeMode"), wide=True),
)
def _persistent_volume_claim_row(obj: Obj, now: datetime) -> list[Cell]:
    spec, status = _map(obj, "spec"), _map(obj, "status")
    volume = _str(spec, "volumeName")
    capacity = _quantity(_get(status, "capacity", "storage")) if volume else ""
    access_modes = _access_modes(_list(status, "accessModes")) if volume else ""
    deleting = _present(obj, "metadata", "deletionTimestamp")
    return [
        _name(obj),
        "Terminating" if deleting else _str(status, "phase"),
        volume,
        capacity,
        access_modes,
        _storage_class(obj),
        _attributes_class(spec),
        _age(obj, now),
        _volume_mode(spec),
    ]


_DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


@_prints(
    "storage.k8s.io",
    "storageclasses",
    NAME,
    _col("Provisioner", ("storage.v1.StorageClass", "provisioner")),
    _col("ReclaimPolicy", ("storage.v1.StorageClass", "reclaimPolicy")),
    _col("VolumeBindingMode", ("storage.v1.StorageClass", "volumeBindingMode")),
    _col("AllowVolumeExpansion", ("storage.v1.StorageClass", "allowVolumeExpansion")),
    AGE,
)
def _storage_class_row(obj: Obj, now: datetime) -> list[Cell]:
    annotations = _map(obj, "metadata", "annotations")
    is_default = any(annotations.get(key) == "true" for key in _DEFAULT_CLASS_ANNOTATIONS)
    return [
        _name(obj) + (" (default)" if is_default else ""),
        _str(obj, "provisioner"),
        _str(obj, "reclaimPolicy") if _present(obj, "reclaimPolicy") else "Delete",
        _str(obj, "volumeBindingMode") if _present(obj, "volumeBindingMode") else "Immediate",
        _get(obj, "allowVolumeExpansion") is True,
        _age(obj, now),
    ]


# --- networking and RBAC ----------------------------------------------------------------------


@_prints(
    "networking.k8s.io",
    "ingressclasses",
    NAME,
    _col("Controller", "Controller that is responsible for handling this class"),
    _col("Parameters", "A reference to a resource with additional parameters"),
    AGE,
)
def _ingress_class_row(obj: Obj, now: datetime) -> list[Cell]:
    parameters = "<none>"
    reference = _get(obj, "spec", "parameters")
    if isinstance(reference, Mapping):
        api_group = reference.get("apiGroup")
        group = f".{api_group}" if isinstance(api_group, str) else ""
        parameters = f"{_str(reference, 'kind')}{group}/{_str(reference, 'name')}"
    return [_name(obj), _str(obj, "spec", "controller"), parameters, _age(obj, now)]


@_prints(
    "networking.k8s.io",
    "networkpolicies",
    NAME,
    _col("Pod-Selector", ("networking.v1.NetworkPolicySpec", "podSelector")),
    AGE,
)
def _network_policy_row(obj: Obj, now: datetime) -> list[Cell]:
    # podSelector is a struct, never nil: a missing one is the empty (match-all) selector.
    selector = _map(obj, "spec", "podSelector")
    return [_name(obj), format_label_selector(selector), _age(obj, now)]


def _subjects(binding: Obj) -> list[Cell]:
    """Users, groups and service accounts (``namespace/name``) of a binding, ", "-joined."""
    users, groups, accounts = [], [], []
    for subject in _list(binding, "subjects"):
        kind, name = _str(subject, "kind"), _str(subject, "name")
        if kind == "User":
            users.append(name)
        elif kind == "Group":
            groups.append(name)
        elif kind == "ServiceAccount":
            accounts.append(f"{_str(subject, 'namespace')}/{name}")
    return [", ".join(users), ", ".join(groups), ", ".join(accounts)]


def _binding_row(obj: Obj, now: datetime) -> list[Cell]:
    role = f"{_str(obj, 'roleRef', 'kind')}/{_str(obj, 'roleRef', 'name')}"
    return [_name(obj), role, _age(obj, now), *_subjects(obj)]


def _binding_columns(kind: str) -> tuple[Column, ...]:
    return (
        NAME,
        _col("Role", (f"rbac.v1.{kind[0].upper()}{kind[1:]}", "roleRef")),
        AGE,
        _col("Users", f"Users in the {kind}", wide=True),
        _col("Groups", f"Groups in the {kind}", wide=True),
        _col("ServiceAccounts", f"ServiceAccounts in the {kind}", wide=True),
    )


_PRINTERS["rbac.authorization.k8s.io", "rolebindings"] = _Printer(
    _binding_columns("roleBinding"), _binding_row
)
_PRINTERS["rbac.authorization.k8s.io", "clusterrolebindings"] = _Printer(
    _binding_columns("clusterRoleBinding"), _binding_row
)


# --- the default table and the public API -----------------------------------------------------


def _default_row(obj: Obj, now: datetime) -> list[Cell]:
    """Name and creation time (RFC 3339, UTC), as ``rest.NewDefaultTableConvertor``."""
    created = parse_time(_get(obj, "metadata", "creationTimestamp"))
    stamp = "0001-01-01T00:00:00Z"
    if created is not None:
        stamp = created.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [_name(obj), stamp]


_DEFAULT = _Printer(DEFAULT_COLUMNS, _default_row)


def has_printer(resource: str, group: str) -> bool:
    """Whether kube-apiserver has a dedicated printer (else the default Name/Created At table)."""
    return (group, resource) in _PRINTERS


def column_definitions(resource: str, group: str) -> list[dict[str, Any]]:
    """The ``columnDefinitions`` of a resource's tables, in kube-apiserver's order."""
    return [column.definition() for column in _PRINTERS.get((group, resource), _DEFAULT).columns]


def row_cells(resource: str, group: str, obj: Obj, now: datetime) -> list[Cell]:
    """The cells of one object's row, one per column (wide columns included)."""
    return _PRINTERS.get((group, resource), _DEFAULT).row(obj, now)


def _type_meta(resource: str, group: str) -> dict[str, str]:
    """``apiVersion`` and ``kind`` of the resource's objects, as conversion to its version sets."""
    for candidate in RESOURCES:
        if (candidate.group, candidate.plural) == (group, resource):
            return {"apiVersion": candidate.api_version, "kind": candidate.kind}
    return {}


def _row_object(obj: Obj, include_object: str, type_meta: Mapping[str, str]) -> Any:
    if include_object == "None":
        return None
    # Stored objects are immutable and the table is encoded at once: no copies needed.
    if include_object == "Object":
        return {**type_meta, **obj}
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": _map(obj, "metadata"),
    }


def table(
    resource: str,
    group: str,
    objects: Iterable[Obj],
    now: datetime,
    include_object: str = "Metadata",
    list_metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``meta.k8s.io/v1`` Table of ``objects``.

    ``include_object`` is the request's ``includeObject`` (``""`` means Metadata): rows carry a
    PartialObjectMetadata, a copy of the full object, or ``null``. ``list_metadata`` supplies
    ``resourceVersion``, ``continue`` and ``remainingItemCount``. Raises ValueError, with
    kube-apiserver's message, for any other ``include_object``.
    """
    include = include_object or "Metadata"
    if include not in INCLUDE_OBJECT_VALUES:
        raise ValueError(f"unrecognized includeObject value: {json.dumps(include_object)}")
    rows = []
    type_meta = _type_meta(resource, group)
    for obj in objects:
        row: dict[str, Any] = {"cells": row_cells(resource, group, obj, now)}
        conditions = row_conditions(resource, group, obj)
        if conditions:
            row["conditions"] = conditions
        row["object"] = _row_object(obj, include, type_meta)
        rows.append(row)
    meta = dict(list_metadata or {})
    metadata: dict[str, Any] = {
        key: meta[key] for key in ("resourceVersion", "continue") if meta.get(key)
    }
    if meta.get("remainingItemCount") is not None:
        metadata["remainingItemCount"] = meta["remainingItemCount"]
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": column_definitions(resource, group),
        "rows": rows,
    }
