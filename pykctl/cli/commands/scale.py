"""``pykctl scale``: set the replica count of deployments, replica sets, replication
controllers and stateful sets, through their ``scale`` subresource.

As kubectl's scaler: without preconditions one JSON merge patch ``{"spec":{"replicas":N}}``
goes to ``.../scale``; with ``--current-replicas`` or ``--resource-version`` the Scale is read,
checked (``Expected replicas to be 2, was 1``) and written back; a conflict is retried every
second for up to five minutes; ``--timeout`` then polls the Scale every second until its status
reaches the new size (``timed out waiting for "web" to be synced``). Every object is fetched
first; the printed object is that copy with ``spec.replicas`` set to the new size.
"""

from __future__ import annotations

import time
from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    CLIENT,
    ObjectPrinter,
    dry_run_query,
    dry_run_strategy,
    open_targets,
    print_flags,
)
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, DURATION, INT, STRING, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags, selector_flag
from pykctl.client import Client
from pykctl.resources.builder import Info
from pykctl.resources.targets import TargetSpec, aggregate

CONFLICT_RETRY_SECONDS = 300.0
POLL_SECONDS = 1.0
MERGE_PATCH = "application/merge-patch+json"


def _check_precondition(scale: dict[str, Any], current: int, resource_version: str) -> None:
    replicas = int((scale.get("spec") or {}).get("replicas") or 0)
    if current != -1 and replicas != current:
        raise CommandError(f"Expected replicas to be {current}, was {replicas}")
    actual = str((scale.get("metadata") or {}).get("resourceVersion") or "")
    if resource_version and actual != resource_version:
        raise CommandError(f"Expected resource version to be {resource_version}, was {actual}")


def _scale_once(
    inv: Invocation, client: Client, info: Info, replicas: int, dry_run: str
) -> dict[str, Any]:
    """One attempt (kubectl's ScaleSimple); returns the Scale the server answered."""
    query = dry_run_query(dry_run)
    current, resource_version = inv.flags["current_replicas"], inv.flags["resource_version"]
    if current != -1 or resource_version:
        scale = client.get(info.resource, info.namespace, info.name or "", "scale")
        _check_precondition(scale, current, resource_version)
        scale.setdefault("spec", {})["replicas"] = replicas
        return client.replace(
            info.resource, info.namespace, info.name or "", scale, query, subresource="scale"
        )
    return client.patch(
        info.resource,
        info.namespace,
        info.name or "",
        {"spec": {"replicas": replicas}},
        MERGE_PATCH,
        query,
        subresource="scale",
    )


def _scale(inv: Invocation, client: Client, info: Info, replicas: int, dry_run: str) -> int:
    """Scale with kubectl's conflict retries and optional wait; returns the new size."""
    from backends.errors import ApiError

    deadline = time.monotonic() + CONFLICT_RETRY_SECONDS
    while True:
        try:
            answer = _scale_once(inv, client, info, replicas, dry_run)
            break
        except ApiError as err:
            if err.code != 409 or time.monotonic() >= deadline:
                raise
            time.sleep(POLL_SECONDS)
    timeout = inv.flags["timeout"]
    if timeout and dry_run == "none":
        _wait_for_replicas(client, info, replicas, timeout)
    return int((answer.get("spec") or {}).get("replicas") or 0)


def _wait_for_replicas(client: Client, info: Info, replicas: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        scale = client.get(info.resource, info.namespace, info.name or "", "scale")
        spec = int((scale.get("spec") or {}).get("replicas") or 0)
        status = int((scale.get("status") or {}).get("replicas") or 0)
        if spec != replicas or spec == status == replicas:
            return
        time.sleep(max(0.0, min(POLL_SECONDS, deadline - time.monotonic())))
        if time.monotonic() >= deadline:
            raise CommandError(f'timed out waiting for "{info.name}" to be synced')


def _with_replicas(info: Info, replicas: int) -> dict[str, Any]:
    """The object to print: spec.replicas set for the built-in scalable kinds."""
    obj = dict(info.obj or {})
    if info.resource.group in ("", "apps"):
        obj["spec"] = {**(obj.get("spec") or {}), "replicas": replicas}
    return obj


def run(inv: Invocation) -> int:
    flags = inv.flags
    if "replicas" not in inv.changed:
        raise CommandError('required flag(s) "replicas" not set')
    dry_run = dry_run_strategy(inv)
    printer = ObjectPrinter.from_flags(inv, dry_run).check()
    if flags["replicas"] < 0:
        raise CommandError(
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
        )
    if flags["current_replicas"] < -1:
        raise CommandError("The --current-replicas must specify an integer of -1 or greater")
    spec = TargetSpec(
        args=list(inv.args),
        filenames=flags["filename"],
        recursive=flags["recursive"],
        kustomize=flags["kustomize"],
        selector=flags["selector"],
        select_all=flags["all"],
    )
    with open_targets(inv, spec) as targets:
        targets.resolve()
        infos: list[Info] = []
        errors: list[BaseException] = []
        for visited in targets.visit():
            if isinstance(visited, BaseException):
                errors.append(visited)
            else:
                infos.append(visited)
        if flags["resource_version"] and len(infos) > 1:
            raise CommandError("cannot use --resource-version with multiple resources")
        if not infos:
            if errors:
                raise aggregate(errors)
            raise CommandError("no objects passed to scale")
        for info in infos:
            replicas = flags["replicas"]
            if dry_run != CLIENT:
                replicas = _scale(inv, targets.client, info, replicas, dry_run)
            printer.print(_with_replicas(info, replicas), "scaled", inv.stdout)
    if errors:
        raise aggregate(errors)
    return 0


HELP = Help(
    use="scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)",
    short="Set a new size for a deployment, replica set, or replication controller",
    long="""Set a new size for a deployment, replica set, replication controller, or stateful set.

 Scale also allows users to specify one or more preconditions for the scale action.

 If --current-replicas or --resource-version is specified, it is validated before the scale is attempted, and it is guaranteed that the precondition holds true when the scale is sent to the server.""",
    example="""# Scale a replica set named 'foo' to 3
pykctl scale --replicas=3 rs/foo

# Scale a resource identified by type and name specified in "foo.yaml" to 3
pykctl scale --replicas=3 -f foo.yaml

# If the deployment named mysql's current size is 2, scale mysql to 3
pykctl scale --current-replicas=2 --replicas=3 deployment/mysql

# Scale multiple replication controllers
pykctl scale --replicas=5 rc/example1 rc/example2 rc/example3

# Scale stateful set named 'web' to 3
pykctl scale --replicas=3 statefulset/web""",
)

FLAGS = [
    Flag(
        "all", BOOL, usage="Select all resources in the namespace of the specified resource types"
    ),
    Flag(
        "current-replicas",
        INT,
        default=-1,
        usage="Precondition for current size. Requires that the current size of the resource "
        "match this value in order to scale. -1 (default) for no condition.",
    ),
    dry_run_flag(),
    *filename_flags(
        "Filename, directory, or URL to files identifying the resource to set a new size"
    ),
    Flag("replicas", INT, usage="The new desired number of replicas. Required."),
    Flag(
        "resource-version",
        STRING,
        usage="Precondition for resource version. Requires that the current resource version "
        "match this value in order to scale.",
    ),
    selector_flag(),
    Flag(
        "timeout",
        DURATION,
        usage="The length of time to wait before giving up on a scale operation, zero means "
        "don't wait. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h).",
    ),
    *print_flags(),
]

scale = KCommand("scale", run, HELP, FLAGS)
