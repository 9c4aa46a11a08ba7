"""``pykctl sim``: the bundled simulator's lifecycle (pykctl only; kubectl has no such command).

start, stop, status, reset and logs of a named local cluster. ``start`` writes the
``pykctl-sim`` cluster, user and context into the kubeconfig and makes the context current when
none is, as kind and minikube do.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from backends.simulator import daemon
from pykctl.cli.command import Help, Invocation, KCommand, KGroup, Runner
from pykctl.cli.commands.sim_dashboard import PRINT_URL_FLAG, SHORT, run_dashboard
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import INT, Flag
from pykctl.kubeconfig.loader import PathOptions

NAME_FLAG = Flag(
    "name",
    default=daemon.DEFAULT_NAME,
    usage="Name of the simulator (its state lives in its own directory)",
)


def _state(inv: Invocation) -> daemon.StateDir:
    name = inv.flags["name"]
    if not name or "/" in name or name.startswith("."):
        raise inv.usage_error(f'invalid simulator name "{name}"')
    return daemon.StateDir.for_name(name)


def _uptime(seconds: float) -> str:
    from backends.objects.durations import human_duration

    return human_duration(seconds)


def run_start(inv: Invocation) -> int:
    from pykctl import simulator

    state = _state(inv)
    nodes = int(inv.flags["nodes"]) if "nodes" in inv.changed else None
    if nodes is not None and nodes < 1:
        raise inv.usage_error("--nodes must be at least 1")
    port = int(inv.flags["port"]) or None
    was_running = daemon.read_info(state) is not None
    try:
        info = daemon.start(state, port=port, nodes=nodes)
    except daemon.DaemonError as err:
        raise CommandError(str(err)) from None
    paths = PathOptions.from_environment(explicit=inv.globals.kubeconfig)
    simulator.write_kubeconfig_entry(paths, state, info)
    verb = "is already running" if was_running else "is running"
    inv.out(
        f'Simulator "{state.name}" {verb} at {info.server} (context "{simulator.entry_name(state.name)}").'
    )
    return 0


def run_stop(inv: Invocation) -> int:
    state = _state(inv)
    if daemon.stop(state):
        inv.out(f'Simulator "{state.name}" stopped.')
    else:
        inv.out(f'Simulator "{state.name}" is not running.')
    return 0


def object_counts(state: daemon.StateDir) -> dict[str, int]:
    """Objects per resource, read from the store (safe while the daemon runs: SQLite WAL)."""
    if not state.store.exists():
        return {}
    with sqlite3.connect(f"file:{state.store}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT resource, COUNT(*) FROM objects GROUP BY resource ORDER BY resource"
        )
        return {resource.lstrip("/"): count for resource, count in rows}


def run_status(inv: Invocation) -> int:
    state = _state(inv)
    info = daemon.read_info(state)
    lines = [f"Simulator:  {state.name}", f"State:      {state.path}"]
    if info is None:
        lines.append("Status:     stopped")
    else:
        lines += [
            "Status:     running",
            f"Address:    {info.server}",
            f"PID:        {info.pid}",
            f"Uptime:     {_uptime(time.time() - info.started)}",
        ]
    if info is not None:
        runtime = _request(state, info, "GET", "/pykctl/v1/status")
        lines.append(f"Nodes:      {', '.join(runtime['nodes']) or 'none (the API server alone)'}")
        described = {**runtime["runtime"], **(runtime.get("services") or {})}
        lines += [f"{key.capitalize() + ':':<12}{value}" for key, value in described.items()]
    counts = object_counts(state)
    lines.append("Objects:" + ("" if counts else "    none"))
    width = max((len(resource) for resource in counts), default=0)
    lines += [f"  {resource:<{width}}  {count}" for resource, count in counts.items()]
    inv.stdout.write("\n".join(lines) + "\n")
    return 0


def run_reset(inv: Invocation) -> int:
    state = _state(inv)
    was_running = daemon.reset(state)
    if was_running:
        try:
            daemon.start(state)
        except daemon.DaemonError as err:
            raise CommandError(str(err)) from None
    inv.out(f'Simulator "{state.name}" reset: every object was deleted.')
    return 0


def run_logs(inv: Invocation) -> int:
    state = _state(inv)
    try:
        inv.stdout.write(state.log_file.read_text(errors="replace"))
    except FileNotFoundError:
        raise CommandError(f'simulator "{state.name}" has no log yet ({state.log_file})') from None
    return 0


def _request(
    state: daemon.StateDir, info: daemon.DaemonInfo, method: str, path: str
) -> dict[str, Any]:
    """One of pykctl's own requests (``/pykctl/v1/...``) to the running simulator."""
    import json

    from backends.base import ClusterInfo
    from backends.errors import from_response
    from backends.simulator.client import SimulatorBackend

    backend = SimulatorBackend(ClusterInfo(info.server, state.ca_pem(), token=state.token()))
    try:
        response = backend.request(method, path)
    finally:
        backend.close()
    if response.status != 200:
        raise from_response(response)
    answer: dict[str, Any] = json.loads(response.body)
    return answer


