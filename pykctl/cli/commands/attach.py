"""``pykctl attach (POD | TYPE/NAME) -c CONTAINER``: attach to a running container's process.

As kubectl's AttachOptions: one argument names the pod (``TYPE/NAME`` or, with two, ``TYPE
NAME`` stand for the most active pod of what they run); a completed pod is refused; the
container is ``-c``'s or the default one. A tty follows the container's: asked for one it did
not allocate, ``error: Unable to use a TTY - container c did not allocate one`` and none; a
container with a tty gets one anyway. Unless ``-q``, two notes go to stderr before the session
(kubectl prints both whatever the container). In raw mode the size is sent once one larger, then
as it is (so that a re-attached screen redraws), stderr is not requested, the detach keys
(``--detach-keys``, ``ctrl-p,ctrl-q``) end stdin, and afterwards ``Session ended, resume using
'pykctl attach POD -c C -n NS -i -t' command`` goes to stdout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands import exec as execcmd
from pykctl.cli.commands import pods
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import STRING, Flag
from pykctl.resources.targets import TargetSpec
from pykctl.streams.stdio import Reader

if TYPE_CHECKING:
    from pykctl.session import Session

Obj = dict[str, Any]
DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q"
RECORDED = (
    "All commands and output from this session will be recorded in container logs, including "
    "credentials and sensitive information passed through the command prompt."
)
PROMPT = "If you don't see a command prompt, try pressing enter."

# moby/term's names of the control characters 0-31
_CONTROL_KEYS = ["ctrl-@", *(f"ctrl-{c}" for c in "abcdefghijklmnopqrstuvwxyz"), "ctrl-[",
                 "ctrl-\\", "ctrl-]", "ctrl-^", "ctrl-_"]  # fmt: skip


def detach_bytes(keys: str) -> bytes:
    """moby/term's ToBytes: ``ctrl-p,ctrl-q`` → b"\\x10\\x11"."""
    codes = bytearray()
    for key in keys.split(","):
        if len(key) == 1:
            codes += key.encode()
        elif key in _CONTROL_KEYS:
            codes.append(_CONTROL_KEYS.index(key))
        elif key == "DEL":
            codes.append(127)
        else:
            raise CommandError(f"could not bind detach keys: Unknown character: '{key}'")
    return bytes(codes)


class DetachableReader:
    """moby/term's escape proxy: typing the detach keys ends the input; keys that only began
    the sequence are passed on once it is clear they do not complete it."""

    def __init__(self, read: Reader, keys: bytes) -> None:
        self.read = read
        self.keys = keys
        self.position = 0

    def __call__(self, size: int) -> bytes:
        while True:
            data = self.read(size)
            if len(data) != 1 or not self.keys:
                held, self.position = self.keys[: self.position], 0
                return held + data
            if data[0] != self.keys[self.position]:
                held, self.position = self.keys[: self.position], 0
                return held + data
            if self.position == len(self.keys) - 1:
                return b""
            self.position += 1


def run(inv: Invocation) -> int:
    """Complete, validate and run ``pykctl attach``."""
    from pykctl.session import Session

    timeout = execcmd.check_timeout(inv)
    args, flags = inv.args, inv.flags
    if not args:
        raise CommandError("at least 1 argument is required for attach")
    if len(args) > 2:
        raise CommandError(
            "expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw "
            f"{len(args)}: [{' '.join(args)}]"
        )
    quiet = bool(flags["quiet"])
    with Session.open(inv) as session:
        spec_args = pods.pod_args(args[0]) if len(args) == 1 else list(args)
        found = pods.fetch(session, inv, TargetSpec(args=spec_args))
        if len(found) != 1:
            raise CommandError("cannot attach to multiple objects at a time")
        pod = execcmd.attachable_pod(session, found[0], timeout)
        attach_to(
            inv,
            session,
            pod,
            flags["container"],
            AttachStreams(bool(flags["stdin"]), bool(flags["tty"]), quiet, flags["detach_keys"]),
            inv.command_path,
        )
    return 0


@dataclass(frozen=True)
class AttachStreams:
    """What a session asks of the local terminal (kubectl's StreamOptions)."""

    stdin: bool
    tty: bool
    quiet: bool
    detach_keys: str = DEFAULT_DETACH_KEYS


def attach_to(
    inv: Invocation,
    session: Session,
    pod: Obj,
    container_name: str,
    options: AttachStreams,
    command_name: str,
) -> None:
    """kubectl's AttachOptions.Run on ``pod``: refuse a completed pod, pick the container,
    settle the tty, print the notes, run the session; ``command_name`` (``pykctl attach``)
    is what the resume hint says to type."""
    from pykctl.streams import remotecommand, stdio, terminal

    quiet = options.quiet
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise CommandError(
            f"cannot attach a container in a completed pod; current phase is {phase}"
        )
    try:
        container = pods.find_or_default(pod, container_name, quiet, inv.stderr.write)
    except CommandError as err:
        raise CommandError(f"cannot attach to the container: {err}") from None
    name = str(container.get("name"))
    want_tty = options.tty
    if want_tty and not container.get("tty"):
        want_tty = False
        if not quiet:
            inv.err(f"error: Unable to use a TTY - container {name} did not allocate one")
    elif not want_tty and container.get("tty"):
        want_tty = True
    tty = execcmd.setup_tty(inv, options.stdin, want_tty, quiet)
    sizes: list[tuple[int, int]] = []
    size = terminal.size(inv.stdout) if tty.raw else None
    if size is not None:
        sizes = [(size[0] + 1, size[1] + 1), size]
    if not quiet:
        inv.err(RECORDED)
        inv.err(PROMPT)
    stdin = stdio.byte_reader(inv.stdin) if tty.stdin else None
    if stdin is not None and tty.raw:
        stdin = DetachableReader(stdin, detach_bytes(options.detach_keys or DEFAULT_DETACH_KEYS))
    streams = remotecommand.Streams(
        stdin=stdin,
        stdout=stdio.byte_writer(inv.stdout),
        stderr=None if tty.raw else stdio.byte_writer(inv.stderr),
        tty=tty.raw,
    )
    query = remotecommand.stream_query(name, [], tty.stdin, True, not tty.raw, tty.raw)
    execcmd.run_session(inv, session, pod, "attach", query, streams, sizes)
    if not quiet and tty.stdin and tty.raw:
        metadata = pod.get("metadata") or {}
        inv.out(
            f"Session ended, resume using '{command_name} {metadata.get('name')} -c "
            f"{name} -n {metadata.get('namespace')} -i -t' command"
        )


HELP = Help(
    use="attach (POD | TYPE/NAME) -c CONTAINER",
    short="Attach to a running container",
    long="Attach to a process that is already running inside an existing container.",
    example="""# Get output from running pod mypod; use the 'kubectl.kubernetes.io/default-container' annotation
# for selecting the container to be attached or the first container in the pod will be chosen
pykctl attach mypod

# Get output from ruby-container from pod mypod
pykctl attach mypod -c ruby-container

# Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
# and sends stdout/stderr from 'bash' back to the client
pykctl attach mypod -c ruby-container -i -t

# Get output from the first pod of a replica set named nginx
pykctl attach rs/nginx""",
)

FLAGS = [
    execcmd.container_flag(),
    Flag(
        "detach-keys",
        STRING,
        default=DEFAULT_DETACH_KEYS,
        usage="Override the key sequence for detaching a container",
    ),
    execcmd.pod_running_timeout_flag(60.0),
    *execcmd.stream_flags(),
]

attach = KCommand("attach", run, HELP, FLAGS)
