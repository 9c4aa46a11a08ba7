"""The objects a writing command acts on, found as kubectl's resource builder finds them.

* ``load_files``: every object the ``-f`` flags name (files, directories with ``-R``, globs,
  ``-`` for stdin, URLs), each mapped to its resource type, in visiting order; a file that
  cannot be parsed or an object that cannot be mapped becomes an error in that order and
  reading goes on (kubectl's ContinueOnError);
* ``from_args``: ``TYPE NAME...``, ``TYPE/NAME...`` or ``TYPE -l SELECTOR`` / ``--all``
  arguments, with the builder's errors for combinations it refuses;
* ``fetch``: the live object of each of those (``Latest()``).

Namespaced objects read from files get the command's namespace when they have none (in the
object too); with ``-n`` given, an object in another namespace is an error.
"""

from __future__ import annotations

import functools
import glob
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backends.objects.gofmt import quote
from pykctl.cli.command import Invocation
from pykctl.cli.commands.create.common import Cluster
from pykctl.cli.errors import CommandError

if TYPE_CHECKING:
    from pykctl.resources.builder import Info

Obj = dict[str, Any]

MISSING_RESOURCES = """You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'"""


def check_filename_options(inv: Invocation, required: bool = True) -> None:
    """kubectl's checks of ``-f``/``-k``/``-R`` before anything is read."""
    filenames = list(inv.flags.get("filename") or [])
    kustomize = str(inv.flags.get("kustomize") or "")
    if filenames and kustomize:
        raise CommandError("only one of -f or -k can be specified")
    if kustomize and inv.flags.get("recursive"):
        raise CommandError("the -k flag can't be used with -f or -R")
    if required and not filenames and not kustomize:
        raise CommandError("must specify one of -f and -k")
    if kustomize:
        raise CommandError("pykctl does not support kustomize (-k) yet; use -f")


def resolve_paths(filenames: list[str]) -> list[str]:
    """``-f`` values with globs expanded; kubectl's error when a path does not exist."""
    resolved: list[str] = []
    for name in filenames:
        if name == "-" or name.startswith(("http://", "https://")) or os.path.exists(name):
            resolved.append(name)
            continue
        matches = sorted(glob.glob(name))
        if not matches:
            raise CommandError(f'the path "{name}" does not exist')
        resolved.extend(matches)
    return resolved


@dataclass
class Loaded:
    """What ``-f`` named, in visiting order: objects mapped to their resource types
    (``Info``) and, where reading or mapping failed, the error."""

    items: list[Info | BaseException] = field(default_factory=list)

    @property
    def infos(self) -> list[Info]:
        return [item for item in self.items if not isinstance(item, BaseException)]

    @property
    def errors(self) -> list[BaseException]:
        return [item for item in self.items if isinstance(item, BaseException)]


def load_files(
    inv: Invocation,
    cluster: Cluster,
    *,
    enforce_namespace: bool | None = None,
    selector: str = "",
    validation: str = "Ignore",
) -> Loaded:
    """Every object the ``-f`` flags name, in order, each with its resource type.

    ``validation`` (``Strict``/``Warn``/``Ignore``) checks each document first, as kubectl's
    builder does with its schema; a document that fails ends the reading of its file.
    """
    from pykctl.resources import manifests

    paths = resolve_paths(list(inv.flags.get("filename") or []))
    recursive = bool(inv.flags.get("recursive"))
    enforce = cluster.namespace_explicit if enforce_namespace is None else enforce_namespace
    reader = _Reader(inv, cluster, enforce, validation, _selector_filter(selector))
    for path in paths:
        if path.startswith(("http://", "https://")):
            try:
                found = manifests.read([path])
            except manifests.ManifestError as err:
                reader.loaded.items.append(CommandError(str(err)))
                continue
            for manifest in found:
                reader.map(manifest.obj, path)
            continue
        for file in manifests.files(path, recursive) if path != "-" else ["-"]:
            if file == "-":
                reader.visit(inv.stdin.read(), "STDIN")
                continue
            try:
                with open(file, encoding="utf-8", errors="surrogateescape") as f:
                    text = f.read()
            except OSError as err:
                reader.loaded.items.append(
                    CommandError(f"open {file}: {(err.strerror or '').lower()}")
                )
                continue
            reader.visit(text, file)
    return reader.loaded


