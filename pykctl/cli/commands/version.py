"""``pykctl version``: the client version (and, with a cluster, the server's).

pykctl reports the kubectl release it reproduces, with its own version as build metadata
(``v1.37.1+pykctl.0.1.0``), the way distributions such as k3s mark theirs; scripts that read
``clientVersion.major``/``minor`` see 1 and 37. pykctl bundles no kustomize, so there is no
Kustomize line. Without ``--client`` the server's /version follows, as kubectl prints it.
"""

from __future__ import annotations

import platform
import sys
from typing import Any

from backends.errors import ApiError, ConnectionFailed
from backends.objects import gojson, goyaml
from pykctl import KUBECTL_COMPAT_VERSION, __version__
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, Flag
from pykctl.kubeconfig.errors import KubeconfigError

HELP = Help(
    use="version",
    short="Print the client and server version information",
    long="Print the client and server version information for the current context.",
    example="""# Print the client and server versions for the current context
pykctl version""",
    flags_in_use_line=True,
)

FLAGS = [
    Flag("client", BOOL, usage="If true, shows client version only (no server required)."),
    Flag("output", shorthand="o", usage="One of 'yaml' or 'json'."),
]


def _platform() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{sys.platform}/{arch}"


def client_version() -> dict[str, Any]:
    """The clientVersion object, in the field order of apimachinery's version.Info."""
    major, minor = KUBECTL_COMPAT_VERSION.lstrip("v").split(".")[:2]
    return {
        "major": major,
        "minor": minor,
        "gitVersion": f"{KUBECTL_COMPAT_VERSION}+pykctl.{__version__}",
        "gitCommit": "",
        "gitTreeState": "",
        "buildDate": "",
        "goVersion": "",
        "compiler": f"python{platform.python_version()}",
        "platform": _platform(),
    }


def run(inv: Invocation) -> int:
    output = inv.flags["output"]
    if output not in ("", "yaml", "json"):
        raise CommandError("--output must be 'yaml' or 'json'")
    if inv.args:
        raise CommandError(f"extra arguments: [{' '.join(inv.args)}]")
    info: dict[str, Any] = {"clientVersion": client_version()}
    failure: BaseException | None = None
    if not inv.flags["client"]:
        try:
            info["serverVersion"] = server_version(inv)
        except (ApiError, ConnectionFailed, KubeconfigError) as err:
            failure = err
    if output == "json":
        inv.stdout.write(gojson.dumps(info, indent="  ", sort_keys=False) + "\n")
    elif output == "yaml":
        inv.stdout.write(goyaml.dumps(info) + "\n")
    else:
        inv.out(f"Client Version: {info['clientVersion']['gitVersion']}")
        if "serverVersion" in info:
            inv.out(f"Server Version: {info['serverVersion'].get('gitVersion', '')}")
    if failure is not None:
        raise failure
    return 0


def server_version(inv: Invocation) -> dict[str, Any]:
    """GET /version of the current context's cluster."""
    from pykctl.cli.connection import connect
    from pykctl.client import Client

    connection = connect(inv)
    try:
        data: dict[str, Any] = (
            Client(connection.backend).raw("GET", "/version", [("timeout", "32s")]).json()
        )
    finally:
        connection.backend.close()
    return data


version = KCommand("version", run, HELP, FLAGS)
