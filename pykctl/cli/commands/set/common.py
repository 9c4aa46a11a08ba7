"""What the ``set`` subcommands share: where each kind keeps its pod spec, kubectl's container
wildcards, reading the objects, and the patch loop that sends or prints each change.

The loop is kubectl's ``CalculatePatches`` followed by each command's Run: every object is
edited on a copy (an edit returns None when it changed nothing kubectl would patch, or raises
:class:`ObjectError`, reported as ``error: <resource>/<name> <message>``); the two-way strategic
merge patch is sent with the command's field manager unless the change is local (``--local``,
``--dry-run=client``: the edited object is printed as kubectl's typed struct). Errors of one
object never stop the others; they are raised together at the end.

Invariants: objects read from the server are never mutated; nothing is sent with ``--local``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pykctl.cli.command import Invocation
from pykctl.cli.commands.objects import (
    CLIENT,
    SERVER,
    ObjectPrinter,
    as_typed,
    dry_run_query,
    open_targets,
)
from pykctl.cli.commands.rollout.common import finish, strategic_patch
from pykctl.cli.errors import CommandError, RawError
from pykctl.resources.builder import Info
from pykctl.resources.targets import Targets, TargetSpec, aggregate

Obj = dict[str, Any]
Edit = Callable[[Obj], "Obj | None"]
STRATEGIC = "application/strategic-merge-patch+json"
LOCAL_WITH_SERVER = "cannot specify --local and --dry-run=server - did you mean --dry-run=client?"
ALL_WITH_SELECTOR = "cannot set --all and --selector at the same time"
RESOURCES_REQUIRED = (
    "one or more resources must be specified as <resource> <name> or <resource>/<name>"
)
_TEMPLATE_SPEC = ("spec", "template", "spec")
# Where each kind keeps its pod spec (kubectl's UpdatePodSpecForObject).
_POD_SPEC_PATHS: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "Pod"): ("spec",),
    ("", "ReplicationController"): _TEMPLATE_SPEC,
    ("apps", "Deployment"): _TEMPLATE_SPEC,
    ("extensions", "Deployment"): _TEMPLATE_SPEC,
    ("apps", "DaemonSet"): _TEMPLATE_SPEC,
    ("extensions", "DaemonSet"): _TEMPLATE_SPEC,
    ("apps", "ReplicaSet"): _TEMPLATE_SPEC,
    ("extensions", "ReplicaSet"): _TEMPLATE_SPEC,
    ("apps", "StatefulSet"): _TEMPLATE_SPEC,
    ("batch", "Job"): _TEMPLATE_SPEC,
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template", "spec"),
}


class ObjectError(Exception):
    """An edit cannot be made to one object (kubectl's per-patch error)."""


def group_of(obj: Obj) -> str:
    return str(obj.get("apiVersion") or "").rpartition("/")[0]


def go_type(obj: Obj) -> str:
    """Go's ``%T`` of the object kubectl decoded: a built-in kind's struct, else unstructured."""
    group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
    if "." in group and not group.endswith(".k8s.io"):
        return "*unstructured.Unstructured"
    return f"*{version}.{obj.get('kind', '')}"


def pod_spec(obj: Obj) -> Obj:
    """The pod spec inside ``obj`` (created on the way, as kubectl's typed structs have it);
    ObjectError when its kind has none."""
    path = _POD_SPEC_PATHS.get((group_of(obj), str(obj.get("kind") or "")))
    if path is None:
        raise ObjectError(
            f"the object is not a pod or does not have a pod template: {go_type(obj)}"
        )
    node = obj
    for key in path:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    return node


def select_string(name: str, spec: str) -> bool:
    """kubectl's selectString: ``spec`` with non-greedy ``*`` wildcards (quirks included)."""
    if spec == "*":
        return True
    if "*" not in spec:
        return name == spec
    pos = 0
    parts = spec.split("*")
    for i, part in enumerate(parts):
        if not part:
            continue
        found = name[pos:].find(part)
        if (
            found < pos
            or (i == 0 and pos != 0)
            or (i == len(parts) - 1 and len(name) != len(part) + found)
        ):
            return False
        pos = found
    return True


def select_containers(spec: Obj, selector: str) -> list[Obj]:
    """The containers whose names match ``selector``, then the matching init containers."""
    return [
        container
        for field in ("containers", "initContainers")
        for container in spec.get(field) or []
        if select_string(str(container.get("name") or ""), selector)
    ]


def require(errors: Iterable[str]) -> None:
    """Raise kubectl's aggregate of the failed checks, if any."""
    found: list[BaseException] = [CommandError(message) for message in errors]
    if found:
        raise aggregate(found)


def target_spec(inv: Invocation, args: list[str], local: bool) -> TargetSpec:
    """The builder of the ``set`` commands: ``--local`` reads only files; otherwise objects
    from files are read again from the server."""
    flags = inv.flags
    return TargetSpec(
        args=args,
        filenames=flags["filename"],
        recursive=flags["recursive"],
        kustomize=flags.get("kustomize", ""),
        selector="" if local else flags.get("selector", ""),
        select_all=flags["all"],
        local=local,
        latest=not local,
    )


def read_infos(targets: Targets) -> list[Info]:
    """Every object ``targets`` names; any error stops the command (kubectl's ``Infos()``)."""
    targets.resolve()
    infos: list[Info] = []
    errors: list[BaseException] = []
    for visited in targets.visit():
        if isinstance(visited, BaseException):
            errors.append(visited)
        else:
            infos.append(visited)
    if errors:
        raise aggregate(errors)
    return infos


@dataclass
class Patcher:
    """One ``set`` command's way of sending its changes (see the module docstring)."""

    inv: Invocation
    printer: ObjectPrinter
    dry_run: str
    local: bool
    operation: str  # "image updated"
    failure: str | None  # "failed to patch image update to pod template: "; None: as is
    skip_empty: bool = True  # kubectl's serviceaccount sends empty patches too
    errors: list[BaseException] = field(default_factory=list)  # reported at the end

    def edits(self, infos: list[Info], edit: Edit) -> list[tuple[Info, Obj | ObjectError]]:
        """Each object's edited copy or error; objects the edit did not change are left out."""
        found: list[tuple[Info, Obj | ObjectError]] = []
        for info in infos:
            try:
                edited = edit(copy.deepcopy(info.obj or {}))
            except ObjectError as err:
                found.append((info, err))
                continue
            if edited is not None:
                found.append((info, edited))
        return found

    def send(self, targets: Targets, edits: list[tuple[Info, Obj | ObjectError]]) -> None:
        """Patch (or print) every edit; failures join ``errors``."""
        for info, edited in edits:
            if isinstance(edited, ObjectError):
                name = f"{info.resource.plural or info.resource.kind.lower()}/{info.name}"
                self.errors.append(RawError(f"error: {name} {edited.args[0]}\n"))
                continue
            error = self.send_one(targets, info, edited)
            if error is not None:
                self.errors.append(error)

    def send_one(self, targets: Targets, info: Info, edited: Obj) -> BaseException | None:
        """Patch (or print) one edited object; the error it met, if any."""
        from backends.errors import ApiError

        patch = strategic_patch(info.obj or {}, edited)
        if not patch and self.skip_empty:
            return None
        if self.local or self.dry_run == CLIENT:
            self.show(edited)
            return None
        try:
            answer = targets.client.patch(
                info.resource,
                info.namespace,
                info.name or "",
                patch,
                STRATEGIC,
                [*dry_run_query(self.dry_run), ("fieldManager", self.inv.flags["field_manager"])],
            )
        except ApiError as err:
            return err if self.failure is None else CommandError(f"{self.failure}{err.message}")
        self.show(answer)
        return None

    def show(self, obj: Obj) -> None:
        shown, typed = as_typed(obj)
        self.printer.print(shown, self.operation, self.inv.stdout, typed=typed)

    def run(self, spec: TargetSpec, edit: Edit, check: Callable[[list[Info]], None]) -> int:
        """Read the objects, run ``check`` on them, then edit and send each."""
        with open_targets(self.inv, spec) as targets:
            infos = read_infos(targets)
            check(infos)
            self.send(targets, self.edits(infos, edit))
        finish(self.errors)
        return 0


def check_local_dry_run(local: bool, dry_run: str) -> list[str]:
    """kubectl's check that ``--local`` does not go with ``--dry-run=server``."""
    return [LOCAL_WITH_SERVER] if local and dry_run == SERVER else []
