"""Plumbing shared by the verbs that act on objects (label, annotate, patch, scale, wait, run,
expose): their common flags, ``--dry-run``, the object printer, klog-style warnings, and the
connection they open.

The printer is kubectl's PrintFlags: no ``-o`` prints ``kind[.group]/name <operation>`` (with
`` (dry run)`` or `` (server dry run)``), ``-o name`` prints ``kind[.group]/name``, and the
other formats print the object (JSON 4-space indented, YAML documents separated by ``---``),
without ``metadata.managedFields`` unless ``--show-managed-fields``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from pykctl.cli.command import PROGRAM, Invocation
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, STRING, Flag
from pykctl.printers.output import (
    PRINT_FORMATS,
    OutputError,
    OutputFormat,
    Printer,
    parse_output_format,
)
from pykctl.resources.targets import Targets, TargetSpec

Obj = dict[str, Any]

OUTPUT_USAGE = f"Output format. One of: ({', '.join(PRINT_FORMATS)})."
TEMPLATE_USAGE = (
    "Template string or path to template file to use when -o=go-template, -o=go-template-file. "
    "The template format is golang templates "
    "[http://golang.org/pkg/text/template/#pkg-overview]."
)

NONE, CLIENT, SERVER = "none", "client", "server"


def print_flags(output_default: str = "", output_usage: str = OUTPUT_USAGE) -> list[Flag]:
    """kubectl's PrintFlags: -o, --template, --allow-missing-template-keys, --show-managed-fields."""
    return [
        Flag(
            "allow-missing-template-keys",
            BOOL,
            default=True,
            usage="If true, ignore any errors in templates when a field or map key is missing in "
            "the template. Only applies to golang and jsonpath output formats.",
        ),
        Flag("output", STRING, default=output_default, shorthand="o", usage=output_usage),
        Flag(
            "show-managed-fields",
            BOOL,
            usage="If true, keep the managedFields when printing objects in JSON or YAML format.",
        ),
        Flag("template", STRING, usage=TEMPLATE_USAGE),
    ]


def field_manager_flag(default: str) -> Flag:
    return Flag(
        "field-manager",
        STRING,
        default=default,
        usage="Name of the manager used to track field ownership.",
    )


def klog_warning(stderr: TextIO, location: str, message: str) -> None:
    """A klog warning line as kubectl writes it: ``W1129 21:18:23.739511   28237 file.go:1] msg``."""
    now = time.time()
    stamp = time.strftime("%m%d %H:%M:%S", time.localtime(now))
    micros = int((now % 1) * 1_000_000)
    stderr.write(f"W{stamp}.{micros:06d} {os.getpid():>7} {location}] {message}\n")


def dry_run_strategy(inv: Invocation) -> str:
    """``none``, ``client`` or ``server`` from ``--dry-run`` (old boolean forms warn)."""
    from pykctl.cli.flags import parse_bool

    value = inv.flags["dry_run"]
    try:
        as_bool = parse_bool(value)
    except ValueError:
        if value == "unchanged":
            klog_warning(
                inv.stderr,
                "helpers.go:714",
                "--dry-run is deprecated and can be replaced with --dry-run=client.",
            )
            return CLIENT
        if value in (CLIENT, SERVER, NONE):
            return str(value)
        raise CommandError(
            f'Invalid dry-run value ({value}). Must be "none", "server", or "client".'
        ) from None
    replacement = CLIENT if as_bool else NONE
    klog_warning(
        inv.stderr,
        "helpers.go:728" if as_bool else "helpers.go:731",
        f"--dry-run={value} is deprecated (boolean value) and can be replaced with "
        f"--dry-run={replacement}.",
    )
    return replacement


def dry_run_query(strategy: str) -> list[tuple[str, str]]:
    return [("dryRun", "All")] if strategy == SERVER else []


