"""``pykctl cluster-info`` and ``pykctl cluster-info dump``.

cluster-info prints the control plane's address (the kubeconfig's server, as written) and the
proxy URL of every Service labelled ``kubernetes.io/cluster-service=true`` in ``-n`` (default
kube-system), then kubectl's hint about ``cluster-info dump``; words after the command are
ignored, as kubectl ignores them.

dump prints the nodes, then per namespace (kube-system and the current one, ``--namespaces``,
or ``-A``) its events, replication controllers, services, daemon sets, deployments, replica
sets and pods as lists, and every container's log; ``--output-directory`` writes them to files
(``nodes.json``, ``NS/pods.json``, ``NS/POD/logs.txt``; directories 0700, files 0600) instead.
kubectl prints the lists from Go structs, so its JSON keeps the structs' field order; pykctl
follows it for the kinds ``pykctl.ops.typed`` knows (services, deployments) and sorts the keys of
the others (YAML, sorted in both, is identical).
"""

from __future__ import annotations

import io
import os
from typing import Any, TextIO

import click

from pykctl.cli.command import PROGRAM, Help, Invocation, KCommand, KGroup, command_path
from pykctl.cli.commands.objects import ObjectPrinter, as_typed, print_flags
from pykctl.cli.errors import CommandError, FlagUsageError
from pykctl.cli.flags import BOOL, DURATION, STRING, STRING_SLICE, Flag, FlagError
from pykctl.cli.globals import GlobalOptions

CLUSTER_SERVICE = "kubernetes.io/cluster-service=true"
HINT = f"\nTo further debug and diagnose cluster problems, use '{PROGRAM} cluster-info dump'."


def _service_link(service: dict[str, Any], host: str) -> str:
    spec = service.get("spec") or {}
    ports = spec.get("ports") or []
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        address = ingress[0].get("ip") or ingress[0].get("hostname") or ""
        return "".join(f"http://{address}:{port.get('port', 0)} " for port in ports)
    metadata = service.get("metadata") or {}
    name = str(metadata.get("name") or "")
    if ports:
        port = ports[0]
        port_name = str(port.get("name") or "")
        scheme = "https" if port_name == "https" or port.get("port") == 443 else ""
        if scheme:
            name = f"{scheme}:{name}:{port_name}"
        elif port_name:
            name = f"{name}:{port_name}"
    return f"{host}/api/v1/namespaces/{metadata.get('namespace', '')}/services/{name}/proxy"


def run(inv: Invocation) -> int:
    from backends.errors import ApiError
    from pykctl.session import Session

    with Session.open(inv) as session:
        host = session.connection.context.server
        namespace = inv.globals.namespace or "kube-system"
        failure: BaseException | None = None
        try:
            services = session.client.list_objects(
                session.mapper.resource_for("services"),
                namespace,
                [("labelSelector", CLUSTER_SERVICE)],
            )
        except ApiError as err:
            failure = err
        else:
            inv.out(f"Kubernetes control plane is running at {host}")
            for service in services.get("items") or []:
                metadata = service.get("metadata") or {}
                label = (metadata.get("labels") or {}).get("kubernetes.io/name")
                inv.out(
                    f"{label or metadata.get('name', '')} is running at {_service_link(service, host)}"
                )
    inv.out(HINT)
    if failure is not None:
        raise failure
    return 0


# --- dump ---------------------------------------------------------------------------------

DUMPED = [
    ("", "events", "events"),
    ("", "replicationcontrollers", "replication-controllers"),
    ("", "services", "services"),
    ("apps", "daemonsets", "daemonsets"),
    ("apps", "deployments", "deployments"),
    ("apps", "replicasets", "replicasets"),
    ("", "pods", "pods"),
]


class _Destination:
    """stdout, or files under ``--output-directory``."""

    def __init__(self, directory: str, stdout: TextIO) -> None:
        self.directory = "" if directory == "-" else directory
        self.stdout = stdout

    def write(self, name: str, extension: str, text: str) -> None:
        if not self.directory:
            self.stdout.write(text)
            return
        path = os.path.join(self.directory, name) + extension
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)


