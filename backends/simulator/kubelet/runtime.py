"""The container runtime: each container instance is a local process (group), sandboxed by
bubblewrap where available (isolation.py), its output captured to CRI log files (logs.py).

``Runtime.start(spec)`` launches an instance and returns a :class:`Container` whose ``state``
goes ``running`` → ``exited`` (``exit_code``, ``reason`` Completed/Error/OOMKilled, message from
the termination-message file or, with FallbackToLogsOnError, the log tail). A command that
cannot run raises :class:`StartError` with containerd's message (the kubelet reports
StartError, exit code 128). ``Container.stop(grace)`` sends SIGTERM to the container's PID 1 (a
PID 1 that does not handle it ignores it, as in a real container), waits up to ``grace``
seconds on the injected clock, then SIGKILLs; memory limits are enforced by resources.py.

Streaming hooks, for the exec/attach/port-forward engineer:

* ``await runtime.exec(container, ["ls", "-l"], stdin=True, tty=False)`` → :class:`ExecSession`
  with ``stdin`` (StreamWriter or None), ``stdout``/``stderr`` (StreamReaders; ``stderr`` is None
  with a tty, whose output all comes on ``stdout``), ``resize(w, h)`` and ``await wait()`` → exit
  code. ExecError carries containerd's message when the command cannot start.
* ``container.attach()`` → :class:`AttachSession`: live output (``await next_output()`` →
  ``(stream, bytes)`` or None at exit) and, when the container has ``stdin: true``, ``write``.
* port-forward connects to the pod IP (kubelet.py ``port_forward``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import fcntl
import functools
import json
import os
import pty
import secrets
import shutil
import signal
import struct
import sys
import termios
from collections.abc import Callable
from dataclasses import dataclass, field

from backends.simulator.clock import Clock
from backends.simulator.kubelet import isolation, timing
from backends.simulator.kubelet.images import Image
from backends.simulator.kubelet.isolation import SCRIPTS_DIR, Mount, PathMap
from backends.simulator.kubelet.logs import LogStore, LogWriter
from backends.simulator.kubelet.resources import (
    Confinement,
    Limits,
    RssPoller,
    Watched,
    confine,
    memory_mode,
)

SCRIPTS_HOST_DIR = os.path.dirname(os.path.abspath(__file__))
RUNTIME_NAME = "pykctl"  # the container ID scheme, as the Node reports its runtime (pykctl://...)
_SHELL_ALIASES = {"ash": "sh", "/bin/ash": "/bin/sh"}  # busybox/alpine shells, from the host's sh
_TERMINATION_MESSAGE_MAX = 4096
_FALLBACK_LINES = 80
_FALLBACK_BYTES = 2048
_EXEC_ATTEMPTS = 2000
_EXEC_POLL_SECONDS = 0.001
_LISTEN_ATTEMPTS = 250
_LISTEN_POLL_SECONDS = 0.02
_PAUSE_SCRIPT = 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'


class StartError(Exception):
    """The container's process cannot start; the message is containerd's."""


class ExecError(Exception):
    """An exec cannot start; the message is containerd's."""


def container_id(hex_id: str) -> str:
    """A container ID as the kubelet reports it: ``pykctl://<64 hex>``."""
    return f"{RUNTIME_NAME}://{hex_id}"


def _oci_error(detail: str) -> str:
    return (
        "failed to create containerd task: failed to create shim task: OCI runtime create "
        "failed: runc create failed: unable to start container process: error during "
        f"container init: {detail}: unknown"
    )


@dataclass
class ContainerSpec:
    """Everything needed to launch one instance of a container."""

    pod_uid: str
    namespace: str
    pod_name: str
    name: str
    attempt: int
    image: Image
    argv: list[str]
    env: dict[str, str]
    working_dir: str
    hostname: str
    mounts: list[Mount]
    pod_ip: str
    pod_dir: str
    limits: Limits = field(default_factory=Limits)
    qos: str = "BestEffort"
    stdin: bool = False
    stdin_once: bool = False
    tty: bool = False
    termination_message_path: str = "/dev/termination-log"
    termination_message_policy: str = "File"
    port_offset: int = 0  # added to privileged ports the stand-in servers cannot bind


