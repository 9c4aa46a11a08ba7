"""The objects a verb acts on, found the way cli-runtime's resource Builder finds them.

A verb names its objects with arguments (``TYPE NAME...``, ``TYPE/NAME...``, ``TYPE1,TYPE2
NAME``), files (``-f``, ``-R``, ``-`` for stdin, URLs), selectors (``-l``,
``--field-selector``, ``--all``) and ``-A``. ``Targets.resolve`` checks the combination and
raises kubectl's up-front errors; ``Targets.visit`` then yields, in kubectl's order, each
object (an ``Info`` holding the live object, or the file's with ``local``) or the error that
object met, so that a verb can carry on past a failing object and report every error at the
end (the builder's ``ContinueOnError``).

Invariants: nothing is requested from the server before ``visit`` except discovery; a local
spec never opens a connection; ``single_item_implied`` is kubectl's ``IntoSingleItemImplied``.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from backends.errors import ApiError
from pykctl.cli.errors import CommandError, RawError
from pykctl.client import Client
from pykctl.resources import manifests
from pykctl.resources.builder import Builder, BuilderError, Info, Selection
from pykctl.resources.discovery import Resource
from pykctl.resources.mapper import Mapper, UnknownResource

Obj = dict[str, Any]
Visited = Info | BaseException

MISSING_RESOURCES = """You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'"""

LOCAL_RESOURCES = """error: you must specify resources by --filename when --local is set.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'"""


@dataclass
class TargetSpec:
    """What the command line says about the objects to act on."""

    args: list[str] = field(default_factory=list)
    filenames: list[str] = field(default_factory=list)
    recursive: bool = False
    kustomize: str = ""
    selector: str = ""
    field_selector: str = ""
    select_all: bool = False  # --all: one TYPE argument selects every object of it
    all_namespaces: bool = False
    local: bool = False
    latest: bool = False  # objects from files are fetched again from the server
    subresource: str = ""


