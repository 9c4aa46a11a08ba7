"""Unit tests for the daemon set, stateful set, job and ttl-after-finished controllers over an
in-memory store and REST layer: the test plays scheduler and kubelet (binds pods, writes their
phase), time moves on a FakeClock and ``ControllerManager.sync()`` drains the queues."""

from __future__ import annotations

import copy
import datetime
import re
from typing import Any

import pytest

from backends.simulator.apiserver.rest import Rest
from backends.simulator.bootstrap import bootstrap
from backends.simulator.clock import FakeClock, rfc3339
from backends.simulator.cluster.api import (
    NO_QUERY,
    NODES,
    PODS,
    STATEFUL_SETS,
    create,
    key,
    patch,
    target,
    update,
    update_status,
)
from backends.simulator.cluster.scheduler import bind
from backends.simulator.controllers.cron_schedule import ScheduleError, parse
from backends.simulator.controllers.cronjob import CRON_JOBS
from backends.simulator.controllers.daemonset import (
    DAEMON_SETS,
    daemon_pod_spec,
    should_run,
    target_node,
)
from backends.simulator.controllers.deployment import DEPLOYMENTS
from backends.simulator.controllers.history import CONTROLLER_REVISIONS, fnv32
from backends.simulator.controllers.hpa import HPAS
from backends.simulator.controllers.job import JOBS, TRACKING_FINALIZER, failure_backoff
from backends.simulator.controllers.manager import controller_manager
from backends.simulator.controllers.namespaces import NamespaceDefaults
from backends.simulator.metrics.sampler import Usage
from backends.simulator.store import Store

Obj = dict[str, Any]
BUSYBOX = {"containers": [{"name": "c", "image": "busybox"}]}


class Cluster:
    """A store, the REST layer and every controller on a FakeClock; the test is the kubelet."""

    def __init__(self, nodes: int = 3) -> None:
        self.clock = FakeClock()
        self.rest = Rest(Store(None), self.clock)
        bootstrap(self.rest, 6443)
        NamespaceDefaults(self.rest, "")
        for index in range(1, nodes + 1):
            self.add_node(f"node-{index}")
        self.usage: dict[str, list[tuple[str, Usage]]] = {}  # what metrics-server sampled
        self.manager = controller_manager(self.rest, self.clock, metrics=lambda: self.usage)
        self.manager.attach()

    def add_node(self, name: str, taints: list[Obj] | None = None) -> None:
        """A Ready node (the API server taints new nodes not-ready; the test lifts that)."""
        node: Obj = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}
        node["metadata"]["labels"] = {"kubernetes.io/hostname": name}
        stored = copy.deepcopy(create(self.rest, NODES, None, node, "test"))
        stored["spec"] = {"taints": taints} if taints else {}
        update(self.rest, NODES, stored, "test")

    def sync(self) -> None:
        self.manager.sync()

    def pods(self) -> list[Obj]:
        return sorted(
            self.rest.store.objects("/pods", "default"), key=lambda p: p["metadata"]["name"]
        )

    def get(self, resource: str, name: str) -> Obj:
        found = self.rest.store.get(resource, "default", name)
        assert found is not None, name
        return found

    def events(self) -> list[tuple[str, str]]:
        return [(e["reason"], e["message"]) for e in self.rest.store.objects("/events", "default")]

    def set_phase(self, pod: Obj, phase: str, ready: bool = False, node: str = "") -> Obj:
        """Play the scheduler (bind to ``node`` or the pod's target) and the kubelet."""
        current = self.get("/pods", pod["metadata"]["name"])
        if not current["spec"].get("nodeName"):
            current = bind(self.rest, self.clock, current, node or target_node(current) or "node-1")
        updated = copy.deepcopy(current)
        now = rfc3339(self.clock.now())
        updated["status"] = {
            "phase": phase,
            "conditions": [
                {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": now}
            ],
        }
        if phase in ("Succeeded", "Failed"):
            updated["status"]["containerStatuses"] = [
                {
                    "name": "c",
                    "state": {
                        "terminated": {
                            "exitCode": 0 if phase == "Succeeded" else 1,
                            "finishedAt": now,
                        }
                    },
                }
            ]
        return update_status(self.rest, PODS, updated, "test")

    def run_all(self) -> None:
        """Remove the pods being deleted, start (Running, Ready) the pending ones, sync."""
        for pod in self.pods():
            if pod["metadata"].get("deletionTimestamp"):
                self.rest.store.delete("/pods", "default", pod["metadata"]["name"])
            elif not pod["status"].get("phase") or pod["status"]["phase"] == "Pending":
                self.set_phase(pod, "Running", ready=True)
        self.sync()


@pytest.fixture
def cluster() -> Cluster:
    return Cluster()


def daemon_set(**spec: Any) -> Obj:
    template_spec = {**BUSYBOX, **spec.pop("pod", {})}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "spec": {
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {"metadata": {"labels": {"app": "agent"}}, "spec": template_spec},
            **spec,
        },
    }


