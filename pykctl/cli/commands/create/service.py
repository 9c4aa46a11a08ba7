"""``create service clusterip|nodeport|loadbalancer|externalname``.

As in kubectl these commands ignore ``--save-config`` (they accept it but never read it), and
their server errors name the service type (``failed to create ClusterIP service: ...``).
"""

from __future__ import annotations

from collections.abc import Callable

from pykctl.cli.command import Help, Invocation, KCommand, KGroup
from pykctl.cli.commands.create import generator
from pykctl.cli.flags import INT, STRING_SLICE, Flag
from pykctl.ops import generators


def _tcp(usage: str = "Port pairs can be specified as '<port>:<targetPort>'.") -> Flag:
    return Flag("tcp", STRING_SLICE, usage=usage)


def _runner(type_: str, required: tuple[str, ...] = ()) -> Callable[[Invocation], int]:
    where = generator.target(
        "", "v1", "services", "Service", True, f"failed to create {type_} service: "
    )

    def build(request: generator.Request) -> generators.Obj:
        flags = request.flags
        return generators.service(
            request.name,
            request.namespace,
            type_,
            flags["tcp"],
            flags.get("clusterip", ""),
            flags.get("node_port", 0),
            flags.get("external_name", ""),
        )

    def run(inv: Invocation) -> int:
        return generator.run(inv, where, build, required=required, honours_save_config=False)

    return run


clusterip = KCommand(
    "clusterip",
    _runner("ClusterIP"),
    Help(
        use="clusterip NAME [--tcp=<port>:<targetPort>] [--dry-run=server|client|none]",
        short="Create a ClusterIP service",
        long="Create a ClusterIP service with the specified name.",
        example="""# Create a new ClusterIP service named my-cs
pykctl create service clusterip my-cs --tcp=5678:8080

# Create a new ClusterIP service named my-cs (in headless mode)
pykctl create service clusterip my-cs --clusterip="None\"""",
    ),
    generator.flags(
        Flag(
            "clusterip",
            usage="Assign your own ClusterIP or set to 'None' for a 'headless' service (no loadbalancing).",
        ),
        _tcp(),
    ),
)

nodeport = KCommand(
    "nodeport",
    _runner("NodePort"),
    Help(
        use="nodeport NAME [--tcp=port:targetPort] [--dry-run=server|client|none]",
        short="Create a NodePort service",
        long="Create a NodePort service with the specified name.",
        example="""# Create a new NodePort service named my-ns
pykctl create service nodeport my-ns --tcp=5678:8080""",
    ),
    generator.flags(
        Flag("node-port", INT, usage="Port used to expose the service on each node in a cluster."),
        _tcp(),
    ),
)

loadbalancer = KCommand(
    "loadbalancer",
    _runner("LoadBalancer"),
    Help(
        use="loadbalancer NAME [--tcp=port:targetPort] [--dry-run=server|client|none]",
        short="Create a LoadBalancer service",
        long="Create a LoadBalancer service with the specified name.",
        example="""# Create a new LoadBalancer service named my-lbs
pykctl create service loadbalancer my-lbs --tcp=5678:8080""",
    ),
    generator.flags(_tcp()),
)

externalname = KCommand(
    "externalname",
    _runner("ExternalName", required=("external-name",)),
    Help(
        use="externalname NAME --external-name external.name [--dry-run=server|client|none]",
        short="Create an ExternalName service",
        long="""Create an ExternalName service with the specified name.

 ExternalName service references to an external DNS address instead of only pods, which will allow application authors to reference services that exist off platform, on other clusters, or locally.""",
        example="""# Create a new ExternalName service named my-ns
pykctl create service externalname my-ns --external-name bar.com""",
    ),
    generator.flags(Flag("external-name", usage="External name of service"), _tcp()),
)

service = KGroup(
    "service",
    Help(
        use="service",
        short="Create a service using a specified subcommand",
        long="Create a service using a specified subcommand.",
        flags_in_use_line=True,
    ),
    commands=[clusterip, externalname, loadbalancer, nodeport],
    aliases=["svc"],
)