def python_in_sandbox() -> tuple[str, list[Mount]]:
    """The interpreter the stand-in servers run with inside a sandbox, and what to mount."""
    executable = os.path.realpath(sys.executable)
    prefix = os.path.realpath(sys.base_prefix)
    if prefix == "/usr" or prefix.startswith("/usr/"):
        return executable, []
    return executable, [Mount(prefix, prefix, read_only=True)]


def _stand_in(spec: ContainerSpec, argv: list[str]) -> tuple[list[str], dict[str, str]] | None:
    """argv/env for kuard and nginx when the command is theirs (None: run ``argv`` as is)."""
    kind = spec.image.kind
    sandboxed = isolation.isolation_mode() == isolation.BWRAP
    scripts = SCRIPTS_DIR if sandboxed else SCRIPTS_HOST_DIR
    python = python_in_sandbox()[0] if sandboxed else sys.executable
    extra = {"PYKCTL_POD_IP": spec.pod_ip, "PYKCTL_HOSTNAME": spec.hostname}
    if not sandboxed:
        extra["PYKCTL_FS_MAP"] = json.dumps({m.destination: m.source for m in spec.mounts})
    if spec.port_offset:
        extra["PYKCTL_PORT_OFFSET"] = str(spec.port_offset)
    if kind == "kuard":
        if argv and argv[0] in ("/kuard", "kuard"):
            args = argv[1:]
        elif argv and argv[0].startswith("-"):
            args = argv  # lenient: args without command on a CMD-only image
        elif not argv:
            args = []
        else:
            return None
        extra["PYKCTL_KUARD_VERSION"] = spec.image.version
        if "LC_CTYPE" not in spec.env:
            extra["PYKCTL_UNSET"] = "LC_CTYPE"
        return [python, "-I", f"{scripts}/kuard.py", *args], extra
    if kind == "nginx":
        rest = [a for a in argv if a != "/docker-entrypoint.sh"]
        if rest and os.path.basename(rest[0]) == "nginx":
            return [python, "-I", f"{scripts}/nginx.py", *rest[1:]], extra
        return None
    if kind == "pause" and argv == ["/pause"]:
        return ["sh", "-c", _PAUSE_SCRIPT], {}
    return None


def _listen_port(spec: ContainerSpec, argv: list[str]) -> int:
    """The port a stand-in server listens on (kuard's ``--address``, nginx's 80)."""
    if spec.image.kind == "nginx":
        return 80 + spec.port_offset
    for index, arg in enumerate(argv):
        value = None
        if arg.startswith("--address="):
            value = arg.split("=", 1)[1]
        elif arg == "--address" and index + 1 < len(argv):
            value = argv[index + 1]
        if value is not None and value.rpartition(":")[2].isdigit():
            return int(value.rpartition(":")[2])
    return 8080


def _resolve(argv0: str, path_env: str, view: Callable[[str], str | None]) -> str | None:
    """Host path of ``argv0`` as the container would find it (None: not found)."""
    candidates = (
        [argv0] if "/" in argv0 else [os.path.join(d or ".", argv0) for d in path_env.split(":")]
    )
    for candidate in candidates:
        host = view(candidate)
        if host and os.path.isfile(host) and os.access(host, os.X_OK):
            return candidate
    return None


class AttachSession:
    """A live view of a running container (kubectl attach)."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self._queue = container.writer.subscribe()

    async def next_output(self) -> tuple[str, bytes] | None:
        """The next chunk of output as ``(stream, data)``; None once the container exited."""
        return await self._queue.get()

    def write(self, data: bytes) -> None:
        """Send ``data`` to the container's stdin (needs ``stdin: true``)."""
        self.container.write_stdin(data)

    def close_stdin(self) -> None:
        """End of input (``stdinOnce`` containers then see EOF)."""
        if self.container.spec.stdin_once:
            self.container.close_stdin()

    def resize(self, width: int, height: int) -> None:
        self.container.resize(width, height)

    def close(self) -> None:
        self.container.writer.unsubscribe(self._queue)


