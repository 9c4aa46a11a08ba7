"""``pykctl logs`` against the real kubectl on one simulator whose pods run for real: same
bytes on stdout and stderr, same exit codes — snapshots, follows until the container ends,
tail/since/timestamps/limit-bytes, previous instances, several containers, selectors, workloads
and kube-apiserver's and the kubelet's errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.streams_support import Streams, busybox, normalise, phase, streams

pytestmark = pytest.mark.e2e
__all__ = ["streams"]

COUNT = "for i in 1 2 3; do echo $i; done; sleep 3600"


@pytest.fixture(scope="module")
def pods(streams: Streams) -> Streams:
    streams.pod(busybox("counter", COUNT))
    streams.pod(
        busybox("two", "echo A; sleep 3600", ("b", "echo B; printf 'no newline'; sleep 3600"))
    )
    annotated = busybox("annotated", "echo first; sleep 3600", ("second", "echo 2nd; sleep 3600"))
    annotated["metadata"]["annotations"] = {"kubectl.kubernetes.io/default-container": "second"}
    streams.pod(annotated)
    for name in ("sel-1", "sel-2"):
        labelled = busybox(name, f"echo from {name}; sleep 3600")
        labelled["metadata"]["labels"] = {"app": "sel"}
        streams.pod(labelled)
    for name in ("fin-1", "fin-2"):
        finished = busybox(name, f"echo {name} a; echo {name} b", restartPolicy="Never")
        finished["metadata"]["labels"] = {"app": "fin"}
        streams.pod(finished, until=phase("Succeeded"))
    streams.pod(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pulling"},
            "spec": {"containers": [{"name": "c", "image": "no-such-image.invalid/x"}]},
        },
        until=lambda pod: "waiting" in str((pod.get("status") or {}).get("containerStatuses")),
    )
    return streams


@pytest.mark.parametrize(
    "args",
    [
        ["counter"],
        ["pod/counter"],
        ["counter", "--tail=1"],
        ["counter", "--tail=0"],
        ["counter", "--limit-bytes=3"],
        ["counter", "--since=1h"],
        ["counter", "--since-time=2001-01-01T00:00:00Z"],
        ["counter", "--prefix"],
        ["counter", "-c", "counter"],
        ["counter", "counter"],
        ["two"],
        ["two", "-c", "b"],
        ["two", "b", "--prefix"],
        ["two", "-c", "x"],
        ["annotated"],
        ["missing"],
        ["deploy/missing"],
        ["counter", "--since-time=yesterday"],
        ["counter", "--since=1h", "--since-time=2001-01-01T00:00:00Z"],
        ["counter", "--tail=-2"],
        ["counter", "--limit-bytes=-1"],
        ["counter", "-c", "x", "--all-containers"],
        ["counter", "--pod-running-timeout=0"],
        ["counter", "-p"],
        ["pulling"],
        ["svc/kubernetes"],
        ["cm/kube-root-ca.crt"],
        [],
        ["a", "b", "c"],
        ["counter", "-l", "app=sel"],
    ],
    ids=lambda a: " ".join(a) or "no-args",
)
def test_snapshots_and_errors(pods: Streams, args: list[str]) -> None:
    pods.same("logs", *args)


@pytest.mark.parametrize(
    "args",
    [
        ["two", "--all-containers"],
        ["two", "--all-containers", "--prefix"],
        ["-l", "app=sel"],
        ["-l", "app=sel", "--prefix"],
        ["-l", "app=sel", "--tail=1", "--prefix"],
        ["-l", "app=none"],
        ["-f", "-l", "app=fin", "--prefix"],
        ["-f", "-l", "app=fin", "--timestamps=false"],
    ],
    ids=" ".join,
)
def test_several_logs_in_kubectl_random_order(pods: Streams, args: list[str]) -> None:
    """kubectl reads several logs in its map's (random) order: compare the lines as sets."""
    same_lines(pods, *args)


def same_lines(streams: Streams, *args: str) -> None:
    theirs, ours = streams.both("logs", *args)
    their_out, their_err, their_code = normalise(theirs)
    our_out, our_err, our_code = normalise(ours)
    assert (sorted(our_out.splitlines()), our_err, our_code) == (
        sorted(their_out.splitlines()),
        their_err,
        their_code,
    )


def test_timestamps_shape(pods: Streams) -> None:
    theirs, ours = pods.both("logs", "counter", "--timestamps")
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (\d)$")
    assert [stamp.sub(r"\1", line) for line in ours.stdout.splitlines()] == ["1", "2", "3"]
    assert ours.stdout == theirs.stdout
    assert (ours.stderr, ours.code) == ("", 0)


def test_follow_until_the_container_ends(pods: Streams) -> None:
    script = "read nothing < /dev/null; for i in 1 2 3; do echo line $i; sleep 0.1; done"
    for name in ("follow-k", "follow-p"):
        pods.pod(busybox(name, script, restartPolicy="Never"), until=phase("Running", "Succeeded"))
    theirs = pods.kubectl("logs", "-f", "follow-k")
    ours = pods.pykctl("logs", "-f", "follow-p")
    assert (ours.stdout, ours.stderr, ours.code) == (theirs.stdout, theirs.stderr, theirs.code)
    assert ours.stdout == "line 1\nline 2\nline 3\n"


def test_follow_several_beyond_max_log_requests(pods: Streams) -> None:
    pods.same("logs", "-f", "-l", "app=sel", "--max-log-requests=1")


def test_previous_instance_after_a_restart(streams: Streams) -> None:
    def restarted(pod: dict[str, Any]) -> bool:
        statuses = (pod.get("status") or {}).get("containerStatuses") or []
        return any(int(s.get("restartCount") or 0) >= 1 for s in statuses)

    streams.pod(busybox("crasher", "echo run $(date +%s%N); exit 1"), until=restarted)
    theirs = streams.same("logs", "crasher", "--previous")
    assert theirs.stdout.startswith("run ")
    streams.same("logs", "counter", "-p")


def test_workloads_stand_for_their_pods(streams: Streams) -> None:
    """No controller runs here: the deployment's pods are made by hand, with its labels."""
    streams.ok("create", "deployment", "web", "--image=busybox")
    streams.ok("create", "service", "clusterip", "web", "--tcp=80:80")
    streams.ok("create", "service", "clusterip", "bare", "--tcp=80:80")
    streams.ok("patch", "service", "bare", "--type=json", "-p",
               '[{"op": "remove", "path": "/spec/selector"}]')  # fmt: skip
    for name in ("web-a", "web-b"):
        pod = busybox(name, f"echo {name}; sleep 3600")
        pod["metadata"]["labels"] = {"app": "web"}
        pod["spec"]["containers"][0]["name"] = "busybox"
        streams.pod(pod)
    for args in (
        ["deploy/web"],
        ["deployment/web", "-c", "busybox"],
        ["svc/web", "--tail=1"],
        ["svc/bare"],
    ):
        streams.same("logs", *args)
    same_lines(streams, "deploy/web", "--all-pods")