# ---------------------------------------------------------------------------- daemonset


def test_daemon_pod_spec_pins_the_node_and_adds_the_daemon_tolerations() -> None:
    spec = daemon_pod_spec({**BUSYBOX, "hostNetwork": True}, "node-2")
    assert spec["affinity"] == {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchFields": [
                            {"key": "metadata.name", "operator": "In", "values": ["node-2"]}
                        ]
                    }
                ]
            }
        }
    }
    assert [(t["key"], t["effect"]) for t in spec["tolerations"]] == [
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
        ("node.kubernetes.io/network-unavailable", "NoSchedule"),
    ]
    assert target_node({"spec": spec}) == "node-2"


def test_should_run_honours_selectors_and_taints() -> None:
    node = {"metadata": {"name": "n", "labels": {"disk": "ssd"}}}
    tainted = {**node, "spec": {"taints": [{"key": "gpu", "effect": "NoSchedule"}]}}
    evicting = {**node, "spec": {"taints": [{"key": "gpu", "effect": "NoExecute"}]}}
    assert should_run(daemon_set(), node) == (True, True)
    assert should_run(daemon_set(pod={"nodeSelector": {"disk": "hdd"}}), node) == (False, False)
    assert should_run(daemon_set(), tainted) == (False, True)
    assert should_run(daemon_set(), evicting) == (False, False)
    tolerating = daemon_set(pod={"tolerations": [{"key": "gpu", "operator": "Exists"}]})
    assert should_run(tolerating, evicting) == (True, True)


def test_daemonset_runs_one_pod_per_node_with_status_and_revision(cluster: Cluster) -> None:
    create(cluster.rest, DAEMON_SETS, "default", daemon_set(), "kubectl")
    cluster.add_node("tainted", [{"key": "dedicated", "value": "x", "effect": "NoSchedule"}])
    cluster.sync()
    pods = cluster.pods()
    assert sorted(target_node(p) for p in pods) == ["node-1", "node-2", "node-3"]
    (revision,) = cluster.rest.store.objects("apps/controllerrevisions", "default")
    hash_ = revision["metadata"]["labels"]["controller-revision-hash"]
    assert revision["metadata"]["name"] == f"agent-{hash_}" and revision["revision"] == 1
    for pod in pods:
        assert pod["metadata"]["generateName"] == "agent-"
        assert pod["metadata"]["labels"] == {
            "app": "agent",
            "controller-revision-hash": hash_,
            "pod-template-generation": "1",
        }
    status = cluster.get("apps/daemonsets", "agent")["status"]
    assert status == {
        "currentNumberScheduled": 3,
        "numberMisscheduled": 0,
        "desiredNumberScheduled": 3,
        "numberReady": 0,
        "observedGeneration": 1,
        "updatedNumberScheduled": 3,
        "numberUnavailable": 3,
    }
    cluster.run_all()
    status = cluster.get("apps/daemonsets", "agent")["status"]
    assert status["numberReady"] == 3 and status["numberAvailable"] == 3
    assert "numberUnavailable" not in status
    created = [m for r, m in cluster.events() if r == "SuccessfulCreate"]
    assert len(created) == 3 and all(m.startswith("Created pod: agent-") for m in created)


