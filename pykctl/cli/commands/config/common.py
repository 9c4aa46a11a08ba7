"""What every ``config`` subcommand shares: the files in play and argument checks."""

from __future__ import annotations

from pykctl.cli.command import Invocation
from pykctl.cli.errors import CommandError
from pykctl.kubeconfig.loader import PathOptions
from pykctl.kubeconfig.model import Config


def go_list(items: list[str]) -> str:
    """Go's %v of a []string: ``[a b]``."""
    return "[" + " ".join(items) + "]"


def paths(inv: Invocation) -> PathOptions:
    """The kubeconfig files this command reads and writes (``--kubeconfig`` or $KUBECONFIG)."""
    return PathOptions.from_environment(explicit=inv.globals.kubeconfig)


def starting_config(inv: Invocation) -> tuple[PathOptions, Config]:
    """The files and their merged content, as client-go's GetStartingConfig gives them."""
    options = paths(inv)
    return options, options.load()


def require_args_or_help(inv: Invocation, count: int) -> None:
    """kubectl's config commands that print their help on stdout for a wrong argument count."""
    if len(inv.args) != count:
        inv.stdout.write(inv.help_page())
        inv.stdout.flush()
        raise CommandError(f"Unexpected args: {go_list(inv.args)}")
