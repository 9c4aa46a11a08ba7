"""The CLI's side of the bundled simulator: kubeconfig entries and starting it on demand.

``pykctl sim start`` (and any command on a simulator context whose daemon is not running)
starts the daemon and writes a cluster, user and context named ``pykctl-sim`` (or
``pykctl-sim-NAME``) into the kubeconfig, as kind and minikube do: the cluster carries the
``pykctl.io/simulator`` extension naming the simulator, its CA and its 127.0.0.1 address; the
user carries the simulator's token. The context becomes current when none is.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from pykctl.kubeconfig.loader import PathOptions, modify_config
from pykctl.kubeconfig.model import Config
from pykctl.kubeconfig.resolve import SIMULATOR_EXTENSION

if TYPE_CHECKING:  # the daemon module is loaded only to start or inspect one
    from backends.simulator import daemon


def entry_name(name: str) -> str:
    """``pykctl-sim`` for the default simulator, ``pykctl-sim-NAME`` for others."""
    from backends.simulator.daemon import DEFAULT_NAME

    return "pykctl-sim" if name == DEFAULT_NAME else f"pykctl-sim-{name}"


def write_kubeconfig_entry(
    paths: PathOptions,
    state: daemon.StateDir,
    info: daemon.DaemonInfo,
    config: Config | None = None,
    namespace: str = "default",
) -> bool:
    """Add or refresh the simulator's cluster, user and context; returns True if it changed."""
    config = (config or paths.load()).copy()
    entry = entry_name(state.name)
    cluster = dict(config.clusters.get(entry, {}))
    cluster["server"] = info.server
    cluster["certificate-authority-data"] = state.ca_pem()
    extensions = dict(cluster.get("extensions") or {})
    extensions[SIMULATOR_EXTENSION] = {"name": state.name}
    cluster["extensions"] = extensions
    config.clusters[entry] = cluster
    user = dict(config.users.get(entry, {}))
    user["token"] = state.token()
    config.users[entry] = user
    if entry not in config.contexts:
        config.contexts[entry] = {"cluster": entry, "user": entry, "namespace": namespace}
    if not config.current_context:
        config.current_context = entry
    before = paths.load()
    if (
        before.clusters.get(entry),
        before.users.get(entry),
        before.contexts.get(entry),
        before.current_context,
    ) == (
        config.clusters[entry],
        config.users[entry],
        config.contexts[entry],
        config.current_context,
    ):
        return False
    modify_config(paths, config)
    return True


def ensure_running(
    paths: PathOptions, name: str, stderr: TextIO | None = None
) -> daemon.DaemonInfo:
    """Start the named simulator if it is not running (one line on stderr); keep the kubeconfig's
    entry (address, CA, token) in step with it."""
    from backends.simulator import daemon

    state = daemon.StateDir.for_name(name)
    info = daemon.read_info(state)
    if info is not None:
        write_kubeconfig_entry(paths, state, info)  # it may have moved to another port
        return info
    stream = stderr or sys.stderr
    stream.write(f'Starting the pykctl simulator "{name}" (state in {state.path})...\n')
    stream.flush()
    info = daemon.start(state)
    write_kubeconfig_entry(paths, state, info)
    return info


def serving(server: str) -> bool:
    """Does something listen at ``server``'s loopback address? (A simulator this machine's
    daemons do not own, such as the pytest plugin's in-process one, is used as it is.)"""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(server)
    if parts.hostname not in ("127.0.0.1", "localhost") or parts.port is None:
        return False
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=0.5).close()
    except OSError:
        return False
    return True
