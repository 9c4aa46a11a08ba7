"""``pykctl cp <file-spec-src> <file-spec-dest>``: copy files to and from containers.

As kubectl's CopyOptions: a file spec is ``[[NAMESPACE/]POD:]PATH``; exactly one side is remote.
Everything travels as a tar stream through ``exec`` in the container, with kubectl's commands:

* to a pod — ``test -d DEST`` first (within 3 s; any failure means "not a directory"), then
  ``tar -xmf - -C DIR`` (``tar --no-same-permissions --no-same-owner -xmf - -C DIR`` with
  ``--no-preserve``) fed with a tar built here as kubectl's makeTar builds it (member names
  relative to DIR; a directory recursively, in name order; an empty directory as an entry).
  The remote tar's stdout and stderr are ours; its exit code becomes ours.
* from a pod — ``tar cf - SRC`` (``sh -c "tar cf - 'SRC' | tail -c+N"`` with ``--retries``, N
  the bytes already read plus one on a resumed read), whose stderr goes to *stdout*, as kubectl
  wires it; members must start with SRC's cleaned prefix (``tar contents corrupted``), land
  under DEST (else a warning and skipped), symlinks are skipped with kubectl's warning. Once
  the archive ended the copy succeeded, whatever the remote tar's exit code (kubectl exits
  without waiting for it); an exec that fails first is the error.

Paths follow Go's ``path``/``path/filepath`` rules (``Clean``, ``Dir``, ``Base``, ``Join``).
"""

from __future__ import annotations

import functools
import glob
import json
import os
import posixpath
import tarfile
import threading
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from pykctl.cli.command import PROGRAM, Help, Invocation, KCommand
from pykctl.cli.commands import exec as execcmd
from pykctl.cli.commands import pods
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, INT, Flag

if TYPE_CHECKING:
    from pykctl.session import Session
    from pykctl.streams.stdio import Reader, Writer

Obj = dict[str, Any]
BAD_SPEC = "filespec must match the canonical format: [[namespace/]pod:]file/path"
CHECK_SECONDS = 3.0
_CHUNK = 32 * 1024


# --- Go's path rules ---------------------------------------------------------------------


def go_clean(path: str) -> str:
    """Go's path.Clean."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def go_dir(path: str) -> str:
    """Go's path.Dir."""
    return go_clean(path[: path.rfind("/") + 1])


def go_base(path: str) -> str:
    """Go's path.Base."""
    if not path:
        return "."
    stripped = path.rstrip("/")
    return stripped[stripped.rfind("/") + 1 :] if stripped else "/"


def go_join(*elements: str) -> str:
    """Go's path.Join: the non-empty elements, joined and cleaned ("" when none)."""
    kept = [e for e in elements if e]
    return go_clean("/".join(kept)) if kept else ""


def strip_trailing_slash(path: str) -> str:
    return path[:-1] if path not in ("", "/") and path.endswith("/") else path


def strip_path_shortcuts(path: str) -> str:
    """kubectl's stripPathShortcuts: no leading ``../``, no lone ``.``/``..``, no leading /."""
    while path.startswith("../"):
        path = path[3:]
    if path in (".", ".."):
        path = ""
    return path[1:] if path.startswith("/") else path


def is_relative(base: str, target: str) -> bool:
    """kubectl's isRelative: ``target`` lies within ``base``."""
    try:
        relative = os.path.relpath(target, base)
    except ValueError:
        return False
    return relative == "." or relative == strip_path_shortcuts(relative)


def go_quote(text: str) -> str:
    """Go's %q for the texts kubectl quotes (paths and names)."""
    return json.dumps(text, ensure_ascii=False)


def shell_quote(text: str) -> str:
    """A word for ``sh -c``, in single quotes."""
    return "'" + text.replace("'", "'\\''") + "'"


# --- file specs --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileSpec:
    """``[[namespace/]pod:]file/path``."""

    file: str
    pod: str = ""
    namespace: str = ""


