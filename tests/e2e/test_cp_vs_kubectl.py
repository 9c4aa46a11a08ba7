"""``pykctl cp`` against the real kubectl on one simulator: both tools copy the same local
files into the same pod path (the pod is reset in between) and back, and must print the same
bytes, exit the same way and leave the same files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.e2e.streams_support import Streams, busybox, normalise, streams

pytestmark = pytest.mark.e2e
__all__ = ["streams"]

POD = "cp-target"
SETUP = "mkdir -p /tmp/d/sub /tmp/in; echo one > /tmp/d/a; echo two > /tmp/d/sub/b; sleep 3600"
RESET = "rm -rf /tmp/in /tmp/x /tmp/dir2; mkdir -p /tmp/in"


@pytest.fixture(scope="module")
def pod(streams: Streams) -> Iterator[str]:
    yield streams.pod(busybox(POD, SETUP))


def _tree(root: Path) -> dict[str, str]:
    found = {}
    for path in sorted(root.rglob("*")):
        if ".kube" in path.parts or ".cache" in path.parts:
            continue
        relative = str(path.relative_to(root))
        found[relative] = "<dir>" if path.is_dir() else path.read_text()
        found[relative + ":mode"] = oct(path.stat().st_mode & 0o777)
    return found


def _local(home: Path) -> None:
    (home / "f.txt").write_text("hello\n")
    os.chmod(home / "f.txt", 0o640)
    (home / "dir" / "inner").mkdir(parents=True, exist_ok=True)
    (home / "dir" / "x").write_text("x\n")
    (home / "dir" / "inner" / "y").write_text("y\n")


def _remote_listing(streams: Streams) -> str:
    return streams.ok(
        "exec",
        POD,
        "--",
        "sh",
        "-c",
        "cd /tmp && find in x dir2 2>/dev/null | sort; "
        "find in x dir2 -type f 2>/dev/null | sort | xargs -r cat; "
        "stat -c '%n %a' $(find in x dir2 -type f 2>/dev/null | sort) 2>/dev/null; true",
    )


def _twice(streams: Streams, *args: str) -> tuple[Result, Result, str, str]:
    """Each tool from its own home, the pod reset before each; results and pod listings."""
    listings = []
    results = []
    for tool, home in (
        (streams.kubectl, streams.kubectl_home),
        (streams.pykctl, streams.pykctl_home),
    ):
        streams.ok("exec", POD, "--", "sh", "-c", RESET)
        _local(home)
        results.append(tool(*args, cwd=home))
        listings.append(_remote_listing(streams))
    return results[0], results[1], listings[0], listings[1]


@pytest.mark.parametrize(
    "args",
    [
        ["f.txt", f"{POD}:/tmp/in/f.txt"],
        ["f.txt", f"{POD}:/tmp/in"],
        ["f.txt", f"{POD}:/tmp/in/"],
        ["dir", f"{POD}:/tmp/dir2"],
        ["dir", f"{POD}:/tmp/in"],
        ["f.txt", f"default/{POD}:/tmp/x", "--no-preserve"],
        ["f.txt", f"{POD}:/tmp/in/f.txt", "-c", POD],
        ["f.txt", f"{POD}:/no/such/dir/f"],
        ["missing", f"{POD}:/tmp/in"],
    ],
    ids=lambda a: " ".join(a),
)
def test_copy_to_the_pod(streams: Streams, pod: str, args: list[str]) -> None:
    theirs, ours, their_files, our_files = _twice(streams, "cp", *args)
    assert normalise(ours) == normalise(theirs)
    assert our_files == their_files


def _without_tar_notes(result: Result) -> tuple[str, str, int]:
    """kubectl exits once the archive ended, often before the remote tar's notes arrive."""
    stdout, stderr, code = normalise(result)
    return (
        "".join(line for line in stdout.splitlines(True) if not line.startswith("tar: ")),
        stderr,
        code,
    )


@pytest.mark.parametrize(
    "args",
    [
        [f"{POD}:/tmp/d", "out"],
        [f"{POD}:/tmp/d/", "out"],
        [f"{POD}:/tmp/d/a", "a.out"],
        [f"{POD}:tmp/d/a", "a.out"],
        [f"default/{POD}:/tmp/d", "out"],
        [f"{POD}:/tmp/../tmp/d", "out"],
        [f"{POD}:/tmp/d/a", "a.out", "--retries=2"],
        [f"{POD}:/tmp/d", "out", "-c", "nope"],
    ],
    ids=lambda a: " ".join(a),
)
def test_copy_from_the_pod(streams: Streams, pod: str, args: list[str]) -> None:
    results = []
    trees = []
    for tool, home in (
        (streams.kubectl, streams.kubectl_home),
        (streams.pykctl, streams.pykctl_home),
    ):
        work = home / "from"
        work.mkdir(exist_ok=True)
        for path in sorted(work.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        results.append(tool("cp", *args, cwd=work))
        trees.append(_tree(work))
    assert _without_tar_notes(results[1]) == _without_tar_notes(results[0])
    assert trees[1] == trees[0]
    assert trees[0] or results[0].code != 0


def test_a_missing_remote_file_copies_nothing_and_succeeds(streams: Streams, pod: str) -> None:
    """The remote tar's complaints reach stdout (kubectl wires its stderr there); the empty
    archive ends the copy before the exit code arrives."""
    theirs, ours = streams.both("cp", f"{POD}:/nonexistent", "n.out")
    assert (ours.code, theirs.code) == (0, 0)
    assert ours.stdout.startswith("tar: Removing leading `/' from member names\n")
    assert "tar: /nonexistent: Cannot stat: No such file or directory\n" in ours.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["f.txt"],
        ["a", "b", "c"],
        ["a", "b"],
        ["p:a", "q:b"],
        [":a", "b"],
        ["a/b/c:x", "b"],
        ["f.txt", f"{POD}:"],
        ["nope:/x", "y"],
        ["f.txt", "other/nope:/x"],
    ],
    ids=lambda a: " ".join(a),
)
def test_errors(streams: Streams, pod: str, args: list[str]) -> None:
    _local(streams.kubectl_home)
    _local(streams.pykctl_home)
    streams.same("cp", *args)
