"""``pykctl auth``: ``can-i`` and ``whoami``, as ``kubectl auth`` asks the server's review APIs.

can-i resolves ``VERB TYPE[/NAME]`` (or ``VERB /nonresource/url``) and posts a
SelfSubjectAccessReview: ``yes`` (exit 0) or ``no[ - reason][ - evaluationError]`` (exit 1);
``-q`` prints nothing. Unknown resources, cluster-scoped resources asked in a namespace and
unknown verbs only warn (``Warning: ...`` and a blank line, as kubectl's warning printer does
with a message that ends in a newline). ``--list`` posts a SelfSubjectRulesReview and prints its
rules broken down per group/resource/verb, compacted and sorted as kubectl's rbac utilities do.
whoami posts a SelfSubjectReview and prints ``ATTRIBUTE VALUE`` rows or the review object
(Go struct field order). Invariant: every check happens before any request, in kubectl's order.
"""

from __future__ import annotations

from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand, KGroup
from pykctl.cli.commands.objects import print_flags
from pykctl.cli.errors import CommandError, Exit
from pykctl.cli.flags import BOOL, STRING, Flag
from pykctl.resources.discovery import Resource

Obj = dict[str, Any]

RESOURCE_VERBS = frozenset(
    "get list watch create update patch delete deletecollection use bind impersonate * approve "
    "sign escalate attest".split()
)
NON_RESOURCE_VERBS = frozenset("get put post head options delete patch *".split())
NON_STANDARD_RESOURCES = frozenset({"users", "groups"})


def _review(group: str, plural: str, kind: str) -> Resource:
    return Resource(group, "v1", plural, plural[:-1], kind, False)


ACCESS_REVIEWS = _review(
    "authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview"
)
RULES_REVIEWS = _review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview")
SUBJECT_REVIEWS = _review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview")


def _warn(inv: Invocation, message: str) -> None:
    """kubectl's WarningPrinter given a message ending in a newline."""
    inv.stderr.write(f"Warning: {message}\n\n")


def _go_list(values: Any) -> str:
    """Go's ``%v`` of a string slice."""
    return "[" + " ".join(str(v) for v in values or []) + "]"


# --------------------------------------------------------------------------------------------
# can-i


def _resource_for(inv: Invocation, session: Any, arg: str) -> tuple[str, str, Resource | None]:
    """(group, resource, discovered type) for ``TYPE``, warning when the server lacks it."""
    from pykctl.resources.mapper import UnknownResource

    if arg == "*":
        return "", "*", None
    lowered = arg.lower()
    try:
        found: Resource = session.mapper.resource_for(lowered)
    except UnknownResource:
        resource, _, group = lowered.partition(".")
        if lowered not in NON_STANDARD_RESOURCES:
            where = f" in group '{group}'" if group else ""
            _warn(inv, f"the server doesn't have a resource type '{resource}'{where}")
        return "", arg, None
    return found.group, found.plural, found


Rule = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _access_list_rows(status: Obj) -> list[tuple[str, str, str, str]]:
    """The rules of a SelfSubjectRulesReview status as kubectl prints them: broken down to one
    group, resource, name and verb each (rbacutil.BreakdownRule), resource rules of one
    group/resource/name merged (CompactRules), sorted by their Go ``String()``."""
    simple: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
    others: list[Rule] = []
    for rule in status.get("resourceRules") or []:
        names = rule.get("resourceNames") or [None]
        for group in rule.get("apiGroups") or []:
            for resource in rule.get("resources") or []:
                for verb in rule.get("verbs") or []:
                    for name in names:
                        key = (group, resource, (name,) if name is not None else ())
                        simple.setdefault(key, []).append(verb)
    for rule in status.get("nonResourceRules") or []:
        for url in rule.get("nonResourceURLs") or []:
            for verb in rule.get("verbs") or []:
                others.append(((), (), (), (url,), (verb,)))
    rules: list[Rule] = [
        ((resource,), (group,), names, (), tuple(verbs))
        for (group, resource, names), verbs in simple.items()
    ] + others

    def go_string(rule: Rule) -> str:  # PolicyRule.String()
        resources, groups, names, urls, verbs = rule
        return (
            f"&PolicyRule{{Verbs:{_go_list(verbs)},APIGroups:{_go_list(groups)},"
            f"Resources:{_go_list(resources)},ResourceNames:{_go_list(names)},"
            f"NonResourceURLs:{_go_list(urls)},}}"
        )

    rules.sort(key=go_string)
    return [(_combine(r[0], r[1]), _go_list(r[3]), _go_list(r[2]), _go_list(r[4])) for r in rules]


