"""The pod, and the container in it, that ``logs``, ``exec``, ``attach`` and ``cp`` act on:
kubectl's polymorphichelpers (AttachablePodForObject, LogsForObject's pod choice, GetPodList)
and cmd/util/podcmd.

An argument is ``POD``, ``TYPE/NAME`` (or ``TYPE NAME`` for attach); a workload or service
stands for its pods (``SelectorsForObject``: replica sets, replication controllers, stateful
sets, daemon sets, deployments, jobs, services with a selector). Its pods are listed and sorted
— for logs the best to read first (``ByLogging``), for exec/attach the most active first
(``sort.Reverse(ActivePods)``); when none exists yet, the pods are watched until one appears or
``--pod-running-timeout`` passes (``timed out waiting for the condition``).

A container is the one named, else the ``kubectl.kubernetes.io/default-container`` annotation's,
else the first, with kubectl's ``Defaulted container "a" out of: a, b (ephem), c (init)`` note
when there were others.
"""

from __future__ import annotations

import datetime
import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from backends.objects.selectors import SelectorError, label_selector_from_dict, selector_from_set
from pykctl.cli.command import PROGRAM, Invocation
from pykctl.cli.errors import CommandError
from pykctl.client import Client
from pykctl.resources.mapper import Mapper
from pykctl.resources.targets import Targets, TargetSpec

if TYPE_CHECKING:
    from pykctl.session import Session

Obj = dict[str, Any]
DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"
TIMED_OUT = "timed out waiting for the condition"

# API groups whose kinds kubectl decodes into Go types (their name shows in some errors)
_TYPED_GROUPS = {
    "",
    "admissionregistration.k8s.io",
    "apps",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "extensions",
    "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
}
_LABEL_SELECTED = {
    "ReplicaSet": ("apps", "extensions"),
    "StatefulSet": ("apps",),
    "DaemonSet": ("apps", "extensions"),
    "Deployment": ("apps", "extensions"),
    "Job": ("batch",),
}


# --- containers --------------------------------------------------------------------------


def _containers(pod: Obj, key: str) -> list[Obj]:
    return list((pod.get("spec") or {}).get(key) or [])


def all_container_names(pod: Obj) -> str:
    """podcmd.AllContainerNames: ``a, b, e (ephem), i (init)``."""
    names = [str(c.get("name")) for c in _containers(pod, "containers")]
    names += [f"{c.get('name')} (ephem)" for c in _containers(pod, "ephemeralContainers")]
    names += [f"{c.get('name')} (init)" for c in _containers(pod, "initContainers")]
    return ", ".join(names)


def find_container(pod: Obj, name: str) -> tuple[Obj | None, str]:
    """The container called ``name`` and its field path (``spec.containers{name}``)."""
    for key in ("containers", "initContainers", "ephemeralContainers"):
        for container in _containers(pod, key):
            if container.get("name") == name:
                return container, f"spec.{key}{{{name}}}"
    return None, ""


def has_others(pod: Obj) -> bool:
    """More than one container to choose from (init and ephemeral ones count)."""
    return (
        len(_containers(pod, "containers")) > 1
        or bool(_containers(pod, "initContainers"))
        or bool(_containers(pod, "ephemeralContainers"))
    )


def not_valid(pod: Obj, name: str) -> CommandError:
    pod_name = (pod.get("metadata") or {}).get("name", "")
    return CommandError(
        f"container {name} is not valid for pod {pod_name} out of: {all_container_names(pod)}"
    )


def defaulted_note(pod: Obj, name: str) -> str:
    return f'Defaulted container "{name}" out of: {all_container_names(pod)}\n'