def documents(text: str, source: str) -> Iterator[Any]:
    """The documents of a manifest as kubectl's decoder reads them (a JSON stream, or YAML
    documents split on ``---`` lines); empty ones are skipped. A document that cannot be
    parsed raises ``CommandError`` with kubectl's text."""
    from backends.objects import goyaml

    if text.lstrip().startswith("{"):
        decoder = json.JSONDecoder()
        position = len(text) - len(text.lstrip())
        while position < len(text):
            try:
                document, end = decoder.raw_decode(text, position)
            except ValueError as err:
                raise CommandError(f"error parsing {source}: {err}") from None
            yield document
            position = end + len(text[end:]) - len(text[end:].lstrip())
        return
    chunk: list[str] = []
    for line in [*text.splitlines(keepends=True), None]:
        if line is not None and not _SEPARATOR.match(line):
            chunk.append(line)
            continue
        body = "".join(chunk)
        chunk = []
        if not body.strip():
            continue
        try:
            document = goyaml.loads(body)
        except goyaml.YAMLSyntaxError as err:
            raise CommandError(
                f"error parsing {source}: error converting YAML to JSON: {err}"
            ) from None
        if document is not None:
            yield document


_SEPARATOR = re.compile(r"---\s*(?:#.*)?$")
_LIST = ("v1", "List")


class _Reader:
    """Visits the documents of manifests the way cli-runtime's StreamVisitor does."""

    def __init__(
        self,
        inv: Invocation,
        cluster: Cluster,
        enforce: bool,
        validation: str,
        matches: Callable[[Obj], bool],
    ) -> None:
        from pykctl.resources.builder import Selection

        self.inv = inv
        self.cluster = cluster
        self.selection = Selection(cluster.namespace, enforce_namespace=enforce)
        self.validation = validation
        self.matches = matches
        self.loaded = Loaded()

    def visit(self, text: str, source: str) -> None:
        try:
            for document in documents(text, source):
                if self.validation != "Ignore":
                    problem = validate(self.cluster, document, self.validation, self.inv)
                    if problem is not None:
                        self.loaded.items.append(
                            CommandError(
                                f"error validating {quote(source)}: error validating data: "
                                f"{problem}; if you choose to ignore these errors, turn "
                                "validation off with --validate=false"
                            )
                        )
                        return
                self.decode(document, source)
        except CommandError as err:
            self.loaded.items.append(err)

    def decode(self, document: Any, source: str) -> None:
        """One document as an object (a list's items one by one), or kubectl's decode error."""
        from backends.objects import gojson

        problem = None
        if not isinstance(document, dict):
            problem = (
                f"json: cannot unmarshal {_json_kind(document)} into Go value of type "
                "unstructured.detector"
            )
        elif not document.get("kind"):
            problem = f"Object 'Kind' is missing in '{gojson.dumps(document)}'"
        elif not document.get("apiVersion"):
            problem = f"Object 'apiVersion' is missing in '{gojson.dumps(document)}'"
        if problem is not None:
            self.loaded.items.append(CommandError(f"unable to decode {quote(source)}: {problem}"))
            return
        kind = str(document.get("kind"))
        if kind.endswith("List") and isinstance(document.get("items"), list):
            for item in document["items"]:
                if isinstance(item, dict):
                    self.map(item, source)
            return
        self.map(document, source)

    def map(self, obj: Obj, source: str) -> None:
        from pykctl.resources import manifests
        from pykctl.resources.builder import Builder, BuilderError

        try:
            [info] = Builder(self.cluster.mapper).from_manifests(
                [manifests.Manifest(obj, source)], self.selection
            )
        except BuilderError as err:
            self.loaded.items.append(CommandError(str(err)))
            return
        if info.namespace and info.obj is not None:
            info.obj.setdefault("metadata", {})["namespace"] = info.namespace
        if self.matches(info.obj or {}):
            self.loaded.items.append(info)


def _json_kind(value: Any) -> str:
    """How Go's JSON decoder names a value's type in its errors."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def go_aggregate(messages: list[str]) -> str:
    """Go's ``utilerrors.Aggregate`` text: repeats dropped, several as ``[a, b]``."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]" if unique else ""


