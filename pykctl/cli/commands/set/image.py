"""``pykctl set image``: change the images of containers in pods and pod templates.

As kubectl's SetImageOptions: ``CONTAINER=IMAGE`` pairs follow the resource arguments (``*``
names every container); the objects are all read first (any error stops the command); then
the checks (``at least one image update is required``, ``*`` with other pairs, ``--all`` with
``-l``, ``--local`` with ``--dry-run=server``); each object's pod spec (a Pod's, a workload's
template, a CronJob's job template) gets the images, init containers included; the two-way
strategic merge patch is sent (field manager ``kubectl-set``) unless it is empty (nothing
printed) or the change is local (``--local``, ``--dry-run=client``: the edited object is
printed). A container that no object has is ``error: unable to find container named "x"``,
reported after the others were updated.
"""

from __future__ import annotations

import copy
from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    CLIENT,
    SERVER,
    ObjectPrinter,
    as_typed,
    dry_run_query,
    dry_run_strategy,
    field_manager_flag,
    open_targets,
    print_flags,
)
from pykctl.cli.commands.rollout.common import finish, strategic_patch
from pykctl.cli.errors import CommandError, RawError
from pykctl.cli.flags import BOOL, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags, selector_flag
from pykctl.resources.builder import Info
from pykctl.resources.targets import TargetSpec, aggregate

Obj = dict[str, Any]
STRATEGIC = "application/strategic-merge-patch+json"
# Where each kind keeps its pod spec (kubectl's UpdatePodSpecForObject).
_TEMPLATE_SPEC = ("spec", "template", "spec")
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


def parse_images(pairs: list[str]) -> dict[str, str]:
    """``NAME=IMAGE`` pairs (kubectl's ParsePairs without removals)."""
    images: dict[str, str] = {}
    invalid: list[str] = []
    for pair in pairs:
        name, eq, image = pair.partition("=")
        if eq and name:
            images[name] = image
        else:
            invalid.append(pair)
    if invalid:
        raise CommandError(f"invalid image format: {', '.join(invalid)}")
    return images


def _pod_spec(obj: Obj) -> Obj | None:
    """The pod spec inside ``obj`` (created on the way, as kubectl's typed structs have it)."""
    group = str(obj.get("apiVersion") or "").rpartition("/")[0]
    path = _POD_SPEC_PATHS.get((group, str(obj.get("kind") or "")))
    if path is None:
        return None
    node = obj
    for key in path:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    return node


def _go_type(obj: Obj) -> str:
    """Go's ``%T`` of the object kubectl decoded: a built-in kind's struct, else unstructured."""
    group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
    if "." in group and not group.endswith(".k8s.io"):
        return "*unstructured.Unstructured"
    return f"*{version}.{obj.get('kind', '')}"


def set_images(obj: Obj, images: dict[str, str], errors: list[BaseException]) -> Obj:
    """A copy of ``obj`` with the images set; unknown containers are appended to ``errors``.
    Raises LookupError for an object without a pod spec."""
    edited = copy.deepcopy(obj)
    spec = _pod_spec(edited)
    if spec is None:
        raise LookupError(
            f"the object is not a pod or does not have a pod template: {_go_type(obj)}"
        )
    from backends.objects.gofmt import quote

    for name, image in images.items():
        found = False
        for field in ("initContainers", "containers"):
            for container in spec.get(field) or []:
                if name in ("*", container.get("name")):
                    container["image"] = image
                    found = True
        if not found:
            errors.append(RawError(f"error: unable to find container named {quote(name)}"))
    return edited


def _validate(inv: Invocation, resources: list[str], images: dict[str, str], dry_run: str) -> None:
    flags = inv.flags
    errors: list[BaseException] = []
    if flags["all"] and flags["selector"]:
        errors.append(CommandError("cannot set --all and --selector at the same time"))
    if not resources and not flags["filename"] and not flags["kustomize"]:
        errors.append(
            CommandError(
                "one or more resources must be specified as <resource> <name> or <resource>/<name>"
            )
        )
    if not images:
        errors.append(CommandError("at least one image update is required"))
    elif len(images) > 1 and "*" in images:
        errors.append(
            CommandError(
                "all containers are already specified by *, but saw more than one "
                "container_name=container_image pairs"
            )
        )
    if flags["local"] and dry_run == SERVER:
        errors.append(
            CommandError(
                "cannot specify --local and --dry-run=server - did you mean --dry-run=client?"
            )
        )
    if errors:
        raise aggregate(errors)


