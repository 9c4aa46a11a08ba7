"""``pykctl label``: update the labels on objects — and the runner ``annotate`` shares.

``MetadataCommand`` is kubectl's LabelOptions/AnnotateOptions: complete (split resource
arguments from ``KEY=VALUE``/``KEY-`` updates), validate (kubectl's checks, in its order), run
(visit every object, edit it with ``pykctl.ops.metadata``, send the JSON merge patch kubectl
computes, print). The two verbs differ where kubectl's do: ``label`` reports what changed
(``labeled``/``unlabeled``/``modified``/``not labeled``), says ``label "k" not found.`` for an
absent key, sends nothing when nothing changes and prints the object it edited; ``annotate``
always patches, always says ``annotated`` and prints the server's answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    CLIENT,
    ObjectPrinter,
    dry_run_query,
    dry_run_strategy,
    field_manager_flag,
    open_targets,
    print_flags,
)
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, STRING, Flag
from pykctl.cli.shared_flags import dry_run_flag, field_selector_flag, filename_flags, selector_flag
from pykctl.ops import metadata
from pykctl.resources.builder import Info
from pykctl.resources.targets import Targets, TargetSpec, aggregate

MERGE_PATCH = "application/merge-patch+json"


@dataclass(frozen=True)
class Verb:
    """What differs between ``label`` and ``annotate``."""

    kind: metadata.MapKind
    operation: str  # the word the name printer appends when something changed
    printer_checked_early: bool  # annotate builds its printer before any request
    local_file_hint: str  # "pod.yaml"/"pod.json" or "rsrc.yaml"/"rsrc.json"

    @property
    def is_label(self) -> bool:
        return self.kind is metadata.LABELS


LABEL = Verb(metadata.LABELS, "labeled", False, "pod")
ANNOTATE = Verb(metadata.ANNOTATIONS, "annotated", True, "rsrc")


def _metadata_error(err: metadata.MetadataError) -> BaseException:
    return aggregate([CommandError(m) for m in err.messages])


def _validate(
    inv: Invocation, verb: Verb, resources: list[str], edit: metadata.Edit, dry_run: str
) -> None:
    """kubectl's checks, in the order each verb makes them."""
    flags = inv.flags
    if flags["list"] and flags["output"]:
        raise CommandError("--list and --output may not be specified together")
    if flags["all"] and flags["selector"]:
        raise CommandError("cannot set --all and --selector at the same time")
    if flags["all"] and flags["field_selector"]:
        raise CommandError("cannot set --all and --field-selector at the same time")
    files = flags["filename"] or flags["kustomize"]
    hint = verb.local_file_hint
    if flags["local"]:
        if dry_run == "server":
            raise CommandError(
                "cannot specify --local and --dry-run=server - did you mean --dry-run=client?"
            )
        if resources:
            raise CommandError(
                f"can only use local files by -f {hint}.yaml or --filename={hint}.json "
                "when --local=true is set"
            )
        if not files:
            raise CommandError(
                f"one or more files must be specified as -f {hint}.yaml or --filename={hint}.json"
            )
    elif not resources and not files:
        raise CommandError(
            "one or more resources must be specified as <resource> <name> or <resource>/<name>"
        )
    if edit.empty and not flags["list"]:
        raise CommandError(f"at least one {verb.kind.noun} update is required")


def run_metadata_command(inv: Invocation, verb: Verb) -> int:
    """Complete, validate and run ``label`` or ``annotate``."""
    flags = inv.flags
    dry_run = dry_run_strategy(inv)
    try:
        resources, pairs = metadata.split_resources_and_pairs(inv.args, verb.kind)
        if verb.is_label:
            edit = metadata.parse_label_specs(pairs)
        else:
            edit = metadata.parse_annotation_specs(pairs)
        _validate(inv, verb, resources, edit, dry_run)
        if not verb.is_label:
            metadata.refuse_set_and_remove(edit)
    except metadata.MetadataError as err:
        raise _metadata_error(err) from None
    printer = ObjectPrinter.from_flags(inv, dry_run)
    if verb.printer_checked_early:
        printer.check()
    spec = TargetSpec(
        args=resources,
        filenames=flags["filename"],
        recursive=flags["recursive"],
        kustomize=flags["kustomize"],
        selector=flags["selector"],
        field_selector=flags["field_selector"],
        select_all=flags["all"],
        all_namespaces=flags["all_namespaces"],
        local=flags["local"],
        latest=True,
    )
    errors: list[BaseException] = []
    with open_targets(inv, spec) as targets:
        targets.resolve()
        single = targets.single_item_implied
        if not single and flags["resource_version"]:
            raise CommandError("--resource-version may only be used with a single resource")
        for visited in targets.visit():
            if isinstance(visited, BaseException):
                errors.append(visited)
                continue
            if verb.is_label:  # label builds a new printer per object: no YAML separators
                printer = ObjectPrinter.from_flags(inv, dry_run)
            try:
                _edit_one(inv, verb, visited, edit, dry_run, printer, single, targets)
            except metadata.MetadataError as err:
                errors.append(_metadata_error(err))
            except Exception as err:  # kubectl carries on with the next object
                if isinstance(err, (KeyboardInterrupt, SystemExit)):
                    raise
                errors.append(err)
    if errors:
        raise aggregate(errors)
    return 0