def _power(inv: Invocation, action: str) -> int:
    """POST /pykctl/v1/nodes/NAME/{stop,start} to the running simulator; print its message."""
    state = _state(inv)
    if len(inv.args) != 1:
        raise inv.usage_error(f"exactly one NODE is required, got {len(inv.args)}")
    info = daemon.read_info(state)
    if info is None:
        raise CommandError(f'simulator "{state.name}" is not running')
    answer = _request(state, info, "POST", f"/pykctl/v1/nodes/{inv.args[0]}/{action}")
    inv.out(answer["message"])
    return 0


def run_node_stop(inv: Invocation) -> int:
    return _power(inv, "stop")


def run_node_start(inv: Invocation) -> int:
    return _power(inv, "start")


def _command(
    name: str, run: Runner, short: str, flags: list[Flag] | None = None, use: str = ""
) -> KCommand:
    return KCommand(
        name,
        run,
        Help(use=use or name, short=short, long=f"{short} (pykctl only)."),
        [NAME_FLAG, *(flags or [])],
    )


sim = KGroup(
    "sim",
    Help(
        use="sim SUBCOMMAND",
        short="Manage the bundled local simulator cluster (pykctl only)",
        long="""Manage the bundled local simulator cluster (pykctl only).

 The simulator is a Kubernetes API server on 127.0.0.1 with its own CA and token; the real
 kubectl and every Kubernetes client can use it through the pykctl-sim context.""",
    ),
    commands=[
        _command(
            "start",
            run_start,
            "Start the simulator and add its context to the kubeconfig",
            [
                Flag(
                    "nodes",
                    INT,
                    default=0,
                    usage="Number of nodes (default: the last number used, else 1)",
                ),
                Flag(
                    "port",
                    INT,
                    default=0,
                    usage="Port on 127.0.0.1 (default: the last one used, else any free port)",
                ),
            ],
        ),
        _command("stop", run_stop, "Stop the simulator"),
        _command("status", run_status, "Show the simulator's address, process, uptime and objects"),
        _command(
            "reset", run_reset, "Delete every object of the simulator (keeps its CA and token)"
        ),
        _command("logs", run_logs, "Print the simulator's log"),
        _command("dashboard", run_dashboard, SHORT, [PRINT_URL_FLAG]),
        KGroup(
            "node",
            Help(
                use="node SUBCOMMAND",
                short="Fail or reboot one of the simulator's nodes",
                long="""Fail or reboot one of the simulator's nodes (pykctl only).

 A stopped node's kubelet goes silent as when its machine dies: the node turns NotReady after
 the grace period and its pods are evicted; a started node reports Ready again.""",
            ),
            commands=[
                _command(
                    "stop",
                    run_node_stop,
                    "Fail a node (its kubelet stops reporting)",
                    use="stop NODE",
                ),
                _command("start", run_node_start, "Reboot a stopped node", use="start NODE"),
            ],
        ),
    ],
)