def file_spec(arg: str) -> FileSpec:
    """kubectl's extractFileSpec."""
    colon = arg.find(":")
    if colon == 0:
        raise CommandError(BAD_SPEC)
    if colon == -1:
        return FileSpec(strip_trailing_slash(arg))
    pieces = arg[:colon].split("/")
    file = strip_trailing_slash(arg[colon + 1 :])
    if len(pieces) == 1:
        return FileSpec(file, pieces[0])
    if len(pieces) == 2:
        return FileSpec(file, pieces[1], pieces[0])
    raise CommandError(BAD_SPEC)


# --- exec in the pod ---------------------------------------------------------------------


@dataclass
class Remote:
    """Runs commands in one pod's container as kubectl's ExecOptions.Run does."""

    inv: Invocation
    session: Session
    namespace: str
    pod_name: str
    container: str

    def run(
        self,
        command: list[str],
        stdin: Reader | None,
        stdout: Writer,
        stderr: Writer,
    ) -> None:
        """Run ``command``; the container is defaulted with the note on ``stderr``."""
        from pykctl.streams import remotecommand

        pod = self.session.client.get(
            self.session.mapper.resource_for("pods"), self.namespace, self.pod_name
        )
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            raise CommandError(
                f"cannot exec into a container in a completed pod; current phase is {phase}"
            )
        found = pods.find_or_default(pod, self.container, False, lambda t: stderr(t.encode()))
        container = str(found.get("name"))
        streams = remotecommand.Streams(stdin=stdin, stdout=stdout, stderr=stderr)
        query = remotecommand.stream_query(container, command, stdin is not None, True, True, False)
        execcmd.run_session(self.inv, self.session, pod, "exec", query, streams, [])


class Background:
    """A call running in a thread; ``error`` is what it raised."""

    def __init__(self, target: Any, *args: Any) -> None:
        self.error: BaseException | None = None
        self._target = target
        self._args = args
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self._target(*self._args)
        except BaseException as err:  # reported by the caller
            self.error = err


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd``."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _discard(_data: bytes) -> None:
    return None


def is_remote_dir(remote: Remote, path: str) -> bool:
    """``test -d PATH`` succeeded within kubectl's 3 seconds."""
    check = Background(remote.run, ["test", "-d", path], None, _discard, _discard)
    check.thread.join(CHECK_SECONDS)
    return not check.thread.is_alive() and check.error is None


# --- to a pod ----------------------------------------------------------------------------


def _add(tar: tarfile.TarFile, path: str, name: str) -> None:
    info = tar.gettarinfo(path, arcname=name)
    if info.isreg():
        with open(path, "rb") as data:
            tar.addfile(info, data)
    else:
        tar.addfile(info)


def _matches(pattern: str) -> list[str]:
    """Go's filepath.Glob (a path without pattern characters matches itself if it exists)."""
    if not glob.has_magic(pattern):
        return [pattern] if os.path.lexists(pattern) else []
    return sorted(glob.glob(pattern))


def recursive_tar(tar: tarfile.TarFile, source: str, name: str) -> None:
    """kubectl's recursiveTar: ``source`` (a glob) as member ``name``."""
    for path in _matches(source):
        if os.path.isdir(path) and not os.path.islink(path):
            entries = sorted(os.listdir(path))
            if not entries:
                tar.addfile(tar.gettarinfo(path, arcname=name))
            for entry in entries:
                recursive_tar(tar, os.path.join(source, entry), go_join(name, entry))
            return
        _add(tar, path, name)


def write_tar(source: str, name: str, fd: int) -> None:
    """The tar kubectl's makeTar writes, to the pipe ``fd`` (closed at the end)."""
    with os.fdopen(fd, "wb") as pipe, tarfile.open(fileobj=pipe, mode="w|") as tar:
        clean = os.path.normpath(source)
        recursive_tar(tar, clean, name)