def object_kind_problems(document: Any) -> str | None:
    """kubectl's ``getObjectKind`` checks (several problems as Go's aggregate ``[a, b]``)."""
    if not isinstance(document, dict):
        return "invalid object to validate"
    problems = []
    api_version = document.get("apiVersion")
    if api_version is None:
        problems.append("apiVersion not set")
    elif not isinstance(api_version, str):
        problems.append("apiVersion isn't string type")
    kind = document.get("kind")
    if kind is None:
        problems.append("kind not set")
    elif not isinstance(kind, str):
        problems.append("kind isn't string type")
    return go_aggregate(problems) or None


def validate(cluster: Cluster, document: Any, directive: str, inv: Invocation) -> str | None:
    """kubectl's client-side check of one document before it is sent (its ``Schema``).

    Kinds whose server takes ``fieldValidation`` (every kind with a bundled schema) are left to
    the server. For the others (``List``, unknown kinds) ``Warn`` skips with kubectl's klog
    warning and ``Strict`` validates against the server's OpenAPI v2 document: when that
    cannot be fetched (the simulator serves v3 only) the fetch error is the problem.
    """
    problem = object_kind_problems(document)
    if problem is not None:
        return problem
    group, _, version = str(document["apiVersion"]).rpartition("/")
    kind = str(document["kind"])
    from backends.objects import schemas

    if (version, kind) != _LIST or group:
        if schemas.for_kind(group, version, kind) is not None:
            return None
        if _known_group_version(group, version):
            return f"failed to download openapi: {_openapi_v2_error(cluster) or ''}"
    if directive == "Warn":
        from pykctl.cli.commands.create.common import klog_warning

        klog_warning(
            inv.stderr,
            "schema.go:145",
            "cannot perform warn validation if server-side field validation is unsupported, "
            "skipping validation",
        )
        return None
    if (version, kind) == _LIST and not group:
        items = document.get("items")
        if not isinstance(items, list):
            return "invalid object to validate"
        problems = [object_kind_problems(item) or _openapi_v2_error(cluster) for item in items]
        return go_aggregate([p for p in problems if p]) or None
    return _openapi_v2_error(cluster)


def _known_group_version(group: str, version: str) -> bool:
    """Whether the bundled schemas know this group/version (a kind missing from one is kubectl's
    "path not found" case, which falls back to OpenAPI v2)."""
    return (group, version) in _group_versions()


@functools.cache
def _group_versions() -> frozenset[tuple[str, str]]:
    from backends.objects import schemas

    return frozenset(
        (gvk.get("group", ""), gvk.get("version", ""))
        for definition in schemas.definitions().values()
        for gvk in definition.get("x-kubernetes-group-version-kind") or []
    )


def _openapi_v2_error(cluster: Cluster) -> str | None:
    """Why the server's OpenAPI v2 document cannot be had (None when it can)."""
    from backends.errors import ConnectionFailed

    try:
        response = cluster.session.connection.backend.request(
            "GET",
            "/openapi/v2",
            [("timeout", "32s")],
            None,
            {"Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"},
        )
    except ConnectionFailed as err:
        return str(err)
    if response.status == 404:
        return "the server could not find the requested resource"
    if response.status >= 400:
        from backends.errors import from_response

        return from_response(response).message
    return None


def _selector_filter(selector: str) -> Callable[[Obj], bool]:
    """``-l`` applied to objects read from files (cli-runtime's FilterByLabelSelector)."""
    if not selector:
        return lambda obj: True
    from backends.objects.selectors import SelectorError, parse_label_selector

    try:
        parsed = parse_label_selector(selector)
    except SelectorError as err:
        raise CommandError(f"the provided selector {quote(selector)} is not valid: {err}") from None
    return lambda obj: parsed.matches((obj.get("metadata") or {}).get("labels") or {})


@dataclass(frozen=True)
class ArgSelection:
    """How arguments select objects: names, or ``-l``/``--field-selector``/``--all``."""

    selector: str = ""
    field_selector: str = ""
    select_all: bool = False
    all_namespaces: bool = False

    @property
    def bulk(self) -> bool:
        return bool(self.selector or self.field_selector or self.select_all)


