"""``pykctl rollout status``: watch deployments, daemon sets and stateful sets until their
rollout is done.

As kubectl: each object in turn is listed by name and then watched; every ADDED or MODIFIED
version prints the status viewer's line (``Waiting for deployment "web" rollout to finish: 1 of
3 updated replicas are available...``) until one says done (``deployment "web" successfully
rolled out``); ``--watch=false`` stops after the first line; ``--timeout`` bounds each object's
watch (``timed out waiting for the condition``); ``--revision`` pins a Deployment's revision.
An object's error does not stop the others; the errors are reported at the end.

The status viewers are pure functions of the object (``deployment_status`` and friends).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from backends.errors import ApiError
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import open_targets
from pykctl.cli.commands.rollout import common
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, DURATION, INT, Flag
from pykctl.cli.shared_flags import selector_flag
from pykctl.client import Client
from pykctl.resources.builder import Info

Obj = dict[str, Any]
Status = tuple[str, bool]
TIMED_OUT = "timed out waiting for the condition"
WATCH_SECONDS = 300  # one watch request's length when there is no deadline


def _int(obj: Obj, *path: str) -> int:
    value: Any = obj
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return int(value or 0)


def _generation_seen(obj: Obj) -> bool:
    return _int(obj, "metadata", "generation") <= _int(obj, "status", "observedGeneration")


def deployment_status(obj: Obj, revision: int) -> Status:
    """kubectl's DeploymentStatusViewer."""
    name = (obj.get("metadata") or {}).get("name", "")
    if revision > 0:
        running = common.revision_of(obj)
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        if running is None and common.REVISION_ANNOTATION in annotations:
            text = annotations[common.REVISION_ANNOTATION]
            raise CommandError(
                f'cannot get the revision of deployment "{name}": strconv.ParseInt: parsing '
                f'"{text}": invalid syntax'
            )
        if revision != (running or 0):
            raise CommandError(
                f"desired revision ({revision}) is different from the running revision "
                f"({running or 0})"
            )
    if not _generation_seen(obj):
        return "Waiting for deployment spec update to be observed...\n", False
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Progressing":
            if condition.get("reason") == "ProgressDeadlineExceeded":
                raise CommandError(f'deployment "{name}" exceeded its progress deadline')
            break
    spec = obj.get("spec") or {}
    updated = _int(obj, "status", "updatedReplicas")
    replicas = _int(obj, "status", "replicas")
    available = _int(obj, "status", "availableReplicas")
    prefix = f'Waiting for deployment "{name}" rollout to finish: '
    if spec.get("replicas") is not None and updated < int(spec["replicas"]):
        return (
            f"{prefix}{updated} out of {spec['replicas']} new replicas have been updated...\n",
            False,
        )
    if replicas > updated:
        return f"{prefix}{replicas - updated} old replicas are pending termination...\n", False
    if available < updated:
        return f"{prefix}{available} of {updated} updated replicas are available...\n", False
    return f'deployment "{name}" successfully rolled out\n', True


def daemon_set_status(obj: Obj, revision: int) -> Status:
    """kubectl's DaemonSetStatusViewer."""
    name = (obj.get("metadata") or {}).get("name", "")
    strategy = ((obj.get("spec") or {}).get("updateStrategy") or {}).get("type")
    if strategy != "RollingUpdate":
        raise CommandError("rollout status is only available for RollingUpdate strategy type")
    if not _generation_seen(obj):
        return "Waiting for daemon set spec update to be observed...\n", False
    desired = _int(obj, "status", "desiredNumberScheduled")
    updated = _int(obj, "status", "updatedNumberScheduled")
    available = _int(obj, "status", "numberAvailable")
    prefix = f'Waiting for daemon set "{name}" rollout to finish: '
    if updated < desired:
        return f"{prefix}{updated} out of {desired} new pods have been updated...\n", False
    if available < desired:
        return f"{prefix}{available} of {desired} updated pods are available...\n", False
    return f'daemon set "{name}" successfully rolled out\n', True


def stateful_set_status(obj: Obj, revision: int) -> Status:
    """kubectl's StatefulSetStatusViewer."""
    spec = obj.get("spec") or {}
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type") != "RollingUpdate":
        raise CommandError("rollout status is only available for RollingUpdate strategy type")
    observed = _int(obj, "status", "observedGeneration")
    if observed == 0 or _int(obj, "metadata", "generation") > observed:
        return "Waiting for statefulset spec update to be observed...\n", False
    status = obj.get("status") or {}
    replicas = spec.get("replicas")
    ready = int(status.get("readyReplicas") or 0)
    updated = int(status.get("updatedReplicas") or 0)
    if replicas is not None and ready < int(replicas):
        return f"Waiting for {int(replicas) - ready} pods to be ready...\n", False
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        partition = rolling.get("partition")
        if replicas is not None and partition is not None:
            wanted = int(replicas) - int(partition)
            if updated < wanted:
                return (
                    "Waiting for partitioned roll out to finish: "
                    f"{updated} out of {wanted} new pods have been updated...\n",
                    False,
                )
        return f"partitioned roll out complete: {updated} new pods have been updated...\n", True
    update_revision = status.get("updateRevision", "")
    current_revision = status.get("currentRevision", "")
    if update_revision != current_revision:
        return (
            f"waiting for statefulset rolling update to complete {updated} pods at revision "
            f"{update_revision}...\n",
            False,
        )
    current = int(status.get("currentReplicas") or 0)
    return (
        f"statefulset rolling update complete {current} pods at revision {current_revision}...\n",
        True,
    )


