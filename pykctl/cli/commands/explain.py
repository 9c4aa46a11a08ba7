"""``pykctl explain``: documentation of a resource type or one of its fields, from the server's
OpenAPI v3 schemas.

As kubectl: ``TYPE[.FIELD...]`` names the resource the way ``kubectl explain`` reads it (the
first segment is looked up among the server's resources; a ``plural.group`` prefix selects the
group; without ``--api-version`` the preferred version is used), the group/version's schema is
fetched from ``/openapi/v3`` and rendered by ``pykctl.explain.plaintext``. ``plaintext-openapiv2``
asks for ``/openapi/v2``; pykctl has no renderer for that format and says so when the server
serves it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pykctl.cli.command import PROGRAM, Help, Invocation, KCommand
from pykctl.cli.errors import CommandError, RawError
from pykctl.cli.flags import BOOL, INT, STRING, Flag
from pykctl.resources.discovery import Resource
from pykctl.resources.mapper import Mapper

SUGGEST = f'Use "{PROGRAM} api-resources" for a complete list of supported resources.'
PLAINTEXT, OPENAPI_V2 = "plaintext", "plaintext-openapiv2"
_JSONPATH_SPECIAL = set("[]()*@$'\"{}=?,:")


def _field_path(text: str) -> list[str]:
    """The dot-separated fields of ``text`` (kubectl parses it as a JSONPath of field nodes;
    a trailing dot is ignored, an empty field is a recursive descent, which it refuses)."""
    text = text.removesuffix(".")
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    if not text:
        return []
    parts = text.split(".")
    if any(not part or _JSONPATH_SPECIAL & set(part) for part in parts):
        raise CommandError("invalid jsonpath syntax, first node must be field node")
    return parts


def resources_for(mapper: Mapper, name: str, warn: Callable[[str], None]) -> list[Resource]:
    """Every resource named ``name`` (plural, singular or short name), best first; a short
    name that more than one group uses gets kubectl's warning."""
    lowered = name.lower()
    for attempt in range(2):
        discovery = mapper.discovery
        catalog = discovery.catalog() if attempt == 0 else discovery.refresh()
        found = [
            r
            for r in catalog.resources
            if lowered in (r.plural, r.singular) or lowered in r.short_names
        ]
        if found:
            _warn_ambiguous(lowered, catalog.resources, warn)
            order = {group: i for i, (group, _) in enumerate(catalog.groups)}
            versions = dict(catalog.groups)
            return sorted(
                found,
                key=lambda r: (
                    order.get(r.group, len(order)),
                    versions.get(r.group, []).index(r.version)
                    if r.version in versions.get(r.group, [])
                    else 99,
                ),
            )
        if discovery.fetched:
            break
    raise RawError(f'the server doesn\'t have a resource type "{name}"')


def _warn_ambiguous(name: str, resources: list[Resource], warn: Callable[[str], None]) -> None:
    """kubectl's shortcut expander: the first resource with the short name wins, the others
    (other group/resource pairs) are named in a warning, unless ``name`` is a full name."""
    if any(name in (r.plural, r.singular) for r in resources):
        return
    first: tuple[str, str] | None = None
    warned: list[tuple[str, str]] = []
    for r in resources:
        if name not in r.short_names:
            continue
        if first is None:
            first = (r.group, r.plural)
        elif (r.group, r.plural) != first and (r.group, r.plural) not in warned:
            warned.append((r.group, r.plural))
            warn(f'short name "{name}" could also match lower priority resource {r.group_resource}')


def split_request(
    arg: str, mapper: Mapper, exact_prefix: bool, warn: Callable[[str], None]
) -> tuple[Resource, list[str]]:
    """The resource and field path ``arg`` names (kubectl's SplitAndParseResourceRequest*)."""
    fields = _field_path(arg)
    if not fields:
        raise CommandError("a resource must be present, got: /, Resource=")
    candidates = resources_for(mapper, fields[0], warn)
    if not exact_prefix:
        return candidates[0], fields[1:]
    for resource in candidates:
        if arg.startswith(resource.group_resource):
            suffix = arg[len(resource.group_resource) :].removeprefix(".")
            return resource, _field_path(suffix)
    return candidates[0], fields[1:]


def _parse_group_version(text: str) -> tuple[str, str]:
    """Go's schema.ParseGroupVersion."""
    if not text or text == "/":
        return "", ""
    parts = text.split("/")
    if len(parts) == 1:
        return "", parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise CommandError(f"unexpected GroupVersion string: {text}")


