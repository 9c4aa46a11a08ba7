"""What every object-writing command shares: create, apply, replace, edit and delete.

* the flags they declare alike (``--dry-run``, ``--validate``, ``--field-manager``, ``-o`` and
  the printer flags, ``-f``/``-k``/``-R``, ``--save-config``) and kubectl's parsing of their
  values, deprecation warnings included (written as klog writes them);
* ``Cluster``: the namespace from the kubeconfig without contacting the server (client dry
  runs never do) and, when needed, the session, whose requests print the server's
  ``Warning:`` headers as kubectl does (each text once);
* ``ResultPrinter``: ``pod/x created`` lines or the objects in the ``-o`` format;
* objects from ``-f`` with kubectl's continue-on-error visiting, and the error aggregate
  printed at the end (one line per failure, exit 1).

Invariants: nothing is printed to stdout except through ``ResultPrinter``; every error ends up
in the one error funnel (``cli.errors``), aggregated the way kubectl's ``CheckErr`` does.
"""

from __future__ import annotations

import os
import time
from functools import cached_property
from typing import TYPE_CHECKING, Any, TextIO

import click

from backends.errors import ApiError, ConnectionFailed
from backends.objects.gofmt import quote
from pykctl.cli.command import PROGRAM, Invocation, KCommand, KGroup
from pykctl.cli.errors import CommandError, RawError, UsageError, message_for
from pykctl.cli.flags import BOOL, Flag, parse_int
from pykctl.printers.output import PRINT_FORMATS

if TYPE_CHECKING:
    from pykctl.client import Client
    from pykctl.kubeconfig.resolve import Resolved
    from pykctl.resources.mapper import Mapper
    from pykctl.session import Session

Obj = dict[str, Any]

DRY_RUN_NONE, DRY_RUN_CLIENT, DRY_RUN_SERVER = "none", "client", "server"
STRICT, WARN, IGNORE = "Strict", "Warn", "Ignore"


# --- flags ------------------------------------------------------------------------------------


def field_manager_flag(default: str) -> Flag:
    return Flag(
        "field-manager",
        default=default,
        usage="Name of the manager used to track field ownership.",
    )


def save_config_flag() -> Flag:
    return Flag(
        "save-config",
        BOOL,
        usage="If true, the configuration of current object will be saved in its annotation. "
        "Otherwise, the annotation will be unchanged. This flag is useful when you want to "
        f"perform {PROGRAM} apply on this object in the future.",
    )


def printer_flags(formats: tuple[str, ...] = PRINT_FORMATS) -> list[Flag]:
    """``-o``, ``--template``, ``--allow-missing-template-keys``, ``--show-managed-fields``."""
    return [
        Flag(
            "allow-missing-template-keys",
            BOOL,
            default=True,
            usage="If true, ignore any errors in templates when a field or map key is missing in "
            "the template. Only applies to golang and jsonpath output formats.",
        ),
        Flag(
            "output",
            shorthand="o",
            usage=f"Output format. One of: ({', '.join(formats)}).",
        ),
        Flag(
            "show-managed-fields",
            BOOL,
            usage="If true, keep the managedFields when printing objects in JSON or YAML format.",
        ),
        Flag(
            "template",
            usage="Template string or path to template file to use when -o=go-template, "
            "-o=go-template-file. The template format is golang templates "
            "[http://golang.org/pkg/text/template/#pkg-overview].",
        ),
    ]


def parse_int32(raw: str) -> int:
    """pflag's int32 values: Go's ``strconv.ParseInt(raw, 0, 32)``."""
    value = parse_int(raw)
    if not -(2**31) <= value < 2**31:
        raise ValueError(f'strconv.ParseInt: parsing "{raw}": value out of range')
    return value


def subresource_flag(usage: str) -> Flag:
    return Flag("subresource", usage=usage)


# --- flag values ------------------------------------------------------------------------------


