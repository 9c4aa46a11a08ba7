"""Unit tests for the events recorders (backends/simulator/cluster/events.py), over an in-memory
store and REST layer with a FakeClock: client-go's de-duplication (count), aggregation
("combined from similar events"), spam filter, and events.k8s.io series."""

from __future__ import annotations

from typing import Any

import pytest

from backends.simulator.apiserver.rest import Rest
from backends.simulator.bootstrap import bootstrap
from backends.simulator.clock import FakeClock
from backends.simulator.cluster.api import EVENTS, target
from backends.simulator.cluster.api import NO_QUERY as QUERY
from backends.simulator.cluster.events import EventRecorder, SeriesRecorder, reference
from backends.simulator.store import Store

Obj = dict[str, Any]
POD: Obj = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "shop", "uid": "u-1", "resourceVersion": "7"},
}


@pytest.fixture
def rest() -> Rest:
    api = Rest(Store(None), FakeClock())
    bootstrap(api, 6443)
    for name in ("shop",):
        api.create(
            target_ns(),
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
            QUERY,
        )
    return api


def target_ns() -> Any:
    from backends.simulator.cluster.api import NAMESPACES

    return target(NAMESPACES, None)


def clock_of(rest: Rest) -> FakeClock:
    assert isinstance(rest.clock, FakeClock)
    return rest.clock


def events(rest: Rest) -> list[Obj]:
    return rest.store.objects("/events")


def kubelet(rest: Rest) -> EventRecorder:
    return EventRecorder(rest, rest.clock, "kubelet", "node-1", "kubelet")


def test_reference_of_an_object() -> None:
    assert reference(POD, "spec.containers{web}") == {
        "kind": "Pod",
        "namespace": "shop",
        "name": "web",
        "uid": "u-1",
        "apiVersion": "v1",
        "resourceVersion": "7",
        "fieldPath": "spec.containers{web}",
    }


def test_a_legacy_event_as_client_go_writes_it(rest: Rest) -> None:
    kubelet(rest).event(
        POD, "Normal", "Pulled", 'Container image "nginx" already present', "spec.containers{web}"
    )
    (event,) = events(rest)
    assert event["metadata"]["namespace"] == "shop"
    assert event["metadata"]["name"] == "web.18867251edfa0000"  # <name>.<hex UnixNano>
    assert {
        k: event.get(k)
        for k in ("reason", "type", "count", "source", "firstTimestamp", "lastTimestamp")
    } == {
        "reason": "Pulled",
        "type": "Normal",
        "count": 1,
        "source": {"component": "kubelet", "host": "node-1"},
        "firstTimestamp": "2026-01-01T00:00:00Z",
        "lastTimestamp": "2026-01-01T00:00:00Z",
    }
    assert event["reportingComponent"] == "kubelet" and event["reportingInstance"] == "node-1"
    assert event["involvedObject"]["fieldPath"] == "spec.containers{web}"
    assert event["metadata"]["managedFields"][0]["manager"] == "kubelet"


def test_a_repeat_raises_the_count(rest: Rest) -> None:
    recorder = kubelet(rest)
    recorder.event(POD, "Warning", "BackOff", "Back-off restarting failed container")
    clock_of(rest).advance(30)
    recorder.event(POD, "Warning", "BackOff", "Back-off restarting failed container")
    recorder.event(POD, "Warning", "BackOff", "Back-off restarting failed container")
    (event,) = events(rest)
    assert event["count"] == 3
    assert event["firstTimestamp"] == "2026-01-01T00:00:00Z"
    assert event["lastTimestamp"] == "2026-01-01T00:00:30Z"


def test_cluster_scoped_objects_get_events_in_default(rest: Rest) -> None:
    kubelet(rest).event(
        {"kind": "Node", "name": "node-1", "uid": "node-1"},
        "Normal",
        "Starting",
        "Starting kubelet.",
    )
    (event,) = events(rest)
    assert event["metadata"]["namespace"] == "default"
    assert event["involvedObject"] == {"kind": "Node", "name": "node-1", "uid": "node-1"}