_TOP_FIELDS = ("kind", "apiVersion", "metadata", "spec", "status")


def _ordered(value: Any) -> Any:
    """Nested maps with sorted keys (pykctl has no Go struct order to follow)."""
    if isinstance(value, dict):
        return {k: _ordered(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def _as_list(listing: dict[str, Any], kind: str, api_version: str) -> dict[str, Any]:
    """A typed list as kubectl prints it: kind, apiVersion, metadata, then the items, each
    starting with its kind, apiVersion, metadata, spec and status."""
    metadata = {k: v for k, v in (listing.get("metadata") or {}).items() if v not in ("", None)}
    items = []
    for item in listing.get("items") or []:
        full = {**item, "kind": kind.removesuffix("List"), "apiVersion": api_version}
        shown, typed = as_typed(full)
        if not typed:
            first = {k: _ordered(full[k]) for k in _TOP_FIELDS if k in full}
            rest = {k: _ordered(full[k]) for k in sorted(full) if k not in _TOP_FIELDS}
            shown = {**first, **rest}
        items.append(shown)
    return {"kind": kind, "apiVersion": api_version, "metadata": metadata, "items": items}


_GENERIC_MESSAGES = {
    400: "the server rejected our request for an unknown reason",
    401: "the server has asked for the client to provide credentials",
    403: "the server does not allow access to the requested resource",
    404: "the server could not find the requested resource",
    405: "the server does not allow this method on the requested resource",
    409: "the server reported a conflict",
    422: "the server rejected our request due to an error in our request",
    503: "the server is currently unable to handle the request",
}


def _log_error(code: int, text: str, pod: str) -> str:
    """client-go's text for a failed log request (it reads no Status from a log response)."""
    message = _GENERIC_MESSAGES.get(code, "")
    if not message:
        message = f'an error on the server ("{text}") has prevented the request from succeeding'
    return f"{message} (get pods {pod})"


def run_dump(inv: Invocation) -> int:
    from backends.errors import ApiError
    from pykctl.session import Session

    flags = inv.flags
    printer = ObjectPrinter.from_flags(inv).check()
    extension = {"json": ".json", "yaml": ".yaml"}.get(flags["output"], ".txt")
    destination = _Destination(flags["output_directory"], inv.stdout)

    def emit(name: str, listing: dict[str, Any]) -> None:
        if printer.kind in ("", "name"):
            raise CommandError(
                f"list types are not supported by name printing: *v1.{listing['kind']}"
            )
        text = io.StringIO()  # one printer for everything: YAML's "---" lands in files too
        printer.print(listing, "", text, typed=True)
        destination.write(name, extension, text.getvalue())

    with Session.open(inv) as session:
        client, mapper = session.client, session.mapper
        nodes = client.list_objects(mapper.resource_for("nodes"), None)
        emit("nodes", _as_list(nodes, "NodeList", "v1"))
        if flags["all_namespaces"]:
            listing = client.list_objects(mapper.resource_for("namespaces"), None)
            namespaces = [i["metadata"]["name"] for i in listing.get("items") or []]
        else:
            namespaces = flags["namespaces"] or ["kube-system", session.namespace]
        for namespace in namespaces:
            pods: dict[str, Any] = {}
            for group, plural, file in DUMPED:
                resource = mapper.resource_for(f"{plural}.{group}" if group else plural)
                listing = client.list_objects(resource, namespace)
                api_version = resource.group_version
                emit(
                    f"{namespace}/{file}",
                    _as_list(listing, f"{resource.kind}List", api_version),
                )
                pods = listing
            for pod in pods.get("items") or []:
                name = pod["metadata"]["name"]
                spec = pod.get("spec") or {}
                text = []
                for container in [
                    *(spec.get("initContainers") or []),
                    *(spec.get("containers") or []),
                ]:
                    cname = container.get("name", "")
                    text.append(
                        f"==== START logs for container {cname} of pod {namespace}/{name} ====\n"
                    )
                    try:
                        response = client.raw(
                            "GET",
                            f"/api/v1/namespaces/{namespace}/pods/{name}/log",
                            [("container", cname)],
                        )
                        text.append(response.body.decode(errors="replace"))
                    except ApiError as err:
                        text.append(
                            f"Request log error: {_log_error(err.code, err.message, name)}\n"
                        )
                    text.append(
                        f"==== END logs for container {cname} of pod {namespace}/{name} ====\n"
                    )
                destination.write(f"{namespace}/{name}/logs", ".txt", "".join(text))
    if destination.directory:
        inv.out(f"Cluster info dumped to {destination.directory}")
    return 0


dump = KCommand(
    "dump",
    run_dump,
    Help(
        use="dump",
        short="Dump relevant information for debugging and diagnosis",
        long="""Dump cluster information out suitable for debugging and diagnosing cluster problems.  By default, dumps everything to stdout. You can optionally specify a directory with --output-directory.  If you specify a directory, Kubernetes will build a set of files in that directory.  By default, only dumps things in the current namespace and 'kube-system' namespace, but you can switch to a different namespace with the --namespaces flag, or specify --all-namespaces to dump all namespaces.

 The command also dumps the logs of all of the pods in the cluster; these logs are dumped into different directories based on namespace and pod name.""",
        example="""# Dump current cluster state to stdout
pykctl cluster-info dump

# Dump current cluster state to /path/to/cluster-state
pykctl cluster-info dump --output-directory=/path/to/cluster-state

# Dump all namespaces to stdout
pykctl cluster-info dump --all-namespaces

# Dump a set of namespaces to /path/to/cluster-state
pykctl cluster-info dump --namespaces default,kube-system --output-directory=/path/to/cluster-state""",
        flags_in_use_line=True,
    ),
    [
        Flag(
            "all-namespaces",
            BOOL,
            shorthand="A",
            usage="If true, dump all namespaces.  If true, --namespaces is ignored.",
        ),
        Flag("namespaces", STRING_SLICE, usage="A comma separated list of namespaces to dump."),
        Flag(
            "output-directory",
            STRING,
            usage="Where to output the files.  If empty or '-' uses stdout, otherwise creates a "
            "directory hierarchy in that directory",
        ),
        Flag(
            "pod-running-timeout",
            DURATION,
            default=20.0,
            usage="The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at "
            "least one pod is running",
        ),
        *print_flags(output_default="json"),
    ],
)


class ClusterInfoGroup(KGroup):
    """A group that also runs itself: ``cluster-info`` alone (or with stray words) prints the
    cluster's addresses; ``cluster-info dump`` dumps."""

    def invoke(self, ctx: click.Context) -> Any:
        name: str | None = ctx.meta["pykctl.subcommand"]
        if name is not None and self.resolve_alias(name) is not None:
            return super().invoke(ctx)
        rest: list[str] = ctx.meta["pykctl.rest"] + ([name] if name else [])
        try:
            result = self.flag_set().parse(rest)
        except FlagError as err:
            raise FlagUsageError(str(err), command_path(ctx)) from None
        from pykctl.cli.command import render_help, streams

        stdin, stdout, stderr = streams(ctx)
        if result.values.pop("help", False):
            stdout.write(render_help(self, command_path(ctx)))
            return 0
        globals_: GlobalOptions = ctx.find_root().meta.setdefault("pykctl.globals", GlobalOptions())
        for dest, value in result.values.items():
            globals_.set(dest, value)
        inv = Invocation(
            command_path(ctx), result.args, {}, set(), globals_, stdin, stdout, stderr, self
        )
        return run(inv)


cluster_info = ClusterInfoGroup(
    "cluster-info",
    Help(
        use="cluster-info",
        short="Display cluster information",
        long="Display addresses of the control plane and services with label kubernetes.io/cluster-service=true. To further debug and diagnose cluster problems, use 'pykctl cluster-info dump'.",
        example="""# Print the address of the control plane and cluster services
pykctl cluster-info""",
        flags_in_use_line=True,
    ),
    commands=[dump],
)
