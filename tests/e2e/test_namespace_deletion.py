"""Deleting a namespace as kube-controller-manager's namespace controller does, seen with the
real kubectl (and pykctl's ``get``): a namespace holding a Deployment whose two pods ignore
SIGTERM stays ``Terminating`` with the controller's conditions ("Some resources are remaining:
pods. has 2 resource instances") while the pods' 30 s grace period runs; the Deployment and its
ReplicaSet are gone at once; when the clock passes the grace period the pods are killed, the
``kubernetes`` finalizer is removed and the namespace goes. Waits are on store events."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import run_pykctl
from tests.e2e.kubelet_support import NodeSide, node_side

__all__ = ["node_side"]  # the fixture, used by name
pytestmark = pytest.mark.e2e
Obj = dict[str, Any]
NS = "shop"
_AGE = re.compile(r"\b(?:\d+[dhms])+\b")


def deployment() -> Obj:
    stubborn = {
        "name": "main",
        "image": "busybox",
        "command": ["sh", "-c", "trap '' TERM; while :; do sleep 1; done"],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": NS},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [stubborn]},
            },
        },
    }


def stored_namespace(side: NodeSide) -> Obj | None:
    found: Obj | None = side.on_loop(lambda: side.sim.simulator.store.get("/namespaces", "", NS))
    return found


def pods(side: NodeSide) -> list[Obj]:
    found: list[Obj] = side.on_loop(lambda: side.sim.simulator.store.objects("/pods", NS))
    return found


def condition(side: NodeSide, kind: str) -> Obj:
    namespace = stored_namespace(side) or {}
    for found in (namespace.get("status") or {}).get("conditions") or []:
        if found.get("type") == kind:
            return dict(found)
    return {}


def get_both(side: NodeSide, *args: str) -> tuple[int, str, str]:
    """``get ARGS`` from the real kubectl and pykctl: the same result (ages aside)."""
    real = side.kubectl("get", *args)
    ours = run_pykctl(["--kubeconfig", str(side.sim.kubeconfig), "get", *args])
    assert (ours.code, ours.stderr) == (real.code, real.stderr)
    assert _AGE.sub("<age>", ours.stdout) == _AGE.sub("<age>", real.stdout)
    return real.code, real.stdout, real.stderr


def test_namespace_deletion_empties_it_then_removes_it(node_side: NodeSide) -> None:
    side = node_side
    side.ok("create", "namespace", NS)
    side.ok("apply", "-f", "-", stdin=json.dumps(deployment()))
    side.until(
        lambda: (
            len(pods(side)) == 2
            and all((p.get("status") or {}).get("phase") == "Running" for p in pods(side))
        )
    )

    assert side.ok("delete", "namespace", NS, "--wait=false") == f'namespace "{NS}" deleted\n'
    side.until(
        lambda: (
            condition(side, "NamespaceContentRemaining").get("message")
            == "Some resources are remaining: pods. has 2 resource instances"
        )
    )
    _, table, _ = get_both(side, "namespace", NS)
    assert table.splitlines()[1].split()[:2] == [NS, "Terminating"]
    manifest = side.ok("get", "namespace", NS, "-o", "yaml")
    for expected in (
        '    reason: ResourcesDiscovered\n    status: "False"\n'
        "    type: NamespaceDeletionDiscoveryFailure\n",
        '    reason: ParsedGroupVersions\n    status: "False"\n'
        "    type: NamespaceDeletionGroupVersionParsingFailure\n",
        '    reason: ContentDeleted\n    status: "False"\n'
        "    type: NamespaceDeletionContentFailure\n",
        "    message: 'Some resources are remaining: pods. has 2 resource instances'\n"
        '    reason: SomeResourcesRemain\n    status: "True"\n'
        "    type: NamespaceContentRemaining\n",
        "    message: All content successfully removed\n    reason: ContentRemoved\n"
        '    status: "False"\n    type: NamespaceFinalizersRemaining\n',
        "spec:\n  finalizers:\n  - kubernetes\n",
        "  phase: Terminating\n",
    ):
        assert expected in manifest
    code, _, stderr = get_both(side, "deployments,replicasets", "-n", NS)
    assert (code, stderr) == (0, f"No resources found in {NS} namespace.\n")
    assert all(p["metadata"].get("deletionTimestamp") for p in pods(side))

    side.clock.advance(31)  # past the pods' grace period: the kubelet kills them
    side.until(lambda: stored_namespace(side) is None)
    code, _, stderr = get_both(side, "namespace", NS)
    assert (code, stderr) == (1, f'Error from server (NotFound): namespaces "{NS}" not found\n')


def test_emptying_the_finalizers_of_a_stuck_namespace_removes_it(node_side: NodeSide) -> None:
    """The well-known fix for a namespace stuck in Terminating: PUT its finalize subresource
    with no finalizers (``kubectl replace --raw .../finalize``); the namespace goes at once."""
    side = node_side
    side.ok("create", "namespace", NS)
    side.ok("apply", "-f", "-", stdin=json.dumps(deployment()))
    side.until(lambda: len(pods(side)) == 2)
    side.ok("delete", "namespace", NS, "--wait=false")
    side.until(lambda: bool(condition(side, "NamespaceContentRemaining")))
    namespace = json.loads(side.ok("get", "namespace", NS, "-o", "json"))
    namespace["spec"]["finalizers"] = []
    side.ok(
        "replace", "--raw", f"/api/v1/namespaces/{NS}/finalize", "-f", "-",
        stdin=json.dumps(namespace),
    )  # fmt: skip
    assert stored_namespace(side) is None
    gone = side.kubectl("get", "namespace", NS)
    assert (gone.code, gone.stderr) == (
        1,
        f'Error from server (NotFound): namespaces "{NS}" not found\n',
    )
