"""``pykctl set serviceaccount`` (``sa``): set ``serviceAccountName`` in pods and pod templates.

As kubectl's SetServiceAccountOptions: the last argument is the service account, the others
name the objects (ignored with ``--local``, which reads only files); the objects are read
first, then each pod spec gets the name. Unlike the other ``set`` commands the patch is sent
even when it is empty, so an unchanged object still prints ``serviceaccount updated``. The
patch follows :mod:`pykctl.cli.commands.set.common`.
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
    Patcher,
    check_local_dry_run,
    pod_spec,
    require,
    target_spec,
)
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags
from pykctl.resources.builder import Info

Obj = dict[str, Any]


def set_service_account(obj: Obj, name: str) -> Obj:
    """``obj`` (edited in place) with ``name`` as its pods' service account."""
    pod_spec(obj)["serviceAccountName"] = name
    return obj


def run(inv: Invocation) -> int:
    flags = inv.flags
    dry_run = dry_run_strategy(inv)
    printer = ObjectPrinter.from_flags(inv, dry_run).check()
    if not inv.args:
        raise CommandError("serviceaccount is required")
    *resources, name = inv.args
    local = flags["local"]
    patcher = Patcher(
        inv,
        printer,
        dry_run,
        local,
        "serviceaccount updated",
        "failed to patch ServiceAccountName ",
        skip_empty=False,
    )

    def check(_infos: list[Info]) -> None:
        require(check_local_dry_run(local, dry_run))

    return patcher.run(
        target_spec(inv, [] if local else resources, local),
        lambda obj: set_service_account(obj, name),
        check,
    )


HELP = Help(
    use="serviceaccount (-f FILENAME | TYPE NAME) SERVICE_ACCOUNT",
    short="Update the service account of a resource",
    long="""Update the service account of pod template resources.

 Possible resources (case insensitive) can be:

 replicationcontroller (rc), deployment (deploy), daemonset (ds), job, replicaset (rs), statefulset""",
    example="""# Set deployment nginx-deployment's service account to serviceaccount1
pykctl set serviceaccount deployment nginx-deployment serviceaccount1

# Print the result (in YAML format) of updated nginx deployment with the service account from local file, without hitting the API server
pykctl set sa -f nginx-deployment.yaml serviceaccount1 --local --dry-run=client -o yaml""",
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
    Flag(
        "local",
        BOOL,
        usage="If true, set serviceaccount will NOT contact api-server but run locally.",
    ),
    *print_flags(),
]

serviceaccount = KCommand("serviceaccount", run, HELP, FLAGS, aliases=("sa",))
