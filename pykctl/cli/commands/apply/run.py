"""``pykctl apply -f``: client-side apply, server-side apply and ``--prune``, as kubectl does.

Client-side: each object is read back from the server; absent, it is created carrying its
last-applied annotation (``created``); present, the three-way patch between that annotation,
the manifest and the live object is sent (``configured``), or nothing when the patch is empty
(``unchanged``). A live object without the annotation gets kubectl's warning and the
annotation. Conflicts are retried with a fresh copy; ``--force`` deletes and re-creates on a
conflict or an invalid patch. ``--dry-run=client`` patches a local copy instead.

Server-side: one ``apply-patch`` per object (``serverside-applied``), the last-applied
annotation kept in step under its own field manager.

Objects are applied in file order; failures are reported together at the end. With an ``-o``
other than ``name`` nothing is printed per object: the results are printed at the end (one
object, or a ``List``), then pruning runs: objects of the allowlisted kinds in the visited
namespaces that match ``-l``, carry the annotation and were not applied are deleted
(``pruned``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from backends.errors import ApiError, ConnectionFailed
from backends.objects import gojson
from backends.objects.strategic import PatchError
from pykctl.cli.command import PROGRAM, Invocation
from pykctl.cli.commands.create import common, sources
from pykctl.cli.commands.delete import delete_options, parse_cascade
from pykctl.cli.errors import CommandError, RawError
from pykctl.ops import apply as ops
from pykctl.resources.builder import Info

Obj = dict[str, Any]

MAX_PATCH_RETRY = 5
SSA_MANAGER = "kubectl"
LAST_APPLIED_MANAGER = "kubectl-last-applied"
CONFLICT_HINT = """
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts"""


def info_text(info: Info) -> str:
    """cli-runtime's ``Info.String()``."""
    resource = info.resource
    group_version = resource.group_version if resource.group else f"/{resource.version}"
    return (
        f'Resource: "{group_version}, Resource={resource.plural}", '
        f'GroupVersionKind: "{group_version}, Kind={resource.kind}"\n'
        f'Name: "{info.name or ""}", Namespace: "{info.namespace or ""}"'
    )


