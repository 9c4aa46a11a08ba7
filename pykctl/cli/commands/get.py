"""``pykctl get``: display resources, as ``kubectl get`` does.

Flow (kubectl's GetOptions): complete (namespace from the kubeconfig, printer kind, the "no
resource type" usage error) → validate (flag combinations) → run. Run resolves arguments the
way cli-runtime's builder does (``TYPE[,TYPE] [NAME...]``, ``TYPE/NAME...``, categories such as
``all``, ``-f`` manifests, ``-l``/``--field-selector``), fetches every target in argument order,
continuing past errors, and prints:

* human output (no ``-o``, or ``-o wide``): the server's ``meta.k8s.io/v1`` Tables, one group per
  run of consecutive targets of the same resource, groups separated by a blank line when
  headers are on, ``kind[.group]/`` name prefixes when several kinds were asked for, then
  ``No resources found in NS namespace.`` on stderr when nothing was printed;
* any other ``-o``: the single object asked for by name, else a ``List`` of every item.

Errors are reported after the output, grouped and prefixed exactly as kubectl's visitors and
CheckErr group them (found objects are still printed); a bad ``-o`` value is only noticed
after fetching, as in kubectl. Server warnings go to stderr as ``Warning: ...``. ``-w``/``--watch-only`` print the list (or object), then
one line per watch event with the same column widths, until the server ends the stream.
``--raw PATH`` prints the body of a GET as the server sent it.
"""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backends.errors import ApiError, from_response
from pykctl.cli.command import PROGRAM, Help, Invocation, KCommand
from pykctl.cli.errors import CommandError, Exit, RawError, message_for
from pykctl.cli.flags import BOOL, INT, STRING_SLICE, Flag
from pykctl.cli.shared_flags import field_selector_flag, selector_flag
from pykctl.printers.output import GET_FORMATS

if TYPE_CHECKING:
    from pykctl.printers.output import HumanPrinter, OutputFormat, Printer, WatchEvent
    from pykctl.printers.tabwriter import TabWriter
    from pykctl.resources.discovery import Resource
    from pykctl.session import Session

Obj = dict[str, Any]

OUTPUT_USAGE = (
    f"Output format. One of: ({', '.join(GET_FORMATS)}). See custom columns "
    "[https://kubernetes.io/docs/reference/kubectl/#custom-columns], golang template "
    "[http://golang.org/pkg/text/template/#pkg-overview] and jsonpath template "
    "[https://kubernetes.io/docs/reference/kubectl/jsonpath/]."
)

FLAGS = [
    Flag(
        "all-namespaces",
        BOOL,
        shorthand="A",
        usage="If present, list the requested object(s) across all namespaces. Namespace in "
        "current context is ignored even if specified with --namespace.",
    ),
    Flag(
        "allow-missing-template-keys",
        BOOL,
        default=True,
        usage="If true, ignore any errors in templates when a field or map key is missing in "
        "the template. Only applies to golang and jsonpath output formats.",
    ),
    Flag(
        "chunk-size",
        INT,
        default=500,
        usage="Return large lists in chunks rather than all at once. Pass 0 to disable.",
    ),
    field_selector_flag(),
    Flag(
        "filename",
        STRING_SLICE,
        shorthand="f",
        usage="Filename, directory, or URL to files identifying the resource to get from a server.",
    ),
    Flag(
        "ignore-not-found",
        BOOL,
        usage="If set to true, suppresses NotFound error for specific objects that do not "
        "exist. Using this flag with commands that query for collections of resources has no "
        "effect when no resources are found.",
    ),
    Flag(
        "kustomize",
        shorthand="k",
        usage="Process the kustomization directory. This flag can't be used together with -f "
        "or -R.",
    ),
    Flag(
        "label-columns",
        STRING_SLICE,
        shorthand="L",
        usage="Accepts a comma separated list of labels that are going to be presented as "
        "columns. Names are case-sensitive. You can also use multiple flag options like -L "
        "label1 -L label2...",
    ),
    Flag(
        "no-headers",
        BOOL,
        usage="When using the default or custom-column output format, don't print headers "
        "(default print headers).",
    ),
    Flag("output", shorthand="o", usage=OUTPUT_USAGE),
    Flag(
        "output-watch-events",
        BOOL,
        usage="Output watch event objects when --watch or --watch-only is used. Existing "
        "objects are output as initial ADDED events.",
    ),
    Flag(
        "raw",
        usage="Raw URI to request from the server.  Uses the transport specified by the "
        "kubeconfig file.",
    ),
    Flag(
        "recursive",
        BOOL,
        shorthand="R",
        usage="Process the directory used in -f, --filename recursively. Useful when you want "
        "to manage related manifests organized within the same directory.",
    ),
    selector_flag(),
    Flag(
        "server-print",
        BOOL,
        default=True,
        usage="If true, have the server return the appropriate table output. Supports "
        "extension APIs and CRDs.",
    ),
    Flag(
        "show-kind",
        BOOL,
        usage="If present, list the resource type for the requested object(s).",
    ),
    Flag(
        "show-labels",
        BOOL,
        usage="When printing, show all labels as the last column (default hide labels column)",
    ),
    Flag(
        "show-managed-fields",
        BOOL,
        usage="If true, keep the managedFields when printing objects in JSON or YAML format.",
    ),
    Flag(
        "sort-by",
        usage="If non-empty, sort list types using this field specification.  The field "
        "specification is expressed as a JSONPath expression (e.g. '{.metadata.name}'). The "
        "field in the API resource specified by this JSONPath expression must be an integer "
        "or a string.",
    ),
    Flag(
        "subresource",
        usage="If specified, gets the subresource of the requested object.",
    ),
    Flag(
        "template",
        usage="Template string or path to template file to use when -o=go-template, "
        "-o=go-template-file. The template format is golang templates "
        "[http://golang.org/pkg/text/template/#pkg-overview].",
    ),
    Flag(
        "watch",
        BOOL,
        shorthand="w",
        usage="After listing/getting the requested object, watch for changes.",
    ),
    Flag(
        "watch-only",
        BOOL,
        usage="Watch for changes to the requested object(s), without listing/getting first.",
    ),
]

