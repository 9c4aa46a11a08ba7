"""The describe writer and the formatting helpers every describer shares (kubectl's
PrefixWriter, tabwriter blocks, printLabelsMultiline & co., RFC1123Z local timestamps)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from pykctl.describe.events import age, describe_events, field_selector
from pykctl.describe.format import (
    annotations_multiline,
    go_value,
    labels_multiline,
    rfc1123z,
    taints_multiline,
    toleration_string,
)
from pykctl.describe.generic import camelcase_split, describe_generic, smart_label
from pykctl.describe.writer import LEVEL_0, LEVEL_1, LEVEL_2, Writer

NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC unless a test sets TZ itself; the process zone is restored after."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def render(write: object) -> str:
    w = Writer()
    write(w)  # type: ignore[operator]
    return w.getvalue()


# ---------------------------------------------------------------- the writer


def test_alignment_restarts_after_lines_without_the_column() -> None:
    w = Writer()
    w.write(LEVEL_0, "Name:\tweb\n")
    w.write(LEVEL_0, "Namespace:\tdefault\n")
    w.write(LEVEL_0, "IPs:\n")
    w.write(LEVEL_1, "IP:\t10.0.0.1\n")
    w.write(LEVEL_0, "Controlled By:\tReplicaSet/web\n")
    assert w.getvalue() == (
        "Name:       web\n"
        "Namespace:  default\n"
        "IPs:\n"
        "  IP:           10.0.0.1\n"
        "Controlled By:  ReplicaSet/web\n"
    )


def test_flush_ends_the_blocks_and_empty_cells_are_padded() -> None:
    w = Writer()
    w.write(LEVEL_0, "A:\t1\n")
    w.flush()
    w.write(LEVEL_0, "Longer key:\t\n")
    assert w.getvalue() == "A:  1\nLonger key:  \n"


def test_levels_nesting_and_write_line() -> None:
    w = Writer()
    w.write(LEVEL_2, "x\n")
    inner = w.nested(LEVEL_2)
    inner.write(LEVEL_1, "y\n")
    inner.line("z")
    w.line("top")
    assert w.getvalue() == "    x\n      y\n    z\ntop\n"


def test_terminal_escapes_are_made_visible() -> None:
    w = Writer()
    w.write(LEVEL_0, "v:\t\x1b[31mred\rback\n")
    assert w.getvalue() == "v:  ^[[31mred\\rback\n"


# ---------------------------------------------------------------- multi-line blocks


def test_labels_sorted_with_continuation_under_the_value() -> None:
    out = render(lambda w: labels_multiline(w, "Labels", {"b": "2", "a": "1"}))
    assert out == "Labels:  a=1\n         b=2\n"
    assert render(lambda w: labels_multiline(w, "Labels", {})) == "Labels:  <none>\n"


def test_annotations_hide_last_applied_and_cut_long_values() -> None:
    annotations = {
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
        "short": "v\n",
        "long": "x" * 139,
        "multi": "one\ntwo",
    }
    out = render(lambda w: annotations_multiline(w, "Annotations", annotations))
    assert out == (
        "Annotations:  long:\n"
        "                " + "x" * 138 + "...\n"
        "              multi:\n"
        "                one\n"
        "                two\n"
        "              short: v\n"
    )
    only_hidden = {"kubectl.kubernetes.io/last-applied-configuration": "{}"}
    assert render(lambda w: annotations_multiline(w, "A", only_hidden)) == "A:  <none>\n"


def test_annotation_length_counts_bytes() -> None:
    value = "é" * 69  # 138 bytes: with the key and ": " just over 140
    out = render(lambda w: annotations_multiline(w, "A", {"k": value}))
    assert out == f"A:  k:\n      {value}\n"


@pytest.mark.parametrize(
    ("toleration", "expected"),
    [
        ({"operator": "Exists"}, "op=Exists"),
        ({"key": "k", "operator": "Exists"}, "k op=Exists"),
        ({"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}, "k=v:NoSchedule"),
        (
            {"effect": "NoExecute", "operator": "Exists", "tolerationSeconds": 30},
            ":NoExecute op=Exists for 30s",
        ),
        ({"key": "k", "operator": "Exists", "value": "v"}, "k=v"),
    ],
)
def test_toleration(toleration: dict[str, object], expected: str) -> None:
    assert toleration_string(toleration) == expected


def test_taints_sorted_by_effect_then_key() -> None:
    taints = [
        {"key": "b", "effect": "NoSchedule"},
        {"key": "a", "value": "1", "effect": "NoSchedule"},
        {"key": "c", "effect": "NoExecute"},
    ]
    out = render(lambda w: taints_multiline(w, "Taints", taints))
    assert out == "Taints:  c:NoExecute\n         a=1:NoSchedule\n         b:NoSchedule\n"


# ---------------------------------------------------------------- values and time


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "<nil>"),
        (True, "true"),
        (1.5, "1.5"),
        (2.0, "2"),
        (12345678.9, "1.23456789e+07"),
        ([1, [2, "a"]], "[1 [2 a]]"),
        ({"b": 1, "a": {"c": None}}, "map[a:map[c:<nil>] b:1]"),
    ],
)
def test_go_value(value: object, expected: str) -> None:
    assert go_value(value) == expected


@pytest.mark.parametrize(
    ("tz", "value", "expected"),
    [
        ("UTC", "2026-01-01T00:00:05Z", "Thu, 01 Jan 2026 00:00:05 +0000"),
        ("Asia/Kolkata", "2026-01-01T00:00:05Z", "Thu, 01 Jan 2026 05:30:05 +0530"),
        ("America/New_York", "2026-01-15T12:00:00Z", "Thu, 15 Jan 2026 07:00:00 -0500"),
        ("America/New_York", "2026-07-15T12:00:00.123456Z", "Wed, 15 Jul 2026 08:00:00 -0400"),
        ("Asia/Kolkata", None, "Mon, 01 Jan 0001 00:00:00 +0000"),
    ],
)
def test_rfc1123z_in_local_time(
    monkeypatch: pytest.MonkeyPatch, tz: str, value: str | None, expected: str
) -> None:
    monkeypatch.setenv("TZ", tz)
    time.tzset()
    try:
        assert rfc1123z(value) == expected
    finally:
        monkeypatch.undo()
        time.tzset()


# ---------------------------------------------------------------- events


def test_event_query() -> None:
    assert field_selector("web", "default", None, "u-1") == (
        "involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u-1"
    )
    assert field_selector("n,1", "", "Node", "") == (
        "involvedObject.kind=Node,involvedObject.name=n\\,1,involvedObject.namespace="
    )


def test_event_ages() -> None:
    assert age({"firstTimestamp": "2026-05-22T12:00:00Z"}, NOW) == "10d"
    assert (
        age({"eventTime": "2026-05-31T12:00:00.5Z", "firstTimestamp": "2020-01-01T00:00:00Z"}, NOW)
        == "23h"
    )
    repeated = {
        "firstTimestamp": "2026-05-22T12:00:00Z",
        "lastTimestamp": "2026-06-01T11:58:00Z",
        "count": 3,
    }
    assert age(repeated, NOW) == "2m (x3 over 10d)"
    series = {
        "eventTime": "2026-05-30T12:00:00.0Z",
        "series": {"count": 7, "lastObservedTime": "2026-06-01T11:00:00.0Z"},
    }
    assert age(series, NOW) == "60m (x7 over 2d)"
    assert age({}, NOW) == "<unknown>"


def test_events_sorted_by_last_timestamp_and_flushed() -> None:
    w = Writer()
    w.write(LEVEL_0, "Long key name:\tvalue\n")
    events = [
        {
            "type": "Warning",
            "reason": "Late",
            "message": " b ",
            "lastTimestamp": "2026-06-01T11:00:00Z",
            "firstTimestamp": "2026-06-01T11:00:00Z",
            "source": {"component": "kubelet"},
        },
        {
            "type": "Normal",
            "reason": "Early",
            "message": "a",
            "involvedObject": {"fieldPath": "spec.x"},
            "lastTimestamp": "2026-06-01T10:00:00Z",
            "firstTimestamp": "2026-06-01T10:00:00Z",
            "reportingComponent": "ctrl",
        },
    ]
    describe_events(w, events, NOW)
    assert w.getvalue() == (
        "Long key name:  value\n"
        "Events:\n"
        "  Type     Reason  Age   From     Message\n"
        "  ----     ------  ----  ----     -------\n"
        "  Normal   Early   120m  ctrl     spec.x: a\n"
        "  Warning  Late    60m   kubelet  b\n"
    )
    empty = Writer()
    empty.write(LEVEL_0, "Key:\tv\n")
    describe_events(empty, [], NOW)
    assert empty.getvalue() == "Key:     v\nEvents:  <none>\n"


# ---------------------------------------------------------------- the generic describer


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("apiVersion", "API Version"),
        ("podCIDR", "Pod CIDR"),
        ("hostIPs", "Host I Ps"),
        ("URLPath", "URLPath"),
        ("HTTPServer", "HTTPServer"),
        ("kebab-case", "Kebab - Case"),
        ("uid", "UID"),
        ("x509", "x509"),
        ("under_score", "under_score"),
        ("éclair", "Éclair"),
    ],
)
def test_smart_label(field: str, expected: str) -> None:
    assert smart_label(field) == expected


def test_camelcase_split() -> None:
    assert camelcase_split("PDFLoader") == ["PDF", "Loader"]
    assert camelcase_split("GL11Version") == ["GL", "11", "Version"]
    assert camelcase_split("") == []


def test_generic_outline(zone: None) -> None:
    obj = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {
            "name": "w",
            "namespace": "ns",
            "uid": "u",
            "labels": {"a": "b"},
            "managedFields": [{"manager": "x"}],
        },
        "spec": {"size": 3, "ratio": 0.5, "items": [{"name": "i1"}, "plain", [1, 2]], "empty": {}},
    }
    assert describe_generic(obj, None, NOW) == (
        "Name:         w\n"
        "Namespace:    ns\n"
        "Labels:       a=b\n"
        "Annotations:  <none>\n"
        "API Version:  example.com/v1\n"
        "Kind:         Widget\n"
        "Metadata:\n"
        "  UID:  u\n"
        "Spec:\n"
        "  Empty:\n"
        "  Items:\n"
        "    Name:  i1\n"
        "    plain\n"
        "    [1 2]\n"
        "  Ratio:  0.5\n"
        "  Size:   3\n"
    )
