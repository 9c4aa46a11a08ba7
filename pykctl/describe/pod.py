"""Pods and pod templates (kubectl's describePod and DescribePodTemplate).

A Pod prints its identity, scheduling, status, containers, conditions, volumes, QoS class,
node selectors and tolerations, then its events. A pod template (inside ReplicaSets,
Deployments, DaemonSets, StatefulSets, Jobs and CronJobs) prints the same blocks indented, with
container names at three spaces. The QoS class is the server's ``status.qosClass`` when set,
else computed from requests and limits as kubectl does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backends.objects.quantity import Quantity
from backends.objects.selectors import format_label_selector
from pykctl.describe.containers import EnvResolver, describe_containers, describe_resources
from pykctl.describe.events import describe_events
from pykctl.describe.format import (
    Obj,
    annotations_multiline,
    annotations_of,
    controlled_by,
    dig,
    items,
    labels_multiline,
    labels_of,
    mapping,
    number,
    parse_quantity,
    rfc1123z,
    since,
    string_map,
    text,
    tolerations_multiline,
)
from pykctl.describe.volumes import describe_volumes
from pykctl.describe.writer import LEVEL_0, LEVEL_1, Writer


def describe_pod(pod: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """The text of ``kubectl describe pod``."""
    w = Writer()
    meta, spec, status = mapping(pod, "metadata"), mapping(pod, "spec"), mapping(pod, "status")
    w.write(LEVEL_0, f"Name:\t{text(meta, 'name')}\n")
    w.write(LEVEL_0, f"Namespace:\t{text(meta, 'namespace')}\n")
    if isinstance(dig(spec, "priority"), int):
        w.write(LEVEL_0, f"Priority:\t{number(spec, 'priority')}\n")
    if text(spec, "priorityClassName"):
        w.write(LEVEL_0, f"Priority Class Name:\t{text(spec, 'priorityClassName')}\n")
    if text(spec, "runtimeClassName"):
        w.write(LEVEL_0, f"Runtime Class Name:\t{text(spec, 'runtimeClassName')}\n")
    if text(spec, "serviceAccountName"):
        w.write(LEVEL_0, f"Service Account:\t{text(spec, 'serviceAccountName')}\n")
    if not text(spec, "nodeName"):
        w.write(LEVEL_0, "Node:\t<none>\n")
    else:
        w.write(LEVEL_0, f"Node:\t{text(spec, 'nodeName')}/{text(status, 'hostIP')}\n")
    if dig(status, "startTime") is not None:
        w.write(LEVEL_0, f"Start Time:\t{rfc1123z(dig(status, 'startTime'))}\n")
    labels_multiline(w, "Labels", labels_of(pod))
    annotations_multiline(w, "Annotations", annotations_of(pod))
    phase = text(status, "phase")
    if dig(meta, "deletionTimestamp") is not None and phase not in ("Failed", "Succeeded"):
        w.write(
            LEVEL_0, f"Status:\tTerminating (lasts {since(dig(meta, 'deletionTimestamp'), now)})\n"
        )
        w.write(
            LEVEL_0, f"Termination Grace Period:\t{number(meta, 'deletionGracePeriodSeconds')}s\n"
        )
    else:
        w.write(LEVEL_0, f"Status:\t{phase}\n")
    if text(status, "reason"):
        w.write(LEVEL_0, f"Reason:\t{text(status, 'reason')}\n")
    if text(status, "message"):
        w.write(LEVEL_0, f"Message:\t{text(status, 'message')}\n")
    seccomp = dig(spec, "securityContext", "seccompProfile")
    if isinstance(seccomp, dict):
        w.write(LEVEL_0, f"SeccompProfile:\t{text(seccomp, 'type')}\n")
        if text(seccomp, "type") == "Localhost":
            w.write(LEVEL_0, f"LocalhostProfile:\t{text(seccomp, 'localhostProfile')}\n")
    w.write(LEVEL_0, f"IP:\t{text(status, 'podIP')}\n")
    _pod_ips(w, items(status, "podIPs"))
    controller = controlled_by(pod)
    if controller:
        w.write(LEVEL_0, f"Controlled By:\t{controller}\n")
    if text(status, "nominatedNodeName"):
        w.write(LEVEL_0, f"NominatedNodeName:\t{text(status, 'nominatedNodeName')}\n")
    if isinstance(dig(spec, "resources"), dict):
        w.write(LEVEL_0, "Resources:\n")
        describe_resources(w, mapping(spec, "resources"), LEVEL_1)
    resolver = _env_resolver(pod)
    if items(spec, "initContainers"):
        describe_containers(
            w,
            "Init Containers",
            items(spec, "initContainers"),
            items(status, "initContainerStatuses"),
            resolver,
            "",
        )
    describe_containers(
        w, "Containers", items(spec, "containers"), items(status, "containerStatuses"), resolver, ""
    )
    if items(spec, "ephemeralContainers"):
        describe_containers(
            w,
            "Ephemeral Containers",
            items(spec, "ephemeralContainers"),
            items(status, "ephemeralContainerStatuses"),
            resolver,
            "",
        )
    conditions = items(status, "conditions")
    gates = items(spec, "readinessGates")
    if gates:
        w.write(LEVEL_0, "Readiness Gates:\n  Type\tStatus\n")
        for gate in gates:
            found = "<none>"
            for condition in conditions:
                if text(condition, "type") == text(gate, "conditionType"):
                    found = text(condition, "status")
                    break
            w.write(LEVEL_1, f"{text(gate, 'conditionType')} \t{found} \n")
    if conditions:
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\n")
        for condition in conditions:
            w.write(LEVEL_1, f"{text(condition, 'type')} \t{text(condition, 'status')} \n")
    describe_volumes(w, items(spec, "volumes"), "")
    w.write(LEVEL_0, f"QoS Class:\t{text(status, 'qosClass') or compute_qos(pod)}\n")
    labels_multiline(w, "Node-Selectors", string_map(dig(spec, "nodeSelector")))
    tolerations_multiline(w, "Tolerations", items(spec, "tolerations"))
    _topology_spread(w, items(spec, "topologySpreadConstraints"), "")
    _scheduling_group(w, spec, "")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


def _pod_ips(w: Writer, ips: list[Any]) -> None:
    if not ips:
        w.write(LEVEL_0, "IPs:\t<none>\n")
        return
    w.write(LEVEL_0, "IPs:\n")
    for ip in ips:
        w.write(LEVEL_1, f"IP:\t{text(ip, 'ip')}\n")


def _topology_spread(w: Writer, constraints: list[Any], space: str) -> None:
    if not constraints:
        return
    w.write(LEVEL_0, f"{space}Topology Spread Constraints:\t")
    for i, tsc in enumerate(sorted(constraints, key=lambda c: text(c, "topologyKey"))):
        if i:
            w.write(LEVEL_0, space)
            w.write(LEVEL_0, "\t")
        entry = (
            f"{text(tsc, 'topologyKey')}:{text(tsc, 'whenUnsatisfiable')}"
            f" when max skew {number(tsc, 'maxSkew')} is exceeded"
        )
        selector = dig(tsc, "labelSelector")
        if isinstance(selector, dict):
            entry += f" for selector {format_label_selector(selector)}"
        w.write(LEVEL_0, entry + "\n")


def _scheduling_group(w: Writer, spec: Obj, space: str) -> None:
    group = dig(spec, "schedulingGroup")
    if isinstance(group, dict):
        w.write(LEVEL_0, f"{space}SchedulingGroup:\n")
        w.write(LEVEL_1, f"PodGroupName:\t{text(group, 'podGroupName')}\n")


def _env_resolver(pod: Obj) -> EnvResolver:
    """kubectl's EnvValueRetriever: its scheme converts only ``metadata.name`` and
    ``metadata.namespace`` field labels, so every other fieldRef resolves to ``""``."""

    def resolve(ref: Obj) -> str:
        path = text(ref, "fieldPath")
        if text(ref, "apiVersion").count("/") > 1:
            return ""
        if path == "metadata.name":
            return text(pod, "metadata", "name")
        if path == "metadata.namespace":
            return text(pod, "metadata", "namespace")
        return ""

    return resolve


def describe_pod_template(w: Writer, template: Obj | None) -> None:
    """kubectl's DescribePodTemplate."""
    w.write(LEVEL_0, "Pod Template:\n")
    if template is None:
        w.write(LEVEL_1, "<unset>")
        return
    spec = mapping(template, "spec")
    labels_multiline(w, "  Labels", labels_of(template))
    if annotations_of(template):
        annotations_multiline(w, "  Annotations", annotations_of(template))
    if text(spec, "serviceAccountName"):
        w.write(LEVEL_1, f"Service Account:\t{text(spec, 'serviceAccountName')}\n")
    if items(spec, "initContainers"):
        describe_containers(w, "Init Containers", items(spec, "initContainers"), None, None, "  ")
    describe_containers(w, "Containers", items(spec, "containers"), None, None, "  ")
    describe_volumes(w, items(spec, "volumes"), "  ")
    _topology_spread(w, items(spec, "topologySpreadConstraints"), "  ")
    if text(spec, "priorityClassName"):
        w.write(LEVEL_1, f"Priority Class Name:\t{text(spec, 'priorityClassName')}\n")
    labels_multiline(w, "  Node-Selectors", string_map(dig(spec, "nodeSelector")))
    tolerations_multiline(w, "  Tolerations", items(spec, "tolerations"))
    _scheduling_group(w, spec, "  ")


