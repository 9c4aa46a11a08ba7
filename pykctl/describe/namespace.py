"""Namespaces with their quotas and limit ranges; ResourceQuota and LimitRange on their own.

A Namespace has no Events section. Its quota and limit-range blocks are omitted when the server
does not serve those resources (the command passes None then), and say ``No resource quota.``
/ ``No LimitRange resource.`` when there are none. kubectl prints the resources of one limit
range item in Go map order, which is random; pykctl prints them sorted by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backends.objects.quantity import Quantity
from pykctl.describe.format import (
    Obj,
    dig,
    items,
    mapping,
    parse_quantity,
    rfc1123z,
    sorted_resource_names,
    text,
    write_metadata,
)
from pykctl.describe.writer import LEVEL_0, LEVEL_1, Writer

_SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited "
    "lifespan on a node before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually "
    "include long running pods whose container command is not expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods have "
    "a best effort quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These "
    "pods have a burstable or guaranteed quality of service.",
}
_LIMIT_COLUMNS = (
    "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n"
)
_LIMIT_RULE = "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n"


def describe_namespace(
    namespace: Obj, quotas: Sequence[Obj] | None, limit_ranges: Sequence[Obj] | None
) -> str:
    """``kubectl describe namespace``."""
    w = Writer()
    write_metadata(w, namespace, namespace=False)
    w.write(LEVEL_0, f"Status:\t{text(namespace, 'status', 'phase')}\n")
    conditions = items(namespace, "status", "conditions")
    if conditions:
        w.write(LEVEL_0, "Conditions:\n")
        w.write(LEVEL_1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(LEVEL_1, "----\t------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(
                LEVEL_1,
                f"{text(c, 'type')}\t{text(c, 'status')}\t{rfc1123z(dig(c, 'lastTransitionTime'))}"
                f"\t{text(c, 'reason')}\t{text(c, 'message')}\n",
            )
    if quotas is not None:
        w.write(LEVEL_0, "\n")
        _quotas(w, quotas)
    if limit_ranges is not None:
        w.write(LEVEL_0, "\n")
        if not limit_ranges:
            w.write(LEVEL_0, "No LimitRange resource.\n")
        else:
            w.write(LEVEL_0, "Resource Limits\n " + _LIMIT_COLUMNS)
            w.write(LEVEL_0, " " + _LIMIT_RULE)
            for limit_range in limit_ranges:
                _limit_rows(w, limit_range, " ")
    return w.getvalue()


def _scopes(quota: Obj) -> list[str]:
    return sorted(str(scope) for scope in items(quota, "spec", "scopes"))


def _quotas(w: Writer, quotas: Sequence[Obj]) -> None:
    if not quotas:
        w.write(LEVEL_0, "No resource quota.\n")
        return
    w.write(LEVEL_0, "Resource Quotas\n")
    for quota in sorted(quotas, key=lambda q: text(q, "metadata", "name")):
        w.write(LEVEL_1, f"Name:\t{text(quota, 'metadata', 'name')}\n")
        scopes = _scopes(quota)
        if scopes:
            w.write(LEVEL_1, f"Scopes:\t{', '.join(scopes)}\n")
            for scope in scopes:
                if scope in _SCOPE_HELP:
                    w.write(LEVEL_1, f"* {_SCOPE_HELP[scope]}\n")
        w.write(LEVEL_1, "Resource\tUsed\tHard\n")
        w.write(LEVEL_1, "--------\t---\t---\n")
        hard, used = mapping(quota, "status", "hard"), mapping(quota, "status", "used")
        for name in sorted_resource_names(hard):
            w.write(
                LEVEL_1,
                f"{name}\t{parse_quantity(used.get(name))}\t{parse_quantity(hard[name])}\n",
            )


def _limit_rows(w: Writer, limit_range: Obj, prefix: str) -> None:
    for item in items(limit_range, "spec", "limits"):
        columns = [mapping(item, f) for f in ("min", "max", "defaultRequest", "default")]
        columns.append(mapping(item, "maxLimitRequestRatio"))
        names = sorted({name for column in columns for name in column})
        for name in names:
            values = [str(parse_quantity(c[name])) if name in c else "-" for c in columns]
            w.write(LEVEL_0, f"{prefix}{text(item, 'type')}\t{name}\t" + "\t".join(values) + "\n")


def describe_limit_range(limit_range: Obj) -> str:
    """``kubectl describe limitrange`` (no events)."""
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(limit_range, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Namespace:\t{text(limit_range, 'metadata', 'namespace')}\n")
    w.write(LEVEL_0, _LIMIT_COLUMNS)
    w.write(LEVEL_0, _LIMIT_RULE)
    _limit_rows(w, limit_range, "")
    return w.getvalue()


def describe_resource_quota(quota: Obj) -> str:
    """``kubectl describe quota`` (no events; used values shown in the hard value's format)."""
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(quota, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Namespace:\t{text(quota, 'metadata', 'namespace')}\n")
    scopes = _scopes(quota)
    if scopes:
        w.write(LEVEL_0, f"Scopes:\t{', '.join(scopes)}\n")
        for scope in scopes:
            if scope in _SCOPE_HELP:
                w.write(LEVEL_0, f" * {_SCOPE_HELP[scope]}\n")
    w.write(LEVEL_0, "Resource\tUsed\tHard\n")
    w.write(LEVEL_0, "--------\t----\t----\n")
    hard, used = mapping(quota, "status", "hard"), mapping(quota, "status", "used")
    for name in sorted_resource_names(hard):
        hard_value = parse_quantity(hard[name])
        used_value = _in_format(used.get(name), hard_value)
        w.write(LEVEL_0, f"{name}\t{used_value}\t{hard_value}\n")
    return w.getvalue()


def _in_format(used: Any, hard: Quantity) -> Quantity:
    """A used quantity re-expressed in the hard quantity's format when they differ (a missing
    one is Go's zero Quantity, whose empty format always differs)."""
    value = parse_quantity(used)
    if used is None or value.format != hard.format:
        return Quantity(value.value(), 0, hard.format)
    return value
