"""``pykctl set resources``: set the CPU/memory requests and limits of containers in pods and
pod templates.

As kubectl's SetResourcesOptions: the objects are read first (with ``--local`` only from
files: a resource argument is kubectl's "--filename when --local" error), then the checks
(``--local`` with ``--dry-run=server``, ``--all`` with ``-l``, no ``--limits``/``--requests``,
``name=quantity`` syntax and quantities); each container ``-c`` selects (wildcards, init
containers too) gets the given requests and limits merged into its own, quantities in their
canonical form. No container selected is ``error: unable to find container named X``,
reported after the other objects were updated. The patch follows
:mod:`pykctl.cli.commands.set.common`.
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
    Patcher,
    check_local_dry_run,
    pod_spec,
    require,
    select_containers,
    target_spec,
)
from pykctl.cli.errors import CommandError, RawError
from pykctl.cli.flags import BOOL, STRING, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags, selector_flag
from pykctl.resources.builder import Info

Obj = dict[str, Any]
_REQUIREMENT_USAGE = (
    "The resource requirement requests for this container.  For example, "
    "'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending "
    "on the server configuration, such as limit ranges."
)


def parse_resource_list(text: str) -> dict[str, str]:
    """``cpu=100m,memory=256Mi`` as canonical quantities (kubectl's populateResourceListV1)."""
    from backends.objects.quantity import Quantity, QuantityError

    found: dict[str, str] = {}
    for pair in text.split(","):
        parts = pair.split("=")
        if len(parts) != 2:
            raise CommandError(f"invalid argument syntax {pair}, expected <resource>=<value>")
        try:
            found[parts[0]] = str(Quantity.parse(parts[1]))
        except QuantityError as err:
            raise CommandError(str(err)) from None
    return found


def requirements(limits: str, requests: str) -> dict[str, dict[str, str]]:
    """The ``limits`` and ``requests`` given (empty ones left out)."""
    return {
        field: parse_resource_list(text)
        for field, text in (("limits", limits), ("requests", requests))
        if text
    }


def set_resources(
    obj: Obj, wanted: dict[str, dict[str, str]], selector: str, errors: list[BaseException]
) -> Obj | None:
    """``obj`` (edited in place) with the requirements merged into the selected containers;
    None when no container matched (the error is appended to ``errors``)."""
    containers = select_containers(pod_spec(obj), selector)
    if not containers:
        errors.append(RawError(f"error: unable to find container named {selector}"))
        return None
    for container in containers:
        resources = container.setdefault("resources", {})
        for field, values in wanted.items():
            resources[field] = {**(resources.get(field) or {}), **values}
    return obj


def run(inv: Invocation) -> int:
    flags = inv.flags
    dry_run = dry_run_strategy(inv)
    printer = ObjectPrinter.from_flags(inv, dry_run).check()
    local = flags["local"]
    patcher = Patcher(
        inv,
        printer,
        dry_run,
        local,
        "resource requirements updated",
        "failed to patch resources update to pod template ",
    )
    wanted: dict[str, dict[str, str]] = {}

    def check(_infos: list[Info]) -> None:
        require(
            [
                *check_local_dry_run(local, dry_run),
                *([ALL_WITH_SELECTOR] if flags["all"] and flags["selector"] else []),
                *(
                    [
                        "you must specify an update to requests or limits (in the form of "
                        "--requests/--limits)"
                    ]
                    if not flags["limits"] and not flags["requests"]
                    else []
                ),
            ]
        )
        wanted.update(requirements(flags["limits"], flags["requests"]))

    return patcher.run(
        target_spec(inv, list(inv.args), local),
        lambda obj: set_resources(obj, wanted, flags["containers"], patcher.errors),
        check,
    )


HELP = Help(
    use="resources (-f FILENAME | TYPE NAME)  ([--limits=LIMITS & --requests=REQUESTS]",
    short="Update resource requests/limits on objects with pod templates",
    long="""Specify compute resource requirements (CPU, memory) for any resource that defines a pod template.  If a pod is successfully scheduled, it is guaranteed the amount of resource requested, but may burst up to its specified limits.

 For each compute resource, if a limit is specified and a request is omitted, the request will default to the limit.

 Possible resources include (case insensitive): Use "pykctl api-resources" for a complete list of supported resources..""",
    example="""# Set a deployments nginx container cpu limits to "200m" and memory to "512Mi"
pykctl set resources deployment nginx -c=nginx --limits=cpu=200m,memory=512Mi

# Set the resource request and limits for all containers in nginx
pykctl set resources deployment nginx --limits=cpu=200m,memory=512Mi --requests=cpu=100m,memory=256Mi

# Remove the resource requests for resources on containers in nginx
pykctl set resources deployment nginx --limits=cpu=0,memory=0 --requests=cpu=0,memory=0

# Print the result (in yaml format) of updating nginx container limits from a local, without hitting the server
pykctl set resources -f path/to/file.yaml --limits=cpu=200m,memory=512Mi --local -o yaml""",
)

FLAGS = [
    Flag(
        "all",
        BOOL,
        usage="Select all resources, in the namespace of the specified resource types",
    ),
    Flag(
        "containers",
        STRING,
        default="*",
        shorthand="c",
        usage="The names of containers in the selected pod templates to change, all containers "
        "are selected by default - may use wildcards",
    ),
    dry_run_flag(),
    field_manager_flag("kubectl-set"),
    *filename_flags(
        "Filename, directory, or URL to files identifying the resource to get from a server."
    ),
    Flag("limits", STRING, usage=_REQUIREMENT_USAGE),
    Flag(
        "local",
        BOOL,
        usage="If true, set resources will NOT contact api-server but run locally.",
    ),
    Flag("requests", STRING, usage=_REQUIREMENT_USAGE),
    selector_flag(),
    *print_flags(),
]

resources = KCommand("resources", run, HELP, FLAGS)