MISSING_RESOURCE = """You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'"""

NO_NEED_FOR_TYPE = (
    "there is no need to specify a resource type as a separate argument when passing arguments "
    f"in resource/name form (e.g. '{PROGRAM} get resource/<resource_name>' instead of "
    f"'{PROGRAM} get resource resource/<resource_name>'"
)


# --------------------------------------------------------------------------------------------
# What to fetch


@dataclass
class Target:
    """One request to make: a list (``name`` None) or one object, of one resource type.

    A target from ``-f`` may instead carry the ``error`` kubectl meets when it reaches that
    manifest (unreadable file, unknown kind), and the namespace the manifest names.
    """

    resource: Resource | None
    namespace: str | None
    name: str | None = None
    error: Exception | None = None
    manifest_namespace: str = ""


class Aggregate(Exception):
    """Errors kubectl collects as one (its utilerrors.Aggregate), reported together."""

    def __init__(self, errors: list[Exception]) -> None:
        super().__init__(errors)
        self.errors = errors

    def leaves(self) -> list[Exception]:
        """utilerrors.Flatten: the errors, nested aggregates opened."""
        return [
            leaf for e in self.errors for leaf in (e.leaves() if isinstance(e, Aggregate) else [e])
        ]

    def text(self) -> str:
        """Go's aggregate.Error(): one message or ``[a, b]`` (opened, without duplicates)."""
        seen = list(dict.fromkeys(str(e) for e in self.leaves()))
        return seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"


@dataclass
class Info:
    """One fetched thing: a Table, a list item, or a named object."""

    resource: Resource
    obj: Obj

    @property
    def namespaced(self) -> bool:
        return self.resource.namespaced


@dataclass
class Plan:
    """The targets of one command line and how kubectl's builder would present them."""

    targets: list[Target] = field(default_factory=list)
    single_item: bool = False  # one object named: print it, not a List
    manifests: bool = False  # targets came from -f (filtered by -l client-side)


def _unique(items: list[str]) -> list[str]:
    """``items`` without repeats, in first-seen order (kubectl's SplitResourceArgument)."""
    return list(dict.fromkeys(items))


def _list_subject(resource: Resource) -> str:
    """GroupVersionResource.String(): ``/v1, Resource=pods``."""
    return f"{resource.group}/{resource.version}, Resource={resource.plural}"


# --------------------------------------------------------------------------------------------
# The command