def test_daemonset_follows_nodes_and_replaces_failed_pods(cluster: Cluster) -> None:
    create(cluster.rest, DAEMON_SETS, "default", daemon_set(), "kubectl")
    cluster.sync()
    cluster.run_all()
    cluster.add_node("node-4")
    cluster.sync()
    assert sorted(target_node(p) for p in cluster.pods())[-1] == "node-4"
    victim = next(p for p in cluster.pods() if target_node(p) == "node-1")
    cluster.set_phase(victim, "Failed")
    cluster.sync()
    on_one = [p for p in cluster.pods() if target_node(p) == "node-1"]
    assert len(on_one) == 1 and on_one[0]["metadata"]["name"] != victim["metadata"]["name"]
    assert (
        "FailedDaemonPod",
        f"Found failed daemon pod default/{victim['metadata']['name']} on node node-1, will try "
        "to kill it",
    ) in cluster.events()
    cluster.rest.delete(target(NODES, None, "node-4"), {}, NO_QUERY)
    cluster.sync()
    assert "node-4" not in [target_node(p) for p in cluster.pods()]


def test_daemonset_rolling_update_keeps_max_unavailable(cluster: Cluster) -> None:
    create(cluster.rest, DAEMON_SETS, "default", daemon_set(), "kubectl")
    cluster.sync()
    cluster.run_all()
    old_names = {p["metadata"]["name"] for p in cluster.pods()}
    new_template = {
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "alpine"}]}}}
    }
    patch(cluster.rest, DAEMON_SETS, "default", "agent", new_template, "kubectl")
    cluster.sync()
    live = [p for p in cluster.pods() if not p["metadata"].get("deletionTimestamp")]
    assert len([p for p in live if p["metadata"]["name"] in old_names]) == 2  # one at a time
    for _ in range(3):
        cluster.run_all()
    images = {p["spec"]["containers"][0]["image"] for p in cluster.pods()}
    assert images == {"alpine"} and len(cluster.pods()) == 3
    revisions = cluster.rest.store.objects("apps/controllerrevisions", "default")
    assert sorted(r["revision"] for r in revisions) == [1, 2]


# -------------------------------------------------------------------------- statefulset


def stateful_set(replicas: int = 3, **spec: Any) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": replicas,
            "serviceName": "web",
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": BUSYBOX},
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}},
                    },
                }
            ],
            **spec,
        },
    }


def names(cluster: Cluster) -> list[str]:
    return [
        p["metadata"]["name"] for p in cluster.pods() if not p["metadata"].get("deletionTimestamp")
    ]


def test_statefulset_creates_ordinals_in_order_with_claims(cluster: Cluster) -> None:
    create(cluster.rest, STATEFUL_SETS, "default", stateful_set(), "kubectl")
    cluster.sync()
    assert names(cluster) == ["web-0"]
    cluster.run_all()
    assert names(cluster) == ["web-0", "web-1"]
    cluster.run_all()
    cluster.run_all()
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    web1 = cluster.get("/pods", "web-1")
    assert web1["spec"]["hostname"] == "web-1" and web1["spec"]["subdomain"] == "web"
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-web-1"}} in web1["spec"][
        "volumes"
    ]
    sts = cluster.get("apps/statefulsets", "web")
    revision = sts["status"]["updateRevision"]
    assert web1["metadata"]["labels"] == {
        "app": "web",
        "controller-revision-hash": revision,
        "statefulset.kubernetes.io/pod-name": "web-1",
        "apps.kubernetes.io/pod-index": "1",
    }
    claim = cluster.get("/persistentvolumeclaims", "data-web-1")
    assert claim["metadata"]["labels"] == {"app": "web"}
    assert sts["status"] == {
        "replicas": 3,
        "readyReplicas": 3,
        "currentReplicas": 3,
        "updatedReplicas": 3,
        "availableReplicas": 3,
        "currentRevision": revision,
        "updateRevision": revision,
        "collisionCount": 0,
        "observedGeneration": 1,
    }
    assert ("SuccessfulCreate", "create Claim data-web-0 Pod web-0 in StatefulSet web success") in (
        cluster.events()
    )
    assert (
        "SuccessfulCreate",
        "create Pod web-2 in StatefulSet web successful",
    ) in cluster.events()


def test_statefulset_scales_down_in_reverse_and_keeps_claims(cluster: Cluster) -> None:
    create(cluster.rest, STATEFUL_SETS, "default", stateful_set(), "kubectl")
    for _ in range(4):
        cluster.run_all()
    patch(cluster.rest, STATEFUL_SETS, "default", "web", {"spec": {"replicas": 1}}, "kubectl")
    cluster.sync()
    assert names(cluster) == ["web-0", "web-1"]  # web-2 first, one at a time
    cluster.rest.store.delete("/pods", "default", "web-2")
    cluster.sync()
    assert names(cluster) == ["web-0"]
    assert len(cluster.rest.store.objects("/persistentvolumeclaims", "default")) == 3
    assert (
        "SuccessfulDelete",
        "delete Pod web-2 in StatefulSet web successful",
    ) in cluster.events()


