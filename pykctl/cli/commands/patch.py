"""``pykctl patch``: update fields of objects with a strategic merge, JSON merge or JSON patch.

As kubectl: the patch (``-p`` or ``--patch-file``) may be JSON or YAML (text starting with
``{`` is sent as written, anything else is converted from YAML); objects come from arguments
(fetched first, with ``--subresource`` too) or ``-f`` files; the server applies the patch,
except with ``--local`` or ``--dry-run=client``, where ``backends.objects.patch`` applies it
here as kube-apiserver would. The printer says ``patched`` when the object changed and
``patched (no change)`` when it did not (kubectl prints no dry-run suffix here).
"""

from __future__ import annotations

import json
from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    CLIENT,
    ObjectPrinter,
    dry_run_query,
    dry_run_strategy,
    field_manager_flag,
    print_flags,
)
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, STRING, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags
from pykctl.resources.builder import Info
from pykctl.resources.targets import Targets, TargetSpec, aggregate

PATCH_TYPES = {
    "json": "application/json-patch+json",
    "merge": "application/merge-patch+json",
    "strategic": "application/strategic-merge-patch+json",
}


def _patch_bytes(inv: Invocation) -> bytes:
    """The patch as JSON, as kubectl's yaml.ToJSON leaves or converts it."""
    from backends.objects import gojson, goyaml

    text = inv.flags["patch"]
    data: bytes
    if inv.flags["patch_file"]:
        try:
            with open(inv.flags["patch_file"], "rb") as f:
                data = f.read()
        except OSError as err:
            reason = (err.strerror or str(err)).lower()
            raise CommandError(
                f"unable to read patch file: open {inv.flags['patch_file']}: {reason}"
            ) from None
    else:
        data = text.encode()
    if data.lstrip().startswith(b"{"):
        return data
    try:
        document = goyaml.loads(data)
    except goyaml.YAMLSyntaxError as err:
        from backends.objects.gofmt import quote

        raise CommandError(f"unable to parse {quote(text)}: {err}") from None
    return gojson.dumps(document).encode()


def _validate(inv: Invocation, dry_run: str) -> None:
    flags = inv.flags
    if flags["patch"] and flags["patch_file"]:
        raise CommandError("cannot specify --patch and --patch-file together")
    if not flags["patch"] and not flags["patch_file"]:
        raise CommandError(
            "must specify --patch or --patch-file containing the contents of the patch"
        )
    if flags["local"] and inv.args:
        raise CommandError("cannot specify --local and server resources")
    if flags["local"] and dry_run == "server":
        raise CommandError(
            "cannot specify --local and --dry-run=server - did you mean --dry-run=client?"
        )
    if flags["type"] and flags["type"].lower() not in PATCH_TYPES:
        raise CommandError(f'--type must be one of [json merge strategic], not "{flags["type"]}"')


def apply_locally(obj: dict[str, Any], patch_type: str, patch: bytes) -> dict[str, Any]:
    """The object with the patch applied as kube-apiserver would (``--local``, client dry run)."""
    from backends.objects import schemas
    from backends.objects.patch import (
        PatchError,
        apply_json_patch,
        apply_merge_patch,
        apply_strategic_merge_patch,
    )

    try:
        document = json.loads(patch)
    except ValueError as err:
        raise CommandError(f"invalid JSON in patch: {err}") from None
    try:
        if patch_type == "json":
            result: dict[str, Any] = apply_json_patch(obj, document)
        elif patch_type == "merge":
            result = apply_merge_patch(obj, document)
        else:
            group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
            kind = str(obj.get("kind") or "")
            schema = schemas.for_kind(group, version, kind)
            if schema is None:
                gvk = f"{group}/{version}, Kind={kind}" if group else f"/{version}, Kind={kind}"
                raise CommandError(
                    f"strategic merge patch is not supported for {gvk} locally, try --type merge"
                )
            result = apply_strategic_merge_patch(obj, document, schema)
    except PatchError as err:
        raise CommandError(str(err)) from None
    return result


