"""metrics.k8s.io objects as metrics-server writes them: quantities (nanocores, BinarySI bytes),
windows as Go durations, field order, Tables, paths and error Statuses."""

from __future__ import annotations

import datetime
import json

import pytest

from backends.simulator.apiserver import status
from backends.simulator.metrics.api import (
    NODE_METRICS,
    POD_METRICS,
    _not_found,
    _target,
    cpu_quantity,
    memory_quantity,
    node_metrics,
    pod_metrics,
    table,
    window_text,
)
from backends.simulator.metrics.sampler import Usage

NOW = datetime.datetime(2026, 1, 1, 12, 0, 30, tzinfo=datetime.timezone.utc)
SAMPLED = datetime.datetime(2026, 1, 1, 12, 0, 21, 456000, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    ("nanocores", "text"),
    [
        (123_456_789, "123456789n"),
        (0, "0"),
        (5_000_000, "5m"),
        (1_000_000_000, "1"),
        (1_500_000_000, "1500m"),
        (7, "7n"),
        (2_000_000_000_000, "2k"),
        (120_000, "120u"),
    ],
)
def test_cpu_is_a_canonical_quantity_of_nanocores(nanocores: int, text: str) -> None:
    assert cpu_quantity(nanocores) == text


@pytest.mark.parametrize(
    ("memory", "text"),
    [
        (52_428_800, "50Mi"),
        (1_585_152, "1548Ki"),
        (12_345_678, "12345678"),
        (0, "0"),
        (1000, "1k"),  # under 1Ki a BinarySI quantity is written as DecimalSI
        (1 << 30, "1Gi"),
    ],
)
def test_memory_is_a_binary_si_quantity_of_bytes(memory: int, text: str) -> None:
    assert memory_quantity(memory) == text


@pytest.mark.parametrize(
    ("window_ms", "text"),
    [
        (10_005, "10.005s"),
        (1001, "1.001s"),
        (20_050, "20.05s"),
        (1000, "1s"),
        (999, "999ms"),
        (61_000, "1m1s"),
        (3_600_000, "1h0m0s"),
    ],
)
def test_window_is_a_go_duration(window_ms: int, text: str) -> None:
    assert window_text(window_ms) == text


def test_every_millisecond_count_survives_the_window_formatting() -> None:
    for window_ms in range(1000, 7_300_000, 997):
        seconds, millis = divmod(window_ms, 1000)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        text = f"{seconds}" + (f".{millis:03d}".rstrip("0") if millis else "") + "s"
        if hours:
            text = f"{hours}h{minutes}m{text}"
        elif minutes:
            text = f"{minutes}m{text}"
        assert window_text(window_ms) == text


POD = {
    "metadata": {
        "name": "web",
        "namespace": "default",
        "uid": "u",
        "labels": {"app": "web"},
        "creationTimestamp": "2025-01-01T00:00:00Z",
    },
    "status": {"phase": "Running"},
}


def test_pod_metrics_have_metrics_servers_fields_in_its_order() -> None:
    containers = [
        ("app", Usage(SAMPLED, 10_005, 123_456_789, 52_428_800)),
        ("sidecar", Usage(SAMPLED - datetime.timedelta(seconds=1), 9_000, 0, 4096)),
    ]
    item = pod_metrics(POD, containers, NOW)
    assert json.dumps(item) == json.dumps(
        {
            "metadata": {
                "name": "web",
                "namespace": "default",
                "creationTimestamp": "2026-01-01T12:00:30Z",
                "labels": {"app": "web"},
            },
            "timestamp": "2026-01-01T12:00:20Z",  # the earliest container's, in seconds
            "window": "9s",
            "containers": [
                {"name": "app", "usage": {"cpu": "123456789n", "memory": "50Mi"}},
                {"name": "sidecar", "usage": {"cpu": "0", "memory": "4Ki"}},
            ],
        }
    )