class Get:
    """One run of ``get``: options from the command line, then complete → validate → run."""

    def __init__(self, inv: Invocation) -> None:
        flags = inv.flags
        self.inv = inv
        self.args = list(inv.args)
        self.raw: str = flags["raw"]
        self.output: str = flags["output"]
        self.template: str = flags["template"]
        self.watch: bool = flags["watch"]
        self.watch_only: bool = flags["watch_only"]
        self.all_namespaces: bool = flags["all_namespaces"]
        self.selector: str = flags["selector"].strip()
        self.field_selector: str = flags["field_selector"].strip()
        self.sort_by: str = flags["sort_by"]
        self.no_headers: bool = flags["no_headers"]
        self.filenames: list[str] = flags["filename"]
        self.kustomize: str = flags["kustomize"]
        self.ignore_not_found: bool = flags["ignore_not_found"]
        self.chunk_size: int = flags["chunk_size"]
        self.subresource: str = flags["subresource"]
        self.namespace = ""
        self.namespace_explicit = False
        self.server_print: bool = flags["server_print"]
        self.human = False

    # -- complete / validate ---------------------------------------------------------------

    def complete(self) -> None:
        inv = self.inv
        if self.raw:
            if self.args:
                raise CommandError("arguments may not be passed when --raw is specified")
            return
        from pykctl.cli.connection import overrides
        from pykctl.kubeconfig.loader import PathOptions
        from pykctl.kubeconfig.resolve import resolve

        context = resolve(
            PathOptions.from_environment(explicit=inv.globals.kubeconfig), overrides(inv)
        )
        self.namespace = context.namespace
        self.namespace_explicit = context.namespace_explicit and not self.all_namespaces
        output = self.output
        if "custom-columns" in output or output == "yaml" or "json" in output:
            self.server_print = False
        self.human = (not output and not self.template) or output == "wide"
        if self.watch:
            if self.sort_by:
                inv.err(
                    "warning: --watch requested, --sort-by will be ignored for watch events received"
                )
        elif self.watch_only:
            if self.sort_by:
                inv.err("warning: --watch-only requested, --sort-by will be ignored")
        elif not self.args and not self.filenames and not self.kustomize:
            inv.err(
                f'You must specify the type of resource to get. Use "{PROGRAM} api-resources" '
                "for a complete list of supported resources.\n"
            )
            raise inv.usage_error(
                "Required resource not specified.\n"
                f'Use "{PROGRAM} explain <resource>" for a detailed description of that '
                f"resource (e.g. {PROGRAM} explain pods)."
            )

    def validate(self) -> None:
        flags = self.inv.flags
        if self.raw:
            if self.watch or self.watch_only or self.selector:
                raise CommandError(
                    "--raw may not be specified with other flags that filter the server request "
                    "or alter the output"
                )
            if self.output:
                raise CommandError("--raw and --output are mutually exclusive")
            problem = _request_uri_problem(self.raw)
            if problem:
                raise CommandError(f"--raw must be a valid URL path: {problem}")
        if flags["show_labels"] and self.output not in ("", "wide"):
            raise CommandError(f"--show-labels option cannot be used with {self.output} printer")
        if flags["label_columns"] and self.output.startswith("custom-columns"):
            raise CommandError(f"--label-columns option cannot be used with {self.output} printer")
        if flags["output_watch_events"] and not (self.watch or self.watch_only):
            raise CommandError(
                "--output-watch-events option can only be used with --watch or --watch-only"
            )

    # -- run -------------------------------------------------------------------------------

    def run(self) -> int:
        if self.raw:
            return self.run_raw()
        from pykctl.session import Session

        with Session.open(self.inv) as session:
            if self.watch or self.watch_only:
                return self.run_watch(session)
            plan = self.plan(session, single_type=False)
            chunk = 0 if self.sort_by else self.chunk_size
            infos, errors = self.fetch(session, plan, chunk, stop_on_error=False)
        if self.human:
            return self.print_human(infos, errors)
        return self.print_generic(plan, infos, errors)

    def run_raw(self) -> int:
        from urllib.parse import parse_qsl

        from pykctl.cli.connection import connect

        path, _, query_text = self.raw.partition("?")
        backend = connect(self.inv).backend
        try:
            response = backend.request(
                "GET", path, parse_qsl(query_text, keep_blank_values=True) or None
            )
        finally:
            backend.close()
        if response.status >= 400:
            raise from_response(response)
        self.inv.stdout.write(response.body.decode(errors="replace"))
        return 0

    # -- the builder -----------------------------------------------------------------------

    def _types(self, session: Session, arg: str) -> list[str]:
        """kubectl's ReplaceAliases: categories (``all``) become their resources' names."""
        from pykctl.resources.mapper import UnknownResource

        expanded: list[str] = []
        for part in arg.split(","):
            try:
                members = session.mapper.expand(part)
            except UnknownResource:
                members = []
            if len(members) > 1 or (members and part in members[0].categories):
                expanded += [m.group_resource for m in members]
            else:
                expanded.append(part)
        return expanded

    def _resource(self, session: Session, arg: str) -> Resource:
        from pykctl.resources.mapper import UnknownResource

        try:
            return session.mapper.resource_for(arg)
        except UnknownResource as err:
            raise CommandError(str(err)) from None

    def _namespace_for(self, resource: Resource) -> str | None:
        if not resource.namespaced:
            return None
        return None if self.all_namespaces else self.namespace

    def _named_namespace(self, resource: Resource) -> str | None:
        if resource.namespaced and self.all_namespaces:
            raise CommandError("a resource cannot be retrieved by name across all namespaces")
        return self._namespace_for(resource)

    def plan(self, session: Session, single_type: bool) -> Plan:
        """Targets for the arguments and ``-f``, with kubectl's builder errors and their order."""
        errors: list[str] = []
        if self.filenames and self.kustomize:
            errors.append("only one of -f or -k can be specified")
        if self.kustomize and self.inv.flags["recursive"]:
            errors.append("the -k flag can't be used with -f or -R")
        if not errors:
            errors += [
                f'the path "{path}" does not exist'
                for path in self.filenames
                if path != "-"
                and not path.startswith(("http://", "https://"))
                and not os.path.exists(path)
            ]
        args = list(self.args)
        if len(args) >= 2:
            types = _unique(args[0].split(","))
            if len(types) > 1:
                args = [f"{t}/{name}" for t in types for name in args[1:]]
        tuples: list[tuple[str, str]] = []
        types, names = [], []
        slashed = sum("/" in a for a in args)
        if slashed and slashed != len(args):
            errors.append(NO_NEED_FOR_TYPE)
        elif slashed:
            for arg in args:
                pieces = arg.split("/")
                if len(pieces) != 2:
                    errors.append(
                        "arguments in resource/name form may not have more than one slash"
                    )
                    break
                if not pieces[0] or not pieces[1] or len(_unique(pieces[0].split(","))) != 1:
                    errors.append(
                        "arguments in resource/name form must have a single resource and name"
                    )
                    break
                tuples.append((pieces[0], pieces[1]))
        elif args:
            types = _unique(self._types(session, args[0]))
            names = args[1:]
        if errors:
            raise _check(Aggregate([CommandError(e) for e in errors]))
        if self.kustomize:
            raise CommandError(f"{PROGRAM} does not support kustomize (-k) yet")
        everything = len(args) == 1 and not slashed
        if self.filenames:
            return self._plan_manifests(session, types, tuples)
        if self.selector or self.field_selector or everything:
            return self._plan_lists(session, types, names, tuples, single_type)
        if tuples:
            return self._plan_tuples(session, tuples, single_type)
        if names:
            if len(types) > 1:
                raise CommandError("you must specify only one resource")
            resource = self._resource(session, types[0])
            namespace = self._named_namespace(resource)
            targets = [Target(resource, namespace, name) for name in names]
            return Plan(targets, single_item=len(names) == 1)
        raise CommandError(MISSING_RESOURCE)

    def _plan_manifests(
        self, session: Session, types: list[str], tuples: list[tuple[str, str]]
    ) -> Plan:
        """One target per manifest object; unreadable files and unknown kinds become targets
        that carry their error (kubectl meets them while visiting, in order, and goes on)."""
        from pykctl.resources import manifests
        from pykctl.resources.builder import Builder, BuilderError, Selection

        if types:
            raise CommandError(
                "when paths, URLs, or stdin is provided as input, you may not specify resource "
                "arguments as well"
            )
        if tuples:
            raise CommandError(
                "resource/name arguments cannot be provided when a path is specified"
            )
        builder = Builder(session.mapper)
        selection = Selection(self.namespace)
        targets: list[Target] = []
        sources: list[str] = []
        for path in self.filenames:
            try:
                found = manifests.read([path], self.inv.flags["recursive"], self.inv.stdin)
            except manifests.ManifestError as err:
                targets.append(Target(None, None, error=CommandError(str(err))))
                continue
            for manifest in found:
                sources.append(manifest.source)
                try:
                    (info,) = builder.from_manifests([manifest], selection)
                except BuilderError as err:
                    targets.append(Target(None, None, error=CommandError(str(err))))
                    continue
                named = str((manifest.obj.get("metadata") or {}).get("namespace") or "")
                targets.append(Target(info.resource, info.namespace, info.name, None, named))
        single = len(set(sources)) <= 1 and "STDIN" not in sources and len(self.filenames) == 1
        return Plan(targets, single_item=single, manifests=True)

    def _plan_lists(
        self,
        session: Session,
        types: list[str],
        names: list[str],
        tuples: list[tuple[str, str]],
        single_type: bool,
    ) -> Plan:
        if names:
            raise CommandError("name cannot be provided when a selector is specified")
        if tuples:
            raise CommandError(
                "selectors and the all flag cannot be used when passing resource/name arguments"
            )
        if self.subresource:
            raise CommandError("subresource cannot be used when bulk resources are specified")
        if not types:
            raise CommandError("at least one resource must be specified to use a selector")
        if single_type and len(types) > 1:
            raise CommandError("you may only specify a single resource type")
        targets: list[Target] = []
        seen: set[tuple[str, str, str]] = set()
        for type_arg in types:
            resource = self._resource(session, type_arg)
            key = (resource.group, resource.version, resource.kind)
            if key not in seen:
                seen.add(key)
                targets.append(Target(resource, self._namespace_for(resource)))
        return Plan(targets)

    def _plan_tuples(
        self, session: Session, tuples: list[tuple[str, str]], single_type: bool
    ) -> Plan:
        mapped: dict[str, Resource] = {}
        for type_arg, _ in tuples:
            if type_arg not in mapped:
                mapped[type_arg] = self._resource(session, type_arg)
        kinds = {(r.group, r.version, r.plural) for r in mapped.values()}
        if single_type and len(kinds) > 1:
            raise CommandError("you may only specify a single resource type")
        targets = []
        for type_arg, name in tuples:
            resource = mapped[type_arg]
            targets.append(Target(resource, self._named_namespace(resource), name))
        return Plan(targets, single_item=len(tuples) == 1)

    # -- fetching --------------------------------------------------------------------------

    @property
    def tables(self) -> bool:
        """Are Tables requested (kubectl's transformRequests)?"""
        return self.server_print and self.human

    @property
    def accept(self) -> str:
        from pykctl.client import JSON, TABLE_ACCEPT

        return TABLE_ACCEPT if self.tables else JSON

    def list_query(self) -> list[tuple[str, str]]:
        """Selectors, and full row objects when sorting Tables."""
        query = []
        if self.selector:
            query.append(("labelSelector", self.selector))
        if self.field_selector:
            query.append(("fieldSelector", self.field_selector))
        if self.sort_by and self.tables:
            query.append(("includeObject", "Object"))
        return query

    def _enhance(self, err: ApiError, resource: Resource) -> ApiError:
        """kubectl's EnhanceListError: say which list failed, and with which selectors."""
        if err.reason not in ("BadRequest", "NotFound"):
            return err
        if self.selector or self.field_selector:
            message = (
                f'Unable to find "{_list_subject(resource)}" that match label selector '
                f'"{self.selector}", field selector "{self.field_selector}": {err.message}'
            )
        else:
            message = f'Unable to list "{_list_subject(resource)}": {err.message}'
        return ApiError(err.code, err.reason, message, {**err.status, "message": message})

    def _get(self, session: Session, resource: Resource, target: Target) -> Obj:
        assert target.name is not None
        return session.client.get(
            resource, target.namespace, target.name, self.subresource or None, self.accept
        )

    def _pages(
        self, session: Session, resource: Resource, target: Target, chunk: int
    ) -> Iterator[Obj]:
        try:
            yield from session.client.list_all_pages(
                resource, target.namespace, self.list_query(), chunk, self.accept
            )
        except ApiError as err:
            raise self._enhance(err, resource) from None

    def fetch(
        self, session: Session, plan: Plan, chunk: int, stop_on_error: bool
    ) -> tuple[list[Info], list[Exception]]:
        """One Info per list page or object, in target order, and the errors met.

        The errors are grouped as kubectl's visitors group them: a failed GET of a named object
        is an error of its own, list failures and everything met reading ``-f`` manifests are
        each one Aggregate, and an object whose namespace is not the ``-n`` one is an error of
        its own. With ``stop_on_error`` (watch) the first problem is raised instead.
        """
        infos: list[Info] = []
        errors: list[Exception] = []
        grouped: list[Exception] = []
        label_filter = self._label_filter() if plan.manifests and self.selector else None
        for target in plan.targets:
            resource = target.resource
            if target.error is not None:
                if stop_on_error:
                    raise target.error
                grouped.append(target.error)
                continue
            assert resource is not None  # only targets that carry an error have none
            try:
                if target.name is None:
                    pages = self._pages(session, resource, target, chunk)
                    infos += [Info(resource, page) for page in pages]
                    continue
                obj = self._get(session, resource, target)
            except ApiError as err:
                if self.ignore_not_found and err.reason == "NotFound":
                    continue
                if stop_on_error:
                    raise
                (grouped if plan.manifests or target.name is None else errors).append(err)
                continue
            if label_filter is not None and not label_filter(obj):
                continue
            if self.namespace_explicit and target.manifest_namespace not in ("", self.namespace):
                mismatch = CommandError(
                    f'the namespace from the provided object "{target.manifest_namespace}" does '
                    f'not match the namespace "{self.namespace}". You must pass '
                    f"'--namespace={target.manifest_namespace}' to perform this operation."
                )
                if stop_on_error:
                    raise mismatch
                errors.append(mismatch)
                continue
            infos.append(Info(resource, obj))
        if grouped:
            errors.append(Aggregate(grouped))
        return infos, errors

    def _label_filter(self) -> Callable[[Obj], bool]:
        from backends.objects.selectors import SelectorError, parse_label_selector

        try:
            selector = parse_label_selector(self.selector)
        except SelectorError as err:
            raise CommandError(
                f'the provided selector "{self.selector}" is not valid: {err}'
            ) from None
        return lambda obj: selector.matches((obj.get("metadata") or {}).get("labels") or {})

    # -- human output ----------------------------------------------------------------------

    def print_human(self, infos: list[Info], errors: list[Exception]) -> int:
        from pykctl.printers import sorting
        from pykctl.printers.tabwriter import TabWriter

        infos = _flatten(infos)
        if self.sort_by and len(infos) > 1:
            try:
                order = sorting.sort_objects([i.obj for i in infos], self.sort_by)
            except sorting.SortError as err:
                raise CommandError(str(err)) from None
            except sorting.UnsortableError as err:
                raise RawError(str(err)) from None
            infos = [infos[i] for i in order]
        show_kind = self.inv.flags["show_kind"] or _several_kinds(infos)
        out = _TrackingWriter(self.inv.stdout)
        writer = TabWriter(minwidth=6, padding=3, remember_widths=True)
        all_namespaced = not self.all_namespaces
        printer: HumanPrinter | None = None
        last: Resource | None = None
        try:
            for info in infos:
                all_namespaced = all_namespaced and info.namespaced
                if printer is None or last is None or info.resource != last:
                    out.write(writer.flush())
                    writer.reset_widths()
                    if last is not None and not self.no_headers and out.written:
                        out.separate = True
                    printer = self.human_printer(info.resource, show_kind, self.all_namespaces)
                    last = info.resource
                try:
                    printer.print_obj(info.obj, writer)
                except sorting.SortError:
                    continue  # kubectl ignores the printer's error: nothing is printed
        except sorting.UnsortableError as err:
            raise RawError(str(err)) from None
        out.write(writer.flush())
        if not out.written and not self.ignore_not_found and not errors:
            if all_namespaced:
                self.inv.err(f"No resources found in {self.namespace} namespace.")
            else:
                self.inv.err("No resources found")
        if errors:
            raise _check(Aggregate([_visited(errors)]))
        return 0

    def human_printer(
        self, resource: Resource, show_kind: bool, with_namespace: bool
    ) -> HumanPrinter:
        from pykctl.printers.output import HumanPrinter
        from pykctl.printers.table import TableOptions

        flags = self.inv.flags
        kind = resource.group_kind.lower() if show_kind else ""
        options = TableOptions(
            wide=self.output == "wide",
            no_headers=self.no_headers,
            with_namespace=with_namespace and (resource.namespaced or self.watching),
            kind_prefix=kind,
            label_columns=list(flags["label_columns"]),
            show_labels=flags["show_labels"],
        )
        return HumanPrinter(options, self.sort_by)

    @property
    def watching(self) -> bool:
        return self.watch or self.watch_only

    # -- other output ----------------------------------------------------------------------

    def output_format(self) -> OutputFormat:
        from pykctl.printers.output import OutputError, parse_output_format

        try:
            return parse_output_format(self.output, self.template, (*GET_FORMATS, ""))
        except OutputError as err:
            raise CommandError(str(err)) from None

    def object_printer(self) -> Printer:
        from pykctl.printers.output import OutputError, make_printer

        fmt = self.output_format()
        flags = self.inv.flags
        try:
            return make_printer(
                fmt,
                no_headers=self.no_headers,
                show_managed_fields=flags["show_managed_fields"],
                allow_missing_keys=flags["allow_missing_template_keys"],
            )
        except OutputError as err:
            raise CommandError(str(err)) from None

    def print_generic(self, plan: Plan, infos: list[Info], errors: list[Exception]) -> int:
        from pykctl.printers import sorting
        from pykctl.printers.output import OutputError

        if errors and plan.single_item:
            raise _check(_visited(errors))
        if not _flatten(infos) and self.ignore_not_found:
            return _reduce(errors)
        printer = self.object_printer()
        infos = _flatten(infos)
        if plan.single_item and len(infos) == 1:
            shown = infos[0].obj
        else:
            items = [i.obj for i in infos]
            if self.sort_by and items:
                try:
                    items = [items[i] for i in sorting.sort_objects(items, self.sort_by)]
                except sorting.SortError as err:
                    return _reduce([*errors, CommandError(str(err))])
                except sorting.UnsortableError as err:
                    raise RawError(str(err)) from None
            shown = {
                "apiVersion": "v1",
                "items": items,
                "kind": "List",
                "metadata": {"resourceVersion": ""},
            }
        try:
            printer.print_obj(shown, self.inv.stdout)
        except OutputError as err:
            errors = [*errors, CommandError(str(err))]
        return _reduce(errors)

    # -- watch -----------------------------------------------------------------------------

    def run_watch(self, session: Session) -> int:
        from pykctl.printers.output import WatchEvent
        from pykctl.printers.tabwriter import TabWriter

        plan = self.plan(session, single_type=True)
        try:
            infos, _ = self.fetch(session, plan, self.chunk_size, stop_on_error=True)
        except ApiError as err:
            if err.reason == "NotFound" and self.ignore_not_found:
                return 0
            raise
        if not infos:
            return 0
        resource = infos[0].resource
        printer = self.watch_printer(resource)
        obj, is_list = self._watched_object(plan, infos)
        version = str((obj.get("metadata") or {}).get("resourceVersion") or "") if is_list else "0"
        writer = TabWriter(minwidth=6, padding=3, remember_widths=True)
        events = self.inv.flags["output_watch_events"]
        output = not self.watch_only
        shown = [_typed_item(obj, i) for i in obj["items"]] if is_list else [obj]
        for item in shown:
            event = WatchEvent("ADDED", item) if events else item
            problem = self._print_event(printer, event, writer, output)
            if problem:
                raise CommandError(f"unable to output the provided object: {problem}")
        self._flush(writer)
        output = is_list
        query = self._watch_query(plan, version)
        with _interrupts_exit():
            for event in session.client.watch(
                resource, plan.targets[0].namespace, query, self.accept
            ):
                kind = str(event.get("type") or "")
                if kind == "ERROR":
                    break
                item = event.get("object") or {}
                if self._print_event(
                    printer, WatchEvent(kind, item) if events else item, writer, output
                ):
                    break  # kubectl stops watching on a printer error, and exits 0
                self._flush(writer)
                output = True
        return 0

    def watch_printer(self, resource: Resource) -> Printer:
        if self.human:
            return self.human_printer(resource, self.inv.flags["show_kind"], self.all_namespaces)
        return self.object_printer()

    def _watched_object(self, plan: Plan, infos: list[Info]) -> tuple[Obj, bool]:
        """kubectl's Result.Object(): the object, the list, or a List of what was fetched."""
        if len(infos) == 1 and (plan.single_item or isinstance(infos[0].obj.get("items"), list)):
            obj = infos[0].obj
            return obj, isinstance(obj.get("items"), list)
        versions = {str((i.obj.get("metadata") or {}).get("resourceVersion") or "") for i in infos}
        version = versions.pop() if len(versions) == 1 else ""
        return {
            "kind": "List",
            "items": [i.obj for i in infos],
            "metadata": {"resourceVersion": version},
        }, True

    def _watch_query(self, plan: Plan, version: str) -> list[tuple[str, str]]:
        if len(plan.targets) != 1:
            raise CommandError("you may only watch a single resource or type of resource at a time")
        target = plan.targets[0]
        if target.name is not None:
            query = [("fieldSelector", f"metadata.name={target.name}")]
        else:
            query = [(k, v) for k, v in self.list_query() if k != "includeObject"]
        if self.sort_by and self.tables:
            query.append(("includeObject", "Object"))
        return [*query, ("resourceVersion", version)]

    def _print_event(
        self, printer: Printer, obj: Obj | WatchEvent, writer: TabWriter, output: bool
    ) -> str:
        """Print one watched object (only a Table's columns when not ``output``): the printer's
        error, or "" when it printed."""
        from pykctl.printers import sorting
        from pykctl.printers.output import HumanPrinter, OutputError

        try:
            if isinstance(printer, HumanPrinter):
                printer.print_obj(obj, writer, rows=output)
            elif output:
                printer.print_obj(obj, writer)
        except (OutputError, sorting.SortError) as err:
            return str(err)
        except sorting.UnsortableError as err:
            raise RawError(str(err)) from None
        return ""

    def _flush(self, writer: TabWriter) -> None:
        self.inv.stdout.write(writer.flush())
        self.inv.stdout.flush()


