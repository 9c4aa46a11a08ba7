"""The run of every ``create <generator>`` command, whatever object it builds.

kubectl's generators share one shape: exactly one NAME (before ``--``), the kubeconfig's
namespace (put in the object only when ``-n`` was given), ``--dry-run``, the printer,
``--validate``; then the generator's own checks and object, the last-applied annotation with
``--save-config``, a create request unless ``--dry-run=client``, and ``kind/name created``.
Objects print as kubectl's Go structs (``ops.typed``). A server error is wrapped as the
generator wraps it (``failed to create configmap: ...``) or, for a few, printed as is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from backends.errors import ApiError
from pykctl.cli.command import Invocation
from pykctl.cli.commands.create import common
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import Flag
from pykctl.cli.shared_flags import dry_run_flag, validate_flag
from pykctl.ops.generators import GeneratorError
from pykctl.resources.discovery import Resource

Obj = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """Where a generator's object is created, and how its server errors read."""

    resource: Resource
    error_prefix: str | None  # "failed to create configmap: "; None: the server's error as is


def target(
    group: str, version: str, plural: str, kind: str, namespaced: bool, error_prefix: str | None
) -> Target:
    singular = kind.lower()
    return Target(Resource(group, version, plural, singular, kind, namespaced), error_prefix)


def flags(*own: Flag, save_config: bool = True) -> list[Flag]:
    """A generator's flags: its own plus the printer, dry-run, validate and field-manager ones."""
    shared = [
        *common.printer_flags(),
        dry_run_flag(),
        validate_flag(),
        common.field_manager_flag("kubectl-create"),
    ]
    if save_config:
        shared.append(common.save_config_flag())
    return [*shared, *own]


@dataclass
class Request:
    """What a generator's builder gets: the invocation, the NAME, the namespace to put in the
    object (empty unless ``-n`` was given) and the cluster (for lookups such as roles')."""

    inv: Invocation
    name: str
    namespace: str
    cluster: common.Cluster
    dry_run: str

    @property
    def flags(self) -> dict[str, Any]:
        return self.inv.flags


Builder = Callable[[Request], Obj]


def run(
    inv: Invocation,
    where: Target,
    build: Builder,
    *,
    required: Sequence[str] = (),
    honours_save_config: bool = True,
) -> int:
    """Run one generator command: check, build, annotate, create, print."""
    common.require_flags(inv, *required)
    name = common.name_from_args(inv)
    with common.Cluster(inv) as cluster:
        namespace = cluster.namespace
        dry_run = common.dry_run_strategy(inv)
        printer = common.ResultPrinter(inv, dry_run, typed=True)
        validation = common.validation_directive(inv)
        request = Request(
            inv, name, namespace if cluster.namespace_explicit else "", cluster, dry_run
        )
        try:
            obj = build(request)
        except GeneratorError as err:
            raise CommandError(str(err)) from None
        if honours_save_config and inv.flags.get("save_config"):
            from pykctl.ops.apply import create_or_update_annotation, encode_typed

            obj = create_or_update_annotation(obj, True, encode_typed)
        if dry_run != common.DRY_RUN_CLIENT:
            obj = create(cluster, where, namespace, obj, dry_run, validation)
        printer.print(obj, "created")
    return 0


def create(
    cluster: common.Cluster, where: Target, namespace: str, obj: Obj, dry_run: str, validation: str
) -> Obj:
    """POST the object as kubectl's typed client sends it; its answer, or the wrapped error."""
    from pykctl.ops import typed

    query = common.write_query(
        dry_run, str(cluster.inv.flags.get("field_manager") or ""), validation
    )
    body = typed.encode(obj)
    try:
        created: Obj = cluster.client.create(
            where.resource, namespace if where.resource.namespaced else None, body, query
        )
    except ApiError as err:
        if where.error_prefix is None:
            raise
        raise CommandError(where.error_prefix + err.message) from None
    return created
