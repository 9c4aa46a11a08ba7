"""``create token``: a service account token from the TokenRequest API.

The token is printed as it came (no newline when stdout is not a terminal, as kubectl); with
``-o`` the whole TokenRequest answer is printed instead.
"""

from __future__ import annotations

from backends.errors import ApiError
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.create import common
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import DURATION, STRING_ARRAY, Flag
from pykctl.client import resource_path
from pykctl.ops import generators
from pykctl.resources.discovery import Resource

SERVICE_ACCOUNTS = Resource("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", True)


def run(inv: Invocation) -> int:
    name = common.name_from_args(inv)
    with common.Cluster(inv) as cluster:
        namespace = cluster.namespace
        printer = common.ResultPrinter(inv, typed=True)
        flags = inv.flags
        if not name:
            raise CommandError("service account name is required")
        try:
            request = generators.token_request(
                flags["audience"],
                flags["duration"],
                flags["bound_object_kind"],
                flags["bound_object_name"],
                flags["bound_object_uid"],
            )
        except generators.GeneratorError as err:
            raise CommandError(str(err)) from None
        try:
            response = common.request_json(
                cluster, "POST", resource_path(SERVICE_ACCOUNTS, namespace, name, "token"), request
            )
        except ApiError as err:
            raise CommandError(f"failed to create token: {err.message}") from None
    token = (response.get("status") or {}).get("token") or ""
    if not token:
        raise CommandError("failed to create token: no token in server response")
    if printer.format is not None:
        response.setdefault("apiVersion", "authentication.k8s.io/v1")
        response.setdefault("kind", "TokenRequest")
        printer.print(response)
        return 0
    inv.stdout.write(token + ("\n" if inv.stdout.isatty() else ""))
    return 0


token = KCommand(
    "token",
    run,
    Help(
        use="token SERVICE_ACCOUNT_NAME",
        short="Request a service account token",
        long="Request a service account token.",
        example="""# Request a token to authenticate to the kube-apiserver as the service account "myapp" in the current namespace
pykctl create token myapp

# Request a token for a service account in a custom namespace
pykctl create token myapp --namespace myns

# Request a token with a custom expiration
pykctl create token myapp --duration 10m

# Request a token with a custom audience
pykctl create token myapp --audience https://example.com

# Request a token bound to an instance of a Secret object
pykctl create token myapp --bound-object-kind Secret --bound-object-name mysecret

# Request a token bound to an instance of a Secret object with a specific UID
pykctl create token myapp --bound-object-kind Secret --bound-object-name mysecret --bound-object-uid 0d4691ed-659b-4935-a832-355f77ee47cc""",
    ),
    [
        *common.printer_flags(),
        Flag(
            "audience",
            STRING_ARRAY,
            usage="Audience of the requested token. If unset, defaults to requesting a token for use with the Kubernetes API server. May be repeated to request a token valid for multiple audiences.",
        ),
        Flag(
            "bound-object-kind",
            usage="Kind of an object to bind the token to. Supported kinds are Node, Pod, Secret. If set, --bound-object-name must be provided.",
        ),
        Flag(
            "bound-object-name",
            usage="Name of an object to bind the token to. The token will expire when the object is deleted. Requires --bound-object-kind.",
        ),
        Flag(
            "bound-object-uid",
            usage="UID of an object to bind the token to. Requires --bound-object-kind and --bound-object-name. If unset, the UID of the existing object is used.",
        ),
        Flag(
            "duration",
            DURATION,
            usage="Requested lifetime of the issued token. If not set or if set to 0, the lifetime will be determined by the server automatically. The server may return a token with a longer or shorter lifetime.",
        ),
    ],
)
