"""``pykctl edit``: change objects in an editor and patch them, as ``kubectl edit`` does.

The editor is ``$KUBE_EDITOR``, else ``$EDITOR``, else ``vi`` (a value with spaces is split
into words, one with quotes or backslashes runs through ``$SHELL -c``). The file is a temporary
``pykctl-edit-*.yaml`` (``.json`` with ``-o json``): kubectl's header, then the objects
without their managedFields (several objects as one ``List``). What comes back is compared
ignoring comments, validated, parsed and patched object by object; invalid results reopen the
file with the reasons in its header, other failures keep it and say where. The same loop
serves ``apply edit-last-applied`` (the last-applied annotations, saved with a merge patch)
and ``create --edit`` (objects created as edited).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any

from backends.errors import ApiError
from backends.objects import gojson
from backends.objects.gofmt import quote
from pykctl.cli.command import PROGRAM, Help, Invocation, KCommand
from pykctl.cli.commands.create import common, sources
from pykctl.cli.errors import CommandError, Exit
from pykctl.cli.flags import BOOL, Flag
from pykctl.cli.shared_flags import filename_flags, validate_flag
from pykctl.ops import editing
from pykctl.resources.builder import Info

Obj = dict[str, Any]


# --- the editor -------------------------------------------------------------------------------


def editor_command() -> tuple[list[str], bool]:
    """The editor's argv (without the file) and whether it runs through the shell."""
    editor = ""
    for variable in ("KUBE_EDITOR", "EDITOR"):
        editor = os.environ.get(variable, "")
        if editor:
            break
    editor = editor or "vi"
    if " " not in editor:
        return [editor], False
    if not any(c in editor for c in "\"'\\"):
        return editor.split(" "), False
    shell = os.environ.get("SHELL") or "/bin/bash"
    return [shell, "-c", editor], True


def launch_editor(path: str) -> None:
    """Open ``path`` in the editor and wait for it; kubectl's errors when that fails."""
    args, via_shell = editor_command()
    shown = " ".join(args)
    absolute = os.path.abspath(path)
    argv = (
        [*args[:-1], f"{args[-1]} {gojson.encode_string(absolute)}"]
        if via_shell
        else [
            *args,
            absolute,
        ]
    )
    try:
        completed = subprocess.run(argv, check=False)
    except FileNotFoundError:
        raise CommandError(f"unable to launch the editor {quote(shown)}") from None
    except OSError:
        raise CommandError(f"there was a problem with the editor {quote(shown)}") from None
    if completed.returncode != 0:
        raise CommandError(f"there was a problem with the editor {quote(shown)}")


def _edit_file(content: str, suffix: str, crlf: bool) -> tuple[str, str]:
    """Write ``content`` to a new temporary edit file, edit it; (edited text, path)."""
    fd, path = tempfile.mkstemp(prefix=f"{PROGRAM}-edit-", suffix=suffix)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(content.replace("\n", "\r\n") if crlf else content)
    launch_editor(path)
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
        return f.read(), path


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)


def preserved(inv: Invocation, path: str) -> None:
    """Tell where the edits were kept (kubectl's ``preservedFile``)."""
    if path and os.path.exists(path):
        inv.err(f"A copy of your changes has been stored to {quote(path)}")


# --- one editing session ----------------------------------------------------------------------


@dataclass
class Results:
    """What saving one version of the file led to."""

    file: str = ""
    reasons: list[editing.Reason] = field(default_factory=list)
    invalid: int = 0
    retryable: int = 0
    notfound: int = 0


def _resource_text(info: Info) -> str:
    resource = info.resource
    return f"{resource.plural}.{resource.group}" if resource.group else resource.plural


def _report(inv: Invocation, results: Results, info: Info, err: ApiError) -> None:
    """kubectl's ``addError``: one stderr line; invalid objects get a reason in the header."""
    what = f"{_resource_text(info)} {quote(info.name or '')}"
    if err.reason == "Invalid":
        results.invalid += 1
        details = [f"{c.get('field', '')}: {c.get('message', '')}" for c in err.causes]
        results.reasons.append(editing.Reason(f"{what} was not valid", details))
        inv.err(f"error: {what} is invalid")
    elif err.code == 404:
        results.notfound += 1
        inv.err(f"error: {what} could not be found on the server")
    else:
        results.retryable += 1
        inv.err(f"error: {what} could not be patched: {err.message}")