def find_or_default(pod: Obj, name: str, quiet: bool, warn: Callable[[str], object]) -> Obj:
    """podcmd.FindOrDefaultContainerByName (see the module docstring)."""
    metadata = pod.get("metadata") or {}
    containers = _containers(pod, "containers")
    if not containers:
        raise CommandError(
            f"pod {metadata.get('namespace')}/{metadata.get('name')} does not have any containers"
        )
    if not name:
        name = str((metadata.get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION) or "")
    if name:
        found, _ = find_container(pod, name)
        if found is None:
            raise not_valid(pod, name)
        return found
    first = containers[0]
    if not quiet and has_others(pod):
        warn(defaulted_note(pod, str(first.get("name"))))
    return first


# --- pods of an object -------------------------------------------------------------------


def go_type(obj: Obj) -> str:
    """How Go names the object's type in kubectl's messages (``*v1.ConfigMap``)."""
    group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
    if group not in _TYPED_GROUPS:
        return "*unstructured.Unstructured"
    return f"*{version}.{obj.get('kind', '')}"


def selector_for(obj: Obj) -> str:
    """SelectorsForObject: the pods' label selector; ValueError with kubectl's reason if none."""
    kind = str(obj.get("kind") or "")
    group = str(obj.get("apiVersion") or "").rpartition("/")[0]
    spec = obj.get("spec") or {}
    try:
        if group in _LABEL_SELECTED.get(kind, ()):
            return str(label_selector_from_dict(spec.get("selector")))
    except SelectorError as err:
        raise ValueError(f"invalid label selector: {err}") from None
    if kind == "ReplicationController" and not group:
        return str(selector_from_set(spec.get("selector")))
    if kind == "Service" and not group:
        if not spec.get("selector"):
            name = (obj.get("metadata") or {}).get("name", "")
            raise ValueError(f"invalid service '{name}': Service is defined without a selector")
        return str(selector_from_set(spec.get("selector")))
    raise ValueError(f"selector for {go_type(obj)} not implemented")


def _time(text: Any) -> datetime.datetime | None:
    if not text:
        return None
    return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def _after_or_zero(t1: datetime.datetime | None, t2: datetime.datetime | None) -> bool:
    """podutils.afterOrZero: zero times count as after any other."""
    if t1 is None or t2 is None:
        return t1 is None
    return t1 > t2


def _ready(pod: Obj) -> bool:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return bool(condition.get("status") == "True")
    return False


def _ready_time(pod: Obj) -> datetime.datetime | None:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready" and condition.get("status") == "True":
            return _time(condition.get("lastTransitionTime"))
    return None


def _max_restarts(pod: Obj) -> tuple[int, int]:
    status = pod.get("status") or {}
    regular = max(
        [int(c.get("restartCount") or 0) for c in status.get("containerStatuses") or []] + [0]
    )
    sidecars = {
        c.get("name")
        for c in _containers(pod, "initContainers")
        if c.get("restartPolicy") == "Always"
    }
    sidecar = max(
        [
            int(c.get("restartCount") or 0)
            for c in status.get("initContainerStatuses") or []
            if c.get("name") in sidecars
        ]
        + [0]
    )
    return regular, sidecar


def _more_restarts(a: Obj, b: Obj) -> bool | None:
    """compareMaxContainerRestarts: does ``a`` have more restarts (None: as many)?"""
    (ra, sa), (rb, sb) = _max_restarts(a), _max_restarts(b)
    if ra != rb:
        return ra > rb
    if sa != sb:
        return sa > sb
    return None


def _node(pod: Obj) -> str:
    return str((pod.get("spec") or {}).get("nodeName") or "")


def _phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def _created(pod: Obj) -> datetime.datetime | None:
    return _time((pod.get("metadata") or {}).get("creationTimestamp"))


def _deleted(pod: Obj) -> datetime.datetime | None:
    return _time((pod.get("metadata") or {}).get("deletionTimestamp"))


