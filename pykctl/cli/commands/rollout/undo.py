"""``pykctl rollout undo``: put back the pod template of an earlier revision.

As kubectl's DeploymentRollbacker: the Deployment is read again; a warning goes to stderr when
``kubectl apply`` manages it; the revision's ReplicaSet is found (``--to-revision``, or the one
before the latest); ``--dry-run=client`` prints its template; a paused Deployment is refused;
an identical template is ``skipped rollback (current template already matches revision N)``;
otherwise one JSON patch replaces ``spec.template`` (without ``pod-template-hash``) and the
annotations (the Deployment's own bookkeeping kept, the ReplicaSet's others copied). The object
printed is the one read before the rollback, with the result as the operation.

DaemonSets and StatefulSets are found but not rolled back by pykctl (see ``Rollbacker``).
"""

from __future__ import annotations

from typing import Any

from backends.errors import ApiError
from pykctl.cli.command import PROGRAM, Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    CLIENT,
    ObjectPrinter,
    dry_run_query,
    dry_run_strategy,
    open_targets,
    print_flags,
)
from pykctl.cli.commands.rollout import common
from pykctl.cli.commands.rollout.history import template_text
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import INT, Flag
from pykctl.cli.shared_flags import dry_run_flag, selector_flag
from pykctl.client import Client
from pykctl.resources.builder import Info

Obj = dict[str, Any]
JSON_PATCH = "application/json-patch+json"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
# The Deployment's own annotations, kept rather than copied from the ReplicaSet.
KEPT_ANNOTATIONS = (
    LAST_APPLIED,
    common.REVISION_ANNOTATION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
)


def _not_found(revision: int) -> CommandError:
    return CommandError(f"unable to find specified revision {revision} in history")


def revision_to_restore(client: Client, deployment: Obj, to_revision: int) -> Obj:
    """The ReplicaSet of ``to_revision``, or of the revision before the latest (kubectl's
    deploymentRevision)."""
    revisions = common.deployment_revisions(client, deployment)
    if to_revision > 0:
        for revision in revisions:
            if revision.number == to_revision:
                return revision.replica_set
        raise _not_found(to_revision)
    if len(revisions) < 2:
        name = (deployment.get("metadata") or {}).get("name", "")
        raise CommandError(f'no rollout history found for deployment "{name}"')
    return revisions[-2].replica_set


def rollback_patch(deployment: Obj, replica_set: Obj) -> list[Obj]:
    """The JSON patch restoring ``replica_set``'s template and annotations."""
    template = common.without_hash(dict((replica_set.get("spec") or {}).get("template") or {}))
    current = (deployment.get("metadata") or {}).get("annotations") or {}
    annotations = {k: current[k] for k in KEPT_ANNOTATIONS if k in current}
    for key, value in ((replica_set.get("metadata") or {}).get("annotations") or {}).items():
        if key not in KEPT_ANNOTATIONS:
            annotations[key] = value
    return [
        {"op": "replace", "path": "/spec/template", "value": template},
        {
            "op": "replace",
            "path": "/metadata/annotations",
            "value": dict(sorted(annotations.items())),
        },
    ]


def rollback_deployment(inv: Invocation, client: Client, info: Info, dry_run: str) -> str:
    """Roll one Deployment back; the operation word to print."""
    name = info.name or ""
    deployment = common.get_deployment(client, info.resource, info.namespace, name)
    if LAST_APPLIED in ((deployment.get("metadata") or {}).get("annotations") or {}):
        inv.err(
            f"Warning: resource {info.resource.plural}/{name} was previously managed with "
            f"'{PROGRAM} apply'. Rolling back will not update the {LAST_APPLIED} annotation, "
            f"which may cause unexpected behavior on future '{PROGRAM} apply' operations. "
            f"Consider using '{PROGRAM} apply' with your previous configuration file instead."
        )
    to_revision = inv.flags["to_revision"]
    replica_set = revision_to_restore(client, deployment, to_revision)
    template = dict((replica_set.get("spec") or {}).get("template") or {})
    if dry_run == CLIENT:
        return template_text(template)
    if (deployment.get("spec") or {}).get("paused"):
        raise CommandError(
            "you cannot rollback a paused deployment; resume it first with "
            f"'{PROGRAM} rollout resume' and try again"
        )
    if common.templates_equal(template, dict((deployment.get("spec") or {}).get("template") or {})):
        return f"skipped rollback (current template already matches revision {to_revision})"
    try:
        client.patch(
            info.resource,
            info.namespace,
            name,
            rollback_patch(deployment, replica_set),
            JSON_PATCH,
            dry_run_query(dry_run),
        )
    except ApiError as err:
        raise CommandError(f"failed restoring revision {to_revision}: {err.message}") from None
    return "rolled back"


def _rollback(inv: Invocation, client: Client, info: Info, dry_run: str) -> str:
    """kubectl's RollbackerFor, then the rollback."""
    resource = info.resource
    if inv.flags["to_revision"] < 0:
        raise _not_found(inv.flags["to_revision"])
    common.check_visitable(resource, "rollbacker")
    if common.is_deployment(resource):
        return rollback_deployment(inv, client, info, dry_run)
    if resource.group == "apps" and resource.kind in ("DaemonSet", "StatefulSet"):
        raise CommandError(f"pykctl does not roll back {resource.plural} yet")
    raise CommandError(f'no rollbacker has been implemented for "{resource.group_kind}"')


def run(inv: Invocation) -> int:
    dry_run = dry_run_strategy(inv)
    common.require_resources(inv)
    printer = ObjectPrinter.from_flags(inv, dry_run)
    errors: list[BaseException] = []
    with open_targets(inv, common.target_spec(inv)) as targets:
        for info in common.visit(targets, errors):
            try:
                result = _rollback(inv, targets.client, info, dry_run)
                printer.print(info.obj or {}, result, inv.stdout)  # a bad -o fails only here
            except (CommandError, ApiError) as err:
                errors.append(err)
    common.finish(errors)
    return 0


HELP = Help(
    use="undo (TYPE NAME | TYPE/NAME) [flags]",
    short="Undo a previous rollout",
    long="Roll back to a previous rollout.",
    example="""# Roll back to the previous deployment
pykctl rollout undo deployment/abc

# Roll back to daemonset revision 3
pykctl rollout undo daemonset/abc --to-revision=3

# Roll back to the previous deployment with dry-run
pykctl rollout undo --dry-run=server deployment/abc""",
)

FLAGS = [
    dry_run_flag(),
    *common.rollout_filename_flags(),
    selector_flag(),
    Flag(
        "to-revision",
        INT,
        usage="The revision to rollback to. Default to 0 (last revision).",
    ),
    *print_flags(),
]

undo = KCommand("undo", run, HELP, FLAGS)