def test_a_deleted_event_is_written_again_with_its_count(rest: Rest) -> None:
    recorder = kubelet(rest)
    recorder.event(POD, "Normal", "Killing", "Stopping container web")
    name = events(rest)[0]["metadata"]["name"]
    rest.delete(target(EVENTS, "shop", name), {}, QUERY)
    recorder.event(POD, "Normal", "Killing", "Stopping container web")
    (event,) = events(rest)
    assert event["count"] == 2


def test_many_different_messages_are_combined(rest: Rest) -> None:
    recorder = kubelet(rest)
    for index in range(12):
        recorder.event(POD, "Warning", "FailedMount", f"volume {index} failed")
    written = sorted((e["message"], e["count"]) for e in events(rest))
    assert len(written) == 10
    assert ("(combined from similar events): volume 11 failed", 3) in written
    assert ("volume 8 failed", 1) in written
    clock_of(rest).advance(601)  # a quiet 10 minutes starts afresh
    recorder.event(POD, "Warning", "FailedMount", "volume 12 failed")
    assert any(e["message"] == "volume 12 failed" for e in events(rest))


def test_the_spam_filter_drops_bursts(rest: Rest) -> None:
    recorder = kubelet(rest)
    for _ in range(30):
        recorder.event(
            POD,
            "Warning",
            "Unhealthy",
            "Liveness probe failed: HTTP probe failed with statuscode: 500",
        )
    assert events(rest)[0]["count"] == 25
    clock_of(rest).advance(300)
    recorder.event(
        POD, "Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500"
    )
    recorder.event(
        POD, "Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500"
    )
    assert events(rest)[0]["count"] == 26


def test_series_events_as_kube_scheduler_records_them(rest: Rest) -> None:
    recorder = SeriesRecorder(
        rest, rest.clock, "default-scheduler", "default-scheduler-node-1", "kube-scheduler"
    )
    recorder.event(
        POD,
        "Warning",
        "FailedScheduling",
        "Scheduling",
        "0/1 nodes are available: 1 Insufficient cpu.",
    )
    (event,) = events(rest)
    assert {
        k: event.get(k)
        for k in ("action", "eventTime", "reportingComponent", "reportingInstance", "source")
    } == {
        "action": "Scheduling",
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "reportingComponent": "default-scheduler",
        "reportingInstance": "default-scheduler-node-1",
        "source": {},
    }
    assert "count" not in event and "series" not in event
    clock_of(rest).advance(10)
    recorder.event(
        POD,
        "Warning",
        "FailedScheduling",
        "Scheduling",
        "0/1 nodes are available: 1 Insufficient cpu.",
    )
    assert events(rest)[0]["series"] == {
        "count": 2,
        "lastObservedTime": "2026-01-01T00:00:10.000000Z",
    }
    clock_of(rest).advance(10)
    recorder.event(
        POD,
        "Warning",
        "FailedScheduling",
        "Scheduling",
        "0/1 nodes are available: 1 Insufficient cpu.",
    )
    recorder.tick()
    assert events(rest)[0]["series"]["count"] == 2  # counted in memory until the series ends
    clock_of(rest).advance(361)
    recorder.tick()
    assert events(rest)[0]["series"] == {
        "count": 3,
        "lastObservedTime": "2026-01-01T00:00:20.000000Z",
    }
    recorder.event(
        POD,
        "Warning",
        "FailedScheduling",
        "Scheduling",
        "0/1 nodes are available: 1 Insufficient cpu.",
    )
    assert len(events(rest)) == 2  # the series ended: a new event


def test_series_are_written_every_30_minutes(rest: Rest) -> None:
    recorder = SeriesRecorder(
        rest, rest.clock, "default-scheduler", "default-scheduler-node-1", "kube-scheduler"
    )
    for _ in range(7):
        recorder.event(
            POD, "Warning", "FailedScheduling", "Scheduling", "no nodes available to schedule pods"
        )
        clock_of(rest).advance(300)
        recorder.tick()
    assert events(rest)[0]["series"]["count"] == 6
    related = {**POD, "metadata": {**POD["metadata"], "name": "urgent", "uid": "u-2"}}
    recorder.event(
        POD,
        "Normal",
        "Preempted",
        "Preempting",
        "Preempted by pod u-2 on node node-1",
        related=related,
    )
    assert events(rest)[-1]["related"]["name"] == "urgent"