def logging_less(a: Obj, b: Obj) -> bool:
    """podutils.ByLogging: is ``a`` a better pod to read logs from than ``b``?"""
    if _node(a) != _node(b) and (not _node(a) or not _node(b)):
        return bool(_node(a))
    rank = {"Running": 0, "Unknown": 1, "Pending": 2}
    if rank.get(_phase(a), 0) != rank.get(_phase(b), 0):
        return rank.get(_phase(a), 0) < rank.get(_phase(b), 0)
    if _ready(a) != _ready(b):
        return _ready(a)
    if _ready(a) and _ready(b) and _ready_time(a) != _ready_time(b):
        return _after_or_zero(_ready_time(b), _ready_time(a))
    more = _more_restarts(a, b)
    if more is not None:
        return more
    if _created(a) != _created(b):
        return _after_or_zero(_created(b), _created(a))
    return False


def active_less(a: Obj, b: Obj) -> bool:
    """podutils.ActivePods: is ``a`` less active (a better one to delete) than ``b``?"""
    if _node(a) != _node(b) and (not _node(a) or not _node(b)):
        return not _node(a)
    rank = {"Pending": 0, "Unknown": 1, "Running": 2}
    if rank.get(_phase(a), 0) != rank.get(_phase(b), 0):
        return rank.get(_phase(a), 0) < rank.get(_phase(b), 0)
    if _ready(a) != _ready(b):
        return not _ready(a)
    deleting_a, deleting_b = _deleted(a), _deleted(b)
    if (deleting_a is None) != (deleting_b is None):
        return deleting_a is not None
    if deleting_a is not None and deleting_b is not None and deleting_a != deleting_b:
        return deleting_a < deleting_b
    if _ready(a) and _ready(b) and _ready_time(a) != _ready_time(b):
        return _after_or_zero(_ready_time(a), _ready_time(b))
    more = _more_restarts(a, b)
    if more is not None:
        return more
    if _created(a) != _created(b):
        return _after_or_zero(_created(a), _created(b))
    return False


Less = Callable[[Obj, Obj], bool]


def most_active_first(a: Obj, b: Obj) -> bool:
    """sort.Reverse(ActivePods), the order exec and attach pick from."""
    return active_less(b, a)


def sort_pods(pods: list[Obj], less: Less) -> list[Obj]:
    def compare(a: Obj, b: Obj) -> int:
        return -1 if less(a, b) else (1 if less(b, a) else 0)

    return sorted(pods, key=functools.cmp_to_key(compare))


class PodFinder:
    """The pods a selector matches now, or the first to appear (GetPodList)."""

    def __init__(self, client: Client, mapper: Mapper) -> None:
        self.client = client
        self.pods = mapper.resource_for("pods")

    def matching(self, namespace: str, selector: str, timeout: float, less: Less) -> list[Obj]:
        """Sorted pods; when none, the first one a watch sees within ``timeout`` seconds."""
        query = [("labelSelector", selector)] if selector else []
        listing = self.client.list_objects(self.pods, namespace, query)
        items: list[Obj] = listing.get("items") or []
        if items:
            return sort_pods(items, less)
        version = str((listing.get("metadata") or {}).get("resourceVersion") or "")
        watch_query = [*query, ("resourceVersion", version)]
        if timeout >= 0:
            watch_query.append(("timeoutSeconds", str(max(1, math.ceil(timeout)))))
        for event in self.client.watch(self.pods, namespace, watch_query):
            if event.get("type") in ("ADDED", "MODIFIED"):
                return [event.get("object") or {}]
        raise CommandError(TIMED_OUT)


def fetch(session: Session, inv: Invocation, spec: TargetSpec) -> list[Obj]:
    """The objects ``spec`` names, fetched (the builder's first error is raised)."""
    targets = Targets(
        spec,
        session.namespace,
        session.namespace_explicit,
        lambda: (session.client, session.mapper),
        inv.stdin,
        PROGRAM,
    )
    targets.resolve()
    found: list[Obj] = []
    for item in targets.visit():
        if isinstance(item, BaseException):
            raise item
        found.append(item.obj or {})
    return found


def pod_args(name: str) -> list[str]:
    """``ResourceNames("pods", name)``: ``TYPE/NAME`` as it is, a bare name as a pod."""
    return [name] if "/" in name else ["pods", name]
