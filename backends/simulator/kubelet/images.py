"""The image catalog: what each container image name resolves to on the simulated node.

An image reference is normalized as containerd does (``busybox`` →
``docker.io/library/busybox:latest``). It resolves to an :class:`Image` carrying the image
config a real registry would give (ENTRYPOINT, CMD, ENV, WORKDIR, USER), a stable fake digest and
size, and the ``kind`` that tells the runtime how to run it:

* ``kuard``: ``gcr.io/kuar-demo/kuard-{amd64,arm64,arm,ppc64le}`` with every tag, run by the
  Python stand-in (kuard.py) with the version string of the tag;
* ``nginx``: the nginx stand-in (nginx.py) serving ``/usr/share/nginx/html`` on port 80;
* ``shell``: busybox, alpine, ubuntu, debian, python, bash, ... whose programs come from the
  host (``sh``, ``sleep``, ``echo``, ``date``, ``python3`` ...);
* ``pause``: ``registry.k8s.io/pause`` (waits until told to stop).

An image not in the catalog resolves only when the container gives a ``command`` (it then runs
as a shell-style image); otherwise pulling it fails with containerd's message. Invariant: the
same reference always yields the same digest and size.
"""

from __future__ import annotations

import hashlib
import platform
import re
from dataclasses import dataclass, field

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_REFERENCE = re.compile(
    r"^(?P<name>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    r"(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)
_KUARD_REPOSITORIES = {
    f"gcr.io/kuar-demo/kuard-{arch}" for arch in ("amd64", "arm64", "arm", "ppc64le")
}
_KUARD_COLOURS = ("blue", "green", "purple")


class ImageError(Exception):
    """A reference that cannot be used; ``reason`` is the container's waiting reason
    (``InvalidImageName`` or ``ErrImagePull``), ``str()`` the message."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Reference:
    """A parsed image reference."""

    repository: str  # docker.io/library/busybox
    tag: str  # latest ("" with a digest only)
    digest: str  # sha256:... or ""

    @property
    def full(self) -> str:
        """What containerd reports as the container's image: ``repository:tag`` (or @digest)."""
        if self.tag:
            return f"{self.repository}:{self.tag}"
        return f"{self.repository}@{self.digest}"

    @property
    def short_name(self) -> str:
        """The last path component: ``busybox``."""
        return self.repository.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Image:
    """An image as the runtime runs it."""

    reference: Reference
    kind: str  # kuard | nginx | shell | pause
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = (("PATH", DEFAULT_PATH),)
    working_dir: str = "/"
    uid: int = 0
    gid: int = 0
    size: int = 4_000_000
    version: str = ""  # kuard's version string
    files: tuple[tuple[str, str], ...] = field(default=())  # (path, content) the image ships

    @property
    def image_id(self) -> str:
        """``repository@sha256:...`` (the container status' imageID)."""
        return f"{self.reference.repository}@{digest_of(self.reference)}"

    @property
    def name(self) -> str:
        return self.reference.full


def parse_reference(text: str) -> Reference:
    """Normalize ``text`` as containerd does; ImageError(InvalidImageName) when malformed."""
    match = _REFERENCE.match(text)
    if not text or match is None:
        raise ImageError(
            "InvalidImageName",
            f'Failed to apply default image tag "{text}": couldn\'t parse image reference '
            f'"{text}": invalid reference format'
            + (": repository name must be lowercase" if text != text.lower() else ""),
        )
    name = match.group("name")
    first, _, rest = name.partition("/")
    if not rest:
        repository = f"docker.io/library/{name}"
    elif "." in first or ":" in first or first == "localhost":
        repository = name
    else:
        repository = f"docker.io/{name}"
    digest = match.group("digest") or ""
    tag = match.group("tag") or ("" if digest else "latest")
    return Reference(repository, tag, digest)


def digest_of(reference: Reference) -> str:
    """The image's digest: the one in the reference, else a stable one derived from it."""
    if reference.digest:
        return reference.digest
    return "sha256:" + hashlib.sha256(reference.full.encode()).hexdigest()


def kuard_version(tag: str) -> tuple[str, str]:
    """(version string, code vintage) of a kuard tag: ``blue`` → ``v0.10.0-blue``,
    ``1`` → ``v0.8.1-1``."""
    if tag in _KUARD_COLOURS:
        return f"v0.10.0-{tag}", "v0.10.0"
    if tag.isdigit():
        return f"v0.8.1-{tag}", "v0.8.1"
    if tag.startswith("v0.8.") or tag.startswith("v0.7."):
        return tag, "v0.8.1"
    if tag.startswith("v"):
        return tag, "v0.10.0"
    return f"v0.10.0-{tag}", "v0.10.0"


def _python_env() -> tuple[tuple[str, str], ...]:
    return (
        ("PATH", DEFAULT_PATH),
        ("LANG", "C.UTF-8"),
        ("PYTHON_VERSION", platform.python_version()),
    )


# name → (ENTRYPOINT, CMD, size in bytes) of the shell-style images.
_SHELL_IMAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...], int]] = {
    "busybox": ((), ("sh",), 2_166_802),
    "alpine": ((), ("/bin/sh",), 3_653_068),
    "ubuntu": ((), ("/bin/bash",), 29_754_422),
    "debian": ((), ("bash",), 48_494_272),
    "bash": (("docker-entrypoint.sh",), ("bash",), 6_221_346),
    "centos": ((), ("/bin/bash",), 79_650_357),
    "fedora": ((), ("/bin/bash",), 65_113_482),
    "rockylinux": ((), ("/bin/bash",), 70_512_839),
    "almalinux": ((), ("/bin/bash",), 69_841_102),
    "amazonlinux": ((), ("/bin/bash",), 52_374_193),
    "python": ((), ("python3",), 412_612_033),
    "curl": (("/entrypoint.sh",), ("curl",), 11_985_012),
    "netshoot": ((), ("zsh",), 208_497_615),
}
_ENTRYPOINT_SCRIPTS = {"docker-entrypoint.sh", "/entrypoint.sh"}