def _validate(session: Session, text: str) -> str | None:
    """The client-side check of the edited text (kubectl's ``Schema.ValidateBytes``)."""
    from backends.objects import goyaml

    if session.validation == common.IGNORE:
        return None
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else goyaml.loads(text)
    except (ValueError, goyaml.YAMLSyntaxError) as err:
        return f"error converting YAML to JSON: {err}"
    return sources.validate(session.cluster, data, session.validation, session.inv)


@dataclass
class Session:
    """One run of the edit loop over some objects."""

    inv: Invocation
    cluster: common.Cluster
    mode: str
    printer: common.ResultPrinter
    validation: str
    field_manager: str
    subresource: str = ""

    @property
    def as_json(self) -> bool:
        return self.printer.format is not None and self.printer.format.kind == "json"

    def run(self, infos: list[Info]) -> int:
        """Edit until the result is saved, cancelled or given up on (kubectl's ``editFn``)."""
        results = Results()
        edited = ""
        original = ""
        contains_error = False
        managed: dict[str, Any] = {}
        while True:
            content = "" if self.as_json else editing.header(self.mode, results.reasons)
            if not contains_error:
                objects, managed = _without_managed_fields([i.obj or {} for i in infos])
                shown = objects[0] if len(objects) == 1 else editing.edit_list(objects)
                content += editing.render(shown, self.as_json)
                original = content
            else:
                content += editing.manual_strip(edited)
            previous = edited
            edited, path = _edit_file(
                content,
                ".json" if self.as_json else ".yaml",
                bool(self.inv.flags.get("windows_line_endings")),
            )
            if contains_error and editing.strip_comments(previous) == editing.strip_comments(
                edited
            ):
                preserved(self.inv, path)
                raise CommandError("Edit cancelled, no valid changes were saved.")
            if results.file:
                _remove(results.file)
            problem = _validate(self, editing.strip_comments(edited))
            if problem is not None:
                results = Results(file=path)
                contains_error = True
                what = f"{_resource_text(infos[0])} {quote(infos[0].name or '')}"
                results.reasons.append(
                    editing.Reason(f"{what} was not valid", [editing.validation_error(problem)])
                )
                self.inv.err(f"error: {what} is invalid")
                continue
            if editing.strip_comments(original) == editing.strip_comments(edited):
                _remove(path)
                self.inv.err("Edit cancelled, no changes made.")
                return 0
            if not editing.has_lines(edited):
                _remove(path)
                self.inv.err("Edit cancelled, saved file was empty.")
                return 0
            results = Results(file=path)
            try:
                updated = self._parse(edited)
            except CommandError as err:
                contains_error = True
                results.reasons.append(editing.Reason(f"The edited file had a syntax error: {err}"))
                continue
            contains_error = False
            _restore_managed_fields(updated, managed)
            _restore_managed_fields(infos, managed)
            try:
                self._save(infos, updated, results)
            except (CommandError, ApiError) as err:
                preserved(self.inv, results.file)
                raise err from None
            if results.retryable:
                self.inv.err(f"You can run `{PROGRAM} replace -f {path}` to try this update again.")
                raise Exit(1)
            if results.notfound:
                self.inv.err(
                    f"The edits you made on deleted resources have been saved to {quote(path)}"
                )
                raise Exit(1)
            if not results.invalid:
                _remove(path)
                return 0
            contains_error = bool(results.reasons)
            results = Results(file=results.file, reasons=results.reasons)

    def _parse(self, text: str) -> list[Info]:
        """The edited objects, mapped to their resource types, in the command's namespace."""
        from pykctl.resources import manifests
        from pykctl.resources.builder import Builder, BuilderError, Selection

        try:
            found = manifests.parse(text, "edited-file")
            infos = Builder(self.cluster.mapper).from_manifests(
                found, Selection(self.cluster.namespace)
            )
        except (manifests.ManifestError, BuilderError) as err:
            raise CommandError(str(err)) from None
        for info in infos:
            if info.resource.namespaced and info.obj is not None:
                metadata = info.obj.setdefault("metadata", {})
                declared = metadata.get("namespace")
                if declared and declared != self.cluster.namespace:
                    raise CommandError(
                        f"the namespace from the provided object {quote(declared)} does not "
                        f"match the namespace {quote(self.cluster.namespace)}. You must pass "
                        f"'--namespace={declared}' to perform this operation."
                    )
                metadata["namespace"] = self.cluster.namespace
                info.namespace = self.cluster.namespace
        return infos

    def _save(self, originals: list[Info], updated: list[Info], results: Results) -> None:
        if self.inv.flags.get("save_config"):
            from pykctl.ops.apply import create_or_update_annotation

            for info in updated:
                info.obj = create_or_update_annotation(info.obj or {}, True)
        {editing.NORMAL: _patch, editing.APPLY: _patch_last_applied, editing.CREATE: _create}[
            self.mode
        ](self, originals, updated, results)