@dataclass
class _Parsed:
    """Arguments split the way ResourceTypeOrNameArgs splits them."""

    tuples: list[tuple[str, str]] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def _unique(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _parse_args(args: list[str], program: str) -> _Parsed:
    """``TYPE NAME...``, ``TYPE1,TYPE2 NAME`` (into tuples) and ``TYPE/NAME...``."""
    if len(args) >= 2:
        types = _unique(args[0].split(","))
        if len(types) > 1:
            args = [f"{t}/{name}" for t in types for name in args[1:]]
    slashed = sum("/" in a for a in args)
    parsed = _Parsed()
    if slashed:
        if slashed != len(args):
            raise CommandError(
                "there is no need to specify a resource type as a separate argument when passing "
                f"arguments in resource/name form (e.g. '{program} get resource/<resource_name>' "
                f"instead of '{program} get resource resource/<resource_name>'"
            )
        for arg in args:
            parts = arg.split("/")
            if len(parts) != 2:
                raise CommandError(
                    "arguments in resource/name form may not have more than one slash"
                )
            kind, name = parts
            if not kind or not name or len(_unique(kind.split(","))) != 1:
                raise CommandError(
                    "arguments in resource/name form must have a single resource and name"
                )
            parsed.tuples.append((kind, name))
        return parsed
    if args:
        parsed.types = _unique(args[0].split(","))
        parsed.names = list(args[1:])
    return parsed


def _expand_path(path: str) -> list[str]:
    """A ``-f`` argument as kubectl expands it: the path itself, or the files a glob matches."""
    if os.path.exists(path) or not glob.has_magic(path):
        if not os.path.exists(path):
            raise CommandError(f'the path "{path}" does not exist')
        return [path]
    matches = sorted(glob.glob(path))
    if not matches:
        raise CommandError(f'the path "{path}" does not exist')
    return matches


class AggregateError(RawError):
    """Several errors, printed one per line without the ``error:`` prefix (kubectl's
    MultipleErrors); nested in another aggregate it reads ``[a, b]``."""

    def __init__(self, errors: list[BaseException]) -> None:
        self.errors = errors
        super().__init__("\n".join(aggregate_line(err) for err in errors))


def aggregate(errors: list[BaseException]) -> BaseException:
    """kubectl's error aggregate: one error stays itself; several print one line each."""
    if len(errors) == 1:
        return errors[0]
    return AggregateError(errors)


def aggregate_line(err: BaseException) -> str:
    """How one error of an aggregate reads (kubectl's messageForError: no ``error:`` prefix)."""
    from pykctl.cli.errors import message_for

    if isinstance(err, AggregateError):
        lines: list[str] = []
        for inner in err.errors:
            line = str(inner)
            if line not in lines:
                lines.append(line)
        return lines[0] if len(lines) == 1 else "[" + ", ".join(lines) + "]"
    if isinstance(err, ApiError) and err.code != 401:
        return (
            f"Error from server ({err.reason}): {err.message}"
            if err.reason
            else f"Error from server: {err.message}"
        )
    text = message_for(err)
    return text if isinstance(err, ApiError) else text.removeprefix("error: ")


def list_error(err: ApiError, resource: Resource, selector: str, field_selector: str) -> ApiError:
    """kubectl's EnhanceListError: say what could not be listed."""
    if err.code not in (400, 404):
        return err
    subject = f"{resource.group}/{resource.version}, Resource={resource.plural}"
    if not selector and not field_selector:
        message = f'Unable to list "{subject}": {err.message}'
    else:
        message = (
            f'Unable to find "{subject}" that match label selector "{selector}", '
            f'field selector "{field_selector}": {err.message}'
        )
    return ApiError(err.code, err.reason, message, {**err.status, "message": message})


def local_resource(obj: Obj) -> Resource:
    """The type of an object read with ``--local``: known only by its apiVersion and kind."""
    group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
    kind = str(obj.get("kind") or "")
    return Resource(group, version, "", kind.lower(), kind, False)


class Targets:
    """The objects of one command line, resolved against a server (or read locally)."""

    def __init__(
        self,
        spec: TargetSpec,
        namespace: str,
        enforce_namespace: bool,
        connect: Callable[[], tuple[Client, Mapper]] | None,
        stdin: TextIO | None = None,
        program: str = "pykctl",
    ) -> None:
        self.spec = spec
        self._namespace_arg = namespace
        self.namespace = "" if spec.all_namespaces else namespace
        self.enforce_namespace = enforce_namespace
        self._connect = connect
        self._connected: tuple[Client, Mapper] | None = None
        self.stdin = stdin
        self.program = program
        self.single_item_implied = False
        self._paths: list[tuple[str, bool]] = []  # (path, recursive) or ("-", False)
        self._resources: list[Resource] = []
        self._tuples: list[tuple[Resource, str]] = []
        self._names: list[str] = []
        self._mode = ""

    def fresh(self) -> Targets:
        """The same command line, to be resolved and visited anew on the same connection."""
        connect = self._connection if self._connect is not None else None
        return Targets(
            self.spec,
            self._namespace_arg,
            self.enforce_namespace,
            connect,
            self.stdin,
            self.program,
        )

    @property
    def client(self) -> Client:
        return self._connection()[0]

    @property
    def mapper(self) -> Mapper:
        return self._connection()[1]

    def _connection(self) -> tuple[Client, Mapper]:
        if self._connected is None:
            assert self._connect is not None, "a local spec never connects"
            self._connected = self._connect()
        return self._connected

    # --- resolving ---------------------------------------------------------------------------

    def resolve(self) -> None:
        """Check the arguments and map the types; raise what kubectl reports before visiting."""
        spec = self.spec
        errors: list[BaseException] = []
        if spec.kustomize and spec.filenames:
            errors.append(CommandError("only one of -f or -k can be specified"))
        elif spec.kustomize:
            errors.append(CommandError("pykctl does not support kustomize (-k)"))
        has_dir = False
        for path in spec.filenames:
            if path == "-" or path.startswith(("http://", "https://")):
                self._paths.append((path, False))
                continue
            try:
                matches = _expand_path(path)
            except CommandError as err:
                errors.append(err)
                continue
            for match in matches:
                has_dir = has_dir or os.path.isdir(match)
                self._paths.append((match, spec.recursive))
        parsed = _Parsed()
        if not spec.local:
            try:
                parsed = _parse_args(spec.args, self.program)
            except CommandError as err:
                errors.append(err)
        elif spec.args:
            errors.append(CommandError(LOCAL_RESOURCES))
        if errors:
            raise aggregate(errors)
        selector = spec.selector.strip()
        if spec.select_all and parsed.types and not parsed.names:
            self._mode = "selector"
        if self._paths:
            self._resolve_paths(parsed, has_dir)
        elif selector or spec.field_selector.strip() or self._mode == "selector":
            self._resolve_selector(parsed)
        elif parsed.tuples:
            self._resolve_tuples(parsed)
        elif parsed.names:
            self._resolve_names(parsed)
        elif parsed.types:
            self._map_types(parsed.types)
            raise CommandError("resource(s) were provided, but no name was specified")
        else:
            raise CommandError(MISSING_RESOURCES)

    def _resolve_paths(self, parsed: _Parsed, has_dir: bool) -> None:
        if parsed.types:
            raise CommandError(
                "when paths, URLs, or stdin is provided as input, "
                "you may not specify resource arguments as well"
            )
        if parsed.tuples:
            raise CommandError(
                "resource/name arguments cannot be provided when a path is specified"
            )
        stream = any(path == "-" for path, _ in self._paths)
        self.single_item_implied = not has_dir and not stream and len(self._paths) == 1
        self._mode = "paths"

    def _resolve_selector(self, parsed: _Parsed) -> None:
        if parsed.names:
            raise CommandError("name cannot be provided when a selector is specified")
        if parsed.tuples:
            raise CommandError(
                "selectors and the all flag cannot be used when passing resource/name arguments"
            )
        if not parsed.types:
            raise CommandError("at least one resource must be specified to use a selector")
        if self.spec.subresource:
            raise CommandError("subresource cannot be used when bulk resources are specified")
        self._resources = self._map_types(parsed.types)
        self._mode = "selector"

    def _resolve_tuples(self, parsed: _Parsed) -> None:
        mapped: dict[str, Resource] = {}
        for type_arg, _ in parsed.tuples:
            if type_arg not in mapped:
                mapped[type_arg] = self._map(type_arg)
        self._tuples = [(mapped[t], name) for t, name in parsed.tuples]
        self._check_named_namespace([r for r, _ in self._tuples])
        self.single_item_implied = len(parsed.tuples) == 1
        self._mode = "tuples"

    def _resolve_names(self, parsed: _Parsed) -> None:
        resources = self._map_types(parsed.types)
        if len(resources) > 1:
            raise CommandError("you must specify only one resource")
        self._resources = resources
        self._names = parsed.names
        self._check_named_namespace(resources)
        self.single_item_implied = len(parsed.names) == 1
        self._mode = "names"

    def _check_named_namespace(self, resources: list[Resource]) -> None:
        if self.namespace or not any(r.namespaced for r in resources):
            return
        if self.spec.all_namespaces:
            raise CommandError("a resource cannot be retrieved by name across all namespaces")
        raise CommandError("namespace may not be empty when retrieving a resource by name")

    def _map(self, type_arg: str) -> Resource:
        try:
            return self.mapper.resource_for(type_arg)
        except UnknownResource as err:
            raise CommandError(str(err)) from None

    def _map_types(self, types: list[str]) -> list[Resource]:
        """Each type (a category such as ``all`` expands), without duplicates."""
        found: list[Resource] = []
        for type_arg in types:
            try:
                resources = self.mapper.expand(type_arg)
            except UnknownResource as err:
                raise CommandError(str(err)) from None
            found.extend(r for r in resources if r not in found)
        return found

    # --- visiting ----------------------------------------------------------------------------

    def visit(self) -> Iterator[Visited]:
        """Every object, or the error met on the way to it, in kubectl's order."""
        if self._mode == "paths":
            yield from self._visit_paths()
        elif self._mode == "selector":
            yield from self._visit_selector()
        elif self._mode == "tuples":
            for resource, name in self._tuples:
                yield self._fetch(resource, name)
        else:
            for name in self._names:
                yield self._fetch(self._resources[0], name)

    def _namespace_of(self, resource: Resource) -> str | None:
        return self.namespace if resource.namespaced else None

    def get(self, resource: Resource, namespace: str | None, name: str) -> Obj:
        """One object; when it is missing from a namespace that is missing too, the namespace's
        NotFound is the error (cli-runtime's Info.Get)."""
        try:
            return self.client.get(resource, namespace, name, self.spec.subresource or None)
        except ApiError as err:
            if err.code != 404 or not namespace or namespace == "default":
                raise
            try:
                self.client.raw("GET", f"/api/v1/namespaces/{namespace}")
            except ApiError as missing:
                if missing.code == 404:
                    raise missing from None
            raise

    def _fetch(self, resource: Resource, name: str) -> Visited:
        namespace = self._namespace_of(resource)
        try:
            obj = self.get(resource, namespace, name)
        except ApiError as err:
            return err
        return Info(resource, namespace, name, obj)

    def _visit_selector(self) -> Iterator[Visited]:
        selector = self.spec.selector.strip()
        field_selector = self.spec.field_selector.strip()
        query = []
        if selector:
            query.append(("labelSelector", selector))
        if field_selector:
            query.append(("fieldSelector", field_selector))
        for resource in self._resources:
            namespace = self.namespace or None if resource.namespaced else None
            try:
                listing = self.client.list_objects(resource, namespace, query)
            except ApiError as err:
                yield list_error(err, resource, selector, field_selector)
                continue
            api_version = listing.get("apiVersion") or resource.group_version
            kind = str(listing.get("kind") or "").removesuffix("List") or resource.kind
            for item in listing.get("items") or []:
                item.setdefault("apiVersion", api_version)
                item.setdefault("kind", kind)
                metadata = item.get("metadata") or {}
                yield Info(
                    resource,
                    metadata.get("namespace") if resource.namespaced else None,
                    metadata.get("name"),
                    item,
                )

    def _read(self, path: str, recursive: bool) -> list[manifests.Manifest]:
        return manifests.read([path], recursive, self.stdin)

    def _visit_paths(self) -> Iterator[Visited]:
        label_filter = None
        selector = self.spec.selector.strip()
        if selector and not self.spec.local:
            from backends.objects.selectors import SelectorError, parse_label_selector

            try:
                label_filter = parse_label_selector(selector)
            except SelectorError as err:
                yield CommandError(f'the provided selector "{selector}" is not valid: {err}')
                return
        for path, recursive in self._paths:
            try:
                found = self._read(path, recursive)
            except manifests.ManifestError as err:
                yield CommandError(str(err))
                continue
            for manifest in found:
                visited = self._from_manifest(manifest)
                if isinstance(visited, Info) and label_filter is not None:
                    labels = ((visited.obj or {}).get("metadata") or {}).get("labels") or {}
                    if not label_filter.matches(labels):
                        continue
                yield visited

    def _from_manifest(self, manifest: manifests.Manifest) -> Visited:
        obj = manifest.obj
        if self.spec.local:
            metadata = obj.get("metadata") or {}
            return Info(local_resource(obj), None, metadata.get("name"), obj, manifest.source)
        try:
            (info,) = Builder(self.mapper).from_manifests(
                [manifest], Selection(self.namespace or "default")
            )
        except BuilderError as err:
            return CommandError(str(err))
        if self.spec.latest and info.name:
            try:
                info.obj = self.get(info.resource, info.namespace, info.name)
            except ApiError as err:
                return err
        if self.enforce_namespace and info.resource.namespaced and info.namespace != self.namespace:
            return CommandError(
                f'the namespace from the provided object "{info.namespace}" does not match the '
                f'namespace "{self.namespace}". You must pass '
                f"'--namespace={info.namespace}' to perform this operation."
            )
        if info.obj is not None and info.resource.namespaced:
            info.obj.setdefault("metadata", {})["namespace"] = info.namespace
        return info


__all__ = [
    "MISSING_RESOURCES",
    "AggregateError",
    "TargetSpec",
    "Targets",
    "Visited",
    "aggregate",
    "aggregate_line",
    "list_error",
    "local_resource",
]