# --------------------------------------------------------------------------------------------
# Helpers


class _TrackingWriter:
    """Counts what was written to stdout; writes kubectl's blank line between groups."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.written = 0
        self.separate = False

    def write(self, text: str) -> None:
        if text and self.separate:
            self.stream.write("\n")
            self.written += 1
            self.separate = False
        self.stream.write(text)
        self.written += len(text)


def _flatten(infos: list[Info]) -> list[Info]:
    """kubectl's Flatten: a list's items become Infos of their own (Tables stay whole)."""
    flat: list[Info] = []
    for info in infos:
        items = info.obj.get("items")
        if isinstance(items, list):
            flat += [Info(info.resource, _typed_item(info.obj, item)) for item in items]
        else:
            flat.append(info)
    return flat


def _typed_item(list_obj: Obj, item: Obj) -> Obj:
    """A list item with the apiVersion and kind kubectl's decoder gives it."""
    if item.get("kind") and item.get("apiVersion"):
        return item
    kind = str(list_obj.get("kind") or "").removesuffix("List")
    return {"apiVersion": list_obj.get("apiVersion"), "kind": kind, **item}


def _several_kinds(infos: list[Info]) -> bool:
    """kubectl's multipleGVKsRequested."""
    kinds = {(i.resource.group, i.resource.version, i.resource.kind) for i in infos}
    return len(infos) > 1 and len(kinds) > 1


