"""``pykctl rollout history``: the revisions of deployments, daemon sets and stateful sets.

As kubectl's HistoryViewer: a Deployment's revisions are its ReplicaSets (the change cause is
their ``kubernetes.io/change-cause`` annotation, also written into the template kubectl prints),
a DaemonSet's and a StatefulSet's are their ControllerRevisions (the change cause is the
revision's annotation; the template is the owner with the revision's data patched in). Without
``-o`` each object prints ``kind.group/name `` and a table (``REVISION  CHANGE-CAUSE``, Go
tabwriter padding 2), or with ``--revision=N`` ``with revision #N`` and the pod template as
``describe`` prints it, tabs left unaligned as kubectl leaves them. With ``-o`` kubectl prints
typed objects: a Deployment's ReplicaSets, or the owner as each ControllerRevision makes it.
"""

from __future__ import annotations

from typing import Any

from backends.errors import ApiError
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import ObjectPrinter, as_typed, open_targets, print_flags
from pykctl.cli.commands.rollout import common
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import INT, Flag
from pykctl.cli.shared_flags import selector_flag
from pykctl.client import Client
from pykctl.describe.writer import Writer
from pykctl.resources.builder import Info

Obj = dict[str, Any]
NO_HISTORY = "No rollout history found."
NOT_FOUND = "unable to find the specified revision"


def template_text(template: Obj) -> str:
    """A pod template as kubectl's printTemplate writes it (DescribePodTemplate through a bare
    PrefixWriter: unaligned)."""
    from pykctl.describe.pod import describe_pod_template

    writer = Writer(aligned=False)
    describe_pod_template(writer, template)
    return writer.getvalue()


def _table(rows: list[tuple[int, str]]) -> str:
    from pykctl.printers.tabwriter import align

    body = "".join(f"{n}\t{cause}\n" for n, cause in rows)
    return align("REVISION\tCHANGE-CAUSE\n" + body, minwidth=0, padding=2, remember_widths=False)


def _with_change_cause(template: Obj, owner: Obj) -> Obj:
    """The template with the owner's change cause among its annotations."""
    cause = ((owner.get("metadata") or {}).get("annotations") or {}).get(common.CHANGE_CAUSE)
    if not cause:
        return template
    metadata = dict(template.get("metadata") or {})
    metadata["annotations"] = {**(metadata.get("annotations") or {}), common.CHANGE_CAUSE: cause}
    return {**template, "metadata": metadata}


def _cause(obj: Obj) -> str:
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(common.CHANGE_CAUSE) or "<none>")


class History:
    """The revisions of one object: number → (object ``-o`` prints, pod template, change cause)."""

    def __init__(self, client: Client, info: Info) -> None:
        self.client = client
        self.info = info
        self.entries: dict[int, tuple[Obj, Obj, str]] = {}
        resource = info.resource
        common.check_visitable(resource, "history")
        if common.is_deployment(resource):
            self._deployment()
        elif resource.kind in ("DaemonSet", "StatefulSet") and resource.group == "apps":
            self._controller_revisions()
        else:
            raise CommandError(
                f'no history viewer has been implemented for "{resource.group_kind}"'
            )

    def _deployment(self) -> None:
        info = self.info
        try:
            deployment = self.client.get(info.resource, info.namespace, info.name or "")
        except ApiError as err:
            raise CommandError(
                f"failed to retrieve deployment {info.name}: {err.message}"
            ) from None
        for revision in common.deployment_revisions(self.client, deployment):
            rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", **revision.replica_set}
            template = _with_change_cause(revision.template, rs)
            self.entries[revision.number] = (rs, template, _cause(template))

    def _controller_revisions(self) -> None:
        from backends.objects import schemas
        from backends.objects.patch import apply_strategic_merge_patch

        info = self.info
        kind = info.resource.kind
        try:
            owner = self.client.get(info.resource, info.namespace, info.name or "")
        except ApiError as err:
            raise CommandError(f"failed to retrieve {kind} {info.name}: {err.message}") from None
        schema = schemas.for_kind("apps", "v1", kind)
        for item in common.owned(self.client, common.CONTROLLER_REVISIONS, owner):
            applied = apply_strategic_merge_patch(owner, item.get("data") or {}, schema)
            template = dict((applied.get("spec") or {}).get("template") or {})
            self.entries[int(item.get("revision") or 0)] = (applied, template, _cause(item))

    def text(self, revision: int) -> str:
        """kubectl's ViewHistory."""
        if not self.entries:
            return NO_HISTORY
        if revision > 0:
            if revision not in self.entries:
                raise CommandError(NOT_FOUND)
            return template_text(self.entries[revision][1])
        return _table([(n, self.entries[n][2]) for n in sorted(self.entries)])

    def objects(self, revision: int) -> list[Obj]:
        """kubectl's GetHistory, as ``-o`` prints it."""
        if revision > 0:
            if revision not in self.entries:
                raise CommandError(NOT_FOUND)
            return [self.entries[revision][0]]
        return [self.entries[n][0] for n in sorted(self.entries)]


def run(inv: Invocation) -> int:
    common.require_resources(inv)
    revision = inv.flags["revision"]
    if revision < 0:
        raise CommandError(f"revision must be a positive integer: {revision}")
    printer = ObjectPrinter.from_flags(inv)
    objects_wanted = bool(inv.flags["output"])
    if objects_wanted:
        printer.check()
    errors: list[BaseException] = []
    with open_targets(inv, common.target_spec(inv)) as targets:
        for info in common.visit(targets, errors):
            try:
                history = History(targets.client, info)
                if objects_wanted:
                    for obj in history.objects(revision):
                        shown, typed = as_typed(obj)
                        printer.print(shown, "", inv.stdout, typed=typed)
                    continue
                text = history.text(revision)
            except (CommandError, ApiError) as err:
                errors.append(err)
                continue
            heading = f"with revision #{revision}" if revision > 0 else ""
            printer.print(info.obj or {}, f"{heading}\n{text}", inv.stdout)
    common.finish(errors)
    return 0


HELP = Help(
    use="history (TYPE NAME | TYPE/NAME) [flags]",
    short="View rollout history",
    long="View previous rollout revisions and configurations.",
    example="""# View the rollout history of a deployment
pykctl rollout history deployment/abc

# View the details of daemonset revision 3
pykctl rollout history daemonset/abc --revision=3""",
)

FLAGS = [
    *common.rollout_filename_flags(),
    Flag(
        "revision",
        INT,
        usage="See the details, including podTemplate of the revision specified",
    ),
    selector_flag(),
    *print_flags(),
]

history = KCommand("history", run, HELP, FLAGS)
