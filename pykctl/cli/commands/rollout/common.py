"""What the ``rollout`` subcommands share: their flags, how they find their objects, kubectl's
kind dispatch and error wording, and a Deployment's revisions (its ReplicaSets).

Objects are found as kubectl's builder does for rollout (``ResourceTypeOrNameArgs(true, ...)``:
a bare type selects every object of it; ``Latest``: objects from files are read again from the
server; ``ContinueOnError``: an object that cannot be read is reported at the end, after the
others were handled). Errors keep kubectl's words, including the ``error: `` some of them carry
inside an aggregate.

Invariants: nothing here prints; revisions come from the
``deployment.kubernetes.io/revision`` annotation of the ReplicaSets the Deployment controls.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pykctl.cli.command import Invocation
from pykctl.cli.errors import CommandError, RawError
from pykctl.cli.flags import Flag
from pykctl.cli.shared_flags import filename_flags
from pykctl.client import Client
from pykctl.resources.builder import Info
from pykctl.resources.discovery import Resource
from pykctl.resources.targets import (
    AggregateError,
    Targets,
    TargetSpec,
    aggregate,
    aggregate_line,
)

Obj = dict[str, Any]

FILENAME_USAGE = (
    "Filename, directory, or URL to files identifying the resource to get from a server."
)
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
HASH_LABEL = "pod-template-hash"
REPLICASETS = Resource("apps", "v1", "replicasets", "replicaset", "ReplicaSet", True)
CONTROLLER_REVISIONS = Resource(
    "apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", True
)

# The kinds kubectl's apps.GroupKindElement visitor knows (others: "no visitor method exists").
_VISITABLE = {
    ("apps", "DaemonSet"),
    ("extensions", "DaemonSet"),
    ("apps", "Deployment"),
    ("extensions", "Deployment"),
    ("batch", "Job"),
    ("", "Pod"),
    ("core", "Pod"),
    ("apps", "ReplicaSet"),
    ("extensions", "ReplicaSet"),
    ("", "ReplicationController"),
    ("core", "ReplicationController"),
    ("apps", "StatefulSet"),
    ("batch", "CronJob"),
}


def rollout_filename_flags() -> list[Flag]:
    """``-f``, ``-k`` and ``-R`` with the rollout commands' wording."""
    return filename_flags(FILENAME_USAGE)


def require_resources(inv: Invocation) -> None:
    """kubectl's Validate of every rollout subcommand."""
    if not inv.args and not inv.flags["filename"] and not inv.flags["kustomize"]:
        raise CommandError("required resource not specified")


def target_spec(inv: Invocation) -> TargetSpec:
    """The objects named on the command line; a bare type means all of that type."""
    return TargetSpec(
        args=list(inv.args),
        filenames=inv.flags["filename"],
        recursive=inv.flags["recursive"],
        kustomize=inv.flags["kustomize"],
        selector=inv.flags.get("selector", ""),
        select_all=True,
        latest=True,
    )


def visit(targets: Targets, errors: list[BaseException]) -> Iterator[Info]:
    """Each object found; the errors met on the way are appended to ``errors``."""
    targets.resolve()
    for visited in targets.visit():
        if isinstance(visited, BaseException):
            errors.append(visited)
        else:
            yield visited


def finish(errors: list[BaseException]) -> None:
    """Raise kubectl's aggregate of ``errors``: one error alone is printed as itself; several
    one per line, as kubectl's MultipleErrors (texts already starting ``error: `` keep it)."""
    if not errors:
        return
    if len(errors) == 1:
        raise errors[0]
    raise RawError("\n".join(_line(err) for err in errors))


def nested(errors: list[BaseException]) -> BaseException:
    """``errors`` as one entry of a later aggregate (kubectl's Infos() error)."""
    return aggregate(errors)


def _line(err: BaseException) -> str:
    if isinstance(err, RawError) and not isinstance(err, AggregateError):
        return str(err)
    return aggregate_line(err)