def klog_warning(stream: TextIO, location: str, message: str) -> None:
    """A klog warning line as kubectl writes it: ``W1129 21:23:37.706797    6229 file:line] msg``."""
    now = time.time()
    local = time.localtime(now)
    micros = int((now % 1) * 1_000_000)
    stamp = time.strftime("%m%d %H:%M:%S", local)
    stream.write(f"W{stamp}.{micros:06d} {os.getpid():7d} {location}] {message}\n")


_GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_GO_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def dry_run_strategy(inv: Invocation) -> str:
    """``--dry-run``: none, client or server (booleans and a bare flag deprecated)."""
    value = str(inv.flags.get("dry_run", "none"))
    if value in _GO_TRUE or value in _GO_FALSE:
        strategy = DRY_RUN_CLIENT if value in _GO_TRUE else DRY_RUN_NONE
        line = "helpers.go:728" if value in _GO_TRUE else "helpers.go:731"
        klog_warning(
            inv.stderr,
            line,
            f"--dry-run={value} is deprecated (boolean value) and can be replaced with "
            f"--dry-run={strategy}.",
        )
        return strategy
    if value == "unchanged":
        klog_warning(
            inv.stderr,
            "helpers.go:714",
            "--dry-run is deprecated and can be replaced with --dry-run=client.",
        )
        return DRY_RUN_CLIENT
    if value in (DRY_RUN_CLIENT, DRY_RUN_SERVER, DRY_RUN_NONE):
        return value
    raise CommandError(f'Invalid dry-run value ({value}). Must be "none", "server", or "client".')


def validation_directive(inv: Invocation) -> str:
    """``--validate``: the ``fieldValidation`` to send (Strict, Warn or Ignore)."""
    value = str(inv.flags.get("validate", "strict"))
    if value in _GO_TRUE:
        return STRICT
    if value in _GO_FALSE:
        return IGNORE
    known = {"strict": STRICT, "warn": WARN, "ignore": IGNORE}
    if value in known:
        return known[value]
    raise CommandError(
        f"invalid - validate option {quote(value)}; must be one of: strict (or true), warn, "
        "ignore (or false)"
    )


def write_query(
    dry_run: str = DRY_RUN_NONE, field_manager: str = "", validation: str = ""
) -> list[tuple[str, str]]:
    """The query parameters of a create/update/patch, in client-go's order."""
    query: list[tuple[str, str]] = []
    if dry_run == DRY_RUN_SERVER:
        query.append(("dryRun", "All"))
    if field_manager:
        query.append(("fieldManager", field_manager))
    if validation:
        query.append(("fieldValidation", validation))
    return query


def args_len_at_dash(inv: Invocation) -> int:
    """cobra's ``ArgsLenAtDash``: how many arguments came before ``--`` (-1 without one)."""
    import click

    ctx = click.get_current_context(silent=True)
    index = ctx.meta.get("pykctl.dash_index", -1) if ctx is not None else -1
    return int(index)


def name_from_args(inv: Invocation) -> str:
    """kubectl's ``NameFromCommandArgs``: exactly one NAME (before any ``--``)."""
    count = args_len_at_dash(inv)
    if count == -1:
        count = len(inv.args)
    if count != 1:
        raise inv.usage_error(f"exactly one NAME is required, got {count}")
    return inv.args[0]


def require_flags(inv: Invocation, *names: str) -> None:
    """cobra's required-flag check, done before anything else runs."""
    missing = [name for name in names if name.replace("-", "_") not in inv.changed]
    if missing:
        listed = ", ".join(f'"{name}"' for name in missing)
        raise CommandError(f"required flag(s) {listed} not set")


# --- the cluster ------------------------------------------------------------------------------


