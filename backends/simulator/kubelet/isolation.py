"""How a container's process is confined: bubblewrap namespaces when available, else a plain
process.

``isolation_mode()`` is ``"bwrap"`` when ``bwrap`` can create PID and UTS namespaces here (tried
once per process), else ``"plain"``; ``PYKCTL_ISOLATION=plain`` forces the plain mode.

* **bwrap**: each container gets its own mount, PID and UTS namespace, sharing the host network
  (so its pod IP is reachable). Its root is an empty tmpfs with the host's ``/usr`` and ``/etc``
  read-only and ``/bin``, ``/sbin``, ``/lib*`` as on the host, fresh ``/proc``, ``/dev``,
  ``/tmp``; volumes and image files are mounted at their paths. A mount below ``/usr`` or
  ``/etc`` whose path does not exist on the host (``/usr/share/nginx/html``, ``/etc/config``)
  is made possible by rebuilding the directories above it on the tmpfs, each other entry
  bound read-only one by one. The command runs as PID 1 of its namespace (``--as-pid-1``), so
  signals behave as in a container (PID 1 ignores SIGTERM unless it handles it); the hostname
  is the pod's. ``exec`` enters the namespaces with ``nsenter``.
* **plain**: the command runs on the host in its own process group. Volume paths that appear
  in the command and arguments are rewritten to the host directories that back them
  (``cat /data/x`` → ``cat <state>/pods/<uid>/volumes/.../x``), and the working directory is
  mapped the same way; the pod gets a Normal event saying so.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

BWRAP = "bwrap"
PLAIN = "plain"
_READ_ONLY_ROOTS = ("/usr", "/etc")
_HOST_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_SCRATCH_DIRS = ("/tmp", "/var/tmp", "/root", "/home", "/run", "/srv", "/mnt", "/opt")
SCRIPTS_DIR = "/.pykctl"  # where the stand-in servers' scripts appear in a sandbox


@dataclass(frozen=True)
class Mount:
    """A host path shown at ``destination`` inside the container."""

    destination: str
    source: str
    read_only: bool = False


@functools.lru_cache(maxsize=1)
def isolation_mode() -> str:
    """``bwrap`` or ``plain`` (see the module docstring); for ``pykctl sim status``."""
    if os.environ.get("PYKCTL_ISOLATION") == PLAIN:
        return PLAIN
    binary = shutil.which("bwrap")
    if binary is None or sys.platform != "linux":
        return PLAIN
    try:
        probe = subprocess.run(
            [binary, "--ro-bind", "/", "/", "--unshare-pid", "--unshare-uts", "--as-pid-1",
             "--die-with-parent", "true"],
            capture_output=True,
            timeout=10,
            check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return PLAIN
    return BWRAP if probe.returncode == 0 else PLAIN


def describe_mode() -> str:
    """One line for ``pykctl sim status``."""
    if isolation_mode() == BWRAP:
        return "bwrap (own mount, PID and UTS namespace per container; host network)"
    return "plain processes (no bubblewrap: volume paths are rewritten in commands)"


def _normal(path: str) -> str:
    return os.path.normpath("/" + path.lstrip("/"))


def _same_kind(host_path: str, source: str) -> bool:
    return os.path.isdir(host_path) == os.path.isdir(source)


def _expansions(mounts: Sequence[Mount]) -> tuple[set[str], set[str]]:
    """Host directories to rebuild on the tmpfs, and host entries to leave out of them."""
    expand: set[str] = set()
    skip: set[str] = set()
    for mount in mounts:
        dest = _normal(mount.destination)
        root = next((r for r in _READ_ONLY_ROOTS if dest.startswith(r + "/")), None)
        if root is None:
            continue
        if os.path.lexists(dest):
            if not os.path.islink(dest) and _same_kind(dest, mount.source):
                continue
            skip.add(dest)
        ancestor = os.path.dirname(dest)
        chain: list[str] = []
        while True:
            chain.append(ancestor)
            if ancestor == root:
                break
            ancestor = os.path.dirname(ancestor)
        for directory in reversed(chain):  # from the root down
            if os.path.islink(directory) or not os.path.isdir(directory):
                break
            expand.add(directory)
    return expand, skip


def _rebuild(directory: str, expand: set[str], skip: set[str], args: list[str]) -> None:
    args += ["--dir", directory]
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return
    for name in names:
        path = os.path.join(directory, name)
        if path in skip:
            continue
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif path in expand:
            _rebuild(path, expand, skip, args)
        elif os.path.isdir(path) or os.path.isfile(path):
            args += ["--ro-bind", path, path]


def _root_args(mounts: Sequence[Mount]) -> list[str]:
    expand, skip = _expansions(mounts)
    args: list[str] = []
    for root in _READ_ONLY_ROOTS:
        if root in expand:
            _rebuild(root, expand, skip, args)
        elif os.path.isdir(root):
            args += ["--ro-bind", root, root]
    for link in _HOST_LINKS:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            args += ["--ro-bind", link, link]
    return args


def bwrap_command(
    argv: Sequence[str], hostname: str, mounts: Sequence[Mount], working_dir: str, info_fd: int
) -> list[str]:
    """The bwrap command line running ``argv`` in a fresh sandbox (see the module docstring)."""
    args = [
        "bwrap",
        "--die-with-parent",
        "--unshare-pid",
        "--unshare-uts",
        "--as-pid-1",
        "--hostname",
        hostname,
        *_root_args(mounts),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--ro-bind-try",
        "/sys",
        "/sys",
    ]
    for scratch in _SCRATCH_DIRS:
        args += ["--dir", scratch]
    for mount in sorted(mounts, key=lambda m: _normal(m.destination).count("/")):
        flag = "--ro-bind" if mount.read_only else "--bind"
        args += [flag, mount.source, _normal(mount.destination)]
    workdir = _normal(working_dir or "/")
    if not any(workdir == _normal(m.destination) for m in mounts) and not os.path.isdir(workdir):
        args += ["--dir", workdir]
    args += ["--chdir", workdir, "--info-fd", str(info_fd), "--", *argv]
    return args


def sandbox_host_path(path: str, mounts: Sequence[Mount]) -> str | None:
    """Where container path ``path`` lives on the host in a bwrap sandbox: under a mount, or
    the host's own file for the read-only system directories; None when only the sandbox's
    tmpfs could hold it."""
    path = _normal(path)
    for mount in sorted(mounts, key=lambda m: len(_normal(m.destination)), reverse=True):
        destination = _normal(mount.destination)
        if path == destination or path.startswith(destination.rstrip("/") + "/"):
            return mount.source + path[len(destination) :]
    top = "/" + path.split("/")[1]
    return path if top in _READ_ONLY_ROOTS or top in _HOST_LINKS else None


def nsenter_command(pid: int, argv: Sequence[str]) -> list[str]:
    """Run ``argv`` inside the namespaces (mount, UTS, PID, and user when it has its own) and
    the root and working directory of container process ``pid``."""
    args = ["nsenter", "-t", str(pid), "-m", "-u", "-p", "-r", "-w"]
    try:
        if os.readlink(f"/proc/{pid}/ns/user") != os.readlink("/proc/self/ns/user"):
            args += ["-U", "--preserve-credentials"]
    except OSError:
        pass
    return [*args, "--", *argv]


def can_enter() -> bool:
    """Whether ``nsenter`` exists (else exec runs on the host, as in plain mode)."""
    return shutil.which("nsenter") is not None


class PathMap:
    """Plain mode: container paths to the host paths that back them."""

    def __init__(self, mounts: Sequence[Mount], root: str) -> None:
        self.root = root
        self.mounts = sorted(mounts, key=lambda m: len(_normal(m.destination)), reverse=True)
        self._pattern = (
            re.compile(
                "|".join(
                    r"(?<![\w./-])" + re.escape(_normal(m.destination)) + r"(?=/|$|[^\w.-])"
                    for m in self.mounts
                )
            )
            if self.mounts
            else None
        )
        self._sources = {_normal(m.destination): m.source for m in self.mounts}

    def host_path(self, path: str) -> str:
        """Where container path ``path`` lives on the host."""
        path = _normal(path)
        for mount in self.mounts:
            dest = _normal(mount.destination)
            if path == dest or path.startswith(dest.rstrip("/") + "/"):
                return mount.source + path[len(dest) :]
        return os.path.join(self.root, path.lstrip("/"))

    def rewrite(self, text: str) -> str:
        """``text`` with every mount path replaced by its host directory."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._sources[m.group(0)], text)
