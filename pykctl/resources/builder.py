"""From command-line arguments to the objects a command acts on (cli-runtime's Builder).

Arguments are ``TYPE[,TYPE...] [NAME...]`` or ``TYPE/NAME ...``; ``-f`` adds objects from
manifests; ``-l``/``--field-selector``/``--all`` select by list. Each result is an ``Info``: a
resource type, a namespace (None for cluster-scoped types or all namespaces) and a name (None
for a whole list), plus the object when it came from a file. Errors are kubectl's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pykctl.resources import manifests
from pykctl.resources.discovery import Resource
from pykctl.resources.mapper import Mapper, UnknownKind

Obj = dict[str, Any]


class BuilderError(Exception):
    """An argument problem; ``str()`` is kubectl's text after ``error: ``."""


@dataclass
class Info:
    """One thing to act on."""

    resource: Resource
    namespace: str | None
    name: str | None
    obj: Obj | None = None
    source: str = ""

    @property
    def ref(self) -> str:
        """``pod/web``, ``deployment.apps/web`` (kubectl's name printer form)."""
        kind = self.resource.kind.lower()
        return f"{kind}.{self.resource.group}/{self.name}" if self.resource.group else f"{kind}/{self.name}"


def split_type_name_args(args: list[str]) -> list[tuple[str, str | None]]:
    """``["pods,svc", "a", "b"]`` → [(pods, a), (pods, b), (svc, a), (svc, b)];
    ``["pod/a", "svc/b"]`` → [(pod, a), (svc, b)]; ``["pods"]`` → [(pods, None)]."""
    if not args:
        return []
    if "/" in args[0]:
        pairs: list[tuple[str, str | None]] = []
        for arg in args:
            if "/" not in arg:
                raise BuilderError(
                    "there is no need to specify a resource type as a separate argument when passing "
                    "arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' "
                    "instead of 'kubectl get resource resource/<resource_name>'"
                )
            kind, _, name = arg.partition("/")
            if not kind or not name:
                raise BuilderError("arguments in resource/name form must have a single resource and name")
            if "/" in name:
                raise BuilderError("arguments in resource/name form may not have more than one slash")
            pairs.append((kind, name))
        return pairs
    for arg in args[1:]:
        if "/" in arg:
            raise BuilderError(
                "there is no need to specify a resource type as a separate argument when passing "
                "arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' "
                "instead of 'kubectl get resource resource/<resource_name>'"
            )
    types = [t for t in args[0].split(",") if t]
    names = args[1:]
    if not names:
        return [(t, None) for t in types]
    return [(t, name) for t in types for name in names]


@dataclass
class Selection:
    """How a command selects objects."""

    namespace: str
    all_namespaces: bool = False
    selector: str = ""
    field_selector: str = ""
    select_all: bool = False
    enforce_namespace: bool = False  # -f objects must not name another namespace than -n


class Builder:
    """Resolve arguments and manifests into Infos against a server's resource types."""

    def __init__(self, mapper: Mapper) -> None:
        self.mapper = mapper

    def _namespace_for(self, resource: Resource, selection: Selection) -> str | None:
        if not resource.namespaced or selection.all_namespaces:
            return None
        return selection.namespace

    def from_args(self, args: list[str], selection: Selection) -> list[Info]:
        """Infos for ``TYPE NAME`` style arguments (names None: the whole list)."""
        pairs = split_type_name_args(args)
        if selection.selector and any(name for _, name in pairs):
            raise BuilderError("name cannot be provided when a selector is specified")
        infos: list[Info] = []
        for type_arg, name in pairs:
            resources = self.mapper.expand(type_arg) if name is None else [self.mapper.resource_for(type_arg)]
            for resource in resources:
                infos.append(Info(resource, self._namespace_for(resource, selection), name))
        return infos

    def from_manifests(self, found: list[manifests.Manifest], selection: Selection) -> list[Info]:
        """Infos for objects read with ``-f`` (their kind mapped, their namespace settled)."""
        infos: list[Info] = []
        for manifest in found:
            obj = manifest.obj
            api_version = obj.get("apiVersion")
            kind = obj.get("kind")
            if not kind or not api_version:
                raise BuilderError(
                    f"error validating \"{manifest.source}\": error validating data: "
                    + ("[apiVersion not set, kind not set]" if not kind and not api_version
                       else "apiVersion not set" if not api_version else "kind not set")
                    + "; if you choose to ignore these errors, turn validation off with --validate=false"
                )
            group, _, version = str(api_version).rpartition("/")
            metadata = obj.get("metadata") or {}
            name = metadata.get("name")
            try:
                resource = self.mapper.for_kind(group, version, str(kind))
            except UnknownKind as err:
                raise BuilderError(
                    f'resource mapping not found for name: "{name or ""}" namespace: "{metadata.get("namespace", "")}" '
                    f'from "{manifest.source}": {err}\nensure CRDs are installed first'
                ) from None
            namespace: str | None = None
            if resource.namespaced:
                namespace = metadata.get("namespace") or selection.namespace
                if selection.enforce_namespace and metadata.get("namespace") and metadata["namespace"] != selection.namespace:
                    raise BuilderError(
                        f'the namespace from the provided object "{metadata["namespace"]}" does not match the '
                        f'namespace "{selection.namespace}". You must pass \'--namespace={metadata["namespace"]}\' '
                        "to perform this operation."
                    )
            infos.append(Info(resource, namespace, name, obj, manifest.source))
        return infos
