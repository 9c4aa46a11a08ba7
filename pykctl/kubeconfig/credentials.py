"""Tokens kept in the OS keyring instead of the kubeconfig.

A keyring-backed user entry holds no secret, only an exec credential plugin stanza:

    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: pykctl
      args: [__keyring-credential, NAME/ID]
      interactiveMode: Never

pykctl recognises the stanza and reads the token straight from the keyring; any other client
(the real kubectl, client libraries) runs ``pykctl __keyring-credential NAME/ID`` as an ordinary
exec plugin and gets an ExecCredential. The ``keyring`` library is imported only here, and only
when a keyring entry is used (it is slow to import).
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from pykctl.kubeconfig.errors import KubeconfigError
from pykctl.kubeconfig.model import Entry

SERVICE = "pykctl"
HELPER_COMMAND = "pykctl"
HELPER_ARG = "__keyring-credential"
EXEC_API_VERSION = "client.authentication.k8s.io/v1"


def keyring_account(user: Entry) -> str | None:
    """The keyring account a user entry refers to, if it is a pykctl keyring entry."""
    exec_config = user.get("exec") or {}
    args = exec_config.get("args") or []
    command = os.path.basename(exec_config.get("command", ""))
    if command == HELPER_COMMAND and len(args) == 2 and args[0] == HELPER_ARG:
        return str(args[1])
    return None


def _keyring() -> Any:
    try:
        import keyring
    except ImportError as err:  # pragma: no cover - keyring is a dependency
        raise KubeconfigError(f"the OS keyring is not available: {err}") from None
    return keyring


def _call(action: str, fn: Any, *args: str) -> Any:
    try:
        return fn(*args)
    except Exception as err:  # keyring backends raise many types
        raise KubeconfigError(f"cannot {action} the OS keyring: {err}") from None


def store_token(user: Entry, name: str, token: str) -> Entry:
    """Put ``token`` in the keyring and return ``user`` pointing at it instead of holding it."""
    keyring = _keyring()
    account = keyring_account(user) or f"{name}/{uuid.uuid4().hex[:12]}"
    _call("write to", keyring.set_password, SERVICE, account, token)
    user = dict(user)
    user.pop("token", None)
    user["exec"] = {
        "apiVersion": EXEC_API_VERSION,
        "command": HELPER_COMMAND,
        "args": [HELPER_ARG, account],
        "installHint": "This credential is kept in the OS keyring by pykctl: pip install pykctl",
        "interactiveMode": "Never",
    }
    return user


def read_token(account: str) -> str:
    """The token stored for ``account``; a clear error when it is gone."""
    token = _call("read", _keyring().get_password, SERVICE, account)
    if token is None:
        raise KubeconfigError(
            f'no token for "{account}" in the OS keyring (service "{SERVICE}"); '
            "set it again with pykctl config set-credentials --keyring"
        )
    return str(token)


def token_for(user: Entry) -> str | None:
    """The bearer token of a user entry: from the keyring for keyring entries, else ``token``."""
    account = keyring_account(user)
    if account is not None:
        return read_token(account)
    token = user.get("token")
    return str(token) if token else None


def forget_token(user: Entry) -> None:
    """Remove a keyring entry's token (when the user entry is deleted)."""
    account = keyring_account(user)
    if account is None:
        return
    keyring = _keyring()
    try:
        keyring.delete_password(SERVICE, account)
    except Exception:  # already gone, or no backend: nothing left to remove
        return


def exec_credential(account: str) -> dict[str, Any]:
    """The ExecCredential a client-go exec plugin prints."""
    return {
        "apiVersion": EXEC_API_VERSION,
        "kind": "ExecCredential",
        "status": {"token": read_token(account)},
    }
