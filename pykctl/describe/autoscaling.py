"""HorizontalPodAutoscalers, as autoscaling/v2 (kubectl's first choice) or autoscaling/v1.

Each metric prints one ``Metrics:`` row ``current / target``; a current value the status does
not report reads ``<unknown>``. Quantities print with ``Quantity.String()`` (``<nil>`` for a
missing one, as Go prints a nil ``*Quantity``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backends.objects import gofmt
from pykctl.describe.events import describe_events
from pykctl.describe.format import (
    Obj,
    dig,
    items,
    mapping,
    number,
    parse_quantity,
    rfc1123z,
    text,
    write_metadata,
)
from pykctl.describe.writer import LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, Writer


def _q(value: Any) -> str:
    """A ``*Quantity`` with ``%s``/``String()``."""
    return "<nil>" if value is None else str(parse_quantity(value))


def _head(w: Writer, hpa: Obj) -> None:
    write_metadata(w, hpa)
    w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(dig(hpa, 'metadata', 'creationTimestamp'))}\n")
    ref = mapping(hpa, "spec", "scaleTargetRef")
    w.write(LEVEL_0, f"Reference:\t{text(ref, 'kind')}/{text(ref, 'name')}\n")


def _tail(w: Writer, hpa: Obj) -> None:
    minimum = dig(hpa, "spec", "minReplicas")
    w.write(
        LEVEL_0,
        f"Min replicas:\t{'<unset>' if minimum is None else number(hpa, 'spec', 'minReplicas')}\n",
    )
    w.write(LEVEL_0, f"Max replicas:\t{number(hpa, 'spec', 'maxReplicas')}\n")


def _replicas(w: Writer, hpa: Obj) -> None:
    w.write(LEVEL_0, f"{text(hpa, 'spec', 'scaleTargetRef', 'kind')} pods:\t")
    w.write(
        LEVEL_0,
        f"{number(hpa, 'status', 'currentReplicas')} current / "
        f"{number(hpa, 'status', 'desiredReplicas')} desired\n",
    )


def _current(hpa: Obj, index: int, source: str) -> Obj | None:
    metrics = items(hpa, "status", "currentMetrics")
    if index < len(metrics) and isinstance(dig(metrics[index], source), dict):
        return mapping(metrics[index], source)
    return None


def _metric(w: Writer, hpa: Obj, index: int, metric: Obj) -> None:
    kind = text(metric, "type")
    if kind == "External":
        source = mapping(metric, "external")
        name = gofmt.quote(text(source, "metric", "name"))
        current_source = _current(hpa, index, "external")
        if dig(source, "target", "averageValue") is not None:
            current = "<unknown>"
            if (
                current_source is not None
                and dig(current_source, "current", "averageValue") is not None
            ):
                current = _q(dig(current_source, "current", "averageValue"))
            target = _q(dig(source, "target", "averageValue"))
            w.write(LEVEL_1, f"{name} (target average value):\t{current} / {target}\n")
        else:
            current = "<unknown>"
            if current_source is not None:
                current = _q(dig(current_source, "current", "value"))
            w.write(
                LEVEL_1,
                f"{name} (target value):\t{current} / {_q(dig(source, 'target', 'value'))}\n",
            )
    elif kind == "Pods":
        source = mapping(metric, "pods")
        current_source = _current(hpa, index, "pods")
        current = (
            "<unknown>"
            if current_source is None
            else _q(dig(current_source, "current", "averageValue"))
        )
        name = gofmt.quote(text(source, "metric", "name"))
        w.write(
            LEVEL_1, f"{name} on pods:\t{current} / {_q(dig(source, 'target', 'averageValue'))}\n"
        )
    elif kind == "Object":
        source = mapping(metric, "object")
        described = mapping(source, "describedObject")
        w.write(
            LEVEL_1,
            f'"{text(source, "metric", "name")}" on {text(described, "kind")}/{text(described, "name")} ',
        )
        current_source = _current(hpa, index, "object")
        field = "averageValue" if text(source, "target", "type") == "AverageValue" else "value"
        label = "target average value" if field == "averageValue" else "target value"
        current = (
            "<unknown>" if current_source is None else _q(dig(current_source, "current", field))
        )
        w.write(LEVEL_0, f"({label}):\t{current} / {_q(dig(source, 'target', field))}\n")
    elif kind in ("Resource", "ContainerResource"):
        key = "resource" if kind == "Resource" else "containerResource"
        source = mapping(metric, key)
        if kind == "Resource":
            w.write(LEVEL_1, f"resource {text(source, 'name')} on pods")
        else:
            w.write(
                LEVEL_1,
                f'resource {text(source, "name")} of container "{text(source, "container")}" on pods',
            )
        current_source = _current(hpa, index, key)
        if dig(source, "target", "averageValue") is not None:
            current = "<unknown>"
            if current_source is not None:
                current = _q(dig(current_source, "current", "averageValue"))
            w.write(LEVEL_0, f":\t{current} / {_q(dig(source, 'target', 'averageValue'))}\n")
        else:
            current = "<unknown>"
            if (
                current_source is not None
                and dig(current_source, "current", "averageUtilization") is not None
            ):
                current = (
                    f"{number(current_source, 'current', 'averageUtilization')}% "
                    f"({_q(dig(current_source, 'current', 'averageValue'))})"
                )
            utilization = dig(source, "target", "averageUtilization")
            target = (
                "<auto>"
                if utilization is None
                else f"{number(source, 'target', 'averageUtilization')}%"
            )
            w.write(LEVEL_1, f"(as a percentage of request):\t{current} / {target}\n")
    else:
        w.write(LEVEL_1, f"<unknown metric type {gofmt.quote(kind)}>\n")


def _behavior(w: Writer, direction: str, rules: Any) -> None:
    if not isinstance(rules, dict):
        return
    w.write(LEVEL_1, f"{direction}:\n")
    if dig(rules, "stabilizationWindowSeconds") is not None:
        w.write(
            LEVEL_2,
            f"Stabilization Window: {number(rules, 'stabilizationWindowSeconds')} seconds\n",
        )
    policies = items(rules, "policies")
    if policies:
        select = dig(rules, "selectPolicy")
        w.write(LEVEL_2, f"Select Policy: {'Max' if select is None else select}\n")
        w.write(LEVEL_2, "Policies:\n")
        for p in policies:
            w.write(
                LEVEL_3,
                f"- Type: {text(p, 'type')}\tValue: {number(p, 'value')}\t"
                f"Period: {number(p, 'periodSeconds')} seconds\n",
            )


def describe_hpa_v2(hpa: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe hpa`` of an autoscaling/v2 object."""
    w = Writer()
    _head(w, hpa)
    w.write(LEVEL_0, "Metrics:\t( current / target )\n")
    for index, metric in enumerate(items(hpa, "spec", "metrics")):
        _metric(w, hpa, index, metric)
    _tail(w, hpa)
    behavior = dig(hpa, "spec", "behavior")
    if isinstance(behavior, dict):
        w.write(LEVEL_0, "Behavior:\n")
        _behavior(w, "Scale Up", dig(behavior, "scaleUp"))
        _behavior(w, "Scale Down", dig(behavior, "scaleDown"))
    _replicas(w, hpa)
    conditions = items(hpa, "status", "conditions")
    if conditions:
        w.write(LEVEL_0, "Conditions:\n")
        w.write(LEVEL_1, "Type\tStatus\tReason\tMessage\n")
        w.write(LEVEL_1, "----\t------\t------\t-------\n")
        for c in conditions:
            w.write(
                LEVEL_1,
                f"{text(c, 'type')}\t{text(c, 'status')}\t{text(c, 'reason')}\t{text(c, 'message')}\n",
            )
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


def describe_hpa_v1(hpa: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe hpa`` of an autoscaling/v1 object (when v2 is not served)."""
    w = Writer()
    _head(w, hpa)
    if dig(hpa, "spec", "targetCPUUtilizationPercentage") is not None:
        w.write(
            LEVEL_0,
            f"Target CPU utilization:\t{number(hpa, 'spec', 'targetCPUUtilizationPercentage')}%\n",
        )
        current = dig(hpa, "status", "currentCPUUtilizationPercentage")
        shown = (
            "<unknown>"
            if current is None
            else str(number(hpa, "status", "currentCPUUtilizationPercentage"))
        )
        w.write(LEVEL_0, f"Current CPU utilization:\t{shown}%\n")
    _tail(w, hpa)
    _replicas(w, hpa)
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()
