"""``pykctl __keyring-credential ACCOUNT``: the exec credential plugin of keyring-backed users.

Kubernetes clients run it (client-go always sets KUBERNETES_EXEC_INFO for exec plugins) and read
the ExecCredential it prints. Run by hand, without that variable, it refuses: pykctl never
prints a secret to a terminal.
"""

from __future__ import annotations

import json
import os

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.errors import CommandError


def run(inv: Invocation) -> int:
    if len(inv.args) != 1:
        raise inv.usage_error("exactly one keyring account is required")
    if "KUBERNETES_EXEC_INFO" not in os.environ:
        raise CommandError(
            "this command is the exec credential plugin of keyring-backed users; "
            "it prints a credential only when run by a Kubernetes client (KUBERNETES_EXEC_INFO is not set)"
        )
    from pykctl.kubeconfig.credentials import exec_credential

    inv.out(json.dumps(exec_credential(inv.args[0])))
    return 0


keyring_credential = KCommand(
    "__keyring-credential",
    run,
    Help(
        use="__keyring-credential ACCOUNT",
        short="Print an ExecCredential holding a token kept in the OS keyring",
        long="Print an ExecCredential holding a token kept in the OS keyring (pykctl only; run by Kubernetes clients).",
    ),
    hidden=True,
)