def _combine(resources: tuple[str, ...], groups: tuple[str, ...]) -> str:
    """describe.CombineResourceGroup: ``res.group`` pairs joined with ``, ``."""
    if not resources:
        return ""
    parts = []
    for resource in resources:
        for group in groups or ("",):
            parts.append(f"{resource}.{group}" if group else resource)
    return ", ".join(parts)


def run_can_i(inv: Invocation) -> int:
    from pykctl.printers.tabwriter import TabWriter
    from pykctl.session import Session

    flags, args = inv.flags, inv.args
    if flags["list"]:
        if args:
            raise CommandError("list option must be specified with no arguments")
    elif len(args) != 2:
        raise CommandError(
            "you must specify two arguments: verb resource or verb resource/resourceName.\n"
            f"See '{inv.command_path} -h' for help and examples."
        )
    with Session.open(inv) as session:
        verb = url = group = plural = name = ""
        found: Resource | None = None
        if not flags["list"]:
            verb = args[0]
            if args[1].startswith("/"):
                url = args[1]
            else:
                type_arg, _, name = args[1].partition("/")
                group, plural, found = _resource_for(inv, session, type_arg)
        namespace = "" if flags["all_namespaces"] else session.namespace
        if flags["list"]:
            if flags["quiet"] or flags["all_namespaces"] or flags["subresource"]:
                raise CommandError(
                    "list option can't be specified with neither quiet, all-namespaces nor "
                    "subresource options"
                )
        elif url:
            if flags["subresource"]:
                raise CommandError("--subresource can not be used with NonResourceURL")
            if verb not in NON_RESOURCE_VERBS:
                _warn(inv, f"verb '{verb}' is not a known verb")
        elif plural and not flags["all_namespaces"]:
            if found is not None and not found.namespaced:
                where = f" in group '{group}'" if group else ""
                _warn(inv, f"resource '{plural}' is not namespace scoped{where}")
            if verb not in RESOURCE_VERBS:
                _warn(inv, f"verb '{verb}' is not a known verb")
        if flags["no_headers"] and not flags["list"]:
            raise CommandError("--no-headers cannot be set without --list specified")
        if flags["list"]:
            body: Obj = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview"}
            body["spec"] = {"namespace": namespace}
            status = session.client.create(RULES_REVIEWS, None, body).get("status") or {}
            if status.get("incomplete"):
                error = status.get("evaluationError", "")
                inv.stderr.write(f"Warning: the list may be incomplete: {error}\n")
            writer = TabWriter()
            if not flags["no_headers"]:
                writer.write("Resources\tNon-Resource URLs\tResource Names\tVerbs\n")
            for row in _access_list_rows(status):
                writer.write("\t".join(row) + "\n")
            inv.stdout.write(writer.flush())
            return 0
        if url:
            spec: Obj = {"nonResourceAttributes": {"path": url, "verb": verb}}
        else:
            attributes = {"namespace": namespace, "verb": verb, "group": group}
            attributes |= {"resource": plural, "subresource": flags["subresource"], "name": name}
            spec = {"resourceAttributes": {k: v for k, v in attributes.items() if v}}
        body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview"}
        answer = session.client.create(ACCESS_REVIEWS, None, {**body, "spec": spec})
        review = answer.get("status") or {}
    if review.get("allowed"):
        verdict = "yes"
    else:
        verdict = "no" + "".join(
            f" - {review[k]}" for k in ("reason", "evaluationError") if review.get(k)
        )
    if not flags["quiet"]:
        inv.out(verdict)
    if not review.get("allowed"):
        raise Exit(1)
    return 0