@dataclass
class ObjectPrinter:
    """Prints the objects a verb changed, as ``-o`` asks (kubectl's PrintFlags printer).

    No ``-o`` is kubectl's name printer with the verb's operation; every other format is
    ``pykctl.printers.output``'s printer, made once (so YAML documents get their ``---``)."""

    output: str = ""
    template: str = ""
    dry_run: str = NONE
    show_managed_fields: bool = False
    allow_missing_keys: bool = True
    formats: tuple[str, ...] = PRINT_FORMATS
    _format: OutputFormat | None = field(default=None, init=False)
    _printers: dict[bool, Printer] = field(default_factory=dict, init=False)

    @classmethod
    def from_flags(cls, inv: Invocation, dry_run: str = NONE) -> ObjectPrinter:
        return cls(
            output=inv.flags["output"],
            template=inv.flags["template"],
            dry_run=dry_run,
            show_managed_fields=inv.flags["show_managed_fields"],
            allow_missing_keys=inv.flags["allow_missing_template_keys"],
        )

    def check(self) -> ObjectPrinter:
        """Resolve ``-o``/``--template``; an unknown format is kubectl's printer error."""
        try:
            if self.output or self.template:
                self._format = parse_output_format(self.output, self.template, self.formats)
                self._printer(False)
            else:
                self._format = OutputFormat("")
        except OutputError as err:
            raise CommandError(str(err)) from None
        return self

    @property
    def kind(self) -> str:
        if self._format is None:
            self.check()
        assert self._format is not None
        return self._format.kind

    def _printer(self, typed: bool) -> Printer:
        """The printer for objects; ``typed`` ones keep their key order in JSON."""
        from pykctl.printers.output import make_printer

        assert self._format is not None
        key = typed and self._format.kind == "json"
        if key not in self._printers:
            self._printers[key] = make_printer(
                self._format,
                show_managed_fields=self.show_managed_fields,
                allow_missing_keys=self.allow_missing_keys,
                sort_keys=not key,
            )
        return self._printers[key]

    def operation_text(self, operation: str) -> str:
        if self.dry_run == CLIENT:
            return f"{operation} (dry run)"
        if self.dry_run == SERVER:
            return f"{operation} (server dry run)"
        return operation

    def print(self, obj: Obj, operation: str, out: TextIO, typed: bool = False) -> None:
        """Print one object; ``operation`` is the word the default printer appends.

        ``typed`` objects are in a Go struct's field order, which kubectl's JSON keeps (it
        sorts only the keys of objects it holds as unstructured maps)."""
        from pykctl.printers.output import object_ref

        if self.kind == "":
            text = self.operation_text(operation)
            out.write(f"{object_ref(obj)}{' ' + text if text else ''}\n")
            return
        try:
            self._printer(typed).print_obj(obj, out)
        except OutputError as err:
            raise CommandError(str(err)) from None


@contextlib.contextmanager
def open_targets(inv: Invocation, spec: TargetSpec) -> Iterator[Targets]:
    """The objects ``spec`` names, with a session to the server unless ``spec.local``."""
    if spec.local:
        namespace, explicit = local_namespace(inv)
        yield Targets(spec, namespace, explicit, None, inv.stdin, PROGRAM)
        return
    from pykctl.session import Session

    with Session.open(inv) as session:
        yield Targets(
            spec,
            session.namespace,
            session.namespace_explicit,
            lambda: (session.client, session.mapper),
            inv.stdin,
            PROGRAM,
        )


def local_namespace(inv: Invocation) -> tuple[str, bool]:
    """The namespace without contacting a server (``--local``): ``-n``, the context's, default."""
    from pykctl.cli.connection import overrides
    from pykctl.kubeconfig.errors import KubeconfigError
    from pykctl.kubeconfig.loader import PathOptions
    from pykctl.kubeconfig.resolve import resolve

    try:
        context = resolve(
            PathOptions.from_environment(explicit=inv.globals.kubeconfig), overrides(inv)
        )
    except KubeconfigError:
        namespace = inv.globals.namespace
        return namespace or "default", bool(namespace)
    return context.namespace, context.namespace_explicit


