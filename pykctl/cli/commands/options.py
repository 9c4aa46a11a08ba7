"""``pykctl options``: the global flags every command accepts."""

from __future__ import annotations

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.help import render_options

HELP = Help(
    use="options",
    short="Print the list of flags inherited by all commands",
    long="Print the list of flags inherited by all commands",
    empty_help_template=True,  # kubectl's options template: `options --help` prints nothing
)


def run(inv: Invocation) -> int:
    inv.stdout.write(render_options())
    return 0


options = KCommand("options", run, HELP)