class Cluster:
    """A command's cluster: its namespace at once, its session only when a request is due."""

    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self._session: Session | None = None

    @cached_property
    def resolved(self) -> Resolved:
        """The kubeconfig context (its errors are kubectl's "Error in configuration")."""
        from pykctl.cli.connection import overrides
        from pykctl.kubeconfig.loader import PathOptions
        from pykctl.kubeconfig.resolve import resolve

        paths = PathOptions.from_environment(explicit=self.inv.globals.kubeconfig)
        return resolve(paths, overrides(self.inv))

    @property
    def namespace(self) -> str:
        return self.resolved.namespace

    def resolve(self) -> None:
        """Read the kubeconfig now, so that its errors come first (kubectl's Complete)."""
        self.resolved  # noqa: B018

    @property
    def namespace_explicit(self) -> bool:
        """``-n`` given (kubectl's enforceNamespace)."""
        return self.resolved.namespace_explicit

    @property
    def session(self) -> Session:
        """The open ``pykctl.session.Session`` (connects on first use)."""
        if self._session is None:
            from pykctl.session import Session

            session = Session.open(self.inv)
            self._session = session
        return self._session

    @property
    def client(self) -> Client:
        return self.session.client

    @property
    def mapper(self) -> Mapper:
        return self.session.mapper

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def request_json(
    cluster: Cluster,
    method: str,
    path: str,
    body: Any = None,
    query: list[tuple[str, str]] | None = None,
) -> Obj:
    """One JSON request the REST client has no verb for (subresources such as ``token``)."""
    import json

    from backends.errors import from_response

    data = json.dumps(body).encode() if body is not None else None
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    response = cluster.session.connection.backend.request(method, path, query, data, headers)
    if response.status >= 400:
        raise from_response(response, method.lower(), path.rsplit("/", 1)[-1])
    result: Obj = response.json()
    return result


# --- printing results -------------------------------------------------------------------------


def group_kind_ref(obj: Obj) -> str:
    """``deployment.apps`` / ``pod``: the name printer's kind part."""
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    kind = str(obj.get("kind", "")).lower()
    return f"{kind}.{group}" if group else kind


def without_managed_fields(obj: Obj) -> Obj:
    """``obj`` (or each item of a list) without ``metadata.managedFields``."""
    if isinstance(obj.get("items"), list) and obj.get("kind", "").endswith("List"):
        return {**obj, "items": [without_managed_fields(i) for i in obj["items"]]}
    metadata = obj.get("metadata")
    if isinstance(metadata, dict) and "managedFields" in metadata:
        return {**obj, "metadata": {k: v for k, v in metadata.items() if k != "managedFields"}}
    return obj


class ResultPrinter:
    """kubectl's printer for written objects: ``kind/name <operation>`` lines (with the dry-run
    suffix), ``-o name``, or the objects in the ``-o`` format (YAML documents separated by
    ``---``). ``typed`` objects print as kubectl's Go structs (generators)."""

    def __init__(
        self,
        inv: Invocation,
        dry_run: str = DRY_RUN_NONE,
        typed: bool = False,
        formats: tuple[str, ...] = PRINT_FORMATS,
    ) -> None:
        from pykctl.printers.output import OutputError, parse_output_format

        self.inv = inv
        self.typed = typed
        self.suffix = {DRY_RUN_CLIENT: " (dry run)", DRY_RUN_SERVER: " (server dry run)"}.get(
            dry_run, ""
        )
        self.output = str(inv.flags.get("output", ""))
        template = str(inv.flags.get("template", ""))
        self.format: Any = None
        self.printed = 0
        if self.output or template:
            try:
                self.format = parse_output_format(self.output, template, formats)
            except OutputError as err:
                raise CommandError(str(err)) from None

    @property
    def prints_objects(self) -> bool:
        """An ``-o`` other than ``name`` (apply then prints the objects at the end)."""
        return self.format is not None and self.format.kind != "name"

    def print(self, obj: Obj, operation: str = "") -> None:
        """Print one result (a ``List`` prints its items with the name printer)."""
        from pykctl.printers.output import OutputError, render

        if self.format is None or self.format.kind == "name":
            items = obj.get("items") if str(obj.get("kind", "")).endswith("List") else None
            for item in items if isinstance(items, list) else [obj]:
                self._print_name(item, operation)
            return
        data = obj
        if self.typed:
            from pykctl.ops import typed

            data = typed.encode(obj)
        kind = self.format.kind
        if kind in ("json", "yaml", "kyaml") and not self.inv.flags.get("show_managed_fields"):
            data = without_managed_fields(data)
        if kind == "yaml" and self.printed:
            self.inv.stdout.write("---\n")
        self.printed += 1
        if kind == "kyaml" and self.typed:  # the shared KYAML printer always sorts keys
            from backends.objects.kyaml import kyaml_dumps

            self.inv.stdout.write("---\n" + kyaml_dumps(data, sort_keys=False) + "\n")
            return
        try:
            text = render(
                data,
                self.format,
                allow_missing_keys=bool(self.inv.flags.get("allow_missing_template_keys", True)),
                sort_keys=not self.typed,
            )
        except OutputError as err:
            raise CommandError(str(err)) from None
        self.inv.stdout.write(text)

    def _print_name(self, obj: Obj, operation: str) -> None:
        name = (obj.get("metadata") or {}).get("name") or "<unknown>"
        ref = f"{group_kind_ref(obj)}/{name}"
        if self.format is not None:  # -o name
            self.inv.out(ref)
            return
        text = f"{operation}{self.suffix}" if operation else ""
        self.inv.out(f"{ref} {text}" if text else ref)


