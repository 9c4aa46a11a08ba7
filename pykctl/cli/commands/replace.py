"""``pykctl replace``: replace objects with the ones in files (PUT), as ``kubectl replace``.

Each object from ``-f`` replaces the live one (``replaced``); ``--save-config`` records it in
the last-applied annotation (an annotation already there is refreshed either way). With
``--force`` the objects are deleted, waited for, and created again (``replaced`` once more).
Failures are reported at the end; the other objects are still replaced.
"""

from __future__ import annotations

import os
import tempfile
import time

from backends.errors import ApiError, ConnectionFailed
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands import delete as deleting
from pykctl.cli.commands.create import common, sources
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import Flag
from pykctl.cli.shared_flags import dry_run_flag, validate_flag
from pykctl.ops.apply import create_or_update_annotation
from pykctl.resources.builder import Info

FORCE_WAIT = 300.0  # kubectl's default wait for the deletions of --force


def _validate(inv: Invocation, dry_run: str, grace_period: int) -> None:
    flags = inv.flags
    if grace_period >= 0 and not flags["force"]:
        raise CommandError("--grace-period must have --force specified")
    if flags["timeout"] and not flags["force"]:
        raise CommandError("--timeout must have --force specified")
    if flags["force"] and dry_run != common.DRY_RUN_NONE:
        raise CommandError("--dry-run can not be used when --force is set")
    if not flags["filename"]:
        raise CommandError("must specify --filename to replace")
    if flags["raw"]:
        filenames = list(flags["filename"])
        if len(filenames) != 1:
            raise CommandError("--raw can only use a single local file or stdin")
        if filenames[0].startswith(("http://", "https://")):
            raise CommandError("--raw cannot read from a url")
        if flags["recursive"]:
            raise CommandError("--raw and --recursive are mutually exclusive")
        if flags["output"]:
            raise CommandError("--raw and --output are mutually exclusive")


def run(inv: Invocation) -> int:
    flags = inv.flags
    validation = common.validation_directive(inv)
    dry_run = common.dry_run_strategy(inv)
    printer = common.ResultPrinter(inv, dry_run)
    cascade = deleting.parse_cascade(inv, str(flags["cascade"]))
    grace = int(flags["grace_period"])
    if grace == 0:
        grace = 1
    sources.check_filename_options(inv)
    with common.Cluster(inv) as cluster:
        cluster.resolve()
        _validate(inv, dry_run, int(flags["grace_period"]))
        if flags["raw"]:
            from pykctl.cli.commands.create import raw_request

            return raw_request(inv, "PUT", flags["raw"], flags["filename"][0])
        if flags["force"]:
            return _force_replace(inv, cluster, printer, cascade, grace, validation)
        loaded = sources.load_files(inv, cluster, validation=validation)
        errors: list[BaseException] = []
        manager = str(flags["field_manager"])
        subresource = str(flags["subresource"]) or None
        for item in loaded.items:
            if isinstance(item, BaseException):
                errors.append(item)
                continue
            obj = create_or_update_annotation(item.obj or {}, bool(flags["save_config"]))
            if dry_run == common.DRY_RUN_CLIENT:
                printer.print(obj, "replaced")
                continue
            try:
                replaced = cluster.client.replace(
                    item.resource,
                    item.namespace,
                    item.name or "",
                    obj,
                    common.write_query(dry_run, manager, validation),
                    subresource,
                )
            except (ApiError, ConnectionFailed) as err:
                errors.append(common.with_source("replacing", item.source, err))
                continue
            printer.print(replaced, "replaced")
        common.raise_collected(errors)
    return 0


def _force_replace(
    inv: Invocation,
    cluster: common.Cluster,
    printer: common.ResultPrinter,
    cascade: str,
    grace: int,
    validation: str,
) -> int:
    """``--force``: delete the objects, wait until they are gone, create them again."""
    flags = inv.flags
    if "-" in flags["filename"]:
        with tempfile.TemporaryDirectory(prefix="kubectl_replace_") as directory:
            path = os.path.join(directory, "resource.stdin")
            with open(path, "w", encoding="utf-8") as f:
                f.write(inv.stdin.read())
            flags["filename"] = [path if name == "-" else name for name in flags["filename"]]
            return _force_replace(inv, cluster, printer, cascade, grace, validation)
    loaded = sources.load_files(inv, cluster)
    deleted = 0
    errors: list[BaseException] = []
    for item in loaded.items:
        if isinstance(item, BaseException):
            errors.append(item)
            continue
        deleted += 1
        options = deleting.delete_options(cascade, grace)
        try:
            cluster.client.delete(item.resource, item.namespace, item.name or "", options)
        except ApiError as err:
            if err.code != 404:
                errors.append(common.with_source("deleting", item.source, err))
            continue
        inv.out(deleting.deletion_line(item, grace, common.DRY_RUN_NONE, str(flags["output"])))
    common.raise_collected(errors)
    if deleted == 0:
        inv.out("No resources found")
    timeout = float(flags["timeout"] or 0) or FORCE_WAIT
    for info in loaded.infos:
        _wait_gone(cluster, info, timeout)
    count = 0
    manager = str(flags["field_manager"])
    for info in sources.load_files(inv, cluster, validation=validation).infos:
        obj = create_or_update_annotation(info.obj or {}, bool(flags["save_config"]))
        created = cluster.client.create(
            info.resource,
            info.namespace,
            obj,
            common.write_query(field_manager=manager, validation=validation),
        )
        count += 1
        printer.print(created, "replaced")
    if count == 0:
        raise CommandError("no objects passed to replace")
    return 0


def _wait_gone(cluster: common.Cluster, info: Info, timeout: float) -> None:
    """Poll once a second until the object is not found (kubectl's ``--force`` wait)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            cluster.client.get(info.resource, info.namespace, info.name or "")
        except ApiError as err:
            if err.code == 404:
                return
            raise
        if time.monotonic() >= deadline:
            raise CommandError("timed out waiting for the condition")
        time.sleep(1)


replace = KCommand(
    "replace",
    run,
    Help(
        use="replace -f FILENAME",
        short="Replace a resource by file name or stdin",
        long="""Replace a resource by file name or stdin.

 JSON and YAML formats are accepted. If replacing an existing resource, the complete resource spec must be provided. This can be obtained by

        $ pykctl get TYPE NAME -o yaml""",
        example="""# Replace a pod using the data in pod.json
pykctl replace -f ./pod.json

# Replace a pod based on the JSON passed into stdin
cat pod.json | pykctl replace -f -

# Update a single-container pod's image version (tag) to v4
pykctl get pod mypod -o yaml | sed 's/\\(image: myimage\\):.*$/\\1:v4/' | pykctl replace -f -

# Force replace, delete and then re-create the resource
pykctl replace --force -f ./pod.json""",
    ),
    [
        *deleting.deletion_flags(
            False, "The files, directories or URLs that contain the configurations to replace."
        ),
        *common.printer_flags(),
        validate_flag(),
        common.save_config_flag(),
        dry_run_flag(),
        Flag(
            "raw",
            usage="Raw URI to PUT to the server.  Uses the transport specified by the kubeconfig file.",
        ),
        common.field_manager_flag("kubectl-replace"),
        common.subresource_flag(
            "If specified, replace will operate on the subresource of the requested object."
        ),
    ],
)
