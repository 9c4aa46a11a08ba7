"""``pykctl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]``.

As kubectl's ExecOptions: the words before ``--`` name the pod (a workload or service stands for
its most active pod), the words after it are the command; the pre-1.x form without ``--`` is
refused. The pod must not have completed; the container is ``-c``'s, else the default one (with
the ``Defaulted container`` note on stderr unless ``-q``). ``-t`` needs ``-i`` and a terminal
on stdin (else ``Unable to use a TTY - input is not a terminal or the right kind of file`` and
no tty); with one, stdin is put in raw mode for the session, stderr is not requested (a tty has
only stdout), and the terminal's size is sent at the start and after every SIGWINCH.

The session is ``streams.remotecommand``'s; the remote command's exit code becomes pykctl's,
with kubectl's ``command terminated with exit code N`` on stderr. ``ExecSession`` is the part
attach and cp share: resolving the pod and running one session.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands import pods
from pykctl.cli.errors import CommandError, RawError
from pykctl.cli.flags import BOOL, DURATION, STRING, STRING_ARRAY, Flag
from pykctl.resources.targets import TargetSpec

if TYPE_CHECKING:
    from pykctl.session import Session
    from pykctl.streams.remotecommand import Streams

Obj = dict[str, Any]

CONTAINER_USAGE = (
    "Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for "
    "selecting the container to be attached or the first container in the pod will be chosen"
)
NOT_A_TERMINAL = "Unable to use a TTY - input is not a terminal or the right kind of file"
POD_RUNNING_TIMEOUT_USAGE = (
    "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod "
    "is running"
)


def container_flag() -> Flag:
    return Flag("container", STRING, shorthand="c", usage=CONTAINER_USAGE)


def pod_running_timeout_flag(seconds: float) -> Flag:
    return Flag("pod-running-timeout", DURATION, default=seconds, usage=POD_RUNNING_TIMEOUT_USAGE)


def stream_flags() -> list[Flag]:
    """-i, -t and -q, as exec and attach declare them."""
    return [
        Flag("stdin", BOOL, shorthand="i", usage="Pass stdin to the container"),
        Flag("tty", BOOL, shorthand="t", usage="Stdin is a TTY"),
        Flag("quiet", BOOL, shorthand="q", usage="Only print output from the remote session"),
    ]


def dash_index() -> int:
    """Where ``--`` was among the arguments (-1: nowhere); cobra's ArgsLenAtDash."""
    import click

    context = click.get_current_context(silent=True)
    return int(context.meta.get("pykctl.dash_index", -1)) if context is not None else -1


def check_timeout(inv: Invocation) -> float:
    """GetPodRunningTimeoutFlag, reported as a usage error (exec, attach)."""
    timeout = float(inv.flags["pod_running_timeout"])
    if timeout <= 0:
        raise inv.usage_error("--pod-running-timeout must be higher than zero")
    return timeout


def attachable_pod(session: Session, obj: Obj, timeout: float) -> Obj:
    """AttachablePodForObject: the pod itself, or the most active pod of what it runs."""
    if obj.get("kind") == "Pod":
        return obj
    try:
        selector = pods.selector_for(obj)
    except ValueError as err:
        raise CommandError(f"cannot attach to {pods.go_type(obj)}: {err}") from None
    namespace = str((obj.get("metadata") or {}).get("namespace") or session.namespace)
    finder = pods.PodFinder(session.client, session.mapper)
    return finder.matching(namespace, selector, timeout, pods.most_active_first)[0]


@dataclass
class Terminal:
    """How a session uses the local terminal (kubectl's SetupTTY)."""

    stdin: bool
    raw: bool


def setup_tty(inv: Invocation, stdin: bool, tty: bool, quiet: bool) -> Terminal:
    """kubectl's SetupTTY: a tty only with stdin that is a terminal."""
    from pykctl.streams import terminal

    if not stdin or not tty:
        return Terminal(stdin, False)
    if not terminal.is_terminal(inv.stdin):
        if not quiet:
            inv.err(NOT_A_TERMINAL)
        return Terminal(stdin, False)
    return Terminal(stdin, True)