def copy_to_pod(remote: Remote, source: str, dest: str, no_preserve: bool) -> None:
    from pykctl.streams import stdio

    if not os.path.exists(source):
        raise CommandError(f"{source} doesn't exist in local filesystem")
    if is_remote_dir(remote, dest):
        dest = go_join(dest, go_base(source))
    command = ["tar", "-xmf", "-"]
    if no_preserve:
        command = ["tar", "--no-same-permissions", "--no-same-owner", "-xmf", "-"]
    command += ["-C", go_dir(dest)]
    read_fd, write_fd = os.pipe()
    writer = Background(write_tar, source, go_base(go_clean(dest)), write_fd)
    try:
        remote.run(
            command,
            lambda size: os.read(read_fd, size),
            stdio.byte_writer(remote.inv.stdout),
            stdio.byte_writer(remote.inv.stderr),
        )
    finally:
        os.close(read_fd)
        writer.thread.join()
    if writer.error is not None and not isinstance(writer.error, BrokenPipeError):
        raise CommandError(str(writer.error))


# --- from a pod --------------------------------------------------------------------------


class TarPipe:
    """The remote ``tar cf -`` as a file to read, resumed on a broken stream (``--retries``)."""

    def __init__(self, remote: Remote, source: str, retries: int, out: Writer) -> None:
        self.remote = remote
        self.source = source
        self.retries = retries
        self.out = out
        self.tries = 0
        self.bytes_read = 0
        self._start(0)

    def _start(self, offset: int) -> None:
        command = ["tar", "cf", "-", self.source]
        if self.retries != 0:
            command = ["sh", "-c", f"tar cf - {shell_quote(self.source)} | tail -c+{offset}"]
        self._fd, write_fd = os.pipe()

        def produce() -> None:
            try:
                self.remote.run(command, None, functools.partial(write_all, write_fd), self.out)
            finally:
                os.close(write_fd)

        self.exec = Background(produce)

    def read(self, size: int = -1) -> bytes:
        while True:
            data = os.read(self._fd, size if size > 0 else _CHUNK)
            if data:
                self.bytes_read += len(data)
                return data
            self.exec.thread.join()
            if self.exec.error is not None:
                raise self.exec.error
            if not (self.retries < 0 or self.tries < self.retries):
                self.out(f"Dropping out copy after {self.tries} retries\n".encode())
                return b""
            self.tries += 1
            self.out(
                f"Resuming copy at {self.bytes_read} bytes, retry {self.tries}/{self.retries}\n".encode()
            )
            os.close(self._fd)
            self._start(self.bytes_read + 1)

    def finish(self) -> None:
        """Drain what the remote tar still writes (its padding and messages), then let go."""
        while os.read(self._fd, _CHUNK):
            pass
        self.exec.thread.join()
        os.close(self._fd)


def _extract(member: tarfile.TarFile, info: tarfile.TarInfo, target: str) -> None:
    source = member.extractfile(info)
    with open(target, "wb") as out:
        if source is not None:
            while chunk := source.read(_CHUNK):
                out.write(chunk)


def untar_all(inv: Invocation, spec: FileSpec, dest: str, stream: IO[bytes]) -> None:
    """kubectl's untarAll (see the module docstring); an empty stream copies nothing."""
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            _untar(inv, spec, dest, tar)
    except tarfile.ReadError as err:
        if str(err) != "empty file":
            raise


def _untar(inv: Invocation, spec: FileSpec, dest: str, tar: tarfile.TarFile) -> None:
    prefix = strip_path_shortcuts(go_clean(spec.file.lstrip("/\\")))
    warned = False
    for info in tar:
        if not info.name.startswith(prefix):
            raise CommandError("tar contents corrupted")
        target = go_join(dest, info.name[len(prefix) :])
        if not is_relative(dest, target):
            inv.stderr.write(
                f"warning: file {go_quote(target)} is outside target destination, skipping\n"
            )
            continue
        os.makedirs(os.path.dirname(target) or ".", 0o755, exist_ok=True)
        if info.isdir():
            os.makedirs(target, 0o755, exist_ok=True)
            continue
        if info.issym():
            note = f"warning: skipping symlink: {go_quote(target)} -> {go_quote(info.linkname)}"
            if not warned:
                note += (
                    f' (consider using "{PROGRAM} exec -n {go_quote(spec.namespace)} '
                    f'{go_quote(spec.pod)} -- tar cf - {go_quote(spec.file)} | tar xf -")'
                )
                warned = True
            inv.stderr.write(note + "\n")
            continue
        _extract(tar, info, target)