def test_statefulset_parallel_and_rolling_update(cluster: Cluster) -> None:
    create(
        cluster.rest,
        STATEFUL_SETS,
        "default",
        stateful_set(podManagementPolicy="Parallel", volumeClaimTemplates=[]),
        "kubectl",
    )
    cluster.sync()
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    cluster.run_all()
    image = {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "alpine"}]}}}}
    patch(cluster.rest, STATEFUL_SETS, "default", "web", image, "kubectl")
    cluster.sync()
    assert names(cluster) == ["web-0", "web-1"]  # the highest ordinal goes first
    for _ in range(8):
        for pod in cluster.pods():
            if pod["metadata"].get("deletionTimestamp"):
                cluster.rest.store.delete("/pods", "default", pod["metadata"]["name"])
        cluster.run_all()
    assert {p["spec"]["containers"][0]["image"] for p in cluster.pods()} == {"alpine"}
    status = cluster.get("apps/statefulsets", "web")["status"]
    assert status["currentRevision"] == status["updateRevision"]
    assert len(cluster.rest.store.objects(key(CONTROLLER_REVISIONS), "default")) == 2


def test_fnv32_is_fnv1() -> None:
    assert fnv32(b"") == 0x811C9DC5
    assert fnv32(b"a") == 0x050C5D7E


# ---------------------------------------------------------------------------------- job


def job(**spec: Any) -> Obj:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "pi"},
        "spec": {"template": {"spec": {**BUSYBOX, "restartPolicy": "Never"}}, **spec},
    }


def conditions(cluster: Cluster) -> list[tuple[str, str, str]]:
    status = cluster.get("batch/jobs", "pi")["status"]
    return [(c["type"], c["reason"], c["message"]) for c in status.get("conditions") or []]


def test_job_runs_completions_with_parallelism(cluster: Cluster) -> None:
    create(cluster.rest, JOBS, "default", job(completions=3, parallelism=2), "kubectl")
    cluster.sync()
    pods = cluster.pods()
    assert len(pods) == 2
    assert pods[0]["metadata"]["finalizers"] == [TRACKING_FINALIZER]
    assert pods[0]["metadata"]["labels"]["batch.kubernetes.io/job-name"] == "pi"
    status = cluster.get("batch/jobs", "pi")["status"]
    assert status == {
        "startTime": rfc3339(cluster.clock.now()),
        "active": 2,
        "ready": 0,
        "terminating": 0,
        "uncountedTerminatedPods": {},
    }
    for pod in pods:
        cluster.set_phase(pod, "Succeeded")
    cluster.sync()
    done = [p for p in cluster.pods() if p["status"]["phase"] == "Succeeded"]
    assert len(done) == 2 and all("finalizers" not in p["metadata"] for p in done)
    assert cluster.get("batch/jobs", "pi")["status"]["succeeded"] == 2
    (third,) = [
        p
        for p in cluster.pods()
        if p["status"].get("phase") is None or p["status"].get("phase") == "Pending"
    ]
    cluster.set_phase(third, "Succeeded")
    cluster.sync()
    status = cluster.get("batch/jobs", "pi")["status"]
    assert status["succeeded"] == 3 and "active" not in status
    assert status["completionTime"] == rfc3339(cluster.clock.now())
    assert conditions(cluster) == [
        ("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"),
        ("Complete", "CompletionsReached", "Reached expected number of succeeded pods"),
    ]
    assert ("Completed", "Job completed") in cluster.events()
    assert len(cluster.pods()) == 3


def test_job_backs_off_after_failures_and_fails_at_the_limit(cluster: Cluster) -> None:
    create(cluster.rest, JOBS, "default", job(backoffLimit=1), "kubectl")
    cluster.sync()
    (first,) = cluster.pods()
    cluster.set_phase(first, "Failed")
    cluster.sync()
    assert len(cluster.pods()) == 1  # back-off: 10 s
    cluster.clock.advance(10)
    cluster.sync()
    second = next(p for p in cluster.pods() if p["metadata"]["name"] != first["metadata"]["name"])
    cluster.set_phase(second, "Failed")
    cluster.sync()
    status = cluster.get("batch/jobs", "pi")["status"]
    assert status["failed"] == 2 and len(cluster.pods()) == 2
    backoff = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
    assert conditions(cluster) == [("FailureTarget", *backoff), ("Failed", *backoff)]
    assert (
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
    ) in cluster.events()


