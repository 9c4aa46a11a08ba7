"""The one place that turns errors into kubectl's messages and exit codes.

Every command raises; nothing else prints an error. Messages follow kubectl's ``CheckErr``:
``error: <msg>`` for most errors, ``Error in configuration: ...`` for unusable contexts,
usage errors end with ``See '<command> -h' for help and examples``, flag errors with
``See '<command> --help' for usage.``. Unexpected exceptions become a one-line error, never a
traceback (set PYKCTL_TRACEBACK=1 to see it).
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import TextIO

from backends.errors import ApiError, ConnectionFailed
from pykctl.kubeconfig.errors import ConfigurationError, KubeconfigError

DEFAULT_ERROR_EXIT_CODE = 1


class CommandError(Exception):
    """An error to print as ``error: <message>`` (the prefix is added once)."""

    def __init__(self, message: str, exit_code: int = DEFAULT_ERROR_EXIT_CODE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class UsageError(CommandError):
    """Bad arguments; kubectl adds a pointer to the command's help."""

    def __init__(self, message: str, command_path: str) -> None:
        super().__init__(f"{message}\nSee '{command_path} -h' for help and examples")


class FlagUsageError(CommandError):
    """A flag that could not be parsed (cobra's FlagErrorFunc wording)."""

    def __init__(self, message: str, command_path: str) -> None:
        super().__init__(f"{message}\nSee '{command_path} --help' for usage.")


class RawError(CommandError):
    """An error whose text is printed exactly as given (no ``error:`` prefix)."""


class Exit(Exception):
    """Stop with this exit code; whatever had to be printed was printed."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _api_error_message(err: ApiError) -> str:
    """kubectl's StandardErrorMessage for a Status from the server."""
    if err.code == 401:
        return f"error: You must be logged in to the server ({err.message or 'Unauthorized'})"
    if err.reason == "Invalid":
        return _invalid_message(err)
    if err.reason:
        return f"Error from server ({err.reason}): {err.message}"
    return f"Error from server: {err.message}"


def _invalid_message(err: ApiError) -> str:
    """kubectl's checkErr for an Invalid Status: the kind (without its group) and name, then
    each distinct cause; the server's message only when there is nothing better."""
    details = err.status.get("details")
    if not isinstance(details, dict):
        return "The request is invalid" + (f": {err.message}" if err.message else "")
    head = "The request is invalid"
    if details.get("kind") or details.get("name"):
        head = f'The {details.get("kind", "")} "{details.get("name", "")}" is invalid'
    elif err.message and not err.causes:
        head += f": {err.message}"
    if err.causes:
        lines = [head + ": "]
        seen: list[str] = []
        for cause in err.causes:
            text = (
                f"* {cause.get('field')}: {cause.get('message', '')}"
                if cause.get("field")
                else f"* {cause.get('message', '')}"
            )
            if text not in seen:
                seen.append(text)
        if len(seen) == 1:
            return lines[0] + seen[0][2:]
        return lines[0] + "\n" + "\n".join(seen)
    return head


def message_for(err: BaseException) -> str:
    """The text kubectl prints for ``err`` (without the trailing newline)."""
    if isinstance(err, ApiError):
        return _api_error_message(err)
    if isinstance(err, ConnectionFailed):
        if err.refused:
            return f"The connection to the server {err.host} was refused - did you specify the right host or port?"
        return f"Unable to connect to the server: {err.detail}"
    if isinstance(err, ConfigurationError):
        return f"Error in configuration: {err}"
    if isinstance(err, RawError):
        return str(err)
    if isinstance(err, (CommandError, KubeconfigError)):
        text = str(err)
        return text if text.startswith("error: ") else f"error: {text}"
    if isinstance(err, OSError) and err.filename is not None:
        return f"error: {_go_os_error(err)}"
    return f"error: {err}"


def _go_os_error(err: OSError) -> str:
    """Go's *PathError text: ``open /x: permission denied``."""
    reason = (err.strerror or str(err)).lower()
    return f"open {err.filename}: {reason}"


def report(err: BaseException, stderr: TextIO | None = None) -> int:
    """Print ``err`` the kubectl way and return the exit code to use."""
    stream = stderr or sys.stderr
    if isinstance(err, Exit):
        return err.code
    if isinstance(err, KeyboardInterrupt):
        return 130
    if not isinstance(
        err, (CommandError, KubeconfigError, OSError, ApiError, ConnectionFailed)
    ) and os.environ.get("PYKCTL_TRACEBACK"):
        traceback.print_exception(err, file=stream)
    message = message_for(err)
    stream.write(message if message.endswith("\n") else message + "\n")
    stream.flush()
    return err.exit_code if isinstance(err, CommandError) else DEFAULT_ERROR_EXIT_CODE
