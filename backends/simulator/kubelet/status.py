"""Pod status as the kubelet reports it, computed from what the runtime knows (pure).

``build_status(pod, view, now)`` follows the kubelet's ``generateAPIPodStatus``:

* container statuses (``convertToAPIContainerStatuses``): a container never started waits with
  ``ContainerCreating`` (``PodInitializing`` when the pod has init containers); the newest
  instance gives ``state``, the one before it ``lastState``; a container that should be
  restarted and whose last start failed waits with that failure (``CrashLoopBackOff``,
  ``ImagePullBackOff``, ``CreateContainerConfigError``...) with its terminated state moved to
  ``lastState``; a container that was running and has vanished (daemon restart) gets
  ``lastState.terminated`` ``ContainerStatusUnknown`` (137) and one more restart;
* the phase (``getPhase``): Pending, Running, Succeeded or Failed from init containers,
  sidecars and containers and the restart policy, never leaving a terminal phase;
* conditions in the kubelet's order: PodReadyToStartContainers, Initialized, Ready,
  ContainersReady, then the others (PodScheduled added if missing), each with
  ``observedGeneration`` and a ``lastTransitionTime`` kept while its status is unchanged;
* hostIP(s), podIP(s), startTime (set once), qosClass (kept), observedGeneration.

Field order is Go's struct order, so JSON output matches a real cluster byte for byte.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backends.simulator.clock import rfc3339

Obj = dict[str, Any]
KUBELET_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")
# pykctl's own condition: the node cannot bind ports below 1024, so nginx listens shifted.
REMAP_CONDITION = "pykctl.io/PrivilegedPortsRemapped"
UNKNOWN_MESSAGE = (
    "The container could not be located when the pod was deleted.  The container used to be Running"
)


@dataclass
class Instance:
    """One run of a container, as the runtime reports it."""

    container_id: str
    image: str
    image_id: str
    state: str  # running | exited
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None
    exit_code: int = 0
    reason: str = ""
    message: str = ""


@dataclass
class ContainerView:
    """What the kubelet knows about one container of the pod."""

    name: str
    current: Instance | None = None
    previous: Instance | None = None
    restart_count: int = 0
    waiting: tuple[str, str] | None = None  # the last start failure: (reason, message)
    ready: bool = False
    started: bool = False
    user: Obj | None = None


@dataclass
class PodView:
    """What the kubelet knows about the pod."""

    containers: dict[str, ContainerView] = field(default_factory=dict)
    sandbox_ready: bool = False
    pod_ips: Sequence[str] = ()
    host_ips: Sequence[str] = ()
    terminal: bool = False  # the pod is done: nothing will be (re)started


def is_sidecar(container: Mapping[str, Any]) -> bool:
    return container.get("restartPolicy") == "Always"


def should_restart(container: Mapping[str, Any], pod: Obj, view: ContainerView) -> bool:
    """``ShouldContainerBeRestarted``."""
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    current = view.current
    if current is None:
        return True
    if current.state == "running":
        return False
    if is_sidecar(container):
        return True
    policy = (pod.get("spec") or {}).get("restartPolicy") or "Always"
    if policy == "Never":
        return False
    if policy == "OnFailure":
        return current.exit_code != 0
    return True


def _time(moment: datetime.datetime | None) -> str | None:
    return rfc3339(moment) if moment is not None else None


def _state(instance: Instance) -> Obj:
    if instance.state == "running":
        return {"running": {"startedAt": _time(instance.started_at)}}
    terminated: Obj = {"exitCode": instance.exit_code}
    if instance.reason:
        terminated["reason"] = instance.reason
    if instance.message:
        terminated["message"] = instance.message
    terminated["startedAt"] = _time(instance.started_at)
    terminated["finishedAt"] = _time(instance.finished_at)
    if instance.container_id:
        terminated["containerID"] = instance.container_id
    return {"terminated": terminated}


def _volume_mounts(container: Mapping[str, Any]) -> list[Obj]:
    mounts = []
    for mount in container.get("volumeMounts") or []:
        item: Obj = {"name": mount.get("name"), "mountPath": mount.get("mountPath")}
        if mount.get("readOnly"):
            item["readOnly"] = True
            item["recursiveReadOnly"] = "Disabled"
        mounts.append(item)
    return mounts


def _resources(container: Mapping[str, Any]) -> tuple[Obj | None, Obj]:
    """(allocatedResources, resources) of a running container."""
    spec = container.get("resources") or {}
    names = ("cpu", "memory", "ephemeral-storage")
    requests = {k: v for k, v in (spec.get("requests") or {}).items() if k in names}
    limits = {k: v for k, v in (spec.get("limits") or {}).items() if k in names}
    resources: Obj = {}
    if spec.get("limits") is not None:
        resources["limits"] = limits
    if requests:
        resources["requests"] = dict(requests)
    return (dict(requests) or None), resources


def _container_status(
    container: Mapping[str, Any],
    view: ContainerView | None,
    old: Obj | None,
    default_reason: str,
    pod: Obj,
    is_init: bool,
) -> Obj:
    name = container.get("name")
    status: Obj = {
        "name": name,
        "state": {"waiting": {"reason": default_reason}},
        "lastState": {},
        "ready": False,
        "restartCount": 0,
        "image": container.get("image"),
        "imageID": "",
    }
    mounts = _volume_mounts(container)
    if old is not None:
        if (old.get("state") or {}).get("terminated") is not None and (
            view is None or view.current is None
        ):
            status = {k: v for k, v in old.items()}
        else:
            status["restartCount"] = old.get("restartCount", 0)
            status["lastState"] = old.get("lastState") or {}
    if view is not None and view.current is None and old is not None:
        was_running = (old.get("state") or {}).get("running") is not None
        if was_running and not (status.get("lastState") or {}).get("terminated"):
            status["lastState"] = {
                "terminated": {
                    "exitCode": 137,
                    "reason": "ContainerStatusUnknown",
                    "message": UNKNOWN_MESSAGE,
                }
            }
            if not (pod.get("metadata") or {}).get("deletionTimestamp"):
                status["restartCount"] = int(old.get("restartCount", 0)) + 1
    if view is not None and view.current is not None:
        current = view.current
        status["state"] = _state(current)
        status["lastState"] = _state(view.previous) if view.previous else status["lastState"]
        status["restartCount"] = view.restart_count
        status["image"] = current.image
        status["imageID"] = current.image_id
        status["containerID"] = current.container_id
    if view is not None:
        waiting = view.waiting
        finished_ok = (
            is_init
            and view.current is not None
            and view.current.state == "exited"
            and view.current.exit_code == 0
            and not is_sidecar(container)
        )
        if waiting and not finished_ok and should_restart(container, pod, view):
            if (status.get("state") or {}).get("terminated") is not None:
                status["lastState"] = status["state"]
            waiting_state: Obj = {"reason": waiting[0]}
            if waiting[1]:
                waiting_state["message"] = waiting[1]
            status["state"] = {"waiting": waiting_state}
        running = (status.get("state") or {}).get("running") is not None
        status["started"] = bool(view.started and running)
        if is_init and not is_sidecar(container):
            terminated = (status.get("state") or {}).get("terminated") or {}
            status["ready"] = terminated.get("exitCode", -1) == 0 and bool(terminated)
        else:
            status["ready"] = bool(view.ready and running and view.started)
        if running:
            allocated, resources = _resources(container)
            if allocated:
                status["allocatedResources"] = allocated
            status["resources"] = resources
    else:
        status.setdefault("started", False)
    if mounts:
        status["volumeMounts"] = mounts
    if view is not None and view.user is not None and view.current is not None:
        status["user"] = view.user
    return _ordered(status)


_CONTAINER_STATUS_ORDER = (
    "name", "state", "lastState", "ready", "restartCount", "image", "imageID", "containerID",
    "started", "allocatedResources", "resources", "volumeMounts", "user",
    "allocatedResourcesStatus", "stopSignal",
)  # fmt: skip


def _ordered(status: Obj) -> Obj:
    out = {key: status[key] for key in _CONTAINER_STATUS_ORDER if key in status}
    out.update({k: v for k, v in status.items() if k not in out})
    return out


def any_regular_started(pod: Obj, statuses: Mapping[str, Obj]) -> bool:
    """``HasAnyRegularContainerStarted``: a regular container is running or has terminated."""
    for container in (pod.get("spec") or {}).get("containers") or []:
        state = (statuses.get(container.get("name")) or {}).get("state") or {}
        if state.get("running") is not None or state.get("terminated") is not None:
            return True
    return False


def phase(pod: Obj, statuses: Mapping[str, Obj], terminal: bool) -> str:
    """``getPhase``."""
    spec = pod.get("spec") or {}
    pending_init = failed_init = 0
    unknown = running = waiting = stopped = succeeded = 0
    started_regular = any_regular_started(pod, statuses)
    for container in spec.get("initContainers") or []:
        status = statuses.get(container.get("name"))
        state = (status or {}).get("state") or {}
        last = ((status or {}).get("lastState") or {}).get("terminated")
        if is_sidecar(container):
            if status is None:
                unknown += 1
            elif state.get("running") is not None:
                if not status.get("started"):
                    pending_init += 1
                running += 1
            elif state.get("terminated") is not None:
                pass
            elif state.get("waiting") is not None:
                if last is None:
                    pending_init += 1
                    waiting += 1
            else:
                pending_init += 1
                unknown += 1
            continue
        if status is None or state.get("running") is not None:
            pending_init += 1
        elif state.get("terminated") is not None:
            if state["terminated"].get("exitCode") != 0:
                failed_init += 1
        elif state.get("waiting") is not None:
            if last is not None:
                if last.get("exitCode") != 0:
                    failed_init += 1
            else:
                pending_init += 1
        else:
            pending_init += 1
    for container in spec.get("containers") or []:
        status = statuses.get(container.get("name"))
        if status is None:
            unknown += 1
            continue
        state = status.get("state") or {}
        if state.get("running") is not None:
            running += 1
        elif state.get("terminated") is not None:
            stopped += 1
            if state["terminated"].get("exitCode") == 0:
                succeeded += 1
        elif state.get("waiting") is not None:
            if (status.get("lastState") or {}).get("terminated") is not None:
                stopped += 1
            else:
                waiting += 1
        else:
            unknown += 1
    policy = spec.get("restartPolicy") or "Always"
    if failed_init > 0 and policy == "Never":
        return "Failed"
    if (pending_init > 0 and not started_regular) or waiting > 0:
        return "Pending"
    if running > 0 and unknown == 0:
        return "Running"
    if running == 0 and stopped > 0 and unknown == 0:
        if terminal:
            return "Succeeded" if stopped == succeeded else "Failed"
        if policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        if policy == "Never":
            return "Failed"
        return "Running"
    return "Pending"


def _condition(kind: str, status: bool, reason: str = "", message: str = "") -> Obj:
    condition: Obj = {"type": kind, "status": "True" if status else "False"}
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message
    return condition


def _names(names: list[str]) -> str:
    return "[" + " ".join(names) + "]"


def _ready_conditions(pod: Obj, statuses: Mapping[str, Obj], pod_phase: str) -> tuple[Obj, Obj]:
    """(Ready, ContainersReady)."""
    spec = pod.get("spec") or {}
    unknown: list[str] = []
    unready: list[str] = []
    sidecars = [c for c in spec.get("initContainers") or [] if is_sidecar(c)]
    for container in sidecars + list(spec.get("containers") or []):
        status = statuses.get(container.get("name"))
        if status is None:
            unknown.append(str(container.get("name")))
        elif not status.get("ready"):
            unready.append(str(container.get("name")))
    if (pod_phase == "Succeeded" and not unknown) or pod_phase == "Failed":
        reason = "PodCompleted" if pod_phase == "Succeeded" else "PodFailed"
        containers_ready = _condition("ContainersReady", False, reason)
    else:
        messages = []
        if unknown:
            messages.append(f"containers with unknown status: {_names(unknown)}")
        if unready:
            messages.append(f"containers with unready status: {_names(unready)}")
        containers_ready = (
            _condition("ContainersReady", False, "ContainersNotReady", ", ".join(messages))
            if messages
            else _condition("ContainersReady", True)
        )
    if containers_ready["status"] != "True":
        ready = {**containers_ready, "type": "Ready"}
        return ready, containers_ready
    gates = []
    conditions = {c.get("type"): c for c in (pod.get("status") or {}).get("conditions") or []}
    for gate in spec.get("readinessGates") or []:
        kind = gate.get("conditionType")
        found = conditions.get(kind)
        if found is None:
            gates.append(f'corresponding condition of pod readiness gate "{kind}" does not exist.')
        elif found.get("status") != "True":
            gates.append(
                f'the status of pod readiness gate "{kind}" is not "True", but {found.get("status")}'
            )
    if gates:
        return _condition(
            "Ready", False, "ReadinessGatesNotReady", ", ".join(gates)
        ), containers_ready
    return _condition("Ready", True), containers_ready


def _initialized(pod: Obj, statuses: Mapping[str, Obj], pod_phase: str) -> Obj:
    spec = pod.get("spec") or {}
    unknown: list[str] = []
    incomplete: list[str] = []
    for container in spec.get("initContainers") or []:
        status = statuses.get(container.get("name"))
        if status is None:
            unknown.append(str(container.get("name")))
            continue
        done = status.get("started") if is_sidecar(container) else status.get("ready")
        if not done:
            incomplete.append(str(container.get("name")))
    if pod_phase == "Succeeded" and not unknown:
        return _condition("Initialized", True, "PodCompleted")
    if any_regular_started(pod, statuses):
        return _condition("Initialized", True)
    messages = []
    if unknown:
        messages.append(f"containers with unknown status: {_names(unknown)}")
    if incomplete:
        messages.append(f"containers with incomplete status: {_names(incomplete)}")
    if messages:
        return _condition("Initialized", False, "ContainersNotInitialized", ", ".join(messages))
    return _condition("Initialized", True)


def _with_times(
    new: list[Obj], old: list[Obj], now: datetime.datetime, generation: int | None
) -> list[Obj]:
    """Go field order, observedGeneration, and lastTransitionTime kept while status is unchanged."""
    previous = {c.get("type"): c for c in old}
    out = []
    for condition in new:
        before = previous.get(condition["type"])
        if (
            before is not None
            and before.get("status") == condition["status"]
            and before.get("lastTransitionTime")
        ):
            transition = before["lastTransitionTime"]
        else:
            transition = rfc3339(now)
        item: Obj = {"type": condition["type"]}
        if generation is not None:
            item["observedGeneration"] = generation
        item["status"] = condition["status"]
        item["lastProbeTime"] = None
        item["lastTransitionTime"] = transition
        for key in ("reason", "message"):
            if condition.get(key):
                item[key] = condition[key]
        out.append(item)
    return out


def build_status(pod: Obj, view: PodView, now: datetime.datetime) -> Obj:
    """The pod's status (see the module docstring)."""
    spec = pod.get("spec") or {}
    metadata = pod.get("metadata") or {}
    old = pod.get("status") or {}
    generation = metadata.get("generation")
    init_specs = list(spec.get("initContainers") or [])
    default_reason = "PodInitializing" if init_specs else "ContainerCreating"
    old_init = {s.get("name"): s for s in old.get("initContainerStatuses") or []}
    old_regular = {s.get("name"): s for s in old.get("containerStatuses") or []}
    init_statuses = [
        _container_status(
            c,
            view.containers.get(c.get("name")),
            old_init.get(c.get("name")),
            default_reason,
            pod,
            True,
        )
        for c in init_specs
    ]
    regular_statuses = [
        _container_status(
            c,
            view.containers.get(c.get("name")),
            old_regular.get(c.get("name")),
            default_reason,
            pod,
            False,
        )
        for c in spec.get("containers") or []
    ]
    by_name = {s["name"]: s for s in init_statuses + regular_statuses}
    pod_phase = phase(pod, by_name, view.terminal)
    if old.get("phase") in ("Succeeded", "Failed"):
        pod_phase = old["phase"]
    status: Obj = {}
    if generation is not None:
        status["observedGeneration"] = generation
    status["phase"] = pod_phase
    ready, containers_ready = _ready_conditions(pod, by_name, pod_phase)
    kubelet_conditions = [
        _condition("PodReadyToStartContainers", view.sandbox_ready),
        _initialized(pod, by_name, pod_phase),
        ready,
        containers_ready,
    ]
    old_conditions = list(old.get("conditions") or [])
    conditions = _with_times(kubelet_conditions, old_conditions, now, generation)
    others = [c for c in old_conditions if c.get("type") not in KUBELET_CONDITIONS]
    if not any(c.get("type") == "PodScheduled" for c in others):
        others.append(_with_times([_condition("PodScheduled", True)], [], now, generation)[0])
    status["conditions"] = conditions + others
    for key in ("message", "reason", "nominatedNodeName"):
        if old.get(key) and old.get("phase") == pod_phase:
            status[key] = old[key]
    if view.host_ips:
        status["hostIP"] = view.host_ips[0]
        status["hostIPs"] = [{"ip": ip} for ip in view.host_ips]
    pod_ips = list(view.pod_ips) or [item.get("ip") for item in old.get("podIPs") or []]
    if pod_ips:
        status["podIP"] = pod_ips[0]
        status["podIPs"] = [{"ip": ip} for ip in pod_ips]
    status["startTime"] = old.get("startTime") or rfc3339(now)
    if init_statuses:
        status["initContainerStatuses"] = init_statuses
    status["containerStatuses"] = regular_statuses
    if old.get("qosClass"):
        status["qosClass"] = old["qosClass"]
    return status