def _without_managed_fields(objects: list[Obj]) -> tuple[list[Obj], dict[str, Any]]:
    """Copies without ``metadata.managedFields``, and those fields by uid (to put back)."""
    managed: dict[str, Any] = {}
    stripped = []
    for obj in objects:
        copied = copy.deepcopy(obj)
        metadata = copied.get("metadata") or {}
        managed[str(metadata.get("uid", ""))] = metadata.pop("managedFields", None)
        stripped.append(copied)
    return stripped, managed


def _restore_managed_fields(infos: list[Info], managed: dict[str, Any]) -> None:
    for info in infos:
        metadata = (info.obj or {}).setdefault("metadata", {})
        fields = managed.get(str(metadata.get("uid", "")))
        if fields is None:
            metadata.pop("managedFields", None)
        else:
            metadata["managedFields"] = fields


def _original(originals: list[Info], info: Info) -> Info:
    uid = ((info.obj or {}).get("metadata") or {}).get("uid")
    for candidate in originals:
        if ((candidate.obj or {}).get("metadata") or {}).get("uid") == uid:
            return candidate
    raise CommandError(f"no original object found for {info.ref}")


def _patch(session: Session, originals: list[Info], updated: list[Info], results: Results) -> None:
    """Normal edits: a two-way patch per changed object."""
    inv = session.inv
    for info in updated:
        original = _original(originals, info)
        if gojson.dumps(original.obj) == gojson.dumps(info.obj):
            session.printer.print(info.obj or {}, "skipped")
            continue
        try:
            content_type, patch = editing.edit_patch(original.obj or {}, info.obj or {})
        except editing.EditError as err:
            raise CommandError(str(err)) from None
        if inv.flags.get("output_patch"):
            inv.out(f"Patch: {gojson.dumps(patch)}")
        query = common.write_query(
            validation=session.validation, field_manager=session.field_manager
        )
        try:
            patched = session.cluster.client.patch(
                info.resource,
                info.namespace,
                info.name or "",
                patch,
                content_type,
                query,
                session.subresource or None,
            )
        except ApiError as err:
            _report(inv, results, info, err)
            continue
        session.printer.print(patched, "edited")


def _patch_last_applied(
    session: Session, originals: list[Info], updated: list[Info], results: Results
) -> None:
    """``apply edit-last-applied``: the edited configuration becomes the annotation."""
    from pykctl.ops.apply import MERGE, last_applied_patch

    for info in updated:
        original = _original(originals, info)
        if gojson.dumps(original.obj) == gojson.dumps(info.obj):
            session.printer.print(info.obj or {}, "skipped")
            continue
        patch, _ = last_applied_patch(info.obj or {})
        query = common.write_query(
            validation=session.validation, field_manager=session.field_manager
        )
        session.cluster.client.patch(
            info.resource,
            session.cluster.namespace if info.resource.namespaced else None,
            info.name or "",
            patch,
            MERGE,
            query,
        )
        session.printer.print(info.obj or {}, "edited")


def _create(session: Session, originals: list[Info], updated: list[Info], results: Results) -> None:
    """``create --edit``: create the objects as edited."""
    query = common.write_query(validation=session.validation, field_manager=session.field_manager)
    for info in updated:
        created = session.cluster.client.create(
            info.resource, info.namespace, info.obj or {}, query
        )
        session.printer.print(created, "created")


# --- the commands -----------------------------------------------------------------------------


