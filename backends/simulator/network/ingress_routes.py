"""The ingress controller's configuration, computed from Ingress objects alone (pure).

* :func:`is_ours` decides which Ingresses the controller serves: ``spec.ingressClassName``,
  else the legacy ``kubernetes.io/ingress.class`` annotation, naming ``contour`` or an
  IngressClass whose ``spec.controller`` is ours; an Ingress with no class is ours unless another
  controller's IngressClass is marked default (``ingressclass.kubernetes.io/is-default-class``).
* :func:`build_table` merges every served Ingress into one :class:`RouteTable`, oldest Ingress
  first (creationTimestamp, then namespace/name), as Contour merges them into Envoy's virtual
  hosts: a request's host (port stripped, case-insensitive) selects exact-host routes, else the
  ``*.domain`` wildcard routes (one label), else the host-less routes; within it, Exact paths
  come before prefixes, longer paths first, older Ingresses first on ties; nothing matching
  there falls to the oldest ``spec.defaultBackend``; else no route (404). Backends are always
  Services of the Ingress's own namespace, so several namespaces may share a host.
* Path types: ``Exact`` is equality; ``Prefix`` and ``ImplementationSpecific`` match element-wise
  (``/foo`` matches ``/foo``, ``/foo/`` and ``/foo/bar``, never ``/foobar``; a trailing slash in
  the rule is ignored). An Ingress with ``nginx.ingress.kubernetes.io/rewrite-target`` or
  ``nginx.ingress.kubernetes.io/use-regex: "true"`` has its non-Exact paths read as
  case-insensitive regular expressions anchored at the start, as ingress-nginx does.
* Rewriting: ``nginx.ingress.kubernetes.io/rewrite-target`` replaces the whole path with the
  target, ``$1``..``$9`` taken from the path regex's groups (``/$2`` with ``/app(/|$)(.*)``);
  ``ingress.pykctl.io/replace-prefix`` (pykctl's) replaces the matched prefix only (``/api`` →
  ``/`` sends ``/api/users`` as ``/users``). The query string is kept.
* :func:`tls_certificates` picks the Secret of each TLS host: the oldest Ingress naming the host
  wins; the others are returned as :class:`TlsConflict` for the controller to report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
CLASS_NAME = "contour"
CONTROLLER = "projectcontour.io/ingress-controller"
CLASS_ANNOTATION = "kubernetes.io/ingress.class"
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
REWRITE_TARGET = "nginx.ingress.kubernetes.io/rewrite-target"
USE_REGEX = "nginx.ingress.kubernetes.io/use-regex"
REPLACE_PREFIX = "ingress.pykctl.io/replace-prefix"
EXACT, PREFIX, REGEX = "Exact", "Prefix", "Regex"
_GROUP = re.compile(r"\$(\d)")


@dataclass(frozen=True)
class ServiceRef:
    """A backend: a Service port (number or name) in the Ingress's namespace."""

    namespace: str
    name: str
    port: int | str


@dataclass(frozen=True)
class Route:
    """One path of one Ingress rule."""

    host: str  # "" for any host; "*.example.com" for a wildcard
    path: str
    kind: str  # EXACT, PREFIX or REGEX
    target: ServiceRef
    ingress: str  # namespace/name of the Ingress it comes from
    rewrite_target: str | None = None
    replace_prefix: str | None = None
    pattern: re.Pattern[str] | None = field(default=None, compare=False)

    def match(self, path: str) -> str | None:
        """The upstream path when ``path`` matches, else None."""
        if self.kind == EXACT:
            if path != self.path:
                return None
            groups: Sequence[str | None] = ()
            matched = path
        elif self.kind == REGEX:
            assert self.pattern is not None
            found = self.pattern.match(path)
            if found is None:
                return None
            groups, matched = found.groups(), found.group(0)
        else:
            if not prefix_matches(self.path, path):
                return None
            groups, matched = (), self.path.rstrip("/")
        if self.rewrite_target is not None:
            return _expand(self.rewrite_target, groups)
        if self.replace_prefix is not None:
            rewritten = self.replace_prefix.rstrip("/") + path[len(matched) :]
            return rewritten if rewritten.startswith("/") else "/" + rewritten
        return path


