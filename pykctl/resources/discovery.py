"""What the server serves: API groups and resources from discovery, cached on disk.

kubectl asks for aggregated discovery (``/api`` and ``/apis`` with the
``apidiscovery.k8s.io/v2`` Accept) and falls back to the legacy documents; it caches the answer
for 10 minutes and refetches once when a resource type is unknown. pykctl does the same, with
its own cache file per server (``<cache-dir>/pykctl-discovery/<host_port>.json``) so it never
writes a file kubectl reads.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from backends.base import Backend
from backends.errors import from_response

TTL_SECONDS = 600.0
AGGREGATED_ACCEPT = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
)


@dataclass(frozen=True)
class Resource:
    """One resource type of one group/version."""

    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[str, ...] = field(default=(), compare=False)

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self) -> str:
        """``deployments.apps`` (kubectl's GroupResource.String())."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def group_kind(self) -> str:
        """``Deployment.apps`` / ``Pod``."""
        return f"{self.kind}.{self.group}" if self.group else self.kind

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "version": self.version,
            "plural": self.plural,
            "singular": self.singular,
            "kind": self.kind,
            "namespaced": self.namespaced,
            "verbs": list(self.verbs),
            "shortNames": list(self.short_names),
            "categories": list(self.categories),
            "subresources": list(self.subresources),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Resource:
        return cls(
            data["group"],
            data["version"],
            data["plural"],
            data["singular"],
            data["kind"],
            data["namespaced"],
            tuple(data["verbs"]),
            tuple(data["shortNames"]),
            tuple(data["categories"]),
            tuple(data["subresources"]),
        )


@dataclass
class Catalog:
    """Every group (in discovery order, preferred version first) and resource the server serves."""

    groups: list[tuple[str, list[str]]]  # (group, versions by preference)
    resources: list[Resource]

    def to_json(self) -> dict[str, Any]:
        return {
            "groups": [[g, v] for g, v in self.groups],
            "resources": [r.to_json() for r in self.resources],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Catalog:
        return cls(
            [(g, list(v)) for g, v in data["groups"]],
            [Resource.from_json(r) for r in data["resources"]],
        )

    def preferred_version(self, group: str) -> str | None:
        for name, versions in self.groups:
            if name == group and versions:
                return versions[0]
        return None


def _cache_file(cache_dir: str, server: str) -> str:
    host = re.sub(r"^https?://", "", server).rstrip("/")
    safe = re.sub(r"[^A-Za-z0-9.\-]", "_", host)
    return os.path.join(cache_dir, "pykctl-discovery", f"{safe}.json")


def _from_aggregated(core: dict[str, Any], groups: dict[str, Any]) -> Catalog:
    catalog = Catalog([], [])
    for item in list(core.get("items") or []) + list(groups.get("items") or []):
        name = (item.get("metadata") or {}).get("name", "")
        versions = [v.get("version", "") for v in item.get("versions") or []]
        catalog.groups.append((name, versions))
        for version in item.get("versions") or []:
            for r in version.get("resources") or []:
                response_kind = r.get("responseKind") or {}
                catalog.resources.append(
                    Resource(
                        group=name,
                        version=version.get("version", ""),
                        plural=r.get("resource", ""),
                        singular=r.get("singularResource", ""),
                        kind=response_kind.get("kind", ""),
                        namespaced=r.get("scope") == "Namespaced",
                        verbs=tuple(r.get("verbs") or ()),
                        short_names=tuple(r.get("shortNames") or ()),
                        categories=tuple(r.get("categories") or ()),
                        subresources=tuple(
                            s.get("subresource", "") for s in r.get("subresources") or []
                        ),
                    )
                )
    return catalog


class Discovery:
    """Discovery for one server, through a backend, cached under ``cache_dir``."""

    def __init__(self, backend: Backend, cache_dir: str, server: str) -> None:
        self.backend = backend
        self.cache_path = _cache_file(cache_dir, server)
        self._catalog: Catalog | None = None
        self.fetched = False

    def catalog(self) -> Catalog:
        """The cached catalog when fresh, else a new one from the server."""
        if self._catalog is None:
            self._catalog = self._read_cache() or self.refresh()
        return self._catalog

    def refresh(self) -> Catalog:
        """Fetch discovery from the server now (once per command) and cache it."""
        if self.fetched and self._catalog is not None:
            return self._catalog
        core = self._get("/api")
        groups = self._get("/apis")
        if (
            core.get("kind") == "APIGroupDiscoveryList"
            and groups.get("kind") == "APIGroupDiscoveryList"
        ):
            catalog = _from_aggregated(core, groups)
        else:
            catalog = self._legacy(core, groups)
        self._catalog = catalog
        self.fetched = True
        self._write_cache(catalog)
        return catalog

    def _get(self, path: str, accept: str = AGGREGATED_ACCEPT) -> dict[str, Any]:
        response = self.backend.request(
            "GET", path, [("timeout", "32s")], headers={"Accept": accept}
        )
        if response.status >= 400:
            raise from_response(response)
        data: dict[str, Any] = response.json()
        return data

    def _legacy(self, core: dict[str, Any], groups: dict[str, Any]) -> Catalog:
        group_versions: list[tuple[str, list[str]]] = [("", list(core.get("versions") or ["v1"]))]
        for group in groups.get("groups") or []:
            versions = [v.get("version", "") for v in group.get("versions") or []]
            preferred = (group.get("preferredVersion") or {}).get("version")
            if preferred in versions:
                versions.remove(preferred)
                versions.insert(0, preferred)
            group_versions.append((group.get("name", ""), versions))
        catalog = Catalog(group_versions, [])
        for group, versions in group_versions:
            for version in versions:
                path = f"/api/{version}" if not group else f"/apis/{group}/{version}"
                listing = self._get(path, "application/json")
                subresources: dict[str, list[str]] = {}
                for r in listing.get("resources") or []:
                    name = r.get("name", "")
                    if "/" in name:
                        parent, _, sub = name.partition("/")
                        subresources.setdefault(parent, []).append(sub)
                for r in listing.get("resources") or []:
                    name = r.get("name", "")
                    if "/" in name:
                        continue
                    catalog.resources.append(
                        Resource(
                            group,
                            version,
                            name,
                            r.get("singularName") or r.get("kind", "").lower(),
                            r.get("kind", ""),
                            bool(r.get("namespaced")),
                            tuple(r.get("verbs") or ()),
                            tuple(r.get("shortNames") or ()),
                            tuple(r.get("categories") or ()),
                            tuple(subresources.get(name, ())),
                        )
                    )
        return catalog

    def _read_cache(self) -> Catalog | None:
        try:
            if time.time() - os.path.getmtime(self.cache_path) > TTL_SECONDS:
                return None
            with open(self.cache_path, encoding="utf-8") as f:
                return Catalog.from_json(json.load(f))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write_cache(self, catalog: Catalog) -> None:
        directory = os.path.dirname(self.cache_path)
        try:
            os.makedirs(directory, mode=0o750, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".discovery-")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(catalog.to_json(), f)
            os.replace(tmp, self.cache_path)
        except OSError:
            return  # a cache we cannot write is only slower