@dataclass
class Apply:
    """One ``apply`` run: its options and what it has done so far."""

    inv: Invocation
    cluster: common.Cluster
    dry_run: str
    validation: str
    field_manager: str
    server_side: bool
    force_conflicts: bool
    cascade: str
    grace_period: int
    force: bool
    timeout: float
    visited_uids: set[str] = field(default_factory=set)
    visited_namespaces: list[str] = field(default_factory=list)
    applied: list[Obj] = field(default_factory=list)

    @property
    def prints_objects(self) -> bool:
        output = str(self.inv.flags.get("output") or "")
        return bool(output) and output != "name"

    def printer(self) -> common.ResultPrinter:
        return common.ResultPrinter(self.inv, self.dry_run)

    def query(self, manager: str | None = None) -> list[tuple[str, str]]:
        return common.write_query(
            self.dry_run, self.field_manager if manager is None else manager, self.validation
        )

    def visit_namespace(self, namespace: str | None) -> None:
        if namespace and namespace not in self.visited_namespaces:
            self.visited_namespaces.append(namespace)

    def visited(self, obj: Obj) -> None:
        self.visited_uids.add(str((obj.get("metadata") or {}).get("uid", "")))

    def report(self, obj: Obj, operation: str) -> None:
        self.applied.append(obj)
        if not self.prints_objects:
            self.printer().print(obj, operation)

    # --- one object ---------------------------------------------------------------------------

    def apply(self, info: Info) -> None:
        if info.resource.namespaced:
            self.visit_namespace(info.namespace)
        obj = info.obj or {}
        if not info.name:
            generate = (obj.get("metadata") or {}).get("generateName")
            if generate:
                raise CommandError(f"from {generate}: cannot use generate name with apply")
        if self.server_side:
            self.server_side_apply(info, obj)
        else:
            self.client_side_apply(info, obj)

    def client_side_apply(self, info: Info, obj: Obj) -> None:
        modified = ops.modified_configuration(obj, annotate=True)
        try:
            current = self.cluster.client.get(info.resource, info.namespace, info.name or "")
        except ApiError as err:
            if err.code != 404:
                verb = f"retrieving current configuration of:\n{info_text(info)}\nfrom server for:"
                raise common.with_source(verb, info.source, err) from None
            self.create(info, obj)
            return
        self.visited(current)
        if ops.original_configuration(current) is None:
            self.inv.err(
                f"Warning: resource {info.resource.plural}/{info.name} is missing the "
                f"{ops.LAST_APPLIED} annotation which is required by {PROGRAM} apply. {PROGRAM} "
                f"apply should only be used on resources created declaratively by either "
                f"{PROGRAM} create --save-config or {PROGRAM} apply. The missing annotation will "
                "be patched automatically."
            )
        patch, result = self.patch(info, current, modified)
        deleting = (result.get("metadata") or {}).get("deletionTimestamp")
        if deleting:
            self.inv.err(
                f"Warning: Detected changes to resource {info.name} which is currently being "
                "deleted."
            )
        if patch is not None and patch.empty and not self.prints_objects:
            self.printer().print(result, "unchanged")
            self.applied.append(result)
            return
        self.report(result, "configured")

    def create(self, info: Info, obj: Obj) -> None:
        created = ops.prune_nulls(
            ops.with_last_applied(obj, ops.modified_configuration(obj, annotate=False))
        )
        if self.dry_run != common.DRY_RUN_CLIENT:
            try:
                created = self.cluster.client.create(
                    info.resource, info.namespace, created, self.query()
                )
            except (ApiError, ConnectionFailed) as err:
                raise common.with_source("creating", info.source, err) from None
        self.visited(created)
        self.report(created, "created")

    def patch(self, info: Info, current: Obj, modified: str) -> tuple[ops.Patch | None, Obj]:
        """Send (or, for a client dry run, apply locally) the three-way patch."""
        overwrite = bool(self.inv.flags.get("overwrite", True))
        patch: ops.Patch | None = None
        try:
            patch = ops.three_way_patch(current, modified, overwrite)
            if self.dry_run == common.DRY_RUN_CLIENT:
                return patch, current if patch.empty else ops.patch_locally(current, patch)
            return patch, self.send_patch(info, current, modified, patch)
        except PatchError as err:
            original = ops.original_configuration(current) or ""
            failure: BaseException = CommandError(
                f"creating patch with:\noriginal:\n{original}\nmodified:\n{modified}\ncurrent:\n"
                f"{gojson.dumps(current)}\nfor: {err}"
            )
        except (ApiError, CommandError) as err:
            failure = err
        text = patch.text() if patch is not None else ""
        verb = f"applying patch:\n{text}\nto:\n{info_text(info)}\nfor:"
        raise common.with_source(verb, info.source, failure) from None

    def send_patch(self, info: Info, current: Obj, modified: str, patch: ops.Patch) -> Obj:
        """PATCH, retrying conflicts with a fresh copy; ``--force`` re-creates."""
        attempt = 0
        while True:
            if patch.empty:
                return current
            try:
                return self.cluster.client.patch(
                    info.resource,
                    info.namespace,
                    info.name or "",
                    patch.body,
                    patch.content_type,
                    self.query(),
                )
            except ApiError as err:
                retry = err.code == 409 and attempt < MAX_PATCH_RETRY
                if not retry:
                    if self.force and (err.code == 409 or err.reason == "Invalid"):
                        return self.delete_and_create(info, current, modified)
                    raise common.with_source("patching", info.source, err) from None
            attempt += 1
            if attempt > 1:
                time.sleep(1)
            current = self.cluster.client.get(info.resource, info.namespace, info.name or "")
            patch = ops.three_way_patch(current, modified, bool(self.inv.flags["overwrite"]))

    def delete_and_create(self, info: Info, current: Obj, modified: str) -> Obj:
        client = self.cluster.client
        options = delete_options(self.cascade, self.grace_period)
        client.delete(info.resource, info.namespace, info.name or "", options)
        deadline = time.monotonic() + (self.timeout or 0)
        while True:
            try:
                client.get(info.resource, info.namespace, info.name or "")
            except ApiError as err:
                if err.code == 404:
                    break
                raise
            if time.monotonic() >= deadline:
                raise CommandError("timed out waiting for the condition")
            time.sleep(1)
        try:
            created: Obj = client.create(info.resource, info.namespace, json.loads(modified))
        except ApiError as err:
            try:
                client.create(info.resource, info.namespace, current)
            except ApiError as again:
                raise CommandError(
                    "An error occurred force-replacing the existing object with the newly "
                    f"provided one:\n\n{err.message}.\n\nAdditionally, an error occurred "
                    f"attempting to restore the original object:\n\n{again.message}"
                ) from None
            raise
        return created

    def server_side_apply(self, info: Info, obj: Obj) -> None:
        try:
            applied = self.apply_patch(info, obj, self.ssa_query())
        except ApiError as err:
            if err.code == 415:
                raise CommandError(
                    f"Server-side apply not available on the server: ({err.message})"
                ) from None
            if err.code == 409:
                raise RawError(f"error: {err.message}{CONFLICT_HINT}") from None
            raise
        applied = self.keep_last_applied(info, applied)
        deleting = (applied.get("metadata") or {}).get("deletionTimestamp")
        if deleting:
            self.inv.err(
                f"Warning: Detected changes to resource {info.name} which is currently being "
                "deleted."
            )
        self.visited(applied)
        self.report(applied, "serverside-applied")

    def keep_last_applied(self, info: Info, obj: Obj) -> Obj:
        """After a server-side apply by ``kubectl`` of an object that client-side apply wrote:
        the last-applied annotation is applied under its own manager (unless an apply manager
        owns it), then client-side apply's fields move to the server-side apply manager and
        the configuration is applied again, so that fields it dropped go away. Failures here
        are warnings, as in kubectl."""
        if self.field_manager != SSA_MANAGER:
            return obj
        annotation = ops.original_configuration(obj)
        if annotation is not None and not ops.last_applied_owners(obj, "Apply"):
            metadata = obj.get("metadata") or {}
            annotated: Obj = {
                "apiVersion": obj.get("apiVersion"),
                "kind": obj.get("kind"),
                "metadata": {
                    "annotations": {ops.LAST_APPLIED: annotation},
                    "name": metadata.get("name"),
                },
            }
            if metadata.get("namespace"):
                annotated["metadata"]["namespace"] = metadata["namespace"]
            try:
                obj = self.apply_patch(info, annotated, self.query(LAST_APPLIED_MANAGER))
            except ApiError as err:
                self.inv.err(
                    f"Warning: failed to migrate {ops.LAST_APPLIED} for Server-Side Apply. This "
                    "is non-fatal and will be retried next time you apply. Error: "
                    f"{err.message}"
                )
                return obj
        try:
            migrated = self.migrate(info, obj)
        except ApiError as err:
            self.inv.err(
                "Warning: server rejected managed fields migration to Server-Side Apply. This is "
                f"non-fatal and will be retried next time you apply. Error: {err.message}"
            )
            return obj
        if migrated is None:
            return obj
        try:
            return self.apply_patch(info, info.obj or {}, self.ssa_query())
        except ApiError as err:
            self.inv.err(
                "Warning: failed to re-apply configuration after performing Server-Side Apply "
                "migration. This is non-fatal and will be retried next time you apply. Error: "
                f"{err.message}"
            )
            return migrated

    def migrate(self, info: Info, obj: Obj) -> Obj | None:
        """Move client-side apply's managed fields to the server-side apply manager (a JSON
        patch of managedFields); None when there is nothing to move."""
        for _ in range(MAX_PATCH_RETRY):
            entries = (obj.get("metadata") or {}).get("managedFields") or []
            managers = ops.last_applied_owners(obj, "Update")
            upgraded = ops.upgraded_managed_fields(entries, managers, self.field_manager)
            if upgraded == entries:
                return None
            patch = [
                {"op": "replace", "path": "/metadata/managedFields", "value": upgraded},
                {
                    "op": "replace",
                    "path": "/metadata/resourceVersion",
                    "value": (obj.get("metadata") or {}).get("resourceVersion", ""),
                },
            ]
            try:
                patched: Obj = self.cluster.client.patch(
                    info.resource,
                    info.namespace,
                    info.name or "",
                    patch,
                    "application/json-patch+json",
                    self.query(),
                )
                return patched
            except ApiError as err:
                if err.code != 409:
                    raise
            obj = self.cluster.client.get(info.resource, info.namespace, info.name or "")
        return None

    def ssa_query(self) -> list[tuple[str, str]]:
        return [*self.query(), ("force", "true" if self.force_conflicts else "false")]

    def apply_patch(self, info: Info, obj: Obj, query: list[tuple[str, str]]) -> Obj:
        subresource = str(self.inv.flags.get("subresource") or "") or None
        body = (gojson.dumps(obj) + "\n").encode()
        result: Obj = self.cluster.client.patch(
            info.resource, info.namespace, info.name or "", body, ops.APPLY, query, subresource
        )
        return result

    # --- after every object -------------------------------------------------------------------

    def print_results(self) -> None:
        """With ``-o``: the one object, or kubectl's ``List`` (a typed list: its own keys in
        struct order, its items as they came)."""
        if not self.prints_objects or not self.applied:
            return
        if len(self.applied) == 1:
            common.ResultPrinter(self.inv).print(self.applied[0])
            return
        items = [_sorted(item) for item in self.applied]
        listing = {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": items}
        common.ResultPrinter(self.inv, typed=True).print(listing)

    def prune(self, selector: str, allowlist: list[str]) -> None:
        """Delete what ``--prune`` selects (see the module docstring)."""
        from pykctl.resources.mapper import UnknownKind

        try:
            kinds = [(g, v, k) for g, v, k in ops.parse_prune_allowlist(allowlist)]
        except ops.PruneAllowlistError as err:
            raise CommandError(str(err)) from None
        if not allowlist:
            common.klog_warning(
                self.inv.stderr,
                "prune.go:71",
                f"Deprecated: {PROGRAM} apply will no longer prune non-namespaced resources by "
                "default when used with the --namespace flag in a future release. To preserve "
                "the current behaviour, list the resources you want to target explicitly in the "
                "--prune-allowlist flag.",
            )
            kinds = [(g, v, k) for g, v, k, _ in ops.DEFAULT_PRUNE_RESOURCES]
        resources = []
        for group, version, kind in kinds:
            try:
                resources.append(self.cluster.mapper.for_kind(group, version, kind))
            except UnknownKind as err:
                raise CommandError(
                    f"invalid resource {group}/{version}, Kind={kind}, Namespaced=...: {err}"
                ) from None
        namespaced = [r for r in resources if r.namespaced]
        cluster_wide = [r for r in resources if not r.namespaced]
        for namespace in self.visited_namespaces:
            for resource in namespaced:
                self.prune_resource(resource, namespace, selector)
        for resource in cluster_wide:
            self.prune_resource(resource, None, selector)

    def prune_resource(self, resource: Any, namespace: str | None, selector: str) -> None:
        query = [("labelSelector", selector)] if selector else []
        listing = self.cluster.client.list_objects(resource, namespace, query)
        for item in listing.get("items") or []:
            if not ops.should_prune(item, self.visited_uids):
                continue
            name = (item.get("metadata") or {}).get("name", "")
            if self.dry_run != common.DRY_RUN_CLIENT:
                options = delete_options(
                    self.cascade, self.grace_period, self.dry_run == common.DRY_RUN_SERVER
                )
                self.cluster.client.delete(resource, namespace, name, options)
            item.setdefault("apiVersion", resource.group_version)
            item.setdefault("kind", resource.kind)
            self.printer().print(item, "pruned")


def _sorted(value: Any) -> Any:
    """``value`` with every map's keys in sorted order (how Go writes a map)."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def run(inv: Invocation) -> int:
    """``apply``: see the module docstring."""
    common.unexpected_args(inv)
    flags = inv.flags
    server_side = bool(flags["server_side"])
    dry_run = common.dry_run_strategy(inv)
    manager = str(flags["field_manager"])
    if "field_manager" not in inv.changed:
        manager = SSA_MANAGER if server_side else "kubectl-client-side-apply"
    cascade = parse_cascade(inv, str(flags["cascade"]))
    sources.check_filename_options(inv)
    validation = common.validation_directive(inv)
    with common.Cluster(inv) as cluster:
        cluster.resolve()
        if flags["prune"]:
            try:
                ops.parse_prune_allowlist(list(flags["prune_allowlist"]))
            except ops.PruneAllowlistError as err:
                raise CommandError(str(err)) from None
        _validate(inv, server_side, dry_run)
        grace = int(flags["grace_period"])
        apply = Apply(
            inv,
            cluster,
            dry_run,
            validation,
            manager,
            server_side,
            bool(flags["force_conflicts"]),
            cascade,
            grace,
            bool(flags["force"]),
            float(flags["timeout"]),
        )
        if cluster.namespace_explicit:
            apply.visit_namespace(cluster.namespace)
        loaded = sources.load_files(
            inv, cluster, selector=str(flags["selector"]), validation=validation
        )
        infos = loaded.infos
        errors: list[BaseException] = []
        if loaded.errors:
            errors.append(_loading_error(loaded.errors))
        if not infos and not errors:
            raise CommandError("no objects passed to apply")
        for info in infos:
            try:
                apply.apply(info)
            except (CommandError, ApiError, ConnectionFailed) as err:
                errors.append(err)
        common.raise_collected(errors)
        apply.print_results()
        if flags["prune"]:
            apply.prune(str(flags["selector"]), list(flags["prune_allowlist"]))
    return 0


def _loading_error(errors: list[BaseException]) -> BaseException:
    """The reading errors as one (Go's aggregate: ``[a, b]`` when there are several)."""
    if len(errors) == 1:
        return errors[0]
    return CommandError(sources.go_aggregate([_plain(e) for e in errors]))


def _plain(err: BaseException) -> str:
    return err.message if isinstance(err, ApiError) else str(err)


def _validate(inv: Invocation, server_side: bool, dry_run: str) -> None:
    """kubectl's ``ApplyOptions.Validate``."""
    flags = inv.flags
    if flags["force_conflicts"] and not server_side:
        raise CommandError("--force-conflicts only works with --server-side")
    if dry_run == common.DRY_RUN_CLIENT and server_side:
        raise CommandError(
            "--dry-run=client doesn't work with --server-side (did you mean --dry-run=server "
            "instead?)"
        )
    if server_side and flags["force"]:
        raise CommandError("--force cannot be used with --server-side")
    if dry_run == common.DRY_RUN_SERVER and flags["force"]:
        raise CommandError("--dry-run=server cannot be used with --force")
    if flags["all"] and flags["selector"]:
        raise CommandError("cannot set --all and --selector at the same time")
    if flags["prune"]:
        if flags["force"]:
            raise CommandError("--force cannot be used with --prune")
        if not flags["all"] and not flags["selector"]:
            raise CommandError(
                "all resources selected for prune without explicitly passing --all. To prune all "
                "resources, pass the --all flag. If you did not mean to prune all resources, "
                "specify a label selector"
            )
        if server_side:
            raise CommandError(
                "--prune is in alpha and doesn't currently work on objects created by "
                "server-side apply"
            )
    if flags["subresource"] and not server_side:
        raise CommandError("--subresource can only be specified for --server-side")