def _expand(target: str, groups: Sequence[str | None]) -> str:
    def group(found: re.Match[str]) -> str:
        index = int(found.group(1))
        return (groups[index - 1] or "") if 0 < index <= len(groups) else ""

    return _GROUP.sub(group, target)


def prefix_matches(prefix: str, path: str) -> bool:
    """Kubernetes' element-wise Prefix match."""
    base = prefix.rstrip("/")
    return not base or path == base or path.startswith(base + "/")


@dataclass(frozen=True)
class Match:
    """Where a request goes: the Service and the path (with its query) sent upstream."""

    target: ServiceRef
    path: str
    route: Route | None  # None for a default backend


@dataclass
class RouteTable:
    """The merged configuration (see the module docstring)."""

    exact: dict[str, list[Route]] = field(default_factory=dict)
    wildcard: dict[str, list[Route]] = field(default_factory=dict)  # key: ".example.com"
    any_host: list[Route] = field(default_factory=list)
    default: ServiceRef | None = None

    def routes_for(self, host: str) -> list[Route] | None:
        """The routes of the virtual host ``host`` selects; None when none does."""
        host = request_host(host)
        if host in self.exact:
            return self.exact[host]
        dot = host.find(".")
        if dot > 0 and host[dot:] in self.wildcard:
            return self.wildcard[host[dot:]]
        return self.any_host or None

    def match(self, host: str, target: str) -> Match | None:
        """Route a request for ``host`` and request-target ``target`` (path and query)."""
        path, question, query = target.partition("?")
        for route in self.routes_for(host) or []:
            upstream = route.match(path)
            if upstream is not None:
                return Match(route.target, upstream + question + query, route)
        if self.default is not None:
            return Match(self.default, target, None)
        return None

    def services(self) -> set[ServiceRef]:
        """Every backend the table can send to."""
        found = {route.target for routes in self.exact.values() for route in routes}
        found |= {route.target for routes in self.wildcard.values() for route in routes}
        found |= {route.target for route in self.any_host}
        if self.default is not None:
            found.add(self.default)
        return found


def request_host(host: str) -> str:
    """A Host header or SNI name as matched: lower case, no port, no trailing dot."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


def _meta(obj: Obj) -> Obj:
    found = obj.get("metadata")
    return found if isinstance(found, dict) else {}


def _annotations(obj: Obj) -> dict[str, str]:
    return dict(_meta(obj).get("annotations") or {})


def ingress_key(ingress: Obj) -> str:
    """``namespace/name``."""
    meta = _meta(ingress)
    return f"{meta.get('namespace') or ''}/{meta.get('name') or ''}"


def age_order(ingresses: Iterable[Obj]) -> list[Obj]:
    """Oldest first: creationTimestamp, then namespace/name."""
    return sorted(
        ingresses,
        key=lambda i: (str(_meta(i).get("creationTimestamp") or ""), ingress_key(i)),
    )


def _our_class(name: str, classes: Sequence[Obj]) -> bool:
    for ingress_class in classes:
        if _meta(ingress_class).get("name") == name:
            return (ingress_class.get("spec") or {}).get("controller") == CONTROLLER
    return name == CLASS_NAME


def is_ours(ingress: Obj, classes: Sequence[Obj]) -> bool:
    """Whether this controller serves ``ingress`` (see the module docstring)."""
    name = (ingress.get("spec") or {}).get("ingressClassName")
    if name is None:
        name = _annotations(ingress).get(CLASS_ANNOTATION)
    if name is not None:
        return _our_class(str(name), classes)
    defaults = [c for c in classes if _annotations(c).get(DEFAULT_CLASS_ANNOTATION) == "true"]
    return all((c.get("spec") or {}).get("controller") == CONTROLLER for c in defaults)


def _service_ref(namespace: str, backend: Obj | None) -> ServiceRef | None:
    service = (backend or {}).get("service") or {}
    port = service.get("port") or {}
    number = port.get("number")
    if not service.get("name") or (not number and not port.get("name")):
        return None
    return ServiceRef(namespace, str(service["name"]), int(number) if number else str(port["name"]))


def _sort_key(route: Route) -> tuple[int, int]:
    return (0 if route.kind == EXACT else 1, -len(route.path))


def ingress_routes(ingress: Obj) -> list[Route]:
    """The routes of one Ingress's rules, in rule order."""
    namespace = str(_meta(ingress).get("namespace") or "")
    annotations = _annotations(ingress)
    rewrite = annotations.get(REWRITE_TARGET)
    regex = rewrite is not None or annotations.get(USE_REGEX) == "true"
    replace = annotations.get(REPLACE_PREFIX)
    routes = []
    for rule in (ingress.get("spec") or {}).get("rules") or []:
        host = str(rule.get("host") or "").lower()
        for item in (rule.get("http") or {}).get("paths") or []:
            target = _service_ref(namespace, item.get("backend"))
            if target is None:
                continue
            path = str(item.get("path") or "/")
            kind = EXACT if item.get("pathType") == EXACT else PREFIX
            pattern = None
            if regex and kind != EXACT:
                try:
                    pattern = re.compile(path, re.IGNORECASE)
                except re.error:
                    continue
                kind = REGEX
            routes.append(
                Route(
                    host,
                    path,
                    kind,
                    target,
                    ingress_key(ingress),
                    rewrite,
                    None if rewrite is not None else replace,
                    pattern,
                )
            )
    return routes


