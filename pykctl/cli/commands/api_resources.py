"""``pykctl api-resources`` and ``pykctl api-versions``: what the server serves, from discovery.

api-resources lists each group's resources in its preferred version (subresources and
resources without verbs left out), filtered by ``--api-group``, ``--namespaced`` (only when
given), ``--verbs`` and ``--categories`` (all must match), sorted stably by group (or by
``--sort-by`` name or kind, ties by name), as a table (``-o wide`` adds VERBS and CATEGORIES),
names (``-o name``: ``plural[.group]``) or an APIResourceList (``-o json|yaml``; JSON in the Go
struct's field order). api-versions prints every ``group/version`` sorted. Both ask the server
afresh (``--cached`` reuses the discovery cache).
"""

from __future__ import annotations

from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, STRING, STRING_SLICE, Flag
from pykctl.resources.discovery import Catalog, Resource

FORMATS = ("json", "yaml", "kyaml", "name", "wide")


def preferred_resources(catalog: Catalog) -> list[Resource]:
    """Each group's resources in its preferred version (client-go's ServerPreferredResources)."""
    chosen: dict[tuple[str, str], Resource] = {}
    for group, versions in catalog.groups:
        preferred = versions[0] if versions else ""
        for version in versions:
            for resource in catalog.resources:
                if resource.group != group or resource.version != version:
                    continue
                key = (group, resource.plural)
                if key in chosen and version != preferred:
                    continue
                chosen[key] = resource
    return list(chosen.values())


def select(resources: list[Resource], inv: Invocation) -> list[Resource]:
    """The resources the filters keep, in kubectl's order."""
    flags = inv.flags
    kept = []
    for r in resources:
        if not r.verbs:
            continue
        if "api_group" in inv.changed and r.group != flags["api_group"]:
            continue
        if "namespaced" in inv.changed and r.namespaced != flags["namespaced"]:
            continue
        if not set(flags["verbs"]) <= set(r.verbs):
            continue
        if not set(flags["categories"]) <= set(r.categories):
            continue
        kept.append(r)
    sort_by = flags["sort_by"]

    def key(r: Resource) -> tuple[str, str]:
        first = r.plural if sort_by == "name" else r.kind if sort_by == "kind" else r.group
        return first, r.plural

    return sorted(kept, key=key)  # kubectl breaks ties by name: a total order


def as_api_resource(r: Resource) -> dict[str, Any]:
    """An APIResource in the Go struct's field order, empty optional fields left out."""
    data: dict[str, Any] = {
        "name": r.plural,
        "singularName": r.singular,
        "namespaced": r.namespaced,
    }
    if r.group:
        data["group"] = r.group
    if r.version:
        data["version"] = r.version
    data["kind"] = r.kind
    data["verbs"] = list(r.verbs)
    if r.short_names:
        data["shortNames"] = list(r.short_names)
    if r.categories:
        data["categories"] = list(r.categories)
    return data


def _table(resources: list[Resource], wide: bool, headers: bool) -> str:
    from pykctl.printers.tabwriter import TabWriter

    writer = TabWriter(6, 3)
    if headers:
        names = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
        writer.write("\t".join(names + (["VERBS", "CATEGORIES"] if wide else [])) + "\n")
    for r in resources:
        cells = [
            r.plural,
            ",".join(r.short_names),
            r.group_version,
            str(r.namespaced).lower(),
            r.kind,
        ]
        if wide:
            cells += [",".join(r.verbs), ",".join(r.categories)]
        writer.write("\t".join(cells) + "\n")
    return writer.flush()


