"""Turning what users type into resource types: ``po``, ``pods``, ``Pod``, ``deploy.apps``,
``deployments.v1.apps``, categories such as ``all``, and kinds from manifests.

Rules as kubectl's RESTMapper: names match case-insensitively on plural, singular, kind and
short names; ``name.group`` and ``name.version.group`` restrict the group/version; when several
groups serve a name the first in discovery order wins (``events`` is the core one). An unknown
name refreshes discovery once before it is an error.
"""

from __future__ import annotations

from pykctl.resources.discovery import Catalog, Discovery, Resource

_VERSION = ("v1", "v2", "v3", "v4", "v5", "v6")


class UnknownResource(Exception):
    """``error: the server doesn't have a resource type "foo"`` (text after ``error: ``)."""

    def __init__(self, resource: str, group: str = "") -> None:
        message = f'the server doesn\'t have a resource type "{resource}"'
        if group:
            message += f' in group "{group}"'
        super().__init__(message)


class UnknownKind(Exception):
    """No resource serves this kind in this version."""

    def __init__(self, group: str, version: str, kind: str) -> None:
        group_version = f"{group}/{version}" if group else version
        super().__init__(f'no matches for kind "{kind}" in version "{group_version}"')
        self.kind = kind
        self.group_version = group_version


def _looks_like_version(text: str) -> bool:
    return bool(text) and text[0] == "v" and text[1:2].isdigit()


def _split(arg: str) -> list[tuple[str, str, str]]:
    """Candidate (name, version, group) readings of ``arg``, most specific first."""
    name, _, rest = arg.partition(".")
    candidates: list[tuple[str, str, str]] = []
    if rest:
        version, _, group = rest.partition(".")
        if _looks_like_version(version):
            candidates.append((name, version, group))
        candidates.append((name, "", rest))
    candidates.append((arg, "", ""))
    return candidates


class Mapper:
    """Resolve resource arguments against a server's discovery catalog."""

    def __init__(self, discovery: Discovery) -> None:
        self.discovery = discovery

    def _matches(self, catalog: Catalog, name: str, version: str, group: str) -> list[Resource]:
        lowered = name.lower()
        found = [
            r
            for r in catalog.resources
            if lowered in (r.plural, r.singular, r.kind.lower()) or lowered in r.short_names
        ]
        if group or version:
            found = [r for r in found if r.group == group and (not version or r.version == version)]
        return self._preferred(catalog, found, version)

    @staticmethod
    def _preferred(catalog: Catalog, found: list[Resource], version: str) -> list[Resource]:
        """Order by discovery's group order and each group's preferred version first."""
        order = {group: i for i, (group, _) in enumerate(catalog.groups)}
        preference = {group: versions for group, versions in catalog.groups}

        def rank(r: Resource) -> tuple[int, int]:
            versions = preference.get(r.group, [])
            return order.get(r.group, len(order)), versions.index(
                r.version
            ) if r.version in versions else 99

        return sorted(found, key=rank)

    def resource_for(self, arg: str) -> Resource:
        """The resource type ``arg`` names; raises UnknownResource."""
        for attempt in range(2):
            catalog = self.discovery.catalog() if attempt == 0 else self.discovery.refresh()
            for name, version, group in _split(arg):
                found = self._matches(catalog, name, version, group)
                if found:
                    return found[0]
            if self.discovery.fetched:
                break
        name, version, group = _split(arg)[0]
        if "." in arg:
            raise UnknownResource(name, f"{version}.{group}" if version else group)
        raise UnknownResource(arg)

    def expand(self, arg: str) -> list[Resource]:
        """A resource type, or every type of a category (``all``)."""
        catalog = self.discovery.catalog()
        members = [
            r for r in catalog.resources if arg in r.categories and self._is_preferred(catalog, r)
        ]
        if members and not any(
            arg.lower() in (r.plural, r.singular) or arg in r.short_names for r in catalog.resources
        ):
            return members
        return [self.resource_for(arg)]

    @staticmethod
    def _is_preferred(catalog: Catalog, r: Resource) -> bool:
        return catalog.preferred_version(r.group) == r.version

    def for_kind(self, group: str, version: str, kind: str) -> Resource:
        """The resource serving objects of apiVersion ``group/version`` and ``kind``."""
        for attempt in range(2):
            catalog = self.discovery.catalog() if attempt == 0 else self.discovery.refresh()
            for r in catalog.resources:
                if r.group == group and r.version == version and r.kind == kind:
                    return r
            if self.discovery.fetched:
                break
        raise UnknownKind(group, version, kind)