def _patch_one(
    inv: Invocation,
    info: Info,
    patch_type: str,
    patch: bytes,
    dry_run: str,
    printer: ObjectPrinter,
    targets: Targets,
) -> None:
    from backends.errors import ApiError

    original = info.obj or {}
    if not inv.flags["local"] and dry_run != CLIENT:
        try:
            patched = targets.client.patch(
                info.resource,
                info.namespace,
                info.name or "",
                patch,
                PATCH_TYPES[patch_type],
                [*dry_run_query(dry_run), ("fieldManager", inv.flags["field_manager"])],
                subresource=inv.flags["subresource"] or None,
            )
        except ApiError as err:
            if err.code == 415:
                r = info.resource
                gvk = (
                    f"{r.group}/{r.version}, Kind={r.kind}"
                    if r.group
                    else f"/{r.version}, Kind={r.kind}"
                )
                raise CommandError(
                    f"{PATCH_TYPES[patch_type]} is not supported by {gvk}: {err.message}"
                ) from None
            raise
    else:
        patched = apply_locally(original, patch_type, patch)
    operation = "patched" if patched != original else "patched (no change)"
    printer.print(patched, operation, inv.stdout)


def run(inv: Invocation) -> int:
    from pykctl.cli.commands.objects import open_targets

    flags = inv.flags
    dry_run = dry_run_strategy(inv)
    _validate(inv, dry_run)
    patch_type = (flags["type"] or "strategic").lower()
    patch = _patch_bytes(inv)
    spec = TargetSpec(
        args=list(inv.args),
        filenames=flags["filename"],
        recursive=flags["recursive"],
        kustomize=flags["kustomize"],
        local=flags["local"],
        subresource=flags["subresource"],
    )
    errors: list[BaseException] = []
    count = 0
    with open_targets(inv, spec) as targets:
        targets.resolve()
        for visited in targets.visit():
            if isinstance(visited, BaseException):
                errors.append(visited)
                continue
            count += 1
            # a new printer per object (no YAML separators); kubectl loses the dry-run suffix
            printer = ObjectPrinter.from_flags(inv)
            try:
                _patch_one(inv, visited, patch_type, patch, dry_run, printer, targets)
            except Exception as err:  # kubectl carries on with the next object
                errors.append(err)
    if errors:
        raise aggregate(errors)
    if count == 0:
        raise CommandError("no objects passed to patch")
    return 0


HELP = Help(
    use="patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]",
    short="Update fields of a resource",
    long="""Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON patch.

 JSON and YAML formats are accepted.

 Note: Strategic merge patch is not supported for custom resources.""",
    example="""# Partially update a node using a strategic merge patch, specifying the patch as JSON
pykctl patch node k8s-node-1 -p '{"spec":{"unschedulable":true}}'

# Partially update a node using a strategic merge patch, specifying the patch as YAML
pykctl patch node k8s-node-1 -p $'spec:\\n unschedulable: true'

# Partially update a node identified by the type and name specified in "node.json" using strategic merge patch
pykctl patch -f node.json -p '{"spec":{"unschedulable":true}}'

# Update a container's image; spec.containers[*].name is required because it's a merge key
pykctl patch pod valid-pod -p '{"spec":{"containers":[{"name":"kubernetes-serve-hostname","image":"new image"}]}}'

# Update a container's image using a JSON patch with positional arrays
pykctl patch pod valid-pod --type='json' -p='[{"op": "replace", "path": "/spec/containers/0/image", "value":"new image"}]'

# Update a deployment's replicas through the 'scale' subresource using a merge patch
pykctl patch deployment nginx-deployment --subresource='scale' --type='merge' -p '{"spec":{"replicas":2}}'""",
)

FLAGS = [
    dry_run_flag(),
    field_manager_flag("kubectl-patch"),
    *filename_flags("Filename, directory, or URL to files identifying the resource to update"),
    Flag(
        "local",
        BOOL,
        usage="If true, patch will operate on the content of the file, not the server-side "
        "resource.",
    ),
    Flag(
        "patch", STRING, shorthand="p", usage="The patch to be applied to the resource JSON file."
    ),
    Flag("patch-file", STRING, usage="A file containing a patch to be applied to the resource."),
    Flag(
        "subresource",
        STRING,
        usage="If specified, patch will operate on the subresource of the requested object.",
    ),
    Flag(
        "type",
        STRING,
        default="strategic",
        usage="The type of patch being provided; one of [json merge strategic]",
    ),
    *print_flags(),
]

patch = KCommand("patch", run, HELP, FLAGS)