def test_failure_backoff_doubles_and_resets_on_success() -> None:
    clock = FakeClock()
    now = clock.now()

    def pod(phase: str, ago: float) -> Obj:
        stamp = rfc3339(now - datetime.timedelta(seconds=ago))
        return {
            "status": {
                "phase": phase,
                "containerStatuses": [{"state": {"terminated": {"finishedAt": stamp}}}],
            }
        }

    assert failure_backoff([], now) == 0
    assert failure_backoff([pod("Failed", 0)], now) == 10
    assert failure_backoff([pod("Failed", 30), pod("Failed", 5)], now) == 15
    assert failure_backoff([pod("Failed", 30), pod("Succeeded", 20)], now) == 0


def test_job_deadline_deletes_active_pods_then_fails(cluster: Cluster) -> None:
    create(cluster.rest, JOBS, "default", job(activeDeadlineSeconds=30), "kubectl")
    cluster.sync()
    (pod,) = cluster.pods()
    cluster.set_phase(pod, "Running", ready=True)
    cluster.clock.advance(30)
    cluster.sync()
    deadline = ("DeadlineExceeded", "Job was active longer than specified deadline")
    assert conditions(cluster) == [("FailureTarget", *deadline)]
    (pod,) = cluster.pods()
    assert pod["metadata"].get("deletionTimestamp")
    cluster.rest.store.delete("/pods", "default", pod["metadata"]["name"])
    cluster.sync()
    assert conditions(cluster) == [("FailureTarget", *deadline), ("Failed", *deadline)]


def test_finished_job_is_deleted_after_its_ttl(cluster: Cluster) -> None:
    create(cluster.rest, JOBS, "default", job(ttlSecondsAfterFinished=60), "kubectl")
    cluster.sync()
    (pod,) = cluster.pods()
    cluster.set_phase(pod, "Succeeded")
    cluster.sync()
    cluster.clock.advance(59)
    cluster.sync()
    assert not cluster.get("batch/jobs", "pi")["metadata"].get("deletionTimestamp")
    cluster.clock.advance(1)
    cluster.sync()
    found = cluster.rest.store.get("batch/jobs", "default", "pi")
    assert found is None or found["metadata"].get("deletionTimestamp")


def test_pod_of_a_deleted_job_loses_the_tracking_finalizer(cluster: Cluster) -> None:
    create(cluster.rest, JOBS, "default", job(), "kubectl")
    cluster.sync()
    cluster.rest.store.delete("batch/jobs", "default", "pi")
    cluster.sync()  # the garbage collector deletes the pod; the finalizer must not hold it
    assert cluster.pods() == []


# ------------------------------------------------------------------------------ cronjob


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    ("spec", "after", "expected"),
    [
        ("*/15 * * * *", "2026-01-01T00:07:30", "2026-01-01T00:15:00"),
        ("@hourly", "2026-01-01T00:00:00", "2026-01-01T01:00:00"),
        ("30 2 * * mon-fri", "2026-01-02T03:00:00", "2026-01-05T02:30:00"),  # Friday → Monday
        ("0 0 13 * 5", "2026-01-01T00:00:00", "2026-01-02T00:00:00"),  # day 13 OR a Friday
        ("0 12 * jun,DEC 7", "2026-01-01T00:00:00", "2026-06-07T12:00:00"),
        ("@yearly", "2026-03-01T00:00:00", "2027-01-01T00:00:00"),
    ],
)
def test_cron_schedules(spec: str, after: str, expected: str) -> None:
    assert parse(spec).next_after(at(after)) == at(expected)


def test_cron_schedule_time_zone_and_errors() -> None:
    schedule = parse("0 9 * * *", "Europe/Paris")
    assert schedule.next_after(at("2026-01-01T00:00:00")) == at("2026-01-01T08:00:00")
    for bad, message in [
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("61 * * * *", "end of range (61) above maximum (59): 61"),
        ("@often", "unrecognized descriptor: @often"),
    ]:
        with pytest.raises(ScheduleError, match=re.escape(message)):
            parse(bad)