def _shell(
    reference: Reference, entrypoint: tuple[str, ...], cmd: tuple[str, ...], size: int
) -> Image:
    env = _python_env() if reference.short_name == "python" else (("PATH", DEFAULT_PATH),)
    # Entrypoint scripts only exec their arguments; the host has no such script.
    entry = tuple(part for part in entrypoint if part not in _ENTRYPOINT_SCRIPTS)
    return Image(reference, "shell", entry, cmd, env, size=size)


def _nginx(reference: Reference) -> Image:
    from backends.simulator.kubelet.nginx import DEFAULT_FILES

    return Image(
        reference,
        "nginx",
        ("/docker-entrypoint.sh",),
        ("nginx", "-g", "daemon off;"),
        (("PATH", DEFAULT_PATH), ("NGINX_VERSION", "1.29.1"), ("PKG_RELEASE", "1~bookworm")),
        size=72_195_292,
        files=DEFAULT_FILES,
    )


def resolve(text: str, has_command: bool) -> Image:
    """The image ``text`` names; ImageError when it is malformed, or unknown and the container
    gives no command to run."""
    reference = parse_reference(text)
    repository = reference.repository
    name = reference.short_name
    if repository in _KUARD_REPOSITORIES:
        version, vintage = kuard_version(reference.tag or "blue")
        old = vintage == "v0.8.1"
        return Image(
            reference,
            "kuard",
            ("/kuard",) if old else (),
            () if old else ("/kuard",),
            uid=65534,
            gid=65534,
            size=11_196_418 if old else 10_991_284,
            version=version,
        )
    if name == "nginx" and repository in ("docker.io/library/nginx", "docker.io/nginxinc/nginx"):
        return _nginx(reference)
    if name == "pause" and repository.startswith(("registry.k8s.io/", "k8s.gcr.io/")):
        return Image(reference, "pause", ("/pause",), (), size=320_368)
    if name in _SHELL_IMAGES and (
        repository == f"docker.io/library/{name}" or name in ("curl", "netshoot", "busybox")
    ):
        entrypoint, cmd, size = _SHELL_IMAGES[name]
        return _shell(reference, entrypoint, cmd, size)
    if has_command:
        return _shell(reference, (), (), 4_000_000)
    raise ImageError("ErrImagePull", pull_error(reference))


def pull_error(reference: Reference) -> str:
    """containerd's error for an image the registry does not have."""
    full = reference.full
    if reference.repository.startswith("docker.io/"):
        detail = (
            "pull access denied, repository does not exist or may require authorization: "
            "server message: insufficient_scope: authorization failed"
        )
    else:
        detail = f"{full}: not found"
    return (
        f'failed to pull and unpack image "{full}": failed to resolve reference "{full}": {detail}'
    )


def argv_for(image: Image, command: list[str] | None, args: list[str] | None) -> list[str]:
    """The container's argv, by Kubernetes' rules for command/args over ENTRYPOINT/CMD."""
    if command:
        return [*command, *(args or [])]
    if args:
        return [*image.entrypoint, *args]
    return [*image.entrypoint, *image.cmd]