Viewer = Callable[[Obj, int], Status]


def viewer_for(info: Info) -> Viewer:
    """kubectl's StatusViewerFor."""
    resource = info.resource
    if resource.group in ("apps", "extensions"):
        if resource.kind == "Deployment":
            return deployment_status
        if resource.kind == "DaemonSet":
            return daemon_set_status
    if resource.group == "apps" and resource.kind == "StatefulSet":
        return stateful_set_status
    raise CommandError(f"no status viewer has been implemented for {resource.group_kind}")


class Watcher:
    """Lists one object by name, then watches it, handing each version to a callback."""

    def __init__(self, client: Client, info: Info, timeout: float) -> None:
        self.client = client
        self.info = info
        self.deadline = time.monotonic() + timeout if timeout > 0 else None
        self.selector = ("fieldSelector", f"metadata.name={info.name}")

    def _remaining(self) -> float:
        return math.inf if self.deadline is None else self.deadline - time.monotonic()

    def _list(self, handle: Callable[[Obj], bool]) -> tuple[str, bool]:
        info = self.info
        listing = self.client.list_objects(info.resource, info.namespace, [self.selector])
        for item in listing.get("items") or []:
            if handle(item):
                return "", True
        return str((listing.get("metadata") or {}).get("resourceVersion") or ""), False

    def until(self, handle: Callable[[Obj], bool]) -> None:
        """Call ``handle`` on each version until it returns True; raise on timeout."""
        version, done = self._list(handle)
        while not done:
            remaining = self._remaining()
            if remaining <= 0:
                raise CommandError(TIMED_OUT)
            seconds = WATCH_SECONDS if remaining == math.inf else max(1, math.ceil(remaining))
            query = [
                self.selector,
                ("resourceVersion", version),
                ("allowWatchBookmarks", "true"),
                ("timeoutSeconds", str(seconds)),
            ]
            for event in self.client.watch(self.info.resource, self.info.namespace, query):
                kind, obj = str(event.get("type") or ""), event.get("object") or {}
                if kind == "ERROR":  # too old a version: list again
                    version, done = self._list(handle)
                    break
                version = str((obj.get("metadata") or {}).get("resourceVersion") or version)
                if kind == "BOOKMARK":
                    continue
                if kind == "DELETED":
                    raise CommandError("object has been deleted")
                if handle(obj):
                    done = True
                    break
                if self._remaining() <= 0:
                    break


def _status_of(inv: Invocation, client: Client, info: Info) -> None:
    viewer = viewer_for(info)
    revision, watch = inv.flags["revision"], inv.flags["watch"]

    def handle(obj: Obj) -> bool:
        message, done = viewer(obj, revision)
        inv.stdout.write(message)
        inv.stdout.flush()
        return done or not watch

    Watcher(client, info, inv.flags["timeout"]).until(handle)


def run(inv: Invocation) -> int:
    common.require_resources(inv)
    if inv.flags["revision"] < 0:
        raise CommandError(f"revision must be a positive integer: {inv.flags['revision']}")
    errors: list[BaseException] = []
    with open_targets(inv, common.target_spec(inv)) as targets:
        for info in common.visit(targets, errors):
            try:
                _status_of(inv, targets.client, info)
            except (CommandError, ApiError) as err:
                errors.append(err)
    common.finish(errors)
    return 0


HELP = Help(
    use="status (TYPE NAME | TYPE/NAME) [flags]",
    short="Show the status of the rollout",
    long="""Show the status of the rollout.

 By default 'rollout status' will watch the status of the latest rollout until it's done. If you don't want to wait for the rollout to finish then you can use --watch=false. Note that if a new rollout starts in-between, then 'rollout status' will continue watching the latest revision. If you want to pin to a specific revision and abort if it is rolled over by another revision, use --revision=N where N is the revision you need to watch for.""",
    example="""# Watch the rollout status of a deployment
pykctl rollout status deployment/nginx""",
)

FLAGS = [
    *common.rollout_filename_flags(),
    Flag(
        "revision",
        INT,
        usage="Pin to a specific revision for showing its status. Defaults to 0 (last revision).",
    ),
    selector_flag(),
    Flag(
        "timeout",
        DURATION,
        usage="The length of time to wait before ending watch, zero means never. Any other "
        "values should contain a corresponding time unit (e.g. 1s, 2m, 3h).",
    ),
    Flag(
        "watch",
        BOOL,
        default=True,
        shorthand="w",
        usage="Watch the status of the rollout until it's done.",
    ),
]

status = KCommand("status", run, HELP, FLAGS)