def _edit_one(
    inv: Invocation,
    verb: Verb,
    info: Info,
    edit: metadata.Edit,
    dry_run: str,
    printer: ObjectPrinter,
    single: bool,
    targets: Targets,
) -> None:
    from backends.objects.diff import two_way_merge_patch

    flags = inv.flags
    obj = info.obj or {}
    resource_version = flags["resource_version"]
    if resource_version:
        obj = {
            **obj,
            "metadata": {
                k: v for k, v in (obj.get("metadata") or {}).items() if k != "resourceVersion"
            },
        }
    locally = dry_run == CLIENT or flags["local"] or flags["list"]
    if not locally and verb.is_label:
        for key in metadata.missing_removals(obj, edit):
            inv.out(f'label "{key}" not found.')
    result = metadata.apply_edit(obj, edit, flags["overwrite"], resource_version)
    shown = result.obj
    if not locally and (not verb.is_label or result.added or result.removed):
        patch = two_way_merge_patch(obj, result.obj)
        answer = targets.client.patch(
            info.resource,
            info.namespace,
            info.name or "",
            patch,
            MERGE_PATCH,
            [*dry_run_query(dry_run), ("fieldManager", flags["field_manager"])],
        )
        if not verb.is_label:
            shown = answer
    if flags["list"]:
        _print_listing(inv, verb, info, shown, single)
        return
    operation = result.label_message if verb.is_label else verb.operation
    printer.print(shown, operation, inv.stdout)


def _print_listing(
    inv: Invocation, verb: Verb, info: Info, obj: dict[str, object], single: bool
) -> None:
    indent = ""
    if not single:
        indent = " "
        api_version = str(obj.get("apiVersion") or "")
        group = api_version.rpartition("/")[0]
        noun = "labels" if verb.is_label else "annotations"
        inv.out(f"Listing {noun} for {obj.get('kind', '')}.{group}/{info.name}:")
    for line in metadata.listing(obj, verb.kind):
        inv.out(indent + line)


def run(inv: Invocation) -> int:
    return run_metadata_command(inv, LABEL)


HELP = Help(
    use="label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]",
    short="Update the labels on a resource",
    long="""Update the labels on a resource.

  *  A label key and value must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters each.
  *  Optionally, the key can begin with a DNS subdomain prefix and a single '/', like example.com/my-app.
  *  If --overwrite is true, then existing labels can be overwritten, otherwise attempting to overwrite a label will result in an error.
  *  If --resource-version is specified, then updates will use this resource version, otherwise the existing resource-version will be used.""",
    example="""# Update pod 'foo' with the label 'unhealthy' and the value 'true'
pykctl label pods foo unhealthy=true

# Update pod 'foo' with the label 'status' and the value 'unhealthy', overwriting any existing value
pykctl label --overwrite pods foo status=unhealthy

# Update all pods in the namespace
pykctl label pods --all status=unhealthy

# Update a pod identified by the type and name in "pod.json"
pykctl label -f pod.json status=unhealthy

# Update pod 'foo' only if the resource is unchanged from version 1
pykctl label pods foo status=unhealthy --resource-version=1

# Update pod 'foo' by removing a label named 'bar' if it exists
# Does not require the --overwrite flag
pykctl label pods foo bar-""",
)

FLAGS = [
    Flag(
        "all", BOOL, usage="Select all resources, in the namespace of the specified resource types"
    ),
    Flag(
        "all-namespaces",
        BOOL,
        shorthand="A",
        usage="If true, check the specified action in all namespaces.",
    ),
    dry_run_flag(),
    field_manager_flag("kubectl-label"),
    field_selector_flag(),
    *filename_flags(
        "Filename, directory, or URL to files identifying the resource to update the labels"
    ),
    Flag("list", BOOL, usage="If true, display the labels for a given resource."),
    Flag("local", BOOL, usage="If true, label will NOT contact api-server but run locally."),
    Flag(
        "overwrite",
        BOOL,
        usage="If true, allow labels to be overwritten, otherwise reject label updates that "
        "overwrite existing labels.",
    ),
    Flag(
        "resource-version",
        STRING,
        usage="If non-empty, the labels update will only succeed if this is the current "
        "resource-version for the object. Only valid when specifying a single resource.",
    ),
    selector_flag(),
    *print_flags(),
]

label = KCommand("label", run, HELP, FLAGS)