# ---------------------------------------------------------------- QoS


def compute_qos(pod: Obj) -> str:
    """kubectl's ComputePodQOS: BestEffort, Burstable or Guaranteed."""
    spec = mapping(pod, "spec")
    pod_resources = mapping(spec, "resources")
    if _has_pod_level_resources(pod_resources):
        return _requirements_qos(pod_resources)
    result = ""
    for container in [*items(spec, "initContainers"), *items(spec, "containers")]:
        qos = _requirements_qos(mapping(container, "resources"))
        if qos == "Burstable":
            return qos
        if not result:
            result = qos
        elif result != qos:
            return "Burstable"
    return result or "BestEffort"


def _has_pod_level_resources(resources: Obj) -> bool:
    names = [*mapping(resources, "requests"), *mapping(resources, "limits")]
    return any(name in ("cpu", "memory") or name.startswith("hugepages-") for name in names)


def _requirements_qos(resources: Obj) -> str:
    requests, limits = mapping(resources, "requests"), mapping(resources, "limits")
    if not requests and not limits:
        return "BestEffort"
    result = ""
    for name in ("cpu", "memory"):
        request = parse_quantity(requests.get(name)) if name in requests else Quantity()
        limit = parse_quantity(limits.get(name)) if name in limits else Quantity()
        if request != limit:
            return "Burstable"
        qos = "BestEffort" if request.is_zero() else "Guaranteed"
        if not result:
            result = qos
        elif result != qos:
            return "Burstable"
    return result
