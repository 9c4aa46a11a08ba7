"""``pykctl set``: change one aspect of existing objects, as ``kubectl set``.

Only ``image`` is implemented so far; kubectl's ``env``, ``resources``, ``selector``,
``serviceaccount`` and ``subject`` are not listed until they are. Subcommands are imported only
when run.
"""

from __future__ import annotations

from pykctl.cli.command import Entry, Help, KGroup

_M = "pykctl.cli.commands.set"

HELP = Help(
    use="set SUBCOMMAND",
    short="Set specific features on objects",
    long="""Configure application resources.

 These commands help you make changes to existing application resources.""",
)

set_group = KGroup(
    "set",
    HELP,
    entries=[
        Entry("image", f"{_M}.image:image", "Update the image of a pod template"),
    ],
)
