"""``pykctl run`` attached (``--attach``, ``-i``, ``-t``, ``--rm``): after the pod is created,
as kubectl's RunOptions.Run does.

Wait (``--pod-running-timeout``) until the pod is running and ready, print what its container
logged so far, then attach to it; a pod that already ended has its log printed instead, and an
attach that fails falls back to the log since the attach began (to the second, so a line may
show twice, as with kubectl) with kubectl's warning. Unless ``--leave-stdin-open``, a pod that restarts
``Never`` or ``OnFailure`` is then waited for until it completes (``OnFailure``: succeeds), and
its container's exit code becomes pykctl's (``pod NS/NAME terminated (Reason)`` and the
termination message). With ``--rm`` the objects ``run`` created are deleted at the end, whatever
happened, each reported as ``delete`` reports it. Waiting is a list and a watch on the pod's
name, never polling; a deleted pod is kubectl's NotFound.
"""

from __future__ import annotations

import datetime
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from backends.errors import ApiError
from pykctl.cli.command import PROGRAM, Invocation
from pykctl.cli.commands import attach as attachcmd
from pykctl.cli.errors import CommandError, RawError

if TYPE_CHECKING:
    from pykctl.resources.discovery import Resource
    from pykctl.session import Session

Obj = dict[str, Any]
# A condition over a watched pod: True when met; raises PodCompleted / CommandError.
Condition = Callable[[str, Obj], bool]
TIMED_OUT = "timed out waiting for the condition"


class PodCompleted(Exception):
    """The pod ended before it was running and ready (kubectl's ErrPodCompleted)."""

    def __init__(self, pod: Obj) -> None:
        super().__init__("pod ran to completion")
        self.pod = pod


def _phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def running_and_ready(event: str, pod: Obj) -> bool:
    if event == "DELETED":
        raise _gone()
    phase = _phase(pod)
    if phase in ("Succeeded", "Failed"):
        raise PodCompleted(pod)
    conditions = (pod.get("status") or {}).get("conditions") or []
    return phase == "Running" and any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in conditions
    )


def completed(event: str, pod: Obj) -> bool:
    if event == "DELETED":
        raise _gone()
    return _phase(pod) in ("Succeeded", "Failed")


def succeeded(event: str, pod: Obj) -> bool:
    if event == "DELETED":
        raise _gone()
    return _phase(pod) == "Succeeded"


def _gone() -> ApiError:
    return ApiError(404, "NotFound", 'pods "" not found')


def wait_for_pod(
    session: Session, namespace: str, name: str, timeout: float, condition: Condition
) -> Obj:
    """watchtools.UntilWithSync over the pod's name: the first state ``condition`` accepts."""
    pods = session.mapper.resource_for("pods")
    selector = ("fieldSelector", f"metadata.name={name}")
    deadline = time.monotonic() + timeout if timeout > 0 else math.inf
    listing = session.client.list_objects(pods, namespace, [selector])
    for pod in listing.get("items") or []:
        if condition("ADDED", pod):
            return dict(pod)
    version = str((listing.get("metadata") or {}).get("resourceVersion") or "")
    while (remaining := deadline - time.monotonic()) > 0:
        query = [selector, ("resourceVersion", version), ("allowWatchBookmarks", "true")]
        if remaining != math.inf:
            query.append(("timeoutSeconds", str(max(1, math.ceil(remaining)))))
        for event in session.client.watch(pods, namespace, query):
            kind, pod = str(event.get("type")), event.get("object") or {}
            version = str((pod.get("metadata") or {}).get("resourceVersion") or version)
            if kind in ("ADDED", "MODIFIED", "DELETED") and condition(kind, pod):
                return dict(pod)
    raise CommandError(TIMED_OUT)


