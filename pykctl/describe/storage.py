"""Storage objects: PersistentVolume, PersistentVolumeClaim and StorageClass.

A claim lists the pods that use it (``Used By``): every pod of its namespace with a volume
naming the claim (once per such volume, as kubectl counts them), plus pods that own it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backends.objects.selectors import format_labels
from pykctl.describe.events import describe_events
from pykctl.describe.format import (
    Obj,
    annotations_multiline,
    annotations_of,
    bool_ptr,
    dig,
    go_value,
    items,
    labels_multiline,
    labels_of,
    list_multiline,
    mapping,
    number,
    quantity,
    rfc1123z,
    since,
    string_map,
    text,
    write_metadata,
)
from pykctl.describe.volumes import (
    BETA_STORAGE_CLASS,
    access_modes,
    describe_pv_source,
    print_claim,
)
from pykctl.describe.writer import LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, LEVEL_4, Writer


def _volume_class(pv: Obj) -> str:
    annotations = annotations_of(pv)
    if BETA_STORAGE_CLASS in annotations:
        return annotations[BETA_STORAGE_CLASS]
    return text(pv, "spec", "storageClassName")


def _terms_block(w: Writer, level: int, title: str, expressions: list[str]) -> None:
    """``Term N:`` and one requirement per line (kubectl's print*TermsMultilineWithIndent)."""
    w.write(level, f"{title}:\t")
    if not expressions:
        w.line("<none>")
        return
    for i, expression in enumerate(expressions):
        if i:
            w.write(level, "\t")
        w.write(LEVEL_0, f"{expression}\n")


def _expression(key: str, operator: str, values: list[Any]) -> str:
    expression = f"{key} {operator}"
    return f"{expression} [{', '.join(map(str, values))}]" if values else expression


def _node_affinity(w: Writer, affinity: Any) -> None:
    w.write(LEVEL_0, "Node Affinity:\t")
    required = dig(affinity, "required")
    if not isinstance(required, dict):
        w.line("<none>")
        return
    w.line("")
    w.write(LEVEL_1, "Required Terms:\t")
    terms = items(required, "nodeSelectorTerms")
    if not terms:
        w.line("<none>")
        return
    w.line("")
    for i, term in enumerate(terms):
        expressions = [
            _expression(text(req, "key"), text(req, "operator").lower(), items(req, "values"))
            for req in items(term, "matchExpressions")
        ]
        _terms_block(w, LEVEL_2, f"Term {i}", expressions)


def describe_persistent_volume(pv: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe pv``."""
    spec, meta = mapping(pv, "spec"), mapping(pv, "metadata")
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(meta, 'name')}\n")
    labels_multiline(w, "Labels", labels_of(pv))
    annotations_multiline(w, "Annotations", annotations_of(pv))
    w.write(LEVEL_0, f"Finalizers:\t{go_value(items(meta, 'finalizers'))}\n")
    w.write(LEVEL_0, f"StorageClass:\t{_volume_class(pv)}\n")
    if dig(meta, "deletionTimestamp") is not None:
        w.write(
            LEVEL_0, f"Status:\tTerminating (lasts {since(dig(meta, 'deletionTimestamp'), now)})\n"
        )
    else:
        w.write(LEVEL_0, f"Status:\t{text(pv, 'status', 'phase')}\n")
    claim = dig(spec, "claimRef")
    if isinstance(claim, dict):
        w.write(LEVEL_0, f"Claim:\t{text(claim, 'namespace')}/{text(claim, 'name')}\n")
    else:
        w.write(LEVEL_0, "Claim:\t\n")
    w.write(LEVEL_0, f"Reclaim Policy:\t{text(spec, 'persistentVolumeReclaimPolicy')}\n")
    w.write(LEVEL_0, f"Access Modes:\t{access_modes(items(spec, 'accessModes'))}\n")
    if dig(spec, "volumeMode") is not None:
        w.write(LEVEL_0, f"VolumeMode:\t{text(spec, 'volumeMode')}\n")
    w.write(LEVEL_0, f"Capacity:\t{quantity(dig(spec, 'capacity', 'storage'))}\n")
    _node_affinity(w, dig(spec, "nodeAffinity"))
    w.write(LEVEL_0, f"Message:\t{text(pv, 'status', 'message')}\n")
    w.write(LEVEL_0, "Source:\n")
    describe_pv_source(w, spec)
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


def pods_for_claim(claim: Obj, pods: Sequence[Obj]) -> list[Obj]:
    """kubectl's getPodsForPVC: pods mounting the claim, then pods owning it."""
    name = text(claim, "metadata", "name")
    found = [
        pod
        for pod in pods
        for volume in items(pod, "spec", "volumes")
        if text(volume, "persistentVolumeClaim", "claimName") == name
        and isinstance(dig(volume, "persistentVolumeClaim"), dict)
    ]
    for ref in items(claim, "metadata", "ownerReferences"):
        if text(ref, "kind") != "Pod":
            continue
        owner = next((p for p in pods if text(p, "metadata", "uid") == text(ref, "uid")), None)
        if owner is None:
            continue
        if any(text(p, "metadata", "uid") == text(owner, "metadata", "uid") for p in found):
            continue
        found.append(owner)
    return found


def describe_persistent_volume_claim(
    claim: Obj, events: Sequence[Obj] | None, pods: Sequence[Obj], now: datetime
) -> str:
    """``kubectl describe pvc``; ``pods`` are those ``pods_for_claim`` found."""
    w = Writer()
    print_claim(w, claim, now)
    names = sorted(text(pod, "metadata", "name") for pod in pods)
    list_multiline(w, "Used By", names)
    conditions = items(claim, "status", "conditions")
    if conditions:
        w.write(LEVEL_0, "Conditions:\n")
        w.write(LEVEL_1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(LEVEL_1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(
                LEVEL_1,
                f"{text(c, 'type')} \t{text(c, 'status')} \t{rfc1123z(dig(c, 'lastProbeTime'))} "
                f"\t{rfc1123z(dig(c, 'lastTransitionTime'))} \t{text(c, 'reason')} "
                f"\t{text(c, 'message')}\n",
            )
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


IS_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
BETA_IS_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class"


def describe_storage_class(sc: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe storageclass`` (annotations on one line, last-applied included)."""
    w = Writer()
    annotations = annotations_of(sc)
    is_default = "true" in (
        annotations.get(IS_DEFAULT_CLASS),
        annotations.get(BETA_IS_DEFAULT_CLASS),
    )
    w.write(LEVEL_0, f"Name:\t{text(sc, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"IsDefaultClass:\t{'Yes' if is_default else 'No'}\n")
    w.write(LEVEL_0, f"Annotations:\t{format_labels(annotations)}\n")
    w.write(LEVEL_0, f"Provisioner:\t{text(sc, 'provisioner')}\n")
    w.write(LEVEL_0, f"Parameters:\t{format_labels(string_map(dig(sc, 'parameters')))}\n")
    w.write(LEVEL_0, f"AllowVolumeExpansion:\t{bool_ptr(dig(sc, 'allowVolumeExpansion'))}\n")
    options = items(sc, "mountOptions")
    if not options:
        w.write(LEVEL_0, "MountOptions:\t<none>\n")
    else:
        w.write(LEVEL_0, "MountOptions:\n")
        for option in options:
            w.write(LEVEL_1, f"{option}\n")
    if dig(sc, "reclaimPolicy") is not None:
        w.write(LEVEL_0, f"ReclaimPolicy:\t{text(sc, 'reclaimPolicy')}\n")
    if dig(sc, "volumeBindingMode") is not None:
        w.write(LEVEL_0, f"VolumeBindingMode:\t{text(sc, 'volumeBindingMode')}\n")
    topologies = dig(sc, "allowedTopologies")
    if isinstance(topologies, list):
        w.write(LEVEL_0, "AllowedTopologies:\t")
        if not topologies:
            w.line("<none>")
        else:
            w.line("")
        for i, term in enumerate(topologies):
            expressions = [
                _expression(text(req, "key"), "in", items(req, "values"))
                for req in items(term, "matchLabelExpressions")
            ]
            _terms_block(w, LEVEL_1, f"Term {i}", expressions)
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


def describe_csi_node(node: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe csinode``."""
    w = Writer()
    write_metadata(w, node, namespace=False)
    w.write(
        LEVEL_0, f"CreationTimestamp:\t{rfc1123z(dig(node, 'metadata', 'creationTimestamp'))}\n"
    )
    w.write(LEVEL_0, "Spec:\n")
    if isinstance(dig(node, "spec", "drivers"), list):
        w.write(LEVEL_1, "Drivers:\n")
        for driver in items(node, "spec", "drivers"):
            w.write(LEVEL_2, f"{text(driver, 'name')}:\n")
            w.write(LEVEL_3, f"Node ID:\t{text(driver, 'nodeID')}\n")
            if dig(driver, "allocatable", "count") is not None:
                w.write(LEVEL_3, "Allocatables:\n")
                w.write(LEVEL_4, f"Count:\t{number(driver, 'allocatable', 'count')}\n")
            if isinstance(dig(driver, "topologyKeys"), list):
                w.write(LEVEL_3, f"Topology Keys:\t{go_value(items(driver, 'topologyKeys'))}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


def describe_volume_attributes_class(vac: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe volumeattributesclass``."""
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(vac, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Annotations:\t{format_labels(annotations_of(vac))}\n")
    w.write(LEVEL_0, f"DriverName:\t{text(vac, 'driverName')}\n")
    w.write(LEVEL_0, f"Parameters:\t{format_labels(string_map(dig(vac, 'parameters')))}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()
