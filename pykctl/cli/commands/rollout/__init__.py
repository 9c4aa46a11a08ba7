"""``pykctl rollout``: manage the rollout of deployments, daemon sets and stateful sets
(``history``, ``pause``, ``restart``, ``resume``, ``status``, ``undo``), as ``kubectl rollout``.

Subcommands are imported only when run. Unlike most groups, ``rollout`` alone prints its help
to stdout (and exits 1), as kubectl does.
"""

from __future__ import annotations

from typing import TextIO

import click

from pykctl.cli.command import Entry, Help, KGroup, command_path, render_help, streams
from pykctl.cli.errors import Exit

_M = "pykctl.cli.commands.rollout"

HELP = Help(
    use="rollout SUBCOMMAND",
    short="Manage the rollout of a resource",
    long="Manage the rollout of one or many resources.\n        \n"
    """ Valid resource types include:

  *  deployments
  *  daemonsets
  *  statefulsets""",
    example="""# Rollback to the previous deployment
pykctl rollout undo deployment/abc

# Check the rollout status of a daemonset
pykctl rollout status daemonset/foo

# Restart a deployment
pykctl rollout restart deployment/abc

# Restart deployments with the 'app=nginx' label
pykctl rollout restart deployment --selector=app=nginx""",
)


class RolloutGroup(KGroup):
    """Without a subcommand ``kubectl rollout`` prints its help to stdout and fails."""

    def run_without_subcommand(self, ctx: click.Context, stderr: TextIO) -> int:
        _, stdout, _ = streams(ctx)
        stdout.write(render_help(self, command_path(ctx)))
        raise Exit(1)


rollout = RolloutGroup(
    "rollout",
    HELP,
    entries=[
        Entry("history", f"{_M}.history:history", "View rollout history"),
        Entry("pause", f"{_M}.patchers:pause_command", "Mark the provided resource as paused"),
        Entry("restart", f"{_M}.patchers:restart_command", "Restart a resource"),
        Entry("resume", f"{_M}.patchers:resume_command", "Resume a paused resource"),
        Entry("status", f"{_M}.status:status", "Show the status of the rollout"),
        Entry("undo", f"{_M}.undo:undo", "Undo a previous rollout"),
    ],
)