def test_node_metrics_have_no_namespace_and_no_labels_when_the_node_has_none() -> None:
    item = node_metrics({"metadata": {"name": "node-1"}}, Usage(SAMPLED, 10_054, 1, 2048), NOW)
    assert list(item) == ["metadata", "timestamp", "window", "usage"]
    assert item["metadata"] == {"name": "node-1", "creationTimestamp": "2026-01-01T12:00:30Z"}
    assert item["usage"] == {"cpu": "1n", "memory": "2Ki"}
    assert item["window"] == "10.054s"


def test_table_sums_a_pods_containers_and_has_metrics_servers_columns() -> None:
    containers = [
        ("a", Usage(SAMPLED, 10_000, 250_000_000, 1 << 20)),
        ("b", Usage(SAMPLED, 10_000, 750_000_000, 1 << 20)),
    ]
    result = table(POD_METRICS, [pod_metrics(POD, containers, NOW)], "")
    assert [c["name"] for c in result["columnDefinitions"]] == ["Name", "cpu", "memory", "Window"]
    assert result["columnDefinitions"][0] == {
        "name": "Name",
        "type": "string",
        "format": "name",
        "description": "Name of the resource",
        "priority": 0,
    }
    assert [c["format"] for c in result["columnDefinitions"][1:]] == [
        "quantity",
        "quantity",
        "duration",
    ]
    (row,) = result["rows"]
    assert row["cells"] == ["web", "1", "2Mi", "10s"]
    assert row["object"]["kind"] == "PartialObjectMetadata"
    assert row["object"]["metadata"]["name"] == "web"


def test_an_empty_table_has_no_columns_and_a_bad_include_object_is_rejected() -> None:
    empty = table(NODE_METRICS, [], "None")
    assert (empty["columnDefinitions"], empty["rows"]) == (None, None)
    item = node_metrics({"metadata": {"name": "n"}}, Usage(SAMPLED, 1000, 0, 0), NOW)
    assert table(NODE_METRICS, [item], "None")["rows"][0]["object"] is None
    whole = table(NODE_METRICS, [item], "Object")["rows"][0]["object"]
    assert (whole["kind"], whole["apiVersion"]) == ("NodeMetrics", "metrics.k8s.io/v1beta1")
    with pytest.raises(status.ApiStatus) as raised:
        table(NODE_METRICS, [item], "Everything")
    assert (raised.value.code, raised.value.message) == (
        400,
        'unrecognized includeObject value: "Everything"',
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/apis/metrics.k8s.io/v1beta1/nodes", (NODE_METRICS, None, None)),
        ("/apis/metrics.k8s.io/v1beta1/nodes/node-1", (NODE_METRICS, None, "node-1")),
        ("/apis/metrics.k8s.io/v1beta1/pods", (POD_METRICS, None, None)),
        ("/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods", (POD_METRICS, "ns", None)),
        ("/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods/web", (POD_METRICS, "ns", "web")),
    ],
)
def test_paths(path: str, expected: object) -> None:
    assert _target(path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "/apis/metrics.k8s.io/v1/pods",
        "/apis/metrics.k8s.io/v1beta1/services",
        "/apis/metrics.k8s.io/v1beta1/namespaces/ns/nodes",
        "/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods/web/log",
        "/apis/metrics.k8s.io/v1beta1/namespaces",
    ],
)
def test_other_paths_are_not_found(path: str) -> None:
    with pytest.raises(status.ApiStatus) as raised:
        _target(path)
    assert raised.value.message == "the server could not find the requested resource"


def test_not_found_statuses_are_apimachinerys() -> None:
    missing = _not_found("metrics.k8s.io", "podmetrics", "default/web")
    assert missing.body() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'podmetrics.metrics.k8s.io "default/web" not found',
        "reason": "NotFound",
        "details": {"name": "default/web", "group": "metrics.k8s.io", "kind": "podmetrics"},
        "code": 404,
    }
    assert _not_found("", "node", "n").message == 'node "n" not found'