def cron_job(**spec: Any) -> Obj:
    template = {"spec": {"template": {"spec": {**BUSYBOX, "restartPolicy": "Never"}}}}
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "tick"},
        "spec": {"schedule": "*/1 * * * *", "jobTemplate": template, **spec},
    }


def jobs(cluster: Cluster) -> list[str]:
    return sorted(
        j["metadata"]["name"]
        for j in cluster.rest.store.objects("batch/jobs", "default")
        if not j["metadata"].get("deletionTimestamp")
    )


def finish(cluster: Cluster, name: str, outcome: str = "Succeeded") -> None:
    for pod in cluster.pods():
        if pod["metadata"]["labels"].get("job-name") == name and pod["status"].get("phase") in (
            None,
            "Pending",
        ):
            cluster.set_phase(pod, outcome)
    cluster.sync()


def test_cronjob_creates_a_job_per_scheduled_minute(cluster: Cluster) -> None:
    create(cluster.rest, CRON_JOBS, "default", cron_job(), "kubectl")
    cluster.sync()
    assert jobs(cluster) == []
    cluster.clock.advance(61)  # the schedule's 00:01:00 passed
    cluster.sync()
    minute = int(cluster.clock.now().timestamp()) // 60
    assert jobs(cluster) == [f"tick-{minute}"]
    made = cluster.get("batch/jobs", f"tick-{minute}")
    assert made["metadata"]["annotations"] == {
        "batch.kubernetes.io/cronjob-scheduled-timestamp": "2026-01-01T00:01:00Z"
    }
    assert made["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    status = cluster.get("batch/cronjobs", "tick")["status"]
    assert status["lastScheduleTime"] == "2026-01-01T00:01:00Z"
    assert [r["name"] for r in status["active"]] == [f"tick-{minute}"]
    finish(cluster, f"tick-{minute}")
    status = cluster.get("batch/cronjobs", "tick")["status"]
    assert "active" not in status and status["lastSuccessfulTime"] == "2026-01-01T00:01:01Z"
    assert ("SuccessfulCreate", f"Created job tick-{minute}") in cluster.events()
    assert (
        "SawCompletedJob",
        f"Saw completed job: tick-{minute}, condition: Complete",
    ) in cluster.events()


def test_cronjob_forbid_replace_and_history(cluster: Cluster) -> None:
    create(cluster.rest, CRON_JOBS, "default", cron_job(concurrencyPolicy="Forbid"), "kubectl")
    cluster.clock.advance(61)
    cluster.sync()
    first = jobs(cluster)
    assert len(first) == 1
    cluster.clock.advance(60)
    cluster.sync()
    assert jobs(cluster) == first  # the first is still running
    patch(
        cluster.rest, CRON_JOBS, "default", "tick", {"spec": {"concurrencyPolicy": "Replace"}}, "k"
    )
    cluster.clock.advance(60)
    cluster.sync()
    assert len(jobs(cluster)) == 1 and jobs(cluster) != first
    assert ("SuccessfulDelete", f"Deleted job {first[0]}") in cluster.events()
    patch(
        cluster.rest,
        CRON_JOBS,
        "default",
        "tick",
        {"spec": {"concurrencyPolicy": "Allow", "successfulJobsHistoryLimit": 1}},
        "k",
    )
    for _ in range(3):
        for name in jobs(cluster):
            finish(cluster, name)
        cluster.clock.advance(60)
        cluster.sync()
    for name in jobs(cluster):
        finish(cluster, name)
    assert len(jobs(cluster)) == 1


def test_suspended_cronjob_and_missed_deadline(cluster: Cluster) -> None:
    create(cluster.rest, CRON_JOBS, "default", cron_job(suspend=True), "kubectl")
    cluster.clock.advance(120)
    cluster.sync()
    assert jobs(cluster) == []
    patch(
        cluster.rest,
        CRON_JOBS,
        "default",
        "tick",
        {"spec": {"suspend": False, "schedule": "0 * * * *", "startingDeadlineSeconds": 10}},
        "k",
    )
    cluster.clock.advance(3600 - 120 + 30)  # 01:00:30: 30 s late, deadline 10 s
    cluster.sync()
    assert jobs(cluster) == []


# ---------------------------------------------------------------------------------- hpa


def deployment() -> Obj:
    container = {**BUSYBOX["containers"][0], "resources": {"requests": {"cpu": "100m"}}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [container]},
            },
        },
    }


