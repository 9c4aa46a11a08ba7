"""``apply view-last-applied|set-last-applied|edit-last-applied``: the annotation itself.

* view: the annotation of each object (by name, selector or file), as YAML (keys sorted) or
  JSON indented by two spaces as it is stored; an object without one is skipped when named
  and an error when read from a file;
* set: record a file's configuration as the annotation (a JSON merge patch), or say that no
  change is required; ``--create-annotation`` for objects without one;
* edit: the annotations in the editor, saved back as annotations.
"""

from __future__ import annotations

import json

from backends.errors import ApiError
from backends.objects import goyaml
from backends.objects.gofmt import quote
from pykctl.cli.command import PROGRAM, Help, Invocation, KCommand
from pykctl.cli.commands import edit as editor
from pykctl.cli.commands.create import common, sources
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags, selector_flag
from pykctl.ops import apply as ops
from pykctl.ops import editing
from pykctl.resources.builder import Info

ALL_FLAG_USAGE = "Select all resources in the namespace of the specified resource types"
FILES_USAGE = (
    "Filename, directory, or URL to files that contains the last-applied-configuration annotations"
)


def _objects(inv: Invocation, cluster: common.Cluster) -> list[Info]:
    """Live objects named by arguments or files (``Latest()``); stops at the first error."""
    sources.check_filename_options(inv, required=False)
    if inv.flags.get("filename"):
        loaded = sources.load_files(inv, cluster)
        if loaded.errors:
            common.raise_collected(loaded.errors[:1])
        return [sources.fetch(cluster, info) for info in loaded.infos]
    selector = str(inv.flags.get("selector") or "").strip()
    if selector and inv.flags.get("all"):
        raise CommandError(
            f"found non-empty label selector {quote(selector)} with previously set 'all' "
            "parameter. "
        )
    how = sources.ArgSelection(selector=selector, select_all=bool(inv.flags.get("all")))
    infos = sources.from_args(cluster, list(inv.args), how)
    return [sources.fetch(cluster, info) if info.obj is None else info for info in infos]


def run_view(inv: Invocation) -> int:
    with common.Cluster(inv) as cluster:
        cluster.resolve()
        configurations = []
        for info in _objects(inv, cluster):
            config = ops.original_configuration(info.obj or {})
            if config is None:
                if info.source:
                    raise CommandError(
                        "error when no last-applied-configuration annotation found on resource: "
                        f'{info.name}\n "{info.source}": <nil>'
                    )
                continue
            configurations.append(config)
    output = str(inv.flags["output"])
    for config in configurations:
        if output == "json":
            inv.stdout.write(_indent_json(config))
        elif output == "yaml":
            inv.stdout.write(goyaml.dumps(json.loads(config)))
        else:
            raise inv.usage_error(
                f"Unexpected -o output mode: {output}, the flag 'output' must be one of yaml|json"
            )
    return 0


def _indent_json(text: str) -> str:
    """Go's ``json.Indent(text, "", "  ")``: the stored text re-indented, not re-encoded."""
    out: list[str] = []
    depth = 0
    i = 0
    stripped = text.rstrip(" \t\r\n")
    trailing = text[len(stripped) :]
    empty = False
    while i < len(stripped):
        ch = stripped[i]
        if ch == '"':
            end = i + 1
            while stripped[end] != '"':
                end += 2 if stripped[end] == "\\" else 1
            out.append(stripped[i : end + 1])
            i = end + 1
            continue
        if ch in " \t\r\n":
            i += 1
            continue
        if ch in "{[":
            closing = "}" if ch == "{" else "]"
            following = stripped[i + 1 :].lstrip()
            empty = following.startswith(closing)
            out.append(ch)
            if not empty:
                depth += 1
                out.append("\n" + "  " * depth)
        elif ch in "}]":
            if empty:
                empty = False
            else:
                depth -= 1
                out.append("\n" + "  " * depth)
            out.append(ch)
        elif ch == ",":
            out.append(",\n" + "  " * depth)
        elif ch == ":":
            out.append(": ")
        else:
            out.append(ch)
        i += 1
    return "".join(out) + trailing


view_last_applied = KCommand(
    "view-last-applied",
    run_view,
    Help(
        use="view-last-applied (TYPE [NAME | -l label] | TYPE/NAME | -f FILENAME)",
        short="View the latest last-applied-configuration annotations of a resource/object",
        long="""View the latest last-applied-configuration annotations by type/name or file.

 The default output will be printed to stdout in YAML format. You can use the -o option to change the output format.""",
        example="""# View the last-applied-configuration annotations by type/name in YAML
pykctl apply view-last-applied deployment/nginx

# View the last-applied-configuration annotations by file in JSON
pykctl apply view-last-applied -f deploy.yaml -o json""",
    ),
    [
        Flag("all", BOOL, usage=ALL_FLAG_USAGE),
        *filename_flags(FILES_USAGE),
        Flag(
            "output",
            default="yaml",
            shorthand="o",
            usage="Output format. Must be one of (yaml, json)",
        ),
        selector_flag(),
    ],
)


