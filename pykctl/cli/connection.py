"""Opening the connection a command needs: kubeconfig → context → backend.

A context whose cluster carries the ``pykctl.io/simulator`` extension gets the SimulatorBackend
(and its daemon is started if needed); any other context gets the KubeBackend, the official
``kubernetes`` client, imported only then. On a machine with no kubeconfig at all, the first
command creates the simulator's context, so ``pykctl get pods`` just works. Either backend comes
wrapped in a WarningPrinter: the server's warnings reach stderr as kubectl prints them.
"""

from __future__ import annotations

from dataclasses import dataclass

from backends.base import Backend
from pykctl.cli.command import Invocation
from pykctl.kubeconfig.loader import PathOptions
from pykctl.kubeconfig.resolve import Overrides, Resolved, resolve
from pykctl.server_warnings import WarningPrinter


@dataclass
class Connection:
    """A resolved context and the backend that reaches its cluster."""

    context: Resolved
    backend: Backend

    @property
    def namespace(self) -> str:
        return self.context.namespace


def overrides(inv: Invocation) -> Overrides:
    g = inv.globals
    return Overrides(
        context=g.context,
        cluster=g.cluster,
        user=g.user,
        namespace=g.namespace,
        server=str(g.get("server") or ""),
        token=str(g.get("token") or ""),
        certificate_authority=str(g.get("certificate_authority") or ""),
        client_certificate=str(g.get("client_certificate") or ""),
        client_key=str(g.get("client_key") or ""),
        insecure_skip_tls_verify=bool(g.get("insecure_skip_tls_verify")),
        tls_server_name=str(g.get("tls_server_name") or ""),
        proxy_url=str(g.get("proxy_url") or ""),
        username=str(g.get("username") or ""),
        password=str(g.get("password") or ""),
        request_timeout=str(g.get("request_timeout") or "0"),
    )


def _first_run(paths: PathOptions, inv: Invocation) -> bool:
    """No kubeconfig file exists and no server is given: make the simulator the cluster."""
    import os

    if paths.explicit or inv.globals.get("server"):
        return False
    return not any(os.path.exists(p) for p in paths.precedence())


def connect(inv: Invocation) -> Connection:
    """Resolve the context of this command line and open its backend."""
    from pykctl import simulator

    paths = PathOptions.from_environment(explicit=inv.globals.kubeconfig)
    if _first_run(paths, inv):
        from backends.simulator import daemon

        simulator.ensure_running(paths, daemon.DEFAULT_NAME, inv.stderr)
    context = resolve(paths, overrides(inv))
    name = context.simulator_name
    if name is not None and not inv.globals.get("server") and not simulator.serving(context.server):
        simulator.ensure_running(paths, name, inv.stderr)
        context = resolve(paths, overrides(inv))
    info = context.cluster_info()
    backend: Backend
    if name is not None:
        from backends.simulator.client import SimulatorBackend

        backend = SimulatorBackend(info)
    else:
        from backends.kube.backend import KubeBackend

        backend = KubeBackend(info)
    return Connection(context, WarningPrinter(backend, inv.stderr))