def run(inv: Invocation) -> int:
    from backends.errors import ApiError
    from pykctl.ops.metadata import MapKind, MetadataError, split_resources_and_pairs

    flags = inv.flags
    dry_run = dry_run_strategy(inv)
    printer = ObjectPrinter.from_flags(inv, dry_run).check()
    try:
        resources, pairs = split_resources_and_pairs(inv.args, MapKind("images", "image"))
    except MetadataError as err:
        raise CommandError(str(err)) from None
    images = parse_images(pairs)
    local = flags["local"]
    spec = TargetSpec(
        args=resources,
        filenames=flags["filename"],
        recursive=flags["recursive"],
        kustomize=flags["kustomize"],
        selector="" if local else flags["selector"],
        select_all=flags["all"],
        local=local,
        latest=not local,
    )
    errors: list[BaseException] = []
    with open_targets(inv, spec) as targets:
        targets.resolve()
        infos: list[Info] = []
        for visited in targets.visit():
            if isinstance(visited, BaseException):
                errors.append(visited)
            else:
                infos.append(visited)
        if errors:
            raise aggregate(errors)
        _validate(inv, resources, images, dry_run)
        edits: list[tuple[Info, Obj | LookupError]] = []
        for info in infos:
            try:
                edits.append((info, set_images(info.obj or {}, images, errors)))
            except LookupError as err:
                edits.append((info, err))
        for info, edited in edits:
            if isinstance(edited, LookupError):
                name = f"{info.resource.plural}/{info.name}"
                errors.append(RawError(f"error: {name} {edited.args[0]}\n"))
                continue
            patch = strategic_patch(info.obj or {}, edited)
            if not patch:
                continue
            if local or dry_run == CLIENT:
                shown, typed = as_typed(edited)
                printer.print(shown, "image updated", inv.stdout, typed=typed)
                continue
            try:
                answer = targets.client.patch(
                    info.resource,
                    info.namespace,
                    info.name or "",
                    patch,
                    STRATEGIC,
                    [*dry_run_query(dry_run), ("fieldManager", flags["field_manager"])],
                )
            except ApiError as err:
                errors.append(
                    CommandError(f"failed to patch image update to pod template: {err.message}")
                )
                continue
            shown, typed = as_typed(answer)
            printer.print(shown, "image updated", inv.stdout, typed=typed)
    finish(errors)
    return 0


HELP = Help(
    use="image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N",
    short="Update the image of a pod template",
    long="""Update existing container image(s) of resources.

 Possible resources include (case insensitive):

        pod (po), replicationcontroller (rc), deployment (deploy), daemonset (ds), statefulset (sts), cronjob (cj), replicaset (rs)""",
    example="""# Set a deployment's nginx container image to 'nginx:1.9.1', and its busybox container image to 'busybox'
pykctl set image deployment/nginx busybox=busybox nginx=nginx:1.9.1

# Update all deployments' and rc's nginx container's image to 'nginx:1.9.1'
pykctl set image deployments,rc nginx=nginx:1.9.1 --all

# Update image of all containers of daemonset abc to 'nginx:1.9.1'
pykctl set image daemonset abc *=nginx:1.9.1

# Print result (in yaml format) of updating nginx container image from local file, without hitting the server
pykctl set image -f path/to/file.yaml nginx=nginx:1.9.1 --local -o yaml""",
)

FLAGS = [
    Flag(
        "all",
        BOOL,
        usage="Select all resources, in the namespace of the specified resource types",
    ),
    dry_run_flag(),
    field_manager_flag("kubectl-set"),
    *filename_flags(
        "Filename, directory, or URL to files identifying the resource to get from a server."
    ),
    Flag("local", BOOL, usage="If true, set image will NOT contact api-server but run locally."),
    selector_flag(),
    *print_flags(),
]

image = KCommand("image", run, HELP, FLAGS)
