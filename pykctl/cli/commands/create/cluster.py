"""``create namespace|serviceaccount|quota|priorityclass|poddisruptionbudget``: the generators
of small policy and bookkeeping objects."""

from __future__ import annotations

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.create import common, generator
from pykctl.cli.flags import BOOL, INT, Flag
from pykctl.ops import generators

NAMESPACE = generator.target("", "v1", "namespaces", "Namespace", False, None)
SERVICE_ACCOUNT = generator.target(
    "", "v1", "serviceaccounts", "ServiceAccount", True, "failed to create serviceaccount: "
)
QUOTA = generator.target(
    "", "v1", "resourcequotas", "ResourceQuota", True, "failed to create quota: "
)
PRIORITY_CLASS = generator.target(
    "scheduling.k8s.io",
    "v1",
    "priorityclasses",
    "PriorityClass",
    False,
    "failed to create priorityclass: ",
)
PDB = generator.target(
    "policy",
    "v1",
    "poddisruptionbudgets",
    "PodDisruptionBudget",
    True,
    "failed to create poddisruptionbudgets: ",
)


def run_namespace(inv: Invocation) -> int:
    return generator.run(inv, NAMESPACE, lambda r: generators.namespace(r.name))


namespace = KCommand(
    "namespace",
    run_namespace,
    Help(
        use="namespace NAME [--dry-run=server|client|none]",
        short="Create a namespace with the specified name",
        long="Create a namespace with the specified name.",
        example="""# Create a new namespace named my-namespace
pykctl create namespace my-namespace""",
    ),
    generator.flags(),
    aliases=["ns"],
)


def run_serviceaccount(inv: Invocation) -> int:
    return generator.run(
        inv, SERVICE_ACCOUNT, lambda r: generators.service_account(r.name, r.namespace)
    )


serviceaccount = KCommand(
    "serviceaccount",
    run_serviceaccount,
    Help(
        use="serviceaccount NAME [--dry-run=server|client|none]",
        short="Create a service account with the specified name",
        long="Create a service account with the specified name.",
        example="""# Create a new service account named my-service-account
pykctl create serviceaccount my-service-account""",
    ),
    generator.flags(),
    aliases=["sa"],
)


def run_quota(inv: Invocation) -> int:
    return generator.run(
        inv,
        QUOTA,
        lambda r: generators.quota(r.name, r.namespace, r.flags["hard"], r.flags["scopes"]),
    )


quota = KCommand(
    "quota",
    run_quota,
    Help(
        use="quota NAME [--hard=key1=value1,key2=value2] [--scopes=Scope1,Scope2] [--dry-run=server|client|none]",
        short="Create a quota with the specified name",
        long="Create a resource quota with the specified name, hard limits, and optional scopes.",
        example="""# Create a new resource quota named my-quota
pykctl create quota my-quota --hard=cpu=1,memory=1G,pods=2,services=3,replicationcontrollers=2,resourcequotas=1,secrets=5,persistentvolumeclaims=10

# Create a new resource quota named best-effort
pykctl create quota best-effort --hard=pods=100 --scopes=BestEffort""",
    ),
    generator.flags(
        Flag(
            "hard",
            usage="A comma-delimited set of resource=quantity pairs that define a hard limit.",
        ),
        Flag(
            "scopes",
            usage="A comma-delimited set of quota scopes that must all match each object tracked by the quota.",
        ),
    ),
    aliases=["resourcequota"],
)


def run_priorityclass(inv: Invocation) -> int:
    return generator.run(
        inv,
        PRIORITY_CLASS,
        lambda r: generators.priority_class(
            r.name,
            r.flags["value"],
            r.flags["global_default"],
            r.flags["description"],
            r.flags["preemption_policy"],
        ),
    )


priorityclass = KCommand(
    "priorityclass",
    run_priorityclass,
    Help(
        use="priorityclass NAME --value=VALUE --global-default=BOOL [--dry-run=server|client|none]",
        short="Create a priority class with the specified name",
        long="Create a priority class with the specified name, value, globalDefault and description.",
        example="""# Create a priority class named high-priority
pykctl create priorityclass high-priority --value=1000 --description="high priority"

# Create a priority class named default-priority that is considered as the global default priority
pykctl create priorityclass default-priority --value=1000 --global-default=true --description="default priority"

# Create a priority class named high-priority that cannot preempt pods with lower priority
pykctl create priorityclass high-priority --value=1000 --description="high priority" --preemption-policy="Never\"""",
    ),
    generator.flags(
        Flag(
            "description",
            usage="description is an arbitrary string that usually provides guidelines on when this priority class should be used.",
        ),
        Flag(
            "global-default",
            BOOL,
            usage="global-default specifies whether this PriorityClass should be considered as the default priority.",
        ),
        Flag(
            "preemption-policy",
            default="PreemptLowerPriority",
            usage="preemption-policy is the policy for preempting pods with lower priority.",
        ),
        Flag("value", INT, usage="the value of this priority class.", validate=common.parse_int32),
    ),
    aliases=["pc"],
)


def run_poddisruptionbudget(inv: Invocation) -> int:
    return generator.run(
        inv,
        PDB,
        lambda r: generators.pod_disruption_budget(
            r.name,
            r.namespace,
            r.flags["selector"],
            r.flags["min_available"],
            r.flags["max_unavailable"],
        ),
    )


poddisruptionbudget = KCommand(
    "poddisruptionbudget",
    run_poddisruptionbudget,
    Help(
        use="poddisruptionbudget NAME --selector=SELECTOR --min-available=N [--dry-run=server|client|none]",
        short="Create a pod disruption budget with the specified name",
        long="Create a pod disruption budget with the specified name, selector, and desired minimum available pods.",
        example="""# Create a pod disruption budget named my-pdb that will select all pods with the app=rails label
# and require at least one of them being available at any point in time
pykctl create poddisruptionbudget my-pdb --selector=app=rails --min-available=1

# Create a pod disruption budget named my-pdb that will select all pods with the app=nginx label
# and require at least half of the pods selected to be available at any point in time
pykctl create pdb my-pdb --selector=app=nginx --min-available=50%""",
    ),
    generator.flags(
        Flag(
            "max-unavailable",
            usage="The maximum number or percentage of unavailable pods this budget requires.",
        ),
        Flag(
            "min-available",
            usage="The minimum number or percentage of available pods this budget requires.",
        ),
        Flag(
            "selector",
            usage="A label selector to use for this budget. Only equality-based selector requirements are supported.",
        ),
    ),
    aliases=["pdb"],
)
