"""``pykctl set``: change one aspect of existing objects, as ``kubectl set``.

The subcommands are kubectl's: ``env``, ``image``, ``resources``, ``selector``,
``serviceaccount`` (alias ``sa``) and ``subject``; what they share is in ``common``. Subcommands
are imported only when run.
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
        Entry("env", f"{_M}.env:env", "Update environment variables on a pod template"),
        Entry("image", f"{_M}.image:image", "Update the image of a pod template"),
        Entry(
            "resources",
            f"{_M}.resources:resources",
            "Update resource requests/limits on objects with pod templates",
        ),
        Entry("selector", f"{_M}.selector:selector", "Set the selector on a resource"),
        Entry(
            "serviceaccount",
            f"{_M}.serviceaccount:serviceaccount",
            "Update the service account of a resource",
            aliases=("sa",),
        ),
        Entry(
            "subject",
            f"{_M}.subject:subject",
            "Update the user, group, or service account in a role binding or cluster role binding",
        ),
    ],
)