@dataclass
class ExecSession:
    """A command running in a container (kubectl exec)."""

    process: asyncio.subprocess.Process
    stdin: asyncio.StreamWriter | None
    stdout: asyncio.StreamReader
    stderr: asyncio.StreamReader | None
    pty_master: int | None = None

    def resize(self, width: int, height: int) -> None:
        if self.pty_master is not None:
            _set_size(self.pty_master, width, height)

    async def wait(self) -> int:
        """The command's exit code (128+n when killed by signal n)."""
        code = await self.process.wait()
        if self.pty_master is not None:
            with contextlib.suppress(OSError):
                os.close(self.pty_master)
            self.pty_master = None
        return 128 - code if code < 0 else code


def _set_size(fd: int, width: int, height: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))


class Container:
    """One instance of a container: a process, its log and its exit."""

    def __init__(self, spec: ContainerSpec, runtime: Runtime) -> None:
        self.spec = spec
        self.runtime = runtime
        self.id = secrets.token_hex(32)
        self.state = "created"
        self.started_at: datetime.datetime | None = None
        self.finished_at: datetime.datetime | None = None
        self.exit_code: int | None = None
        self.reason = ""
        self.message = ""
        self.pid = 0  # the process we spawned (bwrap, or the command itself)
        self.main_pid = 0  # the container's PID 1, as the host sees it
        self.oom = False
        self.oom_message = ""
        self.exited = asyncio.Event()
        self.writer: LogWriter = runtime.logs.create(
            runtime.log_dir(spec), spec.name, spec.attempt, self.id
        )
        self._process: asyncio.subprocess.Process | None = None
        self._pty_master: int | None = None
        self._stdin: asyncio.StreamWriter | None = None
        self._confinement: Confinement | None = None
        self._readers: list[asyncio.Task[None]] = []
        self._termination_file = ""
        self.on_exit: list[Callable[[Container], None]] = []

    @property
    def full_id(self) -> str:
        return container_id(self.id)

    @property
    def cgroup_directories(self) -> tuple[str, ...]:
        """The cgroup directories confining this instance (none where cgroups are unavailable)."""
        return tuple(self._confinement.directories) if self._confinement is not None else ()

    # -------------------------------------------------------------------------- start

    async def start(self) -> None:
        spec = self.spec
        argv = list(spec.argv)
        if argv and argv[0] in _SHELL_ALIASES:
            argv[0] = _SHELL_ALIASES[argv[0]]
        env = dict(spec.env)
        stand_in = _stand_in(spec, argv)
        sandboxed = isolation.isolation_mode() == isolation.BWRAP
        mounts = list(spec.mounts)
        if stand_in is not None:
            argv, extra = stand_in
            env.update(extra)
            if sandboxed:
                mounts.append(Mount(SCRIPTS_DIR, SCRIPTS_HOST_DIR, read_only=True))
                mounts.extend(python_in_sandbox()[1])
        if not argv:
            raise StartError(_oci_error("exec: no command specified"))
        path_env = env.get("PATH", "")
        if sandboxed:
            self._termination_file = os.path.join(
                self.runtime.instance_dir(spec), f"{spec.name}-{spec.attempt}-termination-log"
            )
            with open(self._termination_file, "w", encoding="utf-8"):
                pass
            mounts.append(Mount(spec.termination_message_path, self._termination_file))
            found = _resolve(
                argv[0], path_env, functools.partial(isolation.sandbox_host_path, mounts=mounts)
            )
        else:
            path_map = PathMap(mounts, self.runtime.instance_dir(spec))
            argv = [path_map.rewrite(arg) for arg in argv]
            found = _resolve(argv[0], path_env, lambda p: p)
        if found is None:
            detail = (
                f'exec: "{argv[0]}": executable file not found in $PATH'
                if "/" not in argv[0]
                else f'exec: "{argv[0]}": stat {argv[0]}: no such file or directory'
            )
            raise StartError(_oci_error(detail))
        self._confinement = confine(
            f"{spec.pod_uid}-{spec.name}-{spec.attempt}", spec.limits, spec.qos
        )
        try:
            await self._spawn(argv, env, mounts, sandboxed)
            if stand_in is not None and spec.image.kind in ("kuard", "nginx"):
                await self._until_listening(_listen_port(spec, argv))
        except BaseException:  # StartError, or the pod worker cancelled while starting
            await self._abandon()
            raise
        self.state = "running"
        self.started_at = self.runtime.clock.now()
        if spec.limits.memory_bytes is not None and memory_mode() == "rss-poll":
            self.runtime.rss.watch(
                self.id, Watched(self.main_pid, spec.limits.memory_bytes, self._kill_oom)
            )
        asyncio.get_running_loop().create_task(self._wait())

    async def _spawn(
        self, argv: list[str], env: dict[str, str], mounts: list[Mount], sandboxed: bool
    ) -> None:
        spec = self.spec
        assert self._confinement is not None
        info_read, info_write = os.pipe() if sandboxed else (-1, -1)
        if sandboxed:
            command = isolation.bwrap_command(
                argv, spec.hostname, mounts, spec.working_dir, info_write
            )
            cwd = "/"
        else:
            command = argv
            cwd = PathMap(mounts, self.runtime.instance_dir(spec)).host_path(
                spec.working_dir or "/"
            )
            os.makedirs(cwd, exist_ok=True)
        command = [*self._confinement.wrapper(), *command]
        nice = self._confinement.nice
        if nice:
            command = ["nice", "-n", str(nice), *command]
        stdio: dict[str, int] = {}
        if spec.tty:
            master, slave = pty.openpty()
            self._pty_master = master
            stdio = {"stdin": slave, "stdout": slave, "stderr": slave}
        else:
            stdio = {
                "stdin": asyncio.subprocess.PIPE if spec.stdin else asyncio.subprocess.DEVNULL,
                "stdout": asyncio.subprocess.PIPE,
                "stderr": asyncio.subprocess.PIPE,
            }
        try:
            self._process = await asyncio.create_subprocess_exec(
                *command,
                env=env,
                cwd=cwd,
                start_new_session=True,
                pass_fds=(info_write,) if sandboxed else (),
                **stdio,  # type: ignore[arg-type]
            )
        except OSError as err:
            raise StartError(_oci_error(f"exec: {err.strerror}")) from None
        finally:
            if sandboxed:
                os.close(info_write)
            if spec.tty:
                os.close(stdio["stdout"])
        self.pid = self._process.pid
        self.main_pid = self.pid
        if sandboxed:
            self.main_pid = await self._child_pid(info_read) or self.pid
            await _until_exec(self.main_pid)
        self._start_readers()

    async def _until_listening(self, port: int) -> None:
        """Wait (briefly) until a stand-in server accepts connections, as a Go binary would
        before a probe could reach it."""
        assert self._process is not None
        for _ in range(_LISTEN_ATTEMPTS):
            if self._process.returncode is not None:
                return
            try:
                _, writer = await asyncio.open_connection(self.spec.pod_ip, port)
            except OSError:
                await asyncio.sleep(_LISTEN_POLL_SECONDS)
                continue
            writer.close()
            return

    async def _child_pid(self, fd: int) -> int | None:
        """bwrap's ``child-pid`` from its info fd."""
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", 0)
        )
        data = b""
        try:
            while True:
                chunk = await asyncio.wait_for(reader.read(4096), 30)
                if not chunk:
                    break
                data += chunk
                try:
                    return int(json.loads(data)["child-pid"])
                except (ValueError, KeyError):
                    continue
        except asyncio.TimeoutError:
            pass
        finally:
            transport.close()
        return None

    def _start_readers(self) -> None:
        loop = asyncio.get_running_loop()
        process = self._process
        assert process is not None
        if self._pty_master is not None:
            master = self._pty_master

            def readable() -> None:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    data = b""
                if data:
                    self.writer.write("stdout", data)
                else:
                    loop.remove_reader(master)

            loop.add_reader(master, readable)
            return
        for stream, reader in (("stdout", process.stdout), ("stderr", process.stderr)):
            if reader is not None:
                self._readers.append(loop.create_task(self._pump(stream, reader)))
        self._stdin = process.stdin

    async def _pump(self, stream: str, reader: asyncio.StreamReader) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                return
            self.writer.write(stream, data)

    # --------------------------------------------------------------------------- exit

    async def _abandon(self) -> None:
        """Undo a start that did not finish: kill and reap the process, free its resources."""
        process = self._process
        if process is not None:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.pid, signal.SIGKILL)
            await process.wait()
            for task in self._readers:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._pty_master is not None:
            asyncio.get_running_loop().remove_reader(self._pty_master)
            with contextlib.suppress(OSError):
                os.close(self._pty_master)
            self._pty_master = None
        if self._confinement is not None:
            self._confinement.release()

    async def _wait(self) -> None:
        assert self._process is not None
        code = await self._process.wait()
        for task in self._readers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._pty_master is not None:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self._pty_master)
            with contextlib.suppress(OSError):
                while True:
                    data = os.read(self._pty_master, 65536)
                    if not data:
                        break
                    self.writer.write("stdout", data)
            with contextlib.suppress(OSError):
                os.close(self._pty_master)
            self._pty_master = None
        self.runtime.rss.unwatch(self.id)
        self.exit_code = 128 - code if code < 0 else code
        self.finished_at = self.runtime.clock.now()
        if self._confinement is not None and self._confinement.oom_killed():
            self.oom = True
        if self.oom:
            self.reason, self.exit_code = "OOMKilled", 137
        else:
            self.reason = "Completed" if self.exit_code == 0 else "Error"
        self.message = self._termination_message()
        self.writer.close()
        self.runtime.logs.finished(self.id)
        if self._confinement is not None:
            self._confinement.release()
        if self._termination_file:
            with contextlib.suppress(OSError):
                os.unlink(self._termination_file)
        self.state = "exited"
        self.exited.set()
        for callback in self.on_exit:
            callback(self)

    def _termination_message(self) -> str:
        message = ""
        if self._termination_file:
            with contextlib.suppress(OSError), open(self._termination_file, "rb") as f:
                message = f.read(_TERMINATION_MESSAGE_MAX).decode("utf-8", "replace")
        if (
            not message
            and self.exit_code
            and self.spec.termination_message_policy == "FallbackToLogsOnError"
        ):
            with contextlib.suppress(OSError), open(self.writer.path, "rb") as f:
                lines = [line.split(b" ", 3)[-1] for line in f.read().splitlines()]
            tail = b"\n".join(lines[-_FALLBACK_LINES:])[-_FALLBACK_BYTES:]
            message = tail.decode("utf-8", "replace")
        return message

    def _kill_oom(self, rss: int) -> None:
        self.oom = True
        limit = self.spec.limits.memory_bytes or 0
        self.oom_message = (
            f"Memory cgroup out of memory: Killed process {self.main_pid} ({_comm(self.main_pid)}) "
            f"anon-rss:{rss // 1024}kB, over the memory limit of {limit // 1024}kB "
            f"of container {self.spec.name}"
        )
        self.signal(signal.SIGKILL)

    # ------------------------------------------------------------------------ control

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the container: its PID 1 (sandbox) or its process group."""
        if self.state != "running":
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self.main_pid != self.pid:
                os.kill(self.main_pid, sig)
            else:
                os.killpg(self.pid, sig)

    async def stop(self, grace: float) -> None:
        """SIGTERM, up to ``grace`` seconds (injected clock), then SIGKILL; returns at exit."""
        if self.state == "exited":
            return
        self.signal(signal.SIGTERM)
        try:
            await timing.wait_for(self.runtime.clock, self.exited.wait(), max(0.0, grace))
        except asyncio.TimeoutError:
            self.signal(signal.SIGKILL)
            await self.exited.wait()

    def write_stdin(self, data: bytes) -> None:
        if self._pty_master is not None:
            with contextlib.suppress(OSError):
                os.write(self._pty_master, data)
        elif self._stdin is not None and not self._stdin.is_closing():
            self._stdin.write(data)

    def close_stdin(self) -> None:
        if self._stdin is not None and not self._stdin.is_closing():
            self._stdin.close()

    def resize(self, width: int, height: int) -> None:
        if self._pty_master is not None:
            _set_size(self._pty_master, width, height)

    def attach(self) -> AttachSession:
        return AttachSession(self)


async def _until_exec(pid: int) -> None:
    """Wait until the sandbox's PID 1 has exec'd the command (the sandbox is then complete:
    its mounts, root and working directory are what ``exec`` will enter)."""
    for _ in range(_EXEC_ATTEMPTS):
        try:
            if not os.readlink(f"/proc/{pid}/exe").endswith("/bwrap"):
                return
        except OSError:
            return
        await asyncio.sleep(_EXEC_POLL_SECONDS)


def _pty_reader(master: int) -> asyncio.StreamReader:
    """A StreamReader over a pty master: EOF (not EIO) once the other side is gone."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()

    def readable() -> None:
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b""
        if data:
            reader.feed_data(data)
        else:
            loop.remove_reader(master)
            reader.feed_eof()

    loop.add_reader(master, readable)
    return reader


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return "?"


