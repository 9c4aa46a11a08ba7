"""``create ingress``: rules ``host/path=service:port[,tls[=secret]]``, a default backend,
annotations and an ingress class."""

from __future__ import annotations

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.create import generator
from pykctl.cli.flags import STRING_ARRAY, Flag
from pykctl.ops import generators

INGRESS = generator.target(
    "networking.k8s.io", "v1", "ingresses", "Ingress", True, "failed to create ingress: "
)


def _ingress(request: generator.Request) -> generators.Obj:
    flags = request.flags
    return generators.ingress(
        request.name,
        request.namespace,
        flags["class"],
        flags["rule"],
        flags["annotation"],
        flags["default_backend"],
    )


def run_ingress(inv: Invocation) -> int:
    return generator.run(inv, INGRESS, _ingress)


ingress = KCommand(
    "ingress",
    run_ingress,
    Help(
        use="ingress NAME --rule=host/path=service:port[,tls[=secret]]  [options]",
        short="Create an ingress with the specified name",
        long="Create an ingress with the specified name.",
        example="""# Create a single ingress called 'simple' that directs requests to foo.com/bar to svc
# svc1:8080 with a TLS secret "my-cert"
pykctl create ingress simple --rule="foo.com/bar=svc1:8080,tls=my-cert"

# Create a catch all ingress of "/path" pointing to service svc:port and Ingress Class as "otheringress"
pykctl create ingress catch-all --class=otheringress --rule="/path=svc:port"

# Create an ingress with two annotations: ingress.annotation1 and ingress.annotations2
pykctl create ingress annotated --class=default --rule="foo.com/bar=svc:port" \\
--annotation ingress.annotation1=foo \\
--annotation ingress.annotation2=bla

# Create an ingress with the same host and multiple paths
pykctl create ingress multipath --class=default \\
--rule="foo.com/=svc:port" \\
--rule="foo.com/admin/=svcadmin:portadmin"

# Create an ingress with multiple hosts and the pathType as Prefix
pykctl create ingress ingress1 --class=default \\
--rule="foo.com/path*=svc:8080" \\
--rule="bar.com/admin*=svc2:http"

# Create an ingress with TLS enabled using the default ingress certificate and different path types
pykctl create ingress ingtls --class=default \\
--rule="foo.com/=svc:https,tls" \\
--rule="foo.com/path/subpath*=othersvc:8080"

# Create an ingress with TLS enabled using a specific secret and pathType as Prefix
pykctl create ingress ingsecret --class=default \\
--rule="foo.com/*=svc:8080,tls=secret1"

# Create an ingress with a default backend
pykctl create ingress ingdefault --class=default \\
--default-backend=defaultsvc:http \\
--rule="foo.com/*=svc:8080,tls=secret1\"""",
    ),
    generator.flags(
        Flag(
            "annotation",
            STRING_ARRAY,
            usage="Annotation to insert in the ingress object, in the format annotation=value",
        ),
        Flag("class", usage="Ingress Class to be used"),
        Flag("default-backend", usage="Default service for backend, in format of svcname:port"),
        Flag(
            "rule",
            STRING_ARRAY,
            usage="Rule in format host/path=service:port[,tls=secretname]. Paths containing the leading character '*' are considered pathType=Prefix. tls argument is optional.",
        ),
    ),
    aliases=["ing"],
)
