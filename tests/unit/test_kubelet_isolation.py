"""How containers are confined: bubblewrap command lines (mount planning) and plain-mode path
mapping. Pure: nothing is run."""

from __future__ import annotations

import itertools
import os

import pytest

from backends.simulator.kubelet import isolation
from backends.simulator.kubelet.isolation import Mount, PathMap, bwrap_command


def pairs(args: list[str], flag: str) -> list[tuple[str, str]]:
    return [(args[i + 1], args[i + 2]) for i, arg in enumerate(args) if arg == flag]


def test_a_sandbox_with_a_volume() -> None:
    args = bwrap_command(["sleep", "1"], "pod1", [Mount("/data", "/host/vol")], "/data", 7)
    assert args[:6] == [
        "bwrap",
        "--die-with-parent",
        "--unshare-pid",
        "--unshare-uts",
        "--as-pid-1",
        "--hostname",
    ]
    assert args[6] == "pod1"
    assert ("/usr", "/usr") in pairs(args, "--ro-bind") and ("/etc", "/etc") in pairs(
        args, "--ro-bind"
    )
    assert ("/host/vol", "/data") in pairs(args, "--bind")
    assert args[-7:] == ["--chdir", "/data", "--info-fd", "7", "--", "sleep", "1"]
    assert args.index("--proc") < args.index("--bind")


@pytest.mark.skipif(
    not os.path.isdir("/usr/share") or os.path.exists("/usr/share/nginx"), reason="host layout"
)
def test_a_mount_below_usr_rebuilds_the_directories_above_it() -> None:
    args = bwrap_command(
        ["nginx"], "web", [Mount("/usr/share/nginx/html", "/host/html", True)], "/", 3
    )
    assert ("/usr", "/usr") not in pairs(args, "--ro-bind")
    dirs = [args[i + 1] for i, arg in enumerate(args) if arg == "--dir"]
    assert dirs.index("/usr") < dirs.index("/usr/share")
    ro = pairs(args, "--ro-bind")
    assert ("/usr/bin", "/usr/bin") in ro or ("usr/bin", "/usr/bin") in pairs(args, "--symlink")
    assert ("/host/html", "/usr/share/nginx/html") in ro
    assert ro.index(("/host/html", "/usr/share/nginx/html")) == len(ro) - 1


def test_mounting_over_an_existing_host_file_needs_no_rebuild() -> None:
    args = bwrap_command(["sh"], "p", [Mount("/etc/hosts", "/pod/etc-hosts", True)], "/", 3)
    assert ("/etc", "/etc") in pairs(args, "--ro-bind")
    assert ("/pod/etc-hosts", "/etc/hosts") in pairs(args, "--ro-bind")


def test_a_working_directory_that_does_not_exist_is_created() -> None:
    args = bwrap_command(["sh"], "p", [], "/app", 3)
    assert ("--dir", "/app") in itertools.pairwise(args)


def test_plain_mode_rewrites_volume_paths() -> None:
    paths = PathMap(
        [Mount("/data", "/state/vol"), Mount("/data/sub", "/state/other")], "/state/root"
    )
    assert paths.rewrite("cat /data/x; ls /data/sub/y /database /data") == (
        "cat /state/vol/x; ls /state/other/y /database /state/vol"
    )
    assert paths.host_path("/data/sub/z") == "/state/other/z"
    assert paths.host_path("/tmp/t") == "/state/root/tmp/t"
    assert PathMap([], "/r").rewrite("echo /data") == "echo /data"


def test_plain_mode_can_be_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYKCTL_ISOLATION", "plain")
    isolation.isolation_mode.cache_clear()
    try:
        assert isolation.isolation_mode() == "plain"
        assert isolation.describe_mode().startswith("plain processes")
    finally:
        monkeypatch.delenv("PYKCTL_ISOLATION")
        isolation.isolation_mode.cache_clear()


def test_nsenter_enters_the_containers_namespaces() -> None:
    command = isolation.nsenter_command(os.getpid(), ["ls", "-l"])
    assert command[:9] == ["nsenter", "-t", str(os.getpid()), "-m", "-u", "-p", "-r", "-w", "--"]
    assert command[-2:] == ["ls", "-l"]


def test_where_a_sandbox_path_lives_on_the_host() -> None:
    mounts = [Mount("/data", "/state/vol"), Mount("/data/sub", "/state/other")]
    assert isolation.sandbox_host_path("/data/sub/x", mounts) == "/state/other/x"
    assert isolation.sandbox_host_path("/data/y", mounts) == "/state/vol/y"
    assert isolation.sandbox_host_path("/usr/bin/sh", mounts) == "/usr/bin/sh"
    assert isolation.sandbox_host_path("/bin/sh", mounts) == "/bin/sh"
    assert isolation.sandbox_host_path("/root/tool", mounts) is None
