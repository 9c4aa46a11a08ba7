"""``pykctl rollout pause|resume|restart``: change one field of each object with a strategic
merge patch, as kubectl's ObjectPauser, ObjectResumer and ObjectRestarter do.

Each verb is a pure edit of the object (``pause``, ``resume``, ``restart``) that raises
``Refused`` with kubectl's words (``is already paused``, ``is not paused``, ``can't restart
paused deployment (run rollout resume first)``, ``pausing is not supported``); the runner
computes the two-way strategic merge patch, sends it (field manager ``kubectl-rollout``) and
prints ``deployment.apps/web paused``. Errors are collected: first those met finding the
objects, then one ``error: deployments.apps "web" is already paused`` per refused object.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    ObjectPrinter,
    as_typed,
    field_manager_flag,
    open_targets,
    print_flags,
)
from pykctl.cli.commands.rollout import common
from pykctl.cli.errors import CommandError, RawError
from pykctl.cli.shared_flags import selector_flag
from pykctl.resources.builder import Info
from pykctl.resources.discovery import Resource

Obj = dict[str, Any]
STRATEGIC = "application/strategic-merge-patch+json"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


class Refused(Exception):
    """The edit does not apply to this object; the text follows ``kind "name"``."""


def _is(resource: Resource, kind: str, *groups: str) -> bool:
    return resource.kind == kind and resource.group in groups


def pause(resource: Resource, obj: Obj) -> Obj:
    if not _is(resource, "Deployment", "apps", "extensions"):
        raise Refused("pausing is not supported")
    if (obj.get("spec") or {}).get("paused"):
        raise Refused("is already paused")
    return {**obj, "spec": {**(obj.get("spec") or {}), "paused": True}}


def resume(resource: Resource, obj: Obj) -> Obj:
    if not _is(resource, "Deployment", "apps", "extensions"):
        raise Refused("resuming is not supported")
    if not (obj.get("spec") or {}).get("paused"):
        raise Refused("is not paused")
    spec = {k: v for k, v in (obj.get("spec") or {}).items() if k != "paused"}
    return {**obj, "spec": spec}


def rfc3339_now() -> str:
    """Go's ``time.Now().Format(time.RFC3339)``: local time, ``Z`` for a zero offset."""
    text = datetime.datetime.now().astimezone().replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def restart(resource: Resource, obj: Obj) -> Obj:
    deployment = _is(resource, "Deployment", "apps", "extensions")
    if not (
        deployment
        or _is(resource, "DaemonSet", "apps", "extensions")
        or _is(resource, "StatefulSet", "apps")
    ):
        raise Refused("restarting is not supported")
    if deployment and (obj.get("spec") or {}).get("paused"):
        raise Refused("can't restart paused deployment (run rollout resume first)")
    edited = copy.deepcopy(obj)
    metadata = edited.setdefault("spec", {}).setdefault("template", {}).setdefault("metadata", {})
    metadata.setdefault("annotations", {})[RESTARTED_AT] = rfc3339_now()
    return edited


@dataclass(frozen=True)
class Verb:
    """One of the three commands: its edit, and the words it prints."""

    edit: Callable[[Resource, Obj], Obj]
    done: str  # "paused"
    unchanged: str  # printed for an empty patch ("already paused"), or "" for an error


PAUSE = Verb(pause, "paused", "already paused")
RESUME = Verb(resume, "resumed", "already resumed")
RESTART = Verb(restart, "restarted", "")


def _apply(
    inv: Invocation, verb: Verb, info: Info, client: Any, errors: list[BaseException]
) -> None:
    from backends.errors import ApiError
    from backends.objects.gofmt import quote

    try:
        edited = verb.edit(info.resource, info.obj or {})
    except Refused as err:
        ref = f"{info.resource.group_resource} {quote(info.name or '')}"
        errors.append(RawError(f"error: {ref} {err}"))
        return
    patch = common.strategic_patch(info.obj or {}, edited)
    if not patch:
        if verb.unchanged:
            _print(inv, info.obj or {}, verb.unchanged, errors)
            return
        errors.append(CommandError(f"failed to create patch for {info.name}: empty patch"))
    try:
        answer = client.patch(
            info.resource,
            info.namespace,
            info.name or "",
            patch,
            STRATEGIC,
            [("fieldManager", inv.flags["field_manager"])],
        )
    except ApiError as err:
        errors.append(CommandError(f"failed to patch: {err.message}"))
        return
    _print(inv, answer, verb.done, errors)


def _print(inv: Invocation, obj: Obj, operation: str, errors: list[BaseException]) -> None:
    """Print with a printer made for this object: kubectl reports a bad ``-o`` per object."""
    shown, typed = as_typed(obj)
    try:
        ObjectPrinter.from_flags(inv).print(shown, operation, inv.stdout, typed=typed)
    except CommandError as err:
        errors.append(err)


def run_verb(inv: Invocation, verb: Verb) -> int:
    """Find the objects, edit and patch each, print, then report every error."""
    common.require_resources(inv)
    errors: list[BaseException] = []
    with open_targets(inv, common.target_spec(inv)) as targets:
        infos = list(common.visit(targets, errors))
        found = [common.nested(errors)] if errors else []
        for info in infos:
            _apply(inv, verb, info, targets.client, found)
    common.finish(found)
    return 0


def _help(name: str, short: str, long: str, example: str) -> Help:
    return Help(use=f"{name} RESOURCE", short=short, long=long, example=example)


FLAGS = [
    field_manager_flag("kubectl-rollout"),
    *common.rollout_filename_flags(),
    selector_flag(),
    *print_flags(),
]

pause_command = KCommand(
    "pause",
    lambda inv: run_verb(inv, PAUSE),
    _help(
        "pause",
        "Mark the provided resource as paused",
        """Mark the provided resource as paused.

 Paused resources will not be reconciled by a controller. Use "pykctl rollout resume" to resume a paused resource. Currently only deployments support being paused.""",
        """# Mark the nginx deployment as paused
# Any current state of the deployment will continue its function; new updates
# to the deployment will not have an effect as long as the deployment is paused
pykctl rollout pause deployment/nginx""",
    ),
    FLAGS,
)

resume_command = KCommand(
    "resume",
    lambda inv: run_verb(inv, RESUME),
    _help(
        "resume",
        "Resume a paused resource",
        """Resume a paused resource.

 Paused resources will not be reconciled by a controller. By resuming a resource, we allow it to be reconciled again. Currently only deployments support being resumed.""",
        """# Resume an already paused deployment
pykctl rollout resume deployment/nginx""",
    ),
    FLAGS,
)

restart_command = KCommand(
    "restart",
    lambda inv: run_verb(inv, RESTART),
    _help(
        "restart",
        "Restart a resource",
        """Restart a resource.

        Resource rollout will be restarted.""",
        """# Restart all deployments in the test-namespace namespace
pykctl rollout restart deployment -n test-namespace

# Restart a deployment
pykctl rollout restart deployment/nginx

# Restart a daemon set
pykctl rollout restart daemonset/abc

# Restart deployments with the app=nginx label
pykctl rollout restart deployment --selector=app=nginx""",
    ),
    FLAGS,
)