def build_table(ingresses: Iterable[Obj]) -> RouteTable:
    """Merge the served Ingresses into one table (see the module docstring)."""
    table = RouteTable()
    for ingress in age_order(ingresses):
        if table.default is None:
            namespace = str(_meta(ingress).get("namespace") or "")
            table.default = _service_ref(
                namespace, (ingress.get("spec") or {}).get("defaultBackend")
            )
        for route in ingress_routes(ingress):
            if not route.host:
                table.any_host.append(route)
            elif route.host.startswith("*."):
                table.wildcard.setdefault(route.host[1:], []).append(route)
            else:
                table.exact.setdefault(route.host, []).append(route)
    for routes in [*table.exact.values(), *table.wildcard.values(), table.any_host]:
        routes.sort(key=_sort_key)  # stable: older Ingresses stay first on ties
    return table


@dataclass(frozen=True)
class SecretRef:
    """The ``kubernetes.io/tls`` Secret serving a host, and the Ingress naming it."""

    namespace: str
    name: str
    ingress: str


@dataclass(frozen=True)
class TlsConflict:
    """An Ingress whose Secret for ``host`` lost to an older Ingress's."""

    ingress: str
    secret: str
    host: str
    winner: SecretRef


def tls_certificates(
    ingresses: Iterable[Obj],
) -> tuple[dict[str, SecretRef], list[TlsConflict]]:
    """Each TLS host's Secret (the oldest Ingress's) and the losing claims."""
    chosen: dict[str, SecretRef] = {}
    conflicts: list[TlsConflict] = []
    for ingress in age_order(ingresses):
        namespace = str(_meta(ingress).get("namespace") or "")
        for entry in (ingress.get("spec") or {}).get("tls") or []:
            secret = str(entry.get("secretName") or "")
            if not secret:
                continue
            ref = SecretRef(namespace, secret, ingress_key(ingress))
            for host in entry.get("hosts") or []:
                host = str(host).lower()
                winner = chosen.setdefault(host, ref)
                if (winner.namespace, winner.name) != (namespace, secret):
                    conflicts.append(TlsConflict(ref.ingress, secret, host, winner))
    return chosen, conflicts


def certificate_host(server_name: str, hosts: Iterable[str]) -> str | None:
    """Which TLS host (exact, else ``*.domain``) serves the SNI name ``server_name``."""
    name = request_host(server_name)
    known = set(hosts)
    if name in known:
        return name
    dot = name.find(".")
    wildcard = "*" + name[dot:] if dot > 0 else ""
    return wildcard if wildcard in known else None