def copy_from_pod(remote: Remote, spec: FileSpec, dest: str, retries: int) -> None:
    from pykctl.streams import stdio

    pipe = TarPipe(remote, spec.file, retries, stdio.byte_writer(remote.inv.stdout))
    try:
        untar_all(remote.inv, spec, dest, pipe)  # type: ignore[arg-type]
    except (tarfile.TarError, EOFError):
        pipe.exec.thread.join()
        if pipe.exec.error is not None:
            raise pipe.exec.error from None
        raise CommandError("unexpected EOF") from None
    except OSError as err:
        raise CommandError(f"{err.filename}: {(err.strerror or str(err)).lower()}") from None
    pipe.finish()


# --- the command -------------------------------------------------------------------------


def run(inv: Invocation) -> int:
    """Complete, validate and run ``pykctl cp``."""
    from pykctl.session import Session

    args = inv.args
    if len(args) != 2:
        raise CommandError("source and destination are required")
    source, dest = file_spec(args[0]), file_spec(args[1])
    if source.pod and dest.pod:
        raise CommandError("one of src or dest must be a local file specification")
    if not source.file or not dest.file:
        raise CommandError("filepath can not be empty")
    if not source.pod and not dest.pod:
        raise CommandError("one of src or dest must be a remote file specification")
    flags = inv.flags
    with Session.open(inv) as session:
        remote_spec = source if source.pod else dest
        remote = Remote(
            inv,
            session,
            remote_spec.namespace or session.namespace,
            remote_spec.pod,
            str(flags["container"] or ""),
        )
        if source.pod:
            copy_from_pod(remote, source, dest.file, int(flags["retries"]))
        else:
            copy_to_pod(remote, source.file, dest.file, bool(flags["no_preserve"]))
    return 0


HELP = Help(
    use="cp <file-spec-src> <file-spec-dest>",
    short="Copy files and directories to and from containers",
    long="Copy files and directories to and from containers.",
    example="""# !!!Important Note!!!
# Requires that the 'tar' binary is present in your container
# image.  If 'tar' is not present, 'pykctl cp' will fail.
#
# For advanced use cases, such as symlinks, wildcard expansion or
# file mode preservation, consider using 'pykctl exec'.

# Copy /tmp/foo local file to /tmp/bar in a remote pod in namespace <some-namespace>
tar cf - /tmp/foo | pykctl exec -i -n <some-namespace> <some-pod> -- tar xf - -C /tmp/bar

# Copy /tmp/foo from a remote pod to /tmp/bar locally
pykctl exec -n <some-namespace> <some-pod> -- tar cf - /tmp/foo | tar xf - -C /tmp/bar

# Copy /tmp/foo_dir local directory to /tmp/bar_dir in a remote pod in the default namespace
pykctl cp /tmp/foo_dir <some-pod>:/tmp/bar_dir

# Copy /tmp/foo local file to /tmp/bar in a remote pod in a specific container
pykctl cp /tmp/foo <some-pod>:/tmp/bar -c <specific-container>

# Copy /tmp/foo local file to /tmp/bar in a remote pod in namespace <some-namespace>
pykctl cp /tmp/foo <some-namespace>/<some-pod>:/tmp/bar

# Copy /tmp/foo from a remote pod to /tmp/bar locally
pykctl cp <some-namespace>/<some-pod>:/tmp/foo /tmp/bar""",
)

FLAGS = [
    execcmd.container_flag(),
    Flag(
        "no-preserve",
        BOOL,
        usage="The copied file/directory's ownership and permissions will not be preserved in "
        "the container",
    ),
    Flag(
        "retries",
        INT,
        usage="Set number of retries to complete a copy operation from a container. Specify 0 to "
        "disable or any negative value for infinite retrying. The default is 0 (no retry).",
    ),
]

cp = KCommand("cp", run, HELP, FLAGS)
