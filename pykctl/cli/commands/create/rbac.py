"""``create role|clusterrole|rolebinding|clusterrolebinding``.

Roles resolve each ``--resource`` against the server's resource types (``rs.apps`` becomes
``replicasets`` in group ``apps``), so they need discovery even for a client dry run, as
kubectl does; an unknown type is kubectl's bare "the server doesn't have a resource type".
Non-standard verbs are warned about on stderr.
"""

from __future__ import annotations

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.create import generator
from pykctl.cli.errors import RawError
from pykctl.cli.flags import STRING_ARRAY, STRING_SLICE, Flag
from pykctl.ops import generators

RBAC = "rbac.authorization.k8s.io"
ROLE = generator.target(RBAC, "v1", "roles", "Role", True, None)
CLUSTER_ROLE = generator.target(RBAC, "v1", "clusterroles", "ClusterRole", False, None)
ROLE_BINDING = generator.target(
    RBAC, "v1", "rolebindings", "RoleBinding", True, "failed to create rolebinding: "
)
CLUSTER_ROLE_BINDING = generator.target(
    RBAC,
    "v1",
    "clusterrolebindings",
    "ClusterRoleBinding",
    False,
    "failed to create clusterrolebinding: ",
)


def _resolve(
    request: generator.Request, resources: list[generators.RuleResource], verbs: list[str]
) -> list[tuple[str, str]]:
    """(group, resource[/subresource]) per ``--resource``, after kubectl's checks: each entry
    up to the first ``*`` must name a known type (unless a special verb allows it)."""
    from pykctl.resources.mapper import UnknownResource

    mapped: list[tuple[str, str, UnknownResource | None]] = []
    for item in resources:
        try:
            found = request.cluster.mapper.resource_for(
                f"{item.resource}.{item.group}" if item.group else item.resource
            )
            mapped.append((found.group, found.plural, None))
        except UnknownResource as err:
            mapped.append((item.group, item.resource, err))
    for item, (group, plural, error) in zip(resources, mapped, strict=True):
        if not item.resource:
            raise generators.GeneratorError(
                "resource must be specified if apiGroup/subresource specified"
            )
        if item.resource == "*":
            break
        generators.check_special_verbs(verbs, group, plural)
        if error is not None and not any(v in generators.SPECIAL_VERBS for v in verbs):
            raise RawError(str(error))
    return [
        (group, f"{plural}/{item.subresource}" if item.subresource else plural)
        for item, (group, plural, _) in zip(resources, mapped, strict=True)
    ]


def _warn_verbs(inv: Invocation, verbs: list[str]) -> None:
    for verb in verbs:
        if verb not in generators.VALID_RESOURCE_VERBS:
            inv.err(f"Warning: '{verb}' is not a standard resource verb")


def _role_rules(request: generator.Request, cluster_wide: bool) -> list[generators.Obj] | None:
    """The rules of a role, after kubectl's checks; None for an aggregated cluster role."""
    flags = request.flags
    verbs = generators.role_verbs(flags["verb"])
    resources = generators.role_resources(flags["resource"])
    names = generators.unique(flags["resource_name"])
    urls = generators.unique(flags.get("non_resource_url") or [])
    aggregation = flags.get("aggregation_rule") or []
    if aggregation:
        if urls or verbs or resources or names:
            raise generators.GeneratorError(
                "aggregation rule must be specified without nonResourceURLs, verbs, resources "
                "or resourceNames"
            )
        return None
    if not verbs:
        raise generators.GeneratorError("at least one verb must be specified")
    if not cluster_wide and not resources:
        _warn_verbs(request.inv, verbs)
        raise generators.GeneratorError("at least one resource must be specified")
    if cluster_wide and not resources and not urls:
        raise generators.GeneratorError("one of resource or nonResourceURL must be specified")
    resolved: list[tuple[str, str]] = []
    if resources:
        _warn_verbs(request.inv, verbs)
        resolved = _resolve(request, resources, verbs)
    if urls:
        generators.check_non_resource_urls(verbs, urls)
    return generators.policy_rules(verbs, resolved, names, urls)


def _aggregation(values: list[str]) -> dict[str, str]:
    """``--aggregation-rule`` (a map flag: pairs separated by commas, later flags add)."""
    labels: dict[str, str] = {}
    for value in values:
        for pair in value.split(","):
            key, _, label = pair.partition("=")
            labels[key] = label
    return labels


def _check_pairs(raw: str) -> str:
    for pair in raw.split(","):
        if "=" not in pair:
            raise ValueError("malformed pair, expect string=string")
    return raw


def run_role(inv: Invocation) -> int:
    def build(request: generator.Request) -> generators.Obj:
        rules = _role_rules(request, cluster_wide=False) or []
        return generators.role(request.name, request.namespace, rules)

    return generator.run(inv, ROLE, build)


_VERB = Flag("verb", STRING_SLICE, usage="Verb that applies to the resources contained in the rule")
_RESOURCE = Flag("resource", STRING_SLICE, usage="Resource that the rule applies to")
_RESOURCE_NAME = Flag(
    "resource-name",
    STRING_ARRAY,
    usage="Resource in the white list that the rule applies to, repeat this flag for multiple items",
)