def autoscaler() -> Obj:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 1,
            "maxReplicas": 5,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 50},
                    },
                }
            ],
        },
    }


def burn(cluster: Cluster, millicores: int) -> None:
    """Every running pod uses ``millicores`` of CPU."""
    cluster.usage = {
        p["metadata"]["uid"]: [("c", Usage(cluster.clock.now(), 15000, millicores * 10**6, 10**6))]
        for p in cluster.pods()
        if p["status"].get("phase") == "Running"
    }


def hpa_status(cluster: Cluster) -> Obj:
    found: Obj = cluster.get("autoscaling/horizontalpodautoscalers", "web")["status"]
    return found


def web_replicas(cluster: Cluster) -> int:
    return int(cluster.get("apps/deployments", "web")["spec"]["replicas"])


def test_hpa_scales_up_on_cpu_and_down_after_the_window(cluster: Cluster) -> None:
    create(cluster.rest, DEPLOYMENTS, "default", deployment(), "kubectl")
    cluster.sync()
    cluster.run_all()
    burn(cluster, 200)  # 200% of the request, the target is 50%: 4 pods
    create(cluster.rest, HPAS, "default", autoscaler(), "kubectl")
    cluster.sync()
    assert web_replicas(cluster) == 4
    status = hpa_status(cluster)
    assert status["currentMetrics"] == [
        {
            "type": "Resource",
            "resource": {
                "name": "cpu",
                "current": {"averageValue": "200m", "averageUtilization": 200},
            },
        }
    ]
    assert status["desiredReplicas"] == 4 and status["currentReplicas"] == 1
    reasons = {c["type"]: (c["status"], c["reason"]) for c in status["conditions"]}
    assert reasons == {
        "AbleToScale": ("True", "SucceededRescale"),
        "ScalingActive": ("True", "ValidMetricFound"),
        "ScalingLimited": ("False", "DesiredWithinRange"),
    }
    assert (
        "SuccessfulRescale",
        "New size: 4; reason: cpu resource utilization (percentage of request) above target",
    ) in cluster.events()
    cluster.run_all()
    burn(cluster, 10)
    cluster.clock.advance(15)
    cluster.sync()
    assert web_replicas(cluster) == 4  # the downscale stabilization window
    latest = {c["type"]: c["reason"] for c in hpa_status(cluster)["conditions"]}
    assert latest["AbleToScale"] == "ScaleDownStabilized"
    for _ in range(20):
        cluster.clock.advance(15)
        cluster.sync()
    assert web_replicas(cluster) == 1
    assert (
        "SuccessfulRescale",
        "New size: 1; reason: All metrics below target",
    ) in cluster.events()


def test_hpa_without_metrics_says_why(cluster: Cluster) -> None:
    create(cluster.rest, DEPLOYMENTS, "default", deployment(), "kubectl")
    cluster.sync()
    create(cluster.rest, HPAS, "default", autoscaler(), "kubectl")
    cluster.sync()
    status = hpa_status(cluster)
    assert status["currentMetrics"] == [{"type": ""}]
    (active,) = [c for c in status["conditions"] if c["type"] == "ScalingActive"]
    assert (active["status"], active["reason"], active["message"]) == (
        "False",
        "FailedGetResourceMetric",
        "the HPA was unable to compute the replica count: failed to get cpu utilization: unable "
        "to get metrics for resource cpu: no metrics returned from resource metrics API",
    )
    assert (
        "FailedComputeMetricsReplicas",
        "invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric "
        "value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics "
        "returned from resource metrics API",
    ) in cluster.events()
    patch(
        cluster.rest,
        HPAS,
        "default",
        "web",
        {"spec": {"scaleTargetRef": {"name": "gone"}}},
        "kubectl",
    )
    cluster.sync()
    (able,) = [c for c in hpa_status(cluster)["conditions"] if c["type"] == "AbleToScale"]
    assert able["reason"] == "FailedGetScale"
    assert able["message"] == (
        'the HPA controller was unable to get the target\'s current scale: deployments.apps "gone" '
        "not found"
    )