def run_api_resources(inv: Invocation) -> int:
    from backends.objects import gojson
    from pykctl.printers.output import OutputError, OutputFormat, render
    from pykctl.session import Session

    if inv.args:
        raise inv.usage_error(f"unexpected arguments: [{' '.join(inv.args)}]")
    output = inv.flags["output"]
    if output.lower() in ("json", "yaml", "kyaml"):
        output = output.lower()
    if output not in ("", *FORMATS):
        raise CommandError(
            f'unable to match a printer suitable for the output format "{output}", '
            f"allowed formats are: {','.join(sorted(FORMATS))}"
        )
    if inv.flags["sort_by"] not in ("", "name", "kind"):
        raise CommandError("--sort-by accepts only name or kind")
    with Session.open(inv) as session:
        discovery = session.discovery
        catalog = discovery.catalog() if inv.flags["cached"] else discovery.refresh()
    resources = select(preferred_resources(catalog), inv)
    if output in ("", "wide"):
        inv.stdout.write(_table(resources, output == "wide", not inv.flags["no_headers"]))
    elif output == "name":
        for r in resources:
            inv.out(f"{r.plural}.{r.group}" if r.group else r.plural)
    else:
        listing = {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": "",
            "resources": [as_api_resource(r) for r in resources] or None,
        }
        if output == "json":
            inv.stdout.write(gojson.dumps(listing, indent="    ", sort_keys=False) + "\n")
        else:
            try:
                inv.stdout.write(render(listing, OutputFormat(output)))
            except OutputError as err:
                raise CommandError(str(err)) from None
    return 0


def run_api_versions(inv: Invocation) -> int:
    from backends.errors import ApiError
    from pykctl.session import Session

    if inv.args:
        raise inv.usage_error(f"unexpected arguments: [{' '.join(inv.args)}]")
    with Session.open(inv) as session:
        try:
            catalog = session.discovery.refresh()
        except ApiError as err:
            raise CommandError(
                f"couldn't get available api versions from server: {err.message}"
            ) from None
    versions = sorted(
        f"{group}/{version}" if group else version
        for group, group_versions in catalog.groups
        for version in group_versions
    )
    for version in versions:
        inv.out(version)
    return 0


api_resources = KCommand(
    "api-resources",
    run_api_resources,
    Help(
        use="api-resources",
        short="Print the supported API resources on the server",
        long="Print the supported API resources on the server.",
        example="""# Print the supported API resources
pykctl api-resources

# Print the supported API resources with more information
pykctl api-resources -o wide

# Print the supported API resources sorted by a column
pykctl api-resources --sort-by=name

# Print the supported namespaced resources
pykctl api-resources --namespaced=true

# Print the supported non-namespaced resources
pykctl api-resources --namespaced=false

# Print the supported API resources with a specific APIGroup
pykctl api-resources --api-group=rbac.authorization.k8s.io""",
        flags_in_use_line=True,
    ),
    [
        Flag("api-group", STRING, usage="Limit to resources in the specified API group."),
        Flag("cached", BOOL, usage="Use the cached list of resources if available."),
        Flag(
            "categories",
            STRING_SLICE,
            usage="Limit to resources that belong to the specified categories.",
        ),
        Flag(
            "namespaced",
            BOOL,
            default=True,
            usage="If false, non-namespaced resources will be returned, otherwise returning "
            "namespaced resources by default.",
        ),
        Flag(
            "no-headers",
            BOOL,
            usage="When using the default or custom-column output format, don't print headers "
            "(default print headers).",
        ),
        Flag(
            "output",
            STRING,
            shorthand="o",
            usage="Output format. One of: (json, yaml, kyaml, name, wide).",
        ),
        Flag(
            "show-managed-fields",
            BOOL,
            usage="If true, keep the managedFields when printing objects in JSON or YAML format.",
        ),
        Flag(
            "sort-by",
            STRING,
            usage="If non-empty, sort list of resources using specified field. The field can be "
            "either 'name' or 'kind'.",
        ),
        Flag(
            "verbs",
            STRING_SLICE,
            usage="Limit to resources that support the specified verbs.",
        ),
    ],
)

api_versions = KCommand(
    "api-versions",
    run_api_versions,
    Help(
        use="api-versions",
        short='Print the supported API versions on the server, in the form of "group/version"',
        long='Print the supported API versions on the server, in the form of "group/version".',
        example="""# Print the supported API versions
pykctl api-versions""",
    ),
)
