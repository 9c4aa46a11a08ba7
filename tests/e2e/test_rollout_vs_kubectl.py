"""``pykctl rollout status|history|undo|pause|resume|restart`` and ``pykctl set image`` against
the real kubectl 1.37 on the simulator, whose Deployment and ReplicaSet controllers run real
busybox pods: each tool acts on its own Deployment of the same spec and the transcripts
(stdout, stderr, exit code) must be equal once names, hashes and times are normalised.
Waits are ``rollout status`` itself or store listeners, never sleeps."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import isolated_env, run_process, run_pykctl
from tests.e2e.rollout_support import Twins, deployment
from tests.e2e.streams_support import Streams, streams

pytestmark = pytest.mark.e2e
__all__ = ["streams"]
Obj = dict[str, Any]


@pytest.mark.parametrize("words", [["rollout"], ["rollout", "nope"]], ids=" ".join)
def test_group_without_subcommand(kubectl: str, tmp_path: Path, words: list[str]) -> None:
    expected = run_process([kubectl, *words], env=isolated_env(tmp_path))
    ours = run_pykctl(words)
    assert (ours.stdout, ours.stderr, ours.code) == (
        re.sub(r"kubectl(?!-)", "pykctl", expected.stdout),
        re.sub(r"kubectl(?!-)", "pykctl", expected.stderr),
        expected.code,
    )


def test_status_history_and_undo(streams: Streams) -> None:
    twins = Twins(streams, "web")
    twins.create(paused=True)
    twins.same("rollout", "status", "deployment/NAME", "--watch=false")
    twins.same("rollout", "history", "deployment/NAME")  # no ReplicaSet while paused
    twins.same("rollout", "undo", "deployment/NAME")
    for name in twins.names.values():
        streams.ok("rollout", "resume", f"deployment/{name}")
    twins.same_end("rollout", "status", "deployment/NAME")
    twins.same("rollout", "status", "deployment/NAME")
    twins.same("rollout", "undo", "deployment/NAME")  # no previous revision

    twins.same("set", "image", "deployment/NAME", "main=busybox:1.36")
    twins.same("set", "image", "deployment/NAME", "main=busybox:1.36")  # unchanged: silent
    twins.same_end("rollout", "status", "deployment/NAME", "--timeout=60s")
    twins.same("annotate", "deployment/NAME", "kubernetes.io/change-cause=to 1.36")
    twins.same("rollout", "history", "deployment/NAME")
    twins.same("rollout", "history", "deploy/NAME", "--revision=1")
    twins.same("rollout", "history", "deploy/NAME", "--revision=2")
    twins.same("rollout", "history", "deploy/NAME", "--revision=9")
    twins.same("rollout", "history", "deploy/NAME", "-o", "name")
    twins.same("rollout", "history", "deploy/NAME", "-o", "json")  # typed ReplicaSets
    twins.same("rollout", "history", "deploy/NAME", "--revision=1", "-o", "yaml")
    twins.same("rollout", "status", "deploy/NAME", "--revision=2")
    twins.same("rollout", "status", "deploy/NAME", "--revision=1")

    twins.same("rollout", "undo", "deployment/NAME", "--dry-run=client")
    twins.same("rollout", "undo", "deployment/NAME", "--to-revision=2")  # skipped
    twins.same("rollout", "undo", "deployment/NAME", "--to-revision=9")
    twins.same("rollout", "undo", "deployment/NAME", "--dry-run=server")
    twins.same("rollout", "undo", "deployment/NAME")
    twins.same_end("rollout", "status", "deployment/NAME", "--timeout=60s")
    twins.same("rollout", "history", "deployment/NAME")
    twins.same("rollout", "undo", "deployment/NAME", "--to-revision=2", "-o", "name")
    twins.same_end("rollout", "status", "deployment/NAME", "--timeout=60s")
    twins.same("rollout", "history", "deployment/NAME")
    images = {
        tool: twins.stored(tool)["spec"]["template"]["spec"]["containers"][0]["image"]
        for tool in twins.names
    }
    assert images == {"kubectl": "busybox:1.36", "pykctl": "busybox:1.36"}


@pytest.mark.parametrize("kind", ["StatefulSet", "DaemonSet"])
def test_history_of_controller_revisions(streams: Streams, kind: str) -> None:
    """A StatefulSet's or DaemonSet's revisions are ControllerRevisions; ``-o`` prints them as
    kubectl's typed struct does."""
    twins = Twins(streams, kind.lower())
    for name in twins.names.values():
        manifest = deployment(name, replicas=0)
        manifest["kind"] = kind
        del manifest["spec"]["paused"]
        if kind == "DaemonSet":
            del manifest["spec"]["replicas"]
        streams.ok("apply", "-f", "-", stdin=json.dumps(manifest))

    def revisions() -> list[Obj]:
        found: list[Obj] = streams.sim.simulator.store.objects(
            "apps/controllerrevisions", "default"
        )
        owners = set(twins.names.values())
        return [r for r in found if r["metadata"]["ownerReferences"][0]["name"] in owners]

    streams.until(lambda: len(revisions()) == 2)
    twins.same("rollout", "history", f"{kind.lower()}/NAME")
    twins.same("rollout", "history", f"{kind.lower()}/NAME", "-o", "json")
    twins.same("rollout", "history", f"{kind.lower()}/NAME", "--revision=1", "-o", "yaml")
    twins.same("rollout", "history", f"{kind.lower()}/nope")