class Runtime:
    """Starts container instances of one node; owns the RSS poller and the log store."""

    def __init__(self, clock: Clock, logs: LogStore, root: str) -> None:
        self.clock = clock
        self.logs = logs
        self.root = root
        self.rss = RssPoller()

    def log_dir(self, spec: ContainerSpec) -> str:
        return self.logs.pod_dir(spec.namespace, spec.pod_name, spec.pod_uid)

    def instance_dir(self, spec: ContainerSpec) -> str:
        """Scratch space of the pod's containers (termination logs, plain-mode roots)."""
        path = os.path.join(spec.pod_dir, "containers")
        os.makedirs(path, exist_ok=True)
        return path

    async def start(self, spec: ContainerSpec) -> Container:
        """Launch an instance (StartError when its command cannot run)."""
        container = Container(spec, self)
        try:
            await container.start()
        except BaseException:
            container.writer.close()
            self.logs.finished(container.id)
            raise
        return container

    async def exec(
        self, container: Container, command: list[str], stdin: bool = False, tty: bool = False
    ) -> ExecSession:
        """Run ``command`` in a running container (see the module docstring)."""
        if container.state != "running":
            raise ExecError(f"container not running ({container.id})")
        argv = list(command)
        if argv and argv[0] in _SHELL_ALIASES:
            argv[0] = _SHELL_ALIASES[argv[0]]
        spec = container.spec
        env = dict(spec.env)
        sandboxed = container.main_pid != container.pid and isolation.can_enter()
        if sandboxed:
            view = functools.partial(isolation.sandbox_host_path, mounts=spec.mounts)
            found = _resolve(argv[0], env.get("PATH", ""), view) if argv else None
            full = isolation.nsenter_command(container.main_pid, argv)
            cwd = "/"
        else:
            path_map = PathMap(spec.mounts, self.instance_dir(spec))
            argv = [path_map.rewrite(arg) for arg in argv]
            found = shutil.which(argv[0], path=env.get("PATH")) if argv else None
            full = argv
            cwd = path_map.host_path(spec.working_dir or "/")
            os.makedirs(cwd, exist_ok=True)
        if found is None:
            name = argv[0] if argv else ""
            raise ExecError(
                f'failed to exec in container: failed to start exec "{secrets.token_hex(32)}": '
                "OCI runtime exec failed: exec failed: unable to start container process: "
                f'exec: "{name}": executable file not found in $PATH: unknown'
            )
        master: int | None = None
        if tty:
            master, slave = pty.openpty()
            stdio = {"stdin": slave, "stdout": slave, "stderr": slave}
        else:
            stdio = {
                "stdin": asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
                "stdout": asyncio.subprocess.PIPE,
                "stderr": asyncio.subprocess.PIPE,
            }
        try:
            process = await asyncio.create_subprocess_exec(
                *full,
                env=env,
                cwd=cwd,
                start_new_session=True,
                **stdio,  # type: ignore[arg-type]
            )
        finally:
            if tty:
                os.close(stdio["stdout"])
        if master is None:
            assert process.stdout is not None
            return ExecSession(process, process.stdin, process.stdout, process.stderr)
        loop = asyncio.get_running_loop()
        reader = _pty_reader(master)
        write_transport, write_protocol = await loop.connect_write_pipe(
            asyncio.streams.FlowControlMixin, os.fdopen(os.dup(master), "wb", 0)
        )
        writer = asyncio.StreamWriter(write_transport, write_protocol, None, loop)
        return ExecSession(process, writer if stdin else None, reader, None, master)

    async def stop(self) -> None:
        await self.rss.stop()