def run_set(inv: Invocation) -> int:
    dry_run = common.dry_run_strategy(inv)
    with common.Cluster(inv) as cluster:
        cluster.resolve()
        printer = common.ResultPrinter(inv, dry_run)
        loaded = sources.load_files(inv, cluster)
        pending: list[tuple[Info, dict[str, object]]] = []
        for item in loaded.items:
            if isinstance(item, BaseException):
                common.raise_collected([item])
                continue
            patch, configuration = ops.last_applied_patch(item.obj or {})
            try:
                live = sources.fetch(cluster, item)
            except ApiError as err:
                if err.code == 404:
                    raise
                verb = f"retrieving current configuration of:\n{_info_text(item)}\nfrom server for:"
                raise common.with_source(verb, item.source, err) from None
            original = ops.original_configuration(live.obj or {})
            if original is None and not inv.flags["create_annotation"]:
                raise CommandError(
                    f"no last-applied-configuration annotation found on resource: {item.name}, "
                    "to create the annotation, run the command with --create-annotation"
                )
            if editing.strip_comments(original or "") != editing.strip_comments(configuration):
                pending.append((live, patch))
            else:
                inv.out(f"set-last-applied {item.name}: no changes required.")
        if not inv.flags.get("filename"):
            raise CommandError(sources.MISSING_RESOURCES)
        for info, patch in pending:
            result = info.obj or {}
            if dry_run != common.DRY_RUN_CLIENT:
                result = cluster.client.patch(
                    info.resource,
                    info.namespace,
                    info.name or "",
                    patch,
                    ops.MERGE,
                    # kubectl names no manager here: the server derives "kubectl" from its
                    # User-Agent. Naming it keeps managedFields as kubectl leaves them.
                    common.write_query(dry_run, field_manager="kubectl"),
                )
            printer.print(result, "configured")
    return 0


def _info_text(info: Info) -> str:
    from pykctl.cli.commands.apply.run import info_text

    return info_text(info)


set_last_applied = KCommand(
    "set-last-applied",
    run_set,
    Help(
        use="set-last-applied -f FILENAME",
        short="Set the last-applied-configuration annotation on a live object to match the contents of a file",
        long="Set the latest last-applied-configuration annotations by setting it to match the contents of a file. This results in the last-applied-configuration being updated as though 'pykctl apply -f<file> ' was run, without updating any other parts of the object.",
        example="""# Set the last-applied-configuration of a resource to match the contents of a file
pykctl apply set-last-applied -f deploy.yaml

# Execute set-last-applied against each configuration file in a directory
pykctl apply set-last-applied -f path/

# Set the last-applied-configuration of a resource to match the contents of a file; will create the annotation if it does not already exist
pykctl apply set-last-applied -f deploy.yaml --create-annotation=true""",
    ),
    [
        *common.printer_flags(),
        Flag(
            "create-annotation",
            BOOL,
            usage="Will create 'last-applied-configuration' annotations if current objects doesn't have one",
        ),
        dry_run_flag(),
        filename_flags(FILES_USAGE, kustomize=None)[0],
    ],
)


def run_edit(inv: Invocation) -> int:
    with common.Cluster(inv) as cluster:
        cluster.resolve()
        if not inv.args and not inv.flags.get("filename"):
            raise CommandError(sources.MISSING_RESOURCES)
        infos = editor.targets(inv, cluster)
        printer = common.ResultPrinter(inv)
        validation = common.validation_directive(inv)
        annotations: list[Info] = []
        for info in infos:
            config = ops.original_configuration(info.obj or {})
            if config is None:
                continue
            annotations.append(
                Info(info.resource, info.namespace, info.name, json.loads(config), info.source)
            )
        if not annotations:
            raise CommandError(
                "no last-applied-configuration annotation found on resources, to create the "
                f"annotation, use command `{PROGRAM} apply set-last-applied --create-annotation`"
            )
        session = editor.Session(
            inv,
            cluster,
            editing.APPLY,
            printer,
            validation,
            str(inv.flags["field_manager"]),
        )
        return session.run(annotations)


edit_last_applied = KCommand(
    "edit-last-applied",
    run_edit,
    Help(
        use="edit-last-applied (RESOURCE/NAME | -f FILENAME)",
        short="Edit latest last-applied-configuration annotations of a resource/object",
        long="""Edit the latest last-applied-configuration annotations of resources from the default editor.

 The edit-last-applied command allows you to directly edit any API resource you can retrieve via the command-line tools. It will open the editor defined by your KUBE_EDITOR, or EDITOR environment variables, or fall back to 'vi' for Linux or 'notepad' for Windows. You can edit multiple objects, although changes are applied one at a time. The command accepts file names as well as command-line arguments, although the files you point to must be previously saved versions of resources.

 The default format is YAML. To edit in JSON, specify "-o json".

 The flag --windows-line-endings can be used to force Windows line endings, otherwise the default for your operating system will be used.

 In the event an error occurs while updating, a temporary file will be created on disk that contains your unapplied changes. The most common error when updating a resource is another editor changing the resource on the server. When this occurs, you will have to apply your changes to the newer version of the resource, or update your temporary saved copy to include the latest resource version.""",
        example="""# Edit the last-applied-configuration annotations by type/name in YAML
pykctl apply edit-last-applied deployment/nginx

# Edit the last-applied-configuration annotations by file in JSON
pykctl apply edit-last-applied -f deploy.yaml -o json""",
    ),
    editor.edit_flags("kubectl-client-side-apply", save_config=False),
)