def _print_log(
    inv: Invocation,
    session: Session,
    pod: Obj,
    timeout: float,
    since: datetime.datetime | None = None,
) -> None:
    """logOpts: the container's log (from ``since``, to the second) to stdout."""
    from pykctl.cli.commands import logs, pods
    from pykctl.streams import stdio

    container = pods.find_or_default(pod, "", True, inv.stderr.write)
    metadata = pod.get("metadata") or {}
    options = logs.LogOptions(since_time=since)
    reader = logs.Reader(session, options, False, False, timeout, inv.stderr.write)
    request = logs.LogRequest(
        str(metadata.get("namespace")), str(metadata.get("name")), str(container["name"]), ""
    )
    reader.consume(request, stdio.byte_writer(inv.stdout))


def _attach(inv: Invocation, session: Session, pod: Obj, timeout: float) -> None:
    """handleAttachPod."""
    metadata = pod.get("metadata") or {}
    namespace, name = str(metadata.get("namespace")), str(metadata.get("name"))
    try:
        pod = wait_for_pod(session, namespace, name, timeout, running_and_ready)
    except PodCompleted as ended:
        _print_log(inv, session, ended.pod, timeout)
        return
    flags = inv.flags
    options = attachcmd.AttachStreams(bool(flags["stdin"]), bool(flags["tty"]), flags["quiet"])
    # What the container wrote before the attach would otherwise be lost.
    began = datetime.datetime.now(datetime.timezone.utc)
    _print_log(inv, session, pod, timeout)
    try:
        attachcmd.attach_to(inv, session, pod, "", options, f"{PROGRAM} attach")
    except (CommandError, ApiError, OSError) as err:
        inv.err(f"warning: couldn't attach to pod/{name}, falling back to streaming logs: {err}")
        _print_log(inv, session, pod, timeout, since=began)


def _exit_status(pod: Obj) -> int:
    """The end of RunOptions.Run: 0 for Succeeded, the container's exit code for Failed."""
    metadata = pod.get("metadata") or {}
    where = f"{metadata.get('namespace')}/{metadata.get('name')}"
    phase = _phase(pod)
    if phase == "Succeeded":
        return 0
    if phase != "Failed":
        raise CommandError(f"pod {where} left in phase {phase}")
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    terminated = ((statuses[0].get("state") or {}).get("terminated") or {}) if statuses else {}
    code = int(terminated.get("exitCode") or 0)
    if not terminated or code == 0:
        raise CommandError(f"pod {where} failed with unknown exit code")
    reason, text = terminated.get("reason", ""), terminated.get("message", "")
    raise RawError(f"pod {where} terminated ({reason})\n{text}", exit_code=code)


def run_attached(
    inv: Invocation,
    session: Session,
    created: list[tuple[Resource, Obj]],
    restart_policy: str,
) -> int:
    """Attach to the created pod (the first of ``created``) and see it through."""
    timeout = float(inv.flags["pod_running_timeout"])
    pod = created[0][1]
    try:
        _attach(inv, session, pod, timeout)
        if inv.flags["leave_stdin_open"] or restart_policy not in ("Never", "OnFailure"):
            return 0
        metadata = pod.get("metadata") or {}
        condition = succeeded if restart_policy == "OnFailure" else completed
        ended = wait_for_pod(
            session, str(metadata.get("namespace")), str(metadata.get("name")), timeout, condition
        )
        return _exit_status(ended)
    finally:
        if inv.flags["rm"]:
            _remove(inv, session, created)


def _remove(inv: Invocation, session: Session, created: list[tuple[Resource, Obj]]) -> None:
    """removeCreatedObjects: delete each (default grace period, not found ignored), reported
    as ``delete`` reports it unless ``-q``."""
    from pykctl.cli.commands.delete import delete_options, deletion_line
    from pykctl.cli.commands.objects import NONE
    from pykctl.resources.builder import Info

    for resource, obj in created:
        metadata = obj.get("metadata") or {}
        namespace, name = str(metadata.get("namespace") or session.namespace), metadata["name"]
        try:
            session.client.delete(resource, namespace, name, delete_options("Background", -1))
        except ApiError as err:
            if err.code != 404:
                raise
            continue
        if not inv.flags["quiet"]:
            inv.out(deletion_line(Info(resource, namespace, name), -1, NONE, ""))
