"""``pykctl sim dashboard``: open the simulator's web dashboard (pykctl only; kubectl has none).

Asks the running simulator (started if needed) for a one-time login ticket over the
authenticated API, then opens ``https://127.0.0.1:PORT/ui/login?ticket=...`` with the
``webbrowser`` module, or prints it with ``--print-url``. The link works once, for a minute;
the API token itself never goes into a URL.
"""

from __future__ import annotations

from pykctl.cli.command import Invocation
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, Flag

SHORT = "Open the simulator's web dashboard in a browser, logged in by a one-time link"
PRINT_URL_FLAG = Flag(
    "print-url",
    BOOL,
    default=False,
    usage="Print the one-time link instead of opening a browser",
)


def run_dashboard(inv: Invocation) -> int:
    import webbrowser

    from backends.simulator import daemon
    from pykctl import simulator
    from pykctl.cli.commands.sim import _request, _state
    from pykctl.kubeconfig.loader import PathOptions

    state = _state(inv)
    paths = PathOptions.from_environment(explicit=inv.globals.kubeconfig)
    try:
        info = simulator.ensure_running(paths, state.name, inv.stderr)
    except daemon.DaemonError as err:
        raise CommandError(str(err)) from None
    answer = _request(state, info, "POST", "/pykctl/v1/dashboard/tickets")
    url = f"{info.server}{answer['path']}"
    if inv.flags["print_url"]:
        inv.out(url)
        return 0
    if not webbrowser.open(url):
        raise CommandError(
            f"no browser could be opened; open this link (valid once, for a minute): {url}"
        )
    inv.err(f'Opened the dashboard of simulator "{state.name}" in your browser.')
    return 0