def _validate(inv: Invocation) -> None:
    if not inv.args:
        raise CommandError(f"You must specify the type of resource to explain. {SUGGEST}\n")
    if len(inv.args) > 1:
        raise CommandError("We accept only this format: explain RESOURCE\n")
    if inv.flags["max_depth"] > 0 and not inv.flags["recursive"]:
        raise CommandError("--max-depth requires --recursive")
    if inv.flags["max_depth"] < 0:
        raise CommandError("--max-depth must be non-negative")


def _schema_document(
    inv: Invocation, client: Any, group: str, version: str, gvr: str
) -> dict[str, Any]:
    """The OpenAPI v3 document of one group/version."""
    from urllib.parse import parse_qsl, urlsplit

    paths = client.raw("GET", "/openapi/v3").json().get("paths") or {}
    key = f"apis/{group}/{version}" if group else f"api/{version}"
    if key not in paths:
        raise CommandError(f'couldn\'t find resource for "{gvr}"')
    url = urlsplit(str(paths[key].get("serverRelativeURL") or f"/openapi/v3/{key}"))
    document: dict[str, Any] = client.raw("GET", url.path, parse_qsl(url.query)).json()
    return document


def run(inv: Invocation) -> int:
    from backends.errors import ApiError
    from pykctl.explain.plaintext import ExplainError, Request, render
    from pykctl.session import Session

    _validate(inv)
    output = inv.flags["output"]
    api_version = inv.flags["api_version"]
    with Session.open(inv) as session:
        resource, fields = split_request(
            inv.args[0], session.mapper, not api_version, lambda text: inv.err(f"Warning: {text}")
        )
        group, version = resource.group, resource.version
        if output == OPENAPI_V2:
            session.client.raw("GET", "/openapi/v2")
            raise CommandError(f"pykctl cannot render the {OPENAPI_V2} format yet")
        try:
            session.client.raw("GET", "/openapi/v3")
        except ApiError:
            session.client.raw("GET", "/openapi/v2")
            raise CommandError(f"pykctl cannot render the {OPENAPI_V2} format yet") from None
        if api_version:
            group, version = _parse_group_version(api_version)
        gvr = f"{group}/{version}, Resource={resource.plural}"
        document = _schema_document(inv, session.client, group, version, gvr)
    if output != PLAINTEXT:
        raise CommandError(f"unrecognized format: {output}")
    request = Request(
        group,
        version,
        resource.plural,
        tuple(fields),
        inv.flags["recursive"],
        inv.flags["max_depth"],
    )
    try:
        inv.stdout.write(render(document, request))
    except ExplainError as err:
        inv.stdout.write(err.output)
        raise CommandError(str(err)) from None
    return 0


HELP = Help(
    use="explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [-o|--output=plaintext|plaintext-openapiv2]",
    short="Get documentation for a resource",
    long=(
        "Describe fields and structure of various resources.\n\n"
        " This command describes the fields associated with each supported API resource. Fields "
        "are identified via a simple JSONPath identifier:\n\n"
        "        TYPE.FIELDNAME[.FIELDNAME]\n"
        "        \n"
        " Information about each field is retrieved from the server in OpenAPI format.\n\n"
        f"{SUGGEST}"
    ),
    example="""# Get the documentation of the resource and its fields
pykctl explain pods

# Get all the fields in the resource
pykctl explain pods --recursive

# Get fields in the resource up to a specific recursive depth
pykctl explain pods --recursive --max-depth=2

# Get the explanation for deployment in supported api versions
pykctl explain deployments --api-version=apps/v1

# Get the documentation of a specific field of a resource
pykctl explain pods.spec.containers

# Get the documentation of resources in different format
pykctl explain deployment --output=plaintext-openapiv2""",
)

FLAGS = [
    Flag(
        "api-version",
        STRING,
        usage="Get different explanations for particular API version (API group/version)",
    ),
    Flag(
        "max-depth",
        INT,
        usage="Maximum recursion depth when printing nested fields with --recursive. 0 means no "
        "limit. Requires --recursive when greater than 0.",
    ),
    Flag(
        "output",
        STRING,
        default=PLAINTEXT,
        shorthand="o",
        usage="Format in which to render the schema (plaintext, plaintext-openapiv2)",
    ),
    Flag(
        "recursive",
        BOOL,
        shorthand="R",
        usage="Print the fields of fields. Use --max-depth to cap the recursion depth.",
    ),
]

explain = KCommand("explain", run, HELP, FLAGS)
