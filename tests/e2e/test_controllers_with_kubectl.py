"""The simulator's controllers with real processes, the real kubectl and pykctl: ReplicaSets
that heal, adopt and quarantine; cascading deletion; endpoints that follow readiness; a
Deployment rolling kuard blue → green and back; a missing image stalling with
ProgressDeadlineExceeded. Waits are on store events (``NodeSide.until``), never sleeps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backends.simulator.testing import start_simulator
from tests.conftest import run_pykctl
from tests.e2e.kubelet_support import JumpClock, NodeSide

pytestmark = pytest.mark.e2e
Obj = dict[str, Any]
BLUE = "gcr.io/kuar-demo/kuard-amd64:blue"
GREEN = "gcr.io/kuar-demo/kuard-amd64:green"


@pytest.fixture
def side(kubectl: str, tmp_path: Path) -> Iterator[NodeSide]:
    """A simulator with one node (its controllers run on its loop)."""
    home = tmp_path / "kchome"
    home.mkdir()
    clock = JumpClock()
    running = start_simulator(tmp_path / "sim", clock=clock)
    node_side = NodeSide(running, clock, kubectl, home)
    try:
        node_side.ready()
        yield node_side
    finally:
        running.stop()


def kuard_rs(name: str = "kuard", replicas: int = 3, probe: bool = False) -> Obj:
    container: Obj = {
        "name": "kuard",
        "image": BLUE,
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
    }
    if probe:
        container["readinessProbe"] = {
            "httpGet": {"path": "/ready", "port": "http"},
            "periodSeconds": 1,
        }
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [container]},
            },
        },
    }


def pods(side: NodeSide) -> list[Obj]:
    found: list[Obj] = side.on_loop(lambda: side.sim.simulator.store.objects("/pods", "default"))
    return found


def owned(side: NodeSide, owner: str) -> list[Obj]:
    """Active pods controlled by ``owner``."""
    return [
        p
        for p in pods(side)
        if not p["metadata"].get("deletionTimestamp")
        and any(r.get("name") == owner for r in p["metadata"].get("ownerReferences") or [])
    ]


def running(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running"


def stored(side: NodeSide, resource: str, name: str) -> Obj | None:
    found: Obj | None = side.on_loop(
        lambda: side.sim.simulator.store.get(resource, "default", name)
    )
    return found


def test_replicaset_heals_adopts_and_quarantines(side: NodeSide) -> None:
    lonely = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "lonely", "labels": {"app": "kuard"}},
        "spec": kuard_rs()["spec"]["template"]["spec"],
    }
    side.ok("apply", "-f", "-", stdin=json.dumps(lonely))
    side.ok("apply", "-f", "-", stdin=json.dumps(kuard_rs()))
    side.until(lambda: len(owned(side, "kuard")) == 3 and all(map(running, owned(side, "kuard"))))
    assert "lonely" in [p["metadata"]["name"] for p in owned(side, "kuard")]  # adopted, not a 4th
    assert len(pods(side)) == 3

    victim = next(
        p["metadata"]["name"] for p in owned(side, "kuard") if p["metadata"]["name"] != "lonely"
    )
    side.ok("delete", "pod", victim, "--wait=false")
    side.until(
        lambda: (
            len(owned(side, "kuard")) == 3
            and victim not in [p["metadata"]["name"] for p in owned(side, "kuard")]
        ),
        timeout=5,
    )

    side.ok("label", "pod", "lonely", "app=debug", "--overwrite")
    side.until(
        lambda: (
            len(owned(side, "kuard")) == 3
            and "lonely" not in [p["metadata"]["name"] for p in owned(side, "kuard")]
        )
    )
    quarantined = side.must("lonely")
    assert "ownerReferences" not in quarantined["metadata"] and running(quarantined)
    ip = quarantined["status"]["podIP"]
    assert side.http(f"http://{ip}:8080/healthy") == (200, "ok")
    events = side.ok("get", "events", "--field-selector", "involvedObject.kind=ReplicaSet")
    assert "SuccessfulCreate" in events and "Created pod: kuard-" in events


@pytest.mark.parametrize("cascade", ["orphan", "foreground", "background"])
def test_delete_cascade(side: NodeSide, cascade: str) -> None:
    side.ok("apply", "-f", "-", stdin=json.dumps(kuard_rs(replicas=2)))
    side.until(lambda: len(owned(side, "kuard")) == 2 and all(map(running, owned(side, "kuard"))))
    names = sorted(p["metadata"]["name"] for p in owned(side, "kuard"))
    argv = [
        "--kubeconfig",
        str(side.sim.kubeconfig),
        "delete",
        "rs",
        "kuard",
        f"--cascade={cascade}",
    ]
    if cascade == "foreground":  # pykctl drives this one; kubectl the others
        result = run_pykctl([*argv, "--wait=false"])
        assert result.code == 0, result.stderr
        assert result.stdout == 'replicaset.apps "kuard" deleted from default namespace\n'
    else:
        side.ok(*argv[2:])
    if cascade == "orphan":
        side.until(lambda: stored(side, "apps/replicasets", "kuard") is None)
        left = pods(side)
        assert sorted(p["metadata"]["name"] for p in left) == names
        assert all("ownerReferences" not in p["metadata"] and running(p) for p in left)
        return
    if cascade == "foreground":
        rs = stored(side, "apps/replicasets", "kuard")
        assert rs is None or "foregroundDeletion" in rs["metadata"].get("finalizers", [])
    side.until(lambda: stored(side, "apps/replicasets", "kuard") is None and not pods(side))


def test_endpoints_follow_readiness(side: NodeSide) -> None:
    side.ok("apply", "-f", "-", stdin=json.dumps(kuard_rs(replicas=2, probe=True)))
    side.ok("expose", "rs", "kuard", "--port=80", "--target-port=http")

    def addresses(field: str) -> list[str]:
        endpoints = stored(side, "/endpoints", "kuard") or {}
        return sorted(
            a["targetRef"]["name"]
            for s in endpoints.get("subsets") or []
            for a in s.get(field) or []
        )

    side.until(lambda: len(addresses("addresses")) == 2)
    first = sorted(p["metadata"]["name"] for p in owned(side, "kuard"))[0]
    ip = side.must(first)["status"]["podIP"]
    side.http(f"http://{ip}:8080/ready/api", "PUT", b'{"failNext":-1}')
    side.until(
        lambda: addresses("notReadyAddresses") == [first] and len(addresses("addresses")) == 1
    )
    table = side.ok("get", "endpointslices", "-l", "kubernetes.io/service-name=kuard", "-o", "json")
    (slice_,) = json.loads(table)["items"]
    conditions = {e["targetRef"]["name"]: e["conditions"]["ready"] for e in slice_["endpoints"]}
    assert conditions[first] is False and list(conditions.values()).count(True) == 1
    side.http(f"http://{ip}:8080/ready/api", "PUT", b'{"failNext":0}')
    side.until(lambda: len(addresses("addresses")) == 2 and not addresses("notReadyAddresses"))


def deployment(name: str, image: str, **spec: Any) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "kuard", "image": image}]},
            },
            **spec,
        },
    }


def images(side: NodeSide, app: str) -> set[str]:
    return {
        p["spec"]["containers"][0]["image"]
        for p in pods(side)
        if p["metadata"].get("labels", {}).get("app") == app and running(p)
    }


def test_deployment_rolls_blue_to_green_and_back(side: NodeSide) -> None:
    side.ok("apply", "-f", "-", stdin=json.dumps(deployment("web", BLUE)))
    status = side.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
    assert status.code == 0 and status.stdout.endswith('deployment "web" successfully rolled out\n')
    lowest: list[int] = []

    def watch_availability(event: Any) -> None:
        if event.resource == "apps/deployments":
            lowest.append(int((event.object.get("status") or {}).get("availableReplicas") or 0))

    side.sim.call(side.sim.simulator.store.add_listener, watch_availability)
    side.ok("set", "image", "deployment/web", f"kuard={GREEN}")
    side.ok("annotate", "deployment/web", "kubernetes.io/change-cause=green")
    assert side.kubectl("rollout", "status", "deployment/web", "--timeout=60s").code == 0
    side.until(lambda: images(side, "web") == {GREEN} and len(owned_by_app(side, "web")) == 3)
    assert min(lowest) >= 3  # maxUnavailable 25% of 3 is 0: availability kept
    history = side.ok("rollout", "history", "deployment/web")
    assert (
        history
        == "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         green\n\n"
    )
    rs_names = side.ok("get", "rs", "-o", "name").split()
    assert len(rs_names) == 2 and all(n.startswith("replicaset.apps/web-") for n in rs_names)
    assert side.ok("rollout", "undo", "deployment/web") == "deployment.apps/web rolled back\n"
    assert side.kubectl("rollout", "status", "deployment/web", "--timeout=60s").code == 0
    side.until(lambda: images(side, "web") == {BLUE} and len(owned_by_app(side, "web")) == 3)
    web = stored(side, "apps/deployments", "web")
    assert (
        web is not None
        and web["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    )
    events = side.ok("get", "events", "--field-selector", "involvedObject.name=web")
    assert "Scaled up replica set web-" in events and " from 0 to 3" in events


def owned_by_app(side: NodeSide, app: str) -> list[Obj]:
    return [
        p
        for p in pods(side)
        if p["metadata"].get("labels", {}).get("app") == app
        and not p["metadata"].get("deletionTimestamp")
    ]


def test_missing_image_stalls_with_progress_deadline(side: NodeSide) -> None:
    side.ok("apply", "-f", "-", stdin=json.dumps(deployment("web", BLUE, replicas=1)))
    assert side.kubectl("rollout", "status", "deployment/web", "--timeout=60s").code == 0
    stalled = deployment("web", "registry.invalid/missing:1", replicas=1, progressDeadlineSeconds=2)
    side.ok("apply", "-f", "-", stdin=json.dumps(stalled))

    def reason() -> str:
        found = stored(side, "apps/deployments", "web") or {}
        for item in (found.get("status") or {}).get("conditions") or []:
            if item["type"] == "Progressing":
                return str(item.get("reason"))
        return ""

    side.until(lambda: reason() == "ProgressDeadlineExceeded", timeout=20)
    result = side.kubectl("rollout", "status", "deployment/web")
    assert result.code == 1
    assert result.stderr == 'error: deployment "web" exceeded its progress deadline\n'
    assert images(side, "web") == {BLUE}  # the old pod keeps serving
