"""``pykctl run`` attached (``-i``, ``--attach``, ``--rm``, ``-q``) against the real kubectl on one
simulator whose pods really run: each tool runs its own pod (``k-…`` for kubectl, ``p-…`` for
pykctl) and the transcripts must be equal once the names are. Containers here wait for their
stdin, so the attach always finds them running (a container that exits before the attach makes
both tools fall back to its log, a race the tests avoid)."""

from __future__ import annotations

import itertools

import pytest

from tests.conftest import Result
from tests.e2e.streams_support import Streams, normalise, streams

pytestmark = pytest.mark.e2e
__all__ = ["streams"]
_COUNT = itertools.count()


def run_both(side: Streams, *args: str, stdin: str = "") -> tuple[Result, Result, str, str]:
    """``run NAME ARGS`` with each tool under its own name; both results, both names."""
    index = next(_COUNT)
    theirs_name, ours_name = f"k-{index}", f"p-{index}"
    theirs = side.kubectl("run", theirs_name, *args, stdin=stdin)
    ours = side.pykctl("run", ours_name, *args, stdin=stdin)
    return theirs, ours, theirs_name, ours_name


def same(side: Streams, *args: str, stdin: str = "") -> Result:
    theirs, ours, theirs_name, ours_name = run_both(side, *args, stdin=stdin)
    expected = normalise(theirs)
    expected = (
        expected[0].replace(theirs_name, ours_name),
        expected[1].replace(theirs_name, ours_name),
        expected[2],
    )
    assert normalise(ours) == expected, args
    return ours


BUSYBOX = ["--image=busybox", "--restart=Never"]


def test_interactive_run_pipes_stdin_and_returns_the_exit_code(streams: Streams) -> None:
    ours = same(
        streams, *BUSYBOX, "-i", "--", "sh", "-c", "cat; echo done; exit 3", stdin="hello\n"
    )
    assert ours.code == 3
    assert ours.stdout == "hello\ndone\n"
    assert ours.stderr.endswith("terminated (Error)\n")


def test_rm_deletes_the_pod_afterwards(streams: Streams) -> None:
    ours = same(
        streams, *BUSYBOX, "-i", "--rm", "--", "sh", "-c", "read x; echo got $x", stdin="a\n"
    )
    assert ours.code == 0
    name = ours.stdout.split('"')[1]
    assert ours.stdout == f'got a\npod "{name}" deleted from default namespace\n'
    assert streams.stored(name) is None or (streams.stored(name) or {}).get("metadata", {}).get(
        "deletionTimestamp"
    )


def test_quiet_prints_only_the_container_output(streams: Streams) -> None:
    ours = same(
        streams, *BUSYBOX, "-i", "--rm", "-q", "--", "sh", "-c", "read x; echo $x", stdin="q\n"
    )
    assert (ours.stdout, ours.stderr, ours.code) == ("q\n", "", 0)


def test_on_failure_waits_for_success(streams: Streams) -> None:
    ours = same(
        streams, "--image=busybox", "-i", "--", "sh", "-c", "read x; echo ok $x", stdin="1\n"
    )
    assert (ours.stdout, ours.code) == ("ok 1\n", 0)


@pytest.mark.parametrize(
    "args",
    [
        [*BUSYBOX, "--rm"],
        [*BUSYBOX, "-t"],
        [*BUSYBOX, "-i", "--dry-run=client"],
        [*BUSYBOX, "--attach", "--dry-run=server"],
    ],
    ids=["rm-without-attach", "tty-without-stdin", "stdin-dry-run", "attach-dry-run"],
)
def test_attach_flags_are_checked_before_anything_is_created(
    streams: Streams, args: list[str]
) -> None:
    ours = same(streams, *args)
    assert ours.code == 1
    assert ours.stdout == ""