def _visited(errors: list[Exception]) -> Exception:
    """What kubectl's ContinueOnError visitor returns: the one error, or their Aggregate."""
    return errors[0] if len(errors) == 1 else Aggregate(errors)


def _message(err: Exception) -> str:
    """kubectl's messageForError: a server error's standard text, else the bare message."""
    if isinstance(err, ApiError):
        return message_for(err)
    return err.text() if isinstance(err, Aggregate) else str(err)


def _check(err: Exception) -> Exception:
    """The error to raise for kubectl's CheckErr(err): an aggregate of one is opened once, an
    aggregate of several prints each of its errors on a line without an ``error:`` prefix."""
    if isinstance(err, Aggregate) and len(err.errors) == 1:
        err = err.errors[0]
    if isinstance(err, Aggregate):
        return RawError("\n".join(_message(e) for e in err.errors))
    return err


def _reduce(errors: list[Exception]) -> int:
    """Raise utilerrors.Reduce(Flatten(errors)) as kubectl reports it (0 when none)."""
    leaves = Aggregate(errors).leaves()
    if leaves:
        raise _check(Aggregate(leaves))
    return 0


def _request_uri_problem(raw: str) -> str:
    """Why Go's url.ParseRequestURI rejects ``raw`` ("" when it accepts it)."""
    quoted = f'parse "{raw}": '
    if not raw.startswith("/") and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", raw):
        return quoted + "invalid URI for request"
    path = raw.split("?", 1)[0]
    bad = re.search(r"%(?![0-9A-Fa-f]{2})(.{0,2})", path)
    if bad:
        return quoted + f'invalid URL escape "%{bad.group(1)}"'
    return ""