def edit_flags(field_manager: str, save_config: bool) -> list[Flag]:
    flags = [
        *common.printer_flags(),
        common.field_manager_flag(field_manager),
        *filename_flags("Filename, directory, or URL to files to use to edit the resource"),
        validate_flag(),
        Flag(
            "windows-line-endings",
            BOOL,
            usage="Defaults to the line ending native to your platform.",
        ),
    ]
    if save_config:
        flags.append(common.save_config_flag())
    return flags


def targets(inv: Invocation, cluster: common.Cluster) -> list[Info]:
    """The live objects named by arguments (a bare TYPE means all of them) or by ``-f``."""
    sources.check_filename_options(inv, required=False)
    sources.check_args_with_files(inv)
    if inv.flags.get("filename"):
        loaded = sources.load_files(inv, cluster)
        common.raise_collected(loaded.errors)
        infos = loaded.infos
    else:
        named = any("/" in a for a in inv.args) or len(inv.args) > 1
        how = sources.ArgSelection(select_all=bool(inv.args) and not named)
        infos = sources.from_args(cluster, list(inv.args), how)
    found: list[Info] = []
    errors: list[BaseException] = []
    for info in infos:
        try:
            found.append(sources.fetch(cluster, info) if info.name else info)
        except ApiError as err:
            errors.append(err)
    common.raise_collected(errors)
    return found


def run_edit(inv: Invocation) -> int:
    with common.Cluster(inv) as cluster:
        cluster.resolve()
        infos = targets(inv, cluster)
        printer = common.ResultPrinter(inv)
        validation = common.validation_directive(inv)
        if not infos:
            raise CommandError("edit cancelled, no objects found")
        session = Session(
            inv,
            cluster,
            editing.NORMAL,
            printer,
            validation,
            str(inv.flags["field_manager"]),
            str(inv.flags["subresource"]),
        )
        return session.run(infos)


def edit_before_create(inv: Invocation, validation: str) -> int:
    """``create -f FILE --edit``: edit each object of the files, then create it."""
    with common.Cluster(inv) as cluster:
        loaded = sources.load_files(inv, cluster)
        common.raise_collected(loaded.errors)
        session = Session(
            inv,
            cluster,
            editing.CREATE,
            common.ResultPrinter(inv),
            validation,
            str(inv.flags["field_manager"]),
        )
        for info in loaded.infos:
            session.run([info])
    return 0


edit = KCommand(
    "edit",
    run_edit,
    Help(
        use="edit (RESOURCE/NAME | -f FILENAME)",
        short="Edit a resource on the server",
        long="""Edit a resource from the default editor.

 The edit command allows you to directly edit any API resource you can retrieve via the command-line tools. It will open the editor defined by your KUBE_EDITOR, or EDITOR environment variables, or fall back to 'vi' for Linux or 'notepad' for Windows. When attempting to open the editor, it will first attempt to use the shell that has been defined in the 'SHELL' environment variable. If this is not defined, the default shell will be used, which is '/bin/bash' for Linux or 'cmd' for Windows.

 You can edit multiple objects, although changes are applied one at a time. The command accepts file names as well as command-line arguments, although the files you point to must be previously saved versions of resources.

 Editing is done with the API version used to fetch the resource. To edit using a specific API version, fully-qualify the resource, version, and group.

 The default format is YAML. To edit in JSON, specify "-o json".

 The flag --windows-line-endings can be used to force Windows line endings, otherwise the default for your operating system will be used.

 In the event an error occurs while updating, a temporary file will be created on disk that contains your unapplied changes. The most common error when updating a resource is another editor changing the resource on the server. When this occurs, you will have to apply your changes to the newer version of the resource, or update your temporary saved copy to include the latest resource version.""",
        example="""# Edit the service named 'registry'
pykctl edit svc/registry

# Use an alternative editor
KUBE_EDITOR="nano" pykctl edit svc/registry

# Edit the job 'myjob' in JSON using the v1 API format
pykctl edit job.v1.batch/myjob -o json

# Edit the deployment 'mydeployment' in YAML and save the modified config in its annotation
pykctl edit deployment/mydeployment -o yaml --save-config

# Edit the 'status' subresource for the 'mydeployment' deployment
pykctl edit deployment mydeployment --subresource='status'""",
    ),
    [
        *edit_flags("kubectl-edit", save_config=True),
        Flag("output-patch", BOOL, usage="Output the patch if the resource is edited."),
        common.subresource_flag(
            "If specified, edit will operate on the subresource of the requested object."
        ),
    ],
)