def run_session(
    inv: Invocation,
    session: Session,
    pod: Obj,
    subresource: str,
    query: list[tuple[str, str]],
    streams: Streams,
    initial_sizes: list[tuple[int, int]],
) -> None:
    """One remote-command session on ``pod`` (raw terminal and size monitor with a tty)."""
    from pykctl.client import resource_path
    from pykctl.streams import remotecommand, terminal

    metadata = pod.get("metadata") or {}
    path = resource_path(
        session.mapper.resource_for("pods"),
        str(metadata.get("namespace") or session.namespace),
        str(metadata.get("name")),
        subresource,
    )
    info = session.connection.backend.info
    monitor = terminal.SizeMonitor(inv.stdout, initial_sizes) if streams.tty else None
    streams.sizes = iter(monitor) if monitor is not None else None
    try:
        with terminal.raw(inv.stdin) if streams.tty else contextlib.nullcontext():
            if monitor is not None:
                monitor.start()
            remotecommand.run(info, path, query, streams)
    except remotecommand.ExitCodeError as err:
        raise RawError(str(err), exit_code=err.code) from None
    except remotecommand.RemoteError as err:
        raise CommandError(str(err)) from None
    finally:
        if monitor is not None:
            monitor.stop()


def _pod(inv: Invocation, session: Session, name: str, timeout: float) -> Obj:
    spec = TargetSpec(args=pods.pod_args(name) if name else [], filenames=inv.flags["filename"])
    found = pods.fetch(session, inv, spec)
    if len(found) != 1:
        raise CommandError("cannot exec into multiple objects at a time")
    return attachable_pod(session, found[0], timeout)


def _command_line(inv: Invocation) -> tuple[str, list[str]]:
    """The pod argument and the command (kubectl's Complete and Validate)."""
    args = inv.args
    dash = dash_index()
    name = args[0] if args and dash != 0 else ""
    command: list[str] = []
    if dash in (0, 1):
        command = args[dash:]
    elif len(args) > 1 or (args and inv.flags["filename"]):
        raise inv.usage_error(
            "exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead"
        )
    return name, command


def run(inv: Invocation) -> int:
    """Complete, validate and run ``pykctl exec``."""
    from pykctl.session import Session
    from pykctl.streams import remotecommand, stdio, terminal

    name, command = _command_line(inv)
    timeout = check_timeout(inv)
    if not name and not inv.flags["filename"]:
        raise CommandError("pod, type/name or --filename must be specified")
    if not command:
        raise CommandError("you must specify at least one command for the container")
    flags = inv.flags
    quiet = bool(flags["quiet"])
    with Session.open(inv) as session:
        pod = _pod(inv, session, name, timeout)
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            raise CommandError(
                f"cannot exec into a container in a completed pod; current phase is {phase}"
            )
        container = flags["container"]
        if not container:
            found = pods.find_or_default(pod, "", quiet, inv.stderr.write)
            container = str(found.get("name"))
        elif pods.find_container(pod, container)[0] is None:
            raise pods.not_valid(pod, container)
        tty = setup_tty(inv, bool(flags["stdin"]), bool(flags["tty"]), quiet)
        size = terminal.size(inv.stdout) if tty.raw else None
        streams = remotecommand.Streams(
            stdin=stdio.byte_reader(inv.stdin) if tty.stdin else None,
            stdout=stdio.byte_writer(inv.stdout),
            stderr=None if tty.raw else stdio.byte_writer(inv.stderr),
            tty=tty.raw,
        )
        query = remotecommand.stream_query(
            container, command, tty.stdin, True, not tty.raw, tty.raw
        )
        run_session(inv, session, pod, "exec", query, streams, [size] if size else [])
    return 0


HELP = Help(
    use="exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]",
    short="Execute a command in a container",
    long="Execute a command in a container.",
    example="""# Get output from running the 'date' command from pod mypod, using the first container by default
pykctl exec mypod -- date

# Get output from running the 'date' command in ruby-container from pod mypod
pykctl exec mypod -c ruby-container -- date

# Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
# and sends stdout/stderr from 'bash' back to the client
pykctl exec mypod -c ruby-container -i -t -- bash -il

# List contents of /usr from the first container of pod mypod and sort by modification time
# If the command you want to execute in the pod has any flags in common (e.g. -i),
# you must use two dashes (--) to separate your command's flags/arguments
# Also note, do not surround your command and its flags/arguments with quotes
# unless that is how you would execute it normally (i.e., do ls -t /usr, not "ls -t /usr")
pykctl exec mypod -i -t -- ls -t /usr

# Get output from running 'date' command from the first pod of the deployment mydeployment, using the first container by default
pykctl exec deploy/mydeployment -- date

# Get output from running 'date' command from the first pod of the service myservice, using the first container by default
pykctl exec svc/myservice -- date""",
)

FLAGS = [
    container_flag(),
    Flag("filename", STRING_ARRAY, shorthand="f", usage="to use to exec into the resource"),
    pod_running_timeout_flag(60.0),
    *stream_flags(),
]

exec_command = KCommand("exec", run, HELP, FLAGS)