can_i = KCommand(
    "can-i",
    run_can_i,
    Help(
        use="can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]",
        short="Check whether an action is allowed",
        long="""Check whether an action is allowed.

 VERB is a logical Kubernetes API verb like 'get', 'list', 'watch', 'delete', etc. TYPE is a Kubernetes resource. Shortcuts and groups will be resolved. NONRESOURCEURL is a partial URL that starts with "/". NAME is the name of a particular Kubernetes resource. This command pairs nicely with impersonation. See --as global flag.""",
        example="""# Check to see if I can create pods in any namespace
pykctl auth can-i create pods --all-namespaces

# Check to see if I can list deployments in my current namespace
pykctl auth can-i list deployments.apps

# Check to see if service account "foo" of namespace "dev" can list pods in the namespace "prod"
# You must be allowed to use impersonation for the global option "--as"
pykctl auth can-i list pods --as=system:serviceaccount:dev:foo -n prod

# Check to see if I can do everything in my current namespace ("*" means all)
pykctl auth can-i '*' '*'

# Check to see if I can get the job named "bar" in namespace "foo"
pykctl auth can-i list jobs.batch/bar -n foo

# Check to see if I can read pod logs
pykctl auth can-i get pods --subresource=log

# Check to see if I can access the URL /logs/
pykctl auth can-i get /logs/

# Check to see if I can approve certificates.k8s.io
pykctl auth can-i approve certificates.k8s.io

# List all allowed actions in namespace "foo"
pykctl auth can-i --list --namespace=foo""",
    ),
    [
        Flag(
            "all-namespaces",
            BOOL,
            shorthand="A",
            usage="If true, check the specified action in all namespaces.",
        ),
        Flag("list", BOOL, usage="If true, prints all allowed actions."),
        Flag("no-headers", BOOL, usage="If true, prints allowed actions without headers"),
        Flag(
            "quiet",
            BOOL,
            shorthand="q",
            usage="If true, suppress output and just return the exit code.",
        ),
        Flag("subresource", STRING, usage="SubResource such as pod/log or deployment/scale"),
    ],
)


# --------------------------------------------------------------------------------------------
# whoami


def _self_subject_review(answer: Obj) -> Obj:
    """The answer as authentication/v1.SelfSubjectReview writes it (struct order)."""
    info = ((answer.get("status") or {}).get("userInfo")) or {}
    user: Obj = {k: info[k] for k in ("username", "uid", "groups", "extra") if info.get(k)}
    metadata = {k: v for k, v in (answer.get("metadata") or {}).items() if v is not None}
    return {
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": metadata,
        "status": {"userInfo": user},
    }


def _whoami_table(review: Obj) -> str:
    from pykctl.printers.tabwriter import TabWriter

    info = review["status"]["userInfo"]
    writer = TabWriter()
    writer.write("ATTRIBUTE\tVALUE\n")
    if info.get("username"):
        writer.write(f"Username\t{info['username']}\n")
    if info.get("uid"):
        writer.write(f"UID\t{info['uid']}\n")
    if info.get("groups"):
        writer.write(f"Groups\t{_go_list(info['groups'])}\n")
    for key in sorted(info.get("extra") or {}):
        writer.write(f"Extra: {key}\t{_go_list(info['extra'][key])}\n")
    return writer.flush()


def run_whoami(inv: Invocation) -> int:
    from pykctl.printers.output import PRINT_FORMATS, OutputError, make_printer, parse_output_format
    from pykctl.session import Session

    flags = inv.flags
    try:
        fmt = parse_output_format(flags["output"], flags["template"], ("", *PRINT_FORMATS))
    except OutputError as err:
        raise CommandError(str(err)) from None
    body = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
    with Session.open(inv) as session:
        review = _self_subject_review(session.client.create(SUBJECT_REVIEWS, None, body))
    if fmt.kind == "":
        inv.stdout.write(_whoami_table(review))
        return 0
    try:
        printer = make_printer(
            fmt,
            show_managed_fields=flags["show_managed_fields"],
            allow_missing_keys=flags["allow_missing_template_keys"],
            sort_keys=False,
        )
        printer.print_obj(review, inv.stdout)
    except OutputError as err:
        raise CommandError(str(err)) from None
    return 0


whoami = KCommand(
    "whoami",
    run_whoami,
    Help(
        use="whoami",
        short="Experimental: Check self subject attributes",
        long="""Experimental: Check who you are and your attributes (groups, extra).

        This command is helpful to get yourself aware of the current user attributes,
        especially when dynamic authentication, e.g., token webhook, auth proxy, or OIDC provider,
        is enabled in the Kubernetes cluster.""",
        example="""# Get your subject attributes
pykctl auth whoami

# Get your subject attributes in JSON format
pykctl auth whoami -o json""",
    ),
    print_flags(),
)


auth = KGroup(
    "auth",
    Help(
        use="auth",
        short="Inspect authorization",
        long="Inspect authorization.",
        flags_in_use_line=True,
    ),
    commands=[can_i, whoami],
)