# --- errors -----------------------------------------------------------------------------------


def with_source(verb: str, source: str, err: BaseException) -> BaseException:
    """kubectl's ``AddSourceToErr``: ``error when <verb> "<file>": <message>``."""
    if not source:
        return err
    prefix = f"error when {verb} {quote(source)}: "
    if isinstance(err, ApiError):
        status = dict(err.status)
        status["message"] = prefix + err.message
        return ApiError(err.code, err.reason, prefix + err.message, status)
    return CommandError(prefix + str(err))


def _aggregate_line(err: BaseException) -> str:
    """kubectl's ``messageForError``: server errors worded, others as they are."""
    if isinstance(err, ApiError):
        if err.code == 401:
            return f"error: You must be logged in to the server ({err.message})"
        if err.reason:
            return f"Error from server ({err.reason}): {err.message}"
        return f"Error from server: {err.message}"
    if isinstance(err, (ConnectionFailed, RawError)):
        return message_for(err)
    return str(err)


def raise_collected(errors: list[BaseException]) -> None:
    """Fail with the errors collected while continuing past them (none: return)."""
    if not errors:
        return
    if len(errors) == 1:
        err = errors[0]
        if isinstance(err, (CommandError, ApiError, ConnectionFailed)):
            raise err
        raise CommandError(str(err))
    raise RawError("\n".join(_aggregate_line(e) for e in errors))


class RunnableGroup(KGroup):
    """A command that is also a group (``create``, ``apply``): a first word naming a
    subcommand runs it; anything else runs the command itself with every word as argument."""

    def __init__(self, runner: KCommand, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runner = runner

    def _run_self(self, ctx: click.Context) -> Any:
        argv: list[str] = ctx.meta.get("pykctl.argv", [])
        own = self.runner.make_context(ctx.info_name, list(argv), parent=ctx.parent)
        with own:
            return self.runner.invoke(own)

    def invoke(self, ctx: click.Context) -> Any:
        name = ctx.meta["pykctl.subcommand"]
        if name is None:
            return super().invoke(ctx)
        command = self.get_command(ctx, name)
        if command is None:
            return self._run_self(ctx)
        # cobra names a command by its name, not the alias typed (``See 'create configmap -h'``)
        sub_ctx = command.make_context(command.name, ctx.meta["pykctl.rest"], parent=ctx)
        with sub_ctx:
            return command.invoke(sub_ctx)

    def run_without_subcommand(self, ctx: click.Context, stderr: TextIO) -> int:
        return int(self._run_self(ctx) or 0)


def unexpected_args(inv: Invocation) -> None:
    """``error: Unexpected args: [a b]`` (create -f, apply)."""
    if inv.args:
        raise UsageError(f"Unexpected args: [{' '.join(inv.args)}]", inv.command_path)