role = KCommand(
    "role",
    run_role,
    Help(
        use="role NAME --verb=verb --resource=resource.group/subresource [--resource-name=resourcename] [--dry-run=server|client|none]",
        short="Create a role with single rule",
        long="Create a role with single rule.",
        example="""# Create a role named "pod-reader" that allows user to perform "get", "watch" and "list" on pods
pykctl create role pod-reader --verb=get --verb=list --verb=watch --resource=pods

# Create a role named "pod-reader" with ResourceName specified
pykctl create role pod-reader --verb=get --resource=pods --resource-name=readablepod --resource-name=anotherpod

# Create a role named "foo" with API Group specified
pykctl create role foo --verb=get,list,watch --resource=rs.apps

# Create a role named "foo" with SubResource specified
pykctl create role foo --verb=get,list,watch --resource=pods,pods/status""",
    ),
    generator.flags(_RESOURCE, _RESOURCE_NAME, _VERB),
)


def run_clusterrole(inv: Invocation) -> int:
    def build(request: generator.Request) -> generators.Obj:
        rules = _role_rules(request, cluster_wide=True)
        aggregation = _aggregation(request.flags["aggregation_rule"])
        return generators.cluster_role(request.name, rules, aggregation)

    return generator.run(inv, CLUSTER_ROLE, build)


clusterrole = KCommand(
    "clusterrole",
    run_clusterrole,
    Help(
        use="clusterrole NAME --verb=verb --resource=resource.group [--resource-name=resourcename] [--dry-run=server|client|none]",
        short="Create a cluster role",
        long="Create a cluster role.",
        example="""# Create a cluster role named "pod-reader" that allows user to perform "get", "watch" and "list" on pods
pykctl create clusterrole pod-reader --verb=get,list,watch --resource=pods

# Create a cluster role named "pod-reader" with ResourceName specified
pykctl create clusterrole pod-reader --verb=get --resource=pods --resource-name=readablepod --resource-name=anotherpod

# Create a cluster role named "foo" with API Group specified
pykctl create clusterrole foo --verb=get,list,watch --resource=rs.apps

# Create a cluster role named "foo" with SubResource specified
pykctl create clusterrole foo --verb=get,list,watch --resource=pods,pods/status

# Create a cluster role name "foo" with NonResourceURL specified
pykctl create clusterrole "foo" --verb=get --non-resource-url=/logs/*

# Create a cluster role name "monitoring" with AggregationRule specified
pykctl create clusterrole monitoring --aggregation-rule="rbac.example.com/aggregate-to-monitoring=true\"""",
    ),
    generator.flags(
        Flag(
            "aggregation-rule",
            STRING_ARRAY,
            usage="An aggregation label selector for combining ClusterRoles.",
            help_default="",
            validate=_check_pairs,
        ),
        Flag(
            "non-resource-url",
            STRING_SLICE,
            usage="A partial url that user should have access to.",
        ),
        _RESOURCE,
        _RESOURCE_NAME,
        _VERB,
    ),
)


def _subject_flags(target: str) -> list[Flag]:
    return [
        Flag(
            "group",
            STRING_ARRAY,
            usage=f"Groups to bind to the {target}. The flag can be repeated to add multiple groups.",
        ),
        Flag(
            "serviceaccount",
            STRING_ARRAY,
            usage=f"Service accounts to bind to the {target}, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts.",
        ),
        Flag(
            "user",
            STRING_ARRAY,
            usage=f"Usernames to bind to the {target}. The flag can be repeated to add multiple users.",
        ),
    ]


def run_rolebinding(inv: Invocation) -> int:
    def build(request: generator.Request) -> generators.Obj:
        flags = request.flags
        return generators.role_binding(
            request.name,
            request.namespace,
            flags["role"],
            flags["clusterrole"],
            flags["user"],
            flags["group"],
            flags["serviceaccount"],
        )

    return generator.run(inv, ROLE_BINDING, build)


rolebinding = KCommand(
    "rolebinding",
    run_rolebinding,
    Help(
        use="rolebinding NAME --clusterrole=NAME|--role=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]",
        short="Create a role binding for a particular role or cluster role",
        long="Create a role binding for a particular role or cluster role.",
        example="""# Create a role binding for user1, user2, and group1 using the admin cluster role
pykctl create rolebinding admin --clusterrole=admin --user=user1 --user=user2 --group=group1

# Create a role binding for service account monitoring:sa-dev using the admin role
pykctl create rolebinding admin-binding --role=admin --serviceaccount=monitoring:sa-dev""",
    ),
    generator.flags(
        Flag("clusterrole", usage="ClusterRole this RoleBinding should reference"),
        Flag("role", usage="Role this RoleBinding should reference"),
        *_subject_flags("role"),
    ),
)


def run_clusterrolebinding(inv: Invocation) -> int:
    def build(request: generator.Request) -> generators.Obj:
        flags = request.flags
        return generators.cluster_role_binding(
            request.name,
            flags["clusterrole"],
            flags["user"],
            flags["group"],
            flags["serviceaccount"],
        )

    return generator.run(inv, CLUSTER_ROLE_BINDING, build, required=("clusterrole",))


clusterrolebinding = KCommand(
    "clusterrolebinding",
    run_clusterrolebinding,
    Help(
        use="clusterrolebinding NAME --clusterrole=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]",
        short="Create a cluster role binding for a particular cluster role",
        long="Create a cluster role binding for a particular cluster role.",
        example="""# Create a cluster role binding for user1, user2, and group1 using the cluster-admin cluster role
pykctl create clusterrolebinding cluster-admin --clusterrole=cluster-admin --user=user1 --user=user2 --group=group1""",
    ),
    generator.flags(
        Flag("clusterrole", usage="ClusterRole this ClusterRoleBinding should reference"),
        *_subject_flags("clusterrole"),
    ),
)