def check_args_with_files(inv: Invocation) -> None:
    """The builder's refusal to mix ``-f`` with resource arguments (after its path checks)."""
    if not inv.flags.get("filename") or not inv.args:
        return
    resolve_paths(list(inv.flags["filename"]))
    if "/" in inv.args[0]:
        raise CommandError("resource/name arguments cannot be provided when a path is specified")
    raise CommandError(
        "when paths, URLs, or stdin is provided as input, you may not specify resource "
        "arguments as well"
    )


def from_args(
    cluster: Cluster, args: list[str], how: ArgSelection, expand: bool = True
) -> list[Info]:
    """Infos for resource arguments: one per name, or, selecting in bulk, one per listed
    object (carrying it; with ``expand=False`` one per resource type, to ``listed`` later).
    Raises kubectl's builder errors."""
    from pykctl.resources.builder import Builder, BuilderError, Selection, split_type_name_args
    from pykctl.resources.mapper import UnknownResource

    try:
        pairs = split_type_name_args(args)
    except BuilderError as err:
        raise CommandError(str(err)) from None
    if not pairs:
        raise CommandError(MISSING_RESOURCES)
    named = any(name is not None for _, name in pairs)
    if how.bulk:
        if named and "/" in args[0]:
            raise CommandError(
                "selectors and the all flag cannot be used when passing resource/name arguments"
            )
        if named:
            raise CommandError("name cannot be provided when a selector is specified")
    selection = Selection(cluster.namespace, all_namespaces=how.all_namespaces)
    try:
        infos = Builder(cluster.mapper).from_args(args, selection)
    except (BuilderError, UnknownResource) as err:
        raise CommandError(str(err)) from None
    if not how.bulk:
        if not named:
            raise CommandError("resource(s) were provided, but no name was specified")
        if how.all_namespaces and any(i.resource.namespaced for i in infos):
            raise CommandError("a resource cannot be retrieved by name across all namespaces")
        return infos
    if not expand:
        return infos
    return [item for info in infos for item in listed(cluster, info, how)]


def listed(cluster: Cluster, info: Info, how: ArgSelection) -> list[Info]:
    """The objects of one resource type that ``how`` selects (kubectl's list errors)."""
    from backends.errors import ApiError
    from pykctl.resources.builder import Info

    query = []
    if how.selector:
        query.append(("labelSelector", how.selector))
    if how.field_selector:
        query.append(("fieldSelector", how.field_selector))
    found = []
    try:
        pages = list(cluster.client.list_all_pages(info.resource, info.namespace, query))
    except ApiError as err:
        raise _list_error(err, info, how) from None
    for page in pages:
        for item in page.get("items") or []:
            item.setdefault("apiVersion", info.resource.group_version)
            item.setdefault("kind", info.resource.kind)
            metadata = item.get("metadata") or {}
            found.append(Info(info.resource, metadata.get("namespace"), metadata.get("name"), item))
    return found


def _list_error(err: Any, info: Info, how: ArgSelection) -> Any:
    """cli-runtime's ``EnhanceListError``: say what was being listed."""
    from backends.errors import ApiError

    if err.code not in (400, 404):
        return err
    resource = info.resource
    subject = f"{resource.group}/{resource.version}, Resource={resource.plural}"
    if how.selector or how.field_selector:
        message = (
            f"Unable to find {quote(subject)} that match label selector {quote(how.selector)}, "
            f"field selector {quote(how.field_selector)}: {err.message}"
        )
    else:
        message = f"Unable to list {quote(subject)}: {err.message}"
    return ApiError(err.code, err.reason, message, {**err.status, "message": message})


def fetch(cluster: Cluster, info: Info) -> Info:
    """``info`` with its live object (``Latest()``); NotFound and others raise ``ApiError``."""
    from pykctl.resources.builder import Info

    if info.name is None:
        return info
    obj = cluster.client.get(info.resource, info.namespace, info.name)
    obj.setdefault("apiVersion", info.resource.group_version)
    obj.setdefault("kind", info.resource.kind)
    return Info(info.resource, info.namespace, info.name, obj, info.source)
