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

from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    ObjectPrinter,
    dry_run_strategy,
    field_manager_flag,
    print_flags,
)
from pykctl.cli.commands.set.common import (
    ALL_WITH_SELECTOR,
    RESOURCES_REQUIRED,
    Patcher,
    check_local_dry_run,
    pod_spec,
    require,
    target_spec,
)
from pykctl.cli.errors import CommandError, RawError
from pykctl.cli.flags import BOOL, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags, selector_flag
from pykctl.resources.builder import Info

Obj = dict[str, Any]


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


def set_images(obj: Obj, images: dict[str, str], errors: list[BaseException]) -> Obj:
    """``obj`` (edited in place) with the images set; unknown containers are appended to
    ``errors``. Raises ObjectError for an object without a pod spec."""
    from backends.objects.gofmt import quote

    spec = pod_spec(obj)
    for name, image in images.items():
        found = False
        for field in ("initContainers", "containers"):
            for container in spec.get(field) or []:
                if name in ("*", container.get("name")):
                    container["image"] = image
                    found = True
        if not found:
            errors.append(RawError(f"error: unable to find container named {quote(name)}"))
    return obj


def _checks(inv: Invocation, resources: list[str], images: dict[str, str], dry_run: str) -> None:
    flags = inv.flags
    require(
        [
            *([ALL_WITH_SELECTOR] if flags["all"] and flags["selector"] else []),
            *(
                [RESOURCES_REQUIRED]
                if not resources and not flags["filename"] and not flags["kustomize"]
                else []
            ),
            *(["at least one image update is required"] if not images else []),
            *(
                [
                    "all containers are already specified by *, but saw more than one "
                    "container_name=container_image pairs"
                ]
                if len(images) > 1 and "*" in images
                else []
            ),
            *check_local_dry_run(flags["local"], dry_run),
        ]
    )


def run(inv: Invocation) -> int:
    from pykctl.ops.metadata import MapKind, MetadataError, split_resources_and_pairs

    dry_run = dry_run_strategy(inv)
    printer = ObjectPrinter.from_flags(inv, dry_run).check()
    try:
        resources, pairs = split_resources_and_pairs(inv.args, MapKind("images", "image"))
    except MetadataError as err:
        raise CommandError(str(err)) from None
    images = parse_images(pairs)
    local = inv.flags["local"]
    patcher = Patcher(
        inv,
        printer,
        dry_run,
        local,
        "image updated",
        "failed to patch image update to pod template: ",
    )

    def check(_infos: list[Info]) -> None:
        _checks(inv, resources, images, dry_run)

    return patcher.run(
        target_spec(inv, resources, local),
        lambda obj: set_images(obj, images, patcher.errors),
        check,
    )


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