def check_visitable(resource: Resource, action: str) -> None:
    """kubectl's ``error retrieving <action> for "Kind", no visitor method exists for {g K}``."""
    if (resource.group, resource.kind) not in _VISITABLE:
        raise CommandError(
            f'error retrieving {action} for "{resource.group_kind}", no visitor method exists '
            f"for {{{resource.group} {resource.kind}}}"
        )


def is_deployment(resource: Resource) -> bool:
    return resource.kind == "Deployment" and resource.group in ("apps", "extensions")


def revision_of(obj: Obj) -> int | None:
    """The revision annotation as a number, or None (kubectl skips such objects)."""
    text = ((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION_ANNOTATION)
    try:
        return int(str(text))
    except ValueError:
        return None


def controlled_by(obj: Obj, owner: Obj) -> bool:
    """Is ``owner`` the controller of ``obj`` (metav1.IsControlledBy)?"""
    uid = (owner.get("metadata") or {}).get("uid")
    return any(
        ref.get("controller") and ref.get("uid") == uid
        for ref in (obj.get("metadata") or {}).get("ownerReferences") or []
    )


def owned(client: Client, resource: Resource, owner: Obj) -> list[Obj]:
    """The objects of ``resource`` that ``owner``'s selector selects and that it controls."""
    from backends.objects.selectors import format_label_selector

    metadata = owner.get("metadata") or {}
    selector = format_label_selector((owner.get("spec") or {}).get("selector"))
    listing = client.list_objects(
        resource, metadata.get("namespace"), [("labelSelector", selector)] if selector else []
    )
    return [item for item in listing.get("items") or [] if controlled_by(item, owner)]


@dataclass
class Revision:
    """One revision of a Deployment: the ReplicaSet that holds its pod template."""

    number: int
    replica_set: Obj

    @property
    def template(self) -> Obj:
        return dict((self.replica_set.get("spec") or {}).get("template") or {})


def deployment_revisions(client: Client, deployment: Obj) -> list[Revision]:
    """The revisions of ``deployment``, oldest first (one per revision number)."""
    found: dict[int, Revision] = {}
    for replica_set in owned(client, REPLICASETS, deployment):
        number = revision_of(replica_set)
        if number is not None:
            found[number] = Revision(number, replica_set)
    return [found[n] for n in sorted(found)]


def get_deployment(client: Client, resource: Resource, namespace: str | None, name: str) -> Obj:
    """The Deployment as kubectl's typed client reads it again (``failed to retrieve ...``)."""
    from backends.errors import ApiError

    try:
        return client.get(resource, namespace, name)
    except ApiError as err:
        raise CommandError(f"failed to retrieve Deployment {name}: {err.message}") from None


def without_hash(template: Obj) -> Obj:
    """A pod template without the ``pod-template-hash`` label."""
    metadata = dict(template.get("metadata") or {})
    labels = {k: v for k, v in (metadata.get("labels") or {}).items() if k != HASH_LABEL}
    if labels:
        metadata["labels"] = labels
    else:
        metadata.pop("labels", None)
    return {**template, "metadata": metadata}


def semantic(value: Any) -> Any:
    """``value`` with empty maps and lists (and nulls) left out, as apimachinery's semantic
    equality treats nil and empty alike."""
    if isinstance(value, dict):
        kept = {k: semantic(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [semantic(v) for v in value]
    return value


def templates_equal(a: Obj, b: Obj) -> bool:
    """kubectl's equalIgnoreHash."""
    return bool(semantic(without_hash(a)) == semantic(without_hash(b)))


def strategic_patch(before: Obj, after: Obj) -> Obj:
    """The two-way strategic merge patch from ``before`` to ``after`` (kubectl's
    CreateTwoWayMergePatch on the kind's struct; a JSON merge patch for unknown kinds)."""
    from backends.objects import schemas
    from backends.objects.diff import two_way_merge_patch, two_way_strategic_merge_patch

    group, _, version = str(before.get("apiVersion") or "").rpartition("/")
    schema = schemas.for_kind(group, version, str(before.get("kind") or ""))
    if schema is None:
        return two_way_merge_patch(before, after)
    return two_way_strategic_merge_patch(before, after, schema)