__all__ = [
    "CLIENT",
    "NONE",
    "PROGRAM",
    "SERVER",
    "ObjectPrinter",
    "as_typed",
    "dry_run_query",
    "dry_run_strategy",
    "field_manager_flag",
    "klog_warning",
    "local_namespace",
    "open_targets",
    "print_flags",
]


# --- generated objects (run, expose) -------------------------------------------------------

OVERRIDE_TYPES = ("json", "merge", "strategic")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def override_flags() -> list[Flag]:
    return [
        Flag(
            "override-type",
            STRING,
            default="merge",
            usage="The method used to override the generated object: json, merge, or strategic.",
        ),
        Flag(
            "overrides",
            STRING,
            usage="An inline JSON override for the generated object. If this is non-empty, it is "
            "used to override the generated object. Requires that the object supply a valid "
            "apiVersion field.",
        ),
    ]


def save_config_flag() -> Flag:
    return Flag(
        "save-config",
        BOOL,
        usage="If true, the configuration of current object will be saved in its annotation. "
        "Otherwise, the annotation will be unchanged. This flag is useful when you want to "
        "perform pykctl apply on this object in the future.",
    )


def apply_overrides(obj: Obj, overrides: str, override_type: str) -> Obj:
    """``--overrides`` applied to a generated object (kubectl's Overrider)."""
    import json

    from backends.objects import schemas
    from backends.objects.patch import (
        PatchError,
        apply_json_patch,
        apply_merge_patch,
        apply_strategic_merge_patch,
    )

    if not overrides:
        return obj
    kind = override_type or "merge"
    if kind not in OVERRIDE_TYPES:
        raise CommandError(f"invalid override type: {kind}")
    try:
        fragment = json.loads(overrides)
    except ValueError:
        raise CommandError(
            "Invalid JSON Patch" if kind != "strategic" else "invalid character in JSON"
        ) from None
    try:
        if kind == "merge":
            if not isinstance(fragment, dict):
                raise CommandError("Invalid JSON Patch")
            result: Obj = apply_merge_patch(obj, fragment)
        elif kind == "json":
            result = apply_json_patch(obj, fragment)
        else:
            group, _, version = str(obj.get("apiVersion")).rpartition("/")
            schema = schemas.for_kind(group, version, str(obj.get("kind")))
            result = apply_strategic_merge_patch(obj, fragment, schema)
    except PatchError as err:
        raise CommandError(str(err)) from None
    return result


def with_saved_config(obj: Obj) -> Obj:
    """The object carrying its own JSON as the last-applied annotation (``--save-config``)."""
    from backends.objects import gojson

    metadata = dict(obj.get("metadata") or {})
    annotations = dict(metadata.get("annotations") or {})
    annotations.pop(LAST_APPLIED, None)
    bare = {
        **obj,
        "metadata": {**metadata, "annotations": annotations}
        if annotations
        else {k: v for k, v in metadata.items() if k != "annotations"},
    }
    annotations[LAST_APPLIED] = gojson.dumps(bare, sort_keys=False) + "\n"
    metadata["annotations"] = dict(sorted(annotations.items()))
    return {**obj, "metadata": metadata}


def as_typed(obj: Obj) -> tuple[Obj, bool]:
    """``obj`` as kubectl's Go struct of its kind prints it, when pykctl knows that struct
    (``pykctl.ops.typed``); the flag says whether it did."""
    from pykctl.ops import typed

    if typed.struct_name(str(obj.get("apiVersion", "")), str(obj.get("kind", ""))) is None:
        return obj, False
    return typed.encode(obj), True


def create_object(
    client: Any,
    resource: Any,
    namespace: str | None,
    obj: Obj,
    dry_run: str,
    flags: dict[str, Any],
) -> Obj:
    """POST a generated object as kubectl's resource helper does: ``--save-config`` puts its own
    JSON in the last-applied annotation, ``--field-manager`` names the manager."""
    if flags["save_config"]:
        obj = with_saved_config(obj)
    query = [*dry_run_query(dry_run), ("fieldManager", flags["field_manager"])]
    created: Obj = client.create(resource, namespace, obj, query)
    return created
