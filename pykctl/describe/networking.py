"""Cluster networking objects: NetworkPolicy, ServiceCIDR and IPAddress.

A NetworkPolicy prints its selectors and, per direction its policy types enable, each rule's
ports and peers (rules separated by ``----------``); it has no Events section. Its creation
time prints as Go's ``Time.String()`` in local time (``2026-01-02 03:04:05 +0000 UTC``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backends.objects.durations import parse_time
from backends.objects.selectors import format_label_selector
from pykctl.describe.events import describe_events
from pykctl.describe.format import (
    Obj,
    annotations_multiline,
    annotations_of,
    dig,
    int_or_string,
    items,
    labels_multiline,
    labels_of,
    mapping,
    number,
    rfc1123z,
    text,
    write_metadata,
)
from pykctl.describe.writer import LEVEL_0, LEVEL_1, LEVEL_2, Writer

_RULE_SEPARATOR = "----------"


def go_time_string(value: Any) -> str:
    """Go's ``Time.String()`` of a decoded timestamp, in the local zone."""
    moment = parse_time(value)
    if moment is None:
        return "0001-01-01 00:00:00 +0000 UTC"
    local = moment.astimezone()
    fraction = f".{local.microsecond:06d}".rstrip("0") if local.microsecond else ""
    return f"{local:%Y-%m-%d %H:%M:%S}{fraction} {local:%z} {local.tzname()}"


def _peers(w: Writer, peers: list[Any], title: str, indent: str) -> None:
    for peer in peers:
        w.write(LEVEL_0, f"{indent}{title}:\n")
        pod, namespace = dig(peer, "podSelector"), dig(peer, "namespaceSelector")
        if isinstance(pod, dict) and isinstance(namespace, dict):
            w.write(LEVEL_1, f"{indent}NamespaceSelector: {format_label_selector(namespace)}\n")
            w.write(LEVEL_1, f"{indent}PodSelector: {format_label_selector(pod)}\n")
        elif isinstance(pod, dict):
            w.write(LEVEL_1, f"{indent}PodSelector: {format_label_selector(pod)}\n")
        elif isinstance(namespace, dict):
            w.write(LEVEL_1, f"{indent}NamespaceSelector: {format_label_selector(namespace)}\n")
        elif isinstance(dig(peer, "ipBlock"), dict):
            block = mapping(peer, "ipBlock")
            w.write(LEVEL_1, f"{indent}IPBlock:\n")
            w.write(LEVEL_2, f"{indent}CIDR: {text(block, 'cidr')}\n")
            w.write(LEVEL_2, f"{indent}Except: {', '.join(map(str, items(block, 'except')))}\n")


def _rules(w: Writer, rules: list[Any], direction: str, peers_key: str, indent: str) -> None:
    if not rules:
        w.write(
            LEVEL_0, f"{indent}<none> (Selected pods are isolated for {direction} connectivity)\n"
        )
        return
    title = "From" if peers_key == "from" else "To"
    restriction = "source" if peers_key == "from" else "destination"
    for i, rule in enumerate(rules):
        ports = items(rule, "ports")
        if not ports:
            w.write(LEVEL_0, f"{indent}To Port: <any> (traffic allowed to all ports)\n")
        for port in ports:
            protocol = text(port, "protocol") if dig(port, "protocol") is not None else "TCP"
            shown = int_or_string(dig(port, "port"))
            if dig(port, "endPort") is None:
                w.write(LEVEL_0, f"{indent}To Port: {shown}/{protocol}\n")
            else:
                w.write(
                    LEVEL_0,
                    f"{indent}To Port Range: {shown}-{number(port, 'endPort')}/{protocol}\n",
                )
        peers = items(rule, peers_key)
        if not peers:
            w.write(LEVEL_0, f"{indent}{title}: <any> (traffic not restricted by {restriction})\n")
        else:
            _peers(w, peers, title, indent)
        if i != len(rules) - 1:
            w.write(LEVEL_0, f"{indent}{_RULE_SEPARATOR}\n")


def describe_network_policy(policy: Obj) -> str:
    """``kubectl describe networkpolicy``."""
    spec = mapping(policy, "spec")
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(policy, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Namespace:\t{text(policy, 'metadata', 'namespace')}\n")
    w.write(
        LEVEL_0, f"Created on:\t{go_time_string(dig(policy, 'metadata', 'creationTimestamp'))}\n"
    )
    labels_multiline(w, "Labels", labels_of(policy))
    annotations_multiline(w, "Annotations", annotations_of(policy))
    w.write(LEVEL_0, "Spec:\n")
    w.write(LEVEL_1, "PodSelector: ")
    selector = mapping(spec, "podSelector")
    if not mapping(selector, "matchLabels") and not items(selector, "matchExpressions"):
        w.write(LEVEL_2, "<none> (Allowing the specific traffic to all pods in this namespace)\n")
    else:
        w.write(LEVEL_2, f"{format_label_selector(selector)}\n")
    types = [str(t) for t in items(spec, "policyTypes")]
    for direction, key, peers_key in (("ingress", "ingress", "from"), ("egress", "egress", "to")):
        if direction.capitalize() in types:
            w.write(LEVEL_1, f"Allowing {direction} traffic:\n")
            _rules(w, items(spec, key), direction, peers_key, "    ")
        else:
            w.write(LEVEL_1, f"Not affecting {direction} traffic\n")
    w.write(LEVEL_1, f"Policy Types: {', '.join(types) or '<none>'}\n")
    return w.getvalue()


def describe_service_cidr(cidr: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe servicecidr``."""
    w = Writer()
    write_metadata(w, cidr, namespace=False)
    w.write(LEVEL_0, f"CIDRs:\t{', '.join(map(str, items(cidr, 'spec', 'cidrs')))}\n")
    conditions = items(cidr, "status", "conditions")
    if conditions:
        w.write(LEVEL_0, "Status:\n")
        w.write(LEVEL_0, "Conditions:\n")
        w.write(LEVEL_1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(LEVEL_1, "----\t------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(
                LEVEL_1,
                f"{text(c, 'type')}\t{text(c, 'status')}\t{rfc1123z(dig(c, 'lastTransitionTime'))}"
                f"\t{text(c, 'reason')}\t{text(c, 'message')}\n",
            )
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


def describe_ip_address(address: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe ipaddress``."""
    w = Writer()
    write_metadata(w, address, namespace=False)
    parent = dig(address, "spec", "parentRef")
    if isinstance(parent, dict):
        w.write(LEVEL_0, "Parent Reference:\n")
        for title, key in (
            ("Group", "group"),
            ("Resource", "resource"),
            ("Namespace", "namespace"),
            ("Name", "name"),
        ):
            w.write(LEVEL_1, f"{title}:\t{text(parent, key)}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()