class _interrupts_exit:
    """While watching, Ctrl-C and termination signals end the command with status 1."""

    def __enter__(self) -> None:
        self.saved: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                self.saved[sig] = signal.signal(sig, self._stop)

    @staticmethod
    def _stop(signum: int, frame: object) -> None:
        raise Exit(1)

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)
        if isinstance(value, KeyboardInterrupt):
            raise Exit(1) from None


def run(inv: Invocation) -> int:
    command = Get(inv)
    command.complete()
    command.validate()
    return command.run()


get = KCommand(
    "get",
    run,
    Help(
        use="get [(-o|--output=)json|yaml|kyaml|name|go-template|go-template-file|template|"
        "templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|"
        "custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | "
        "TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
        short="Display one or many resources",
        long=f"""Display one or many resources.

 Prints a table of the most important information about the specified resources. You can filter the list using a label selector and the --selector flag. If the desired resource type is namespaced you will only see results in the current namespace if you don't specify any namespace.

 By specifying the output as 'template' and providing a Go template as the value of the --template flag, you can filter the attributes of the fetched resources.

Use "{PROGRAM} api-resources" for a complete list of supported resources.""",
        example=f"""# List all pods in ps output format
{PROGRAM} get pods

# List all pods in ps output format with more information (such as node name)
{PROGRAM} get pods -o wide

# List a single replication controller with specified NAME in ps output format
{PROGRAM} get replicationcontroller web

# List deployments in JSON output format, in the "v1" version of the "apps" API group
{PROGRAM} get deployments.v1.apps -o json

# List a single pod in JSON output format
{PROGRAM} get -o json pod web-pod-13je7

# List a pod identified by type and name specified in "pod.yaml" in JSON output format
{PROGRAM} get -f pod.yaml -o json

# List resources from a directory with kustomization.yaml - e.g. dir/kustomization.yaml
{PROGRAM} get -k dir/

# Return only the phase value of the specified pod
{PROGRAM} get -o template pod/web-pod-13je7 --template={{{{.status.phase}}}}

# List resource information in custom columns
{PROGRAM} get pod test-pod -o custom-columns=CONTAINER:.spec.containers[0].name,IMAGE:.spec.containers[0].image

# List all replication controllers and services together in ps output format
{PROGRAM} get rc,services

# List one or more resources by their type and names
{PROGRAM} get rc/web service/frontend pods/web-pod-13je7

# List the 'status' subresource for a single pod
{PROGRAM} get pod web-pod-13je7 --subresource status

# List all deployments in namespace 'backend'
{PROGRAM} get deployments.apps --namespace backend

# List all pods existing in all namespaces
{PROGRAM} get pods --all-namespaces""",
    ),
    FLAGS,
)