def test_pause_resume_and_restart(streams: Streams) -> None:
    twins = Twins(streams, "paused")
    twins.create()
    twins.same_end("rollout", "status", "deployment/NAME", "--timeout=60s")
    twins.same("rollout", "pause", "deployment/NAME")
    twins.same("rollout", "pause", "deployment/NAME")
    twins.same("rollout", "undo", "deployment/NAME")
    twins.same("rollout", "restart", "deployment/NAME")
    twins.same("set", "image", "deployment/NAME", "main=busybox:1.37")
    twins.observed()
    twins.same("rollout", "status", "deployment/NAME", "--watch=false")
    twins.same("rollout", "status", "deployment/NAME", "--timeout=1s")
    twins.same("rollout", "resume", "deployment/NAME")
    twins.same("rollout", "resume", "deployment/NAME", "-o", "name")
    twins.same_end("rollout", "status", "deployment/NAME", "--timeout=60s")

    before = {tool: len(twins.replica_sets(tool)) for tool in twins.names}
    twins.same("rollout", "restart", "deployment/NAME")
    twins.same_end("rollout", "status", "deployment/NAME", "--timeout=60s")
    assert {tool: len(twins.replica_sets(tool)) - before[tool] for tool in twins.names} == {
        "kubectl": 1,
        "pykctl": 1,
    }
    annotations = twins.stored("pykctl")["spec"]["template"]["metadata"]["annotations"]
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)",
        annotations["kubectl.kubernetes.io/restartedAt"],
    )
    twins.same("rollout", "history", "deployment/NAME")
    twins.same("rollout", "pause", "deployment/NAME", "deploy/nope", "svc/kubernetes")
    twins.same("rollout", "resume", "deployment/NAME", "deploy/nope", "svc/kubernetes")
    twins.same("rollout", "restart", "svc/kubernetes")


def test_set_image(streams: Streams, tmp_path: Path) -> None:
    twins = Twins(streams, "img")
    twins.create(paused=True)
    twins.same("set", "image", "deployment/NAME", "x=busybox:1")
    twins.same("set", "image", "deployment/NAME", "main=busybox:1.36", "x=y")
    twins.same(
        "set", "image", "deployment/NAME", "main=busybox:1.35", "--dry-run=client", "-o", "yaml"
    )
    twins.same("set", "image", "deployment/NAME", "*=busybox:1.34", "-o", "json")
    twins.same("set", "image", "deployment/NAME", "main=busybox:1.33", "--dry-run=server")
    twins.same("set", "image", "deployment/NAME")
    twins.same("set", "image", "deployment/NAME", "*=a", "main=b")
    twins.same("set", "image", "main=a")
    twins.same("set", "image", "deployment/NAME", "main=a", "extra")
    twins.same("set", "image", "deployment/NAME", "deploy/nope", "main=a")
    twins.same("set", "image", "svc/kubernetes", "main=a")
    twins.same("set", "image", "deployment/NAME", "main=a", "--local")
    manifest = tmp_path / "web.json"
    manifest.write_text(json.dumps(deployment("NAME")))
    twins.same("set", "image", "-f", str(manifest), "main=nginx", "--local", "-o", "yaml")
    images = {
        tool: twins.stored(tool)["spec"]["template"]["spec"]["containers"][0]["image"]
        for tool in twins.names
    }
    assert images == {"kubectl": "busybox:1.34", "pykctl": "busybox:1.34"}


@pytest.mark.parametrize(
    "args",
    [
        ["rollout", "status"],
        ["rollout", "history"],
        ["rollout", "undo"],
        ["rollout", "pause"],
        ["rollout", "status", "svc/kubernetes"],
        ["rollout", "history", "svc/kubernetes"],
        ["rollout", "history", "rs/nope"],
        ["rollout", "undo", "svc/kubernetes"],
        ["rollout", "status", "deploy/nope"],
        ["rollout", "status", "deploy/x", "--revision=-1"],
        ["rollout", "history", "deploy/x", "--revision=-2"],
        ["rollout", "undo", "deploy/nope", "--dry-run=maybe"],
        ["rollout", "pause", "deploy/x", "-o", "wide"],
        ["rollout", "status", "deploy/x", "--timeout=soon"],
    ],
    ids=" ".join,
)
def test_errors(streams: Streams, args: list[str]) -> None:
    Twins(streams, "none").same(*args)
