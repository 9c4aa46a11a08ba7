"""Scheduling policy objects: PodDisruptionBudget and PriorityClass."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from backends.objects.selectors import format_label_selector, format_labels
from pykctl.describe.events import describe_events
from pykctl.describe.format import (
    Obj,
    annotations_of,
    dig,
    go_value,
    int_or_string,
    number,
    text,
)
from pykctl.describe.writer import LEVEL_0, LEVEL_2, Writer


def describe_pod_disruption_budget(pdb: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe pdb``."""
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(pdb, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Namespace:\t{text(pdb, 'metadata', 'namespace')}\n")
    if dig(pdb, "spec", "minAvailable") is not None:
        w.write(LEVEL_0, f"Min available:\t{int_or_string(dig(pdb, 'spec', 'minAvailable'))}\n")
    elif dig(pdb, "spec", "maxUnavailable") is not None:
        w.write(LEVEL_0, f"Max unavailable:\t{int_or_string(dig(pdb, 'spec', 'maxUnavailable'))}\n")
    selector = dig(pdb, "spec", "selector")
    if isinstance(selector, dict):
        w.write(LEVEL_0, f"Selector:\t{format_label_selector(selector)}\n")
    else:
        w.write(LEVEL_0, "Selector:\t<unset>\n")
    w.write(LEVEL_0, "Status:\n")
    for title, key in (
        ("Allowed disruptions", "disruptionsAllowed"),
        ("Current", "currentHealthy"),
        ("Desired", "desiredHealthy"),
        ("Total", "expectedPods"),
    ):
        w.write(LEVEL_2, f"{title}:\t{number(pdb, 'status', key)}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


def describe_priority_class(pc: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe priorityclass`` (annotations on one line, last-applied included)."""
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(pc, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Value:\t{number(pc, 'value')}\n")
    w.write(LEVEL_0, f"GlobalDefault:\t{go_value(dig(pc, 'globalDefault') is True)}\n")
    w.write(LEVEL_0, f"PreemptionPolicy:\t{text(pc, 'preemptionPolicy')}\n")
    w.write(LEVEL_0, f"Description:\t{text(pc, 'description')}\n")
    w.write(LEVEL_0, f"Annotations:\t{format_labels(annotations_of(pc))}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()
