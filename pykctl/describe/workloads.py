"""Controllers of pods: ReplicaSet, ReplicationController, Deployment, DaemonSet, StatefulSet,
Job and CronJob.

Each prints its own head, a ``Pods Status`` line where kubectl has one (counted from the pods
the controller owns, see ``pod_counts``), the pod template, conditions and events. A
Deployment also names its new and old ReplicaSets, chosen as kubectl's deployment util chooses
them (``new_and_old_replica_sets``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backends.objects.durations import human_duration, parse_time
from backends.objects.selectors import (
    SelectorError,
    format_label_selector,
    format_labels,
    label_selector_from_dict,
)
from pykctl.describe.events import describe_events
from pykctl.describe.format import (
    Obj,
    annotations_multiline,
    annotations_of,
    bool_ptr,
    controlled_by,
    controller_uid,
    dig,
    go_value,
    int_or_string,
    items,
    labels_multiline,
    labels_of,
    mapping,
    number,
    quantity,
    rfc1123z,
    string_map,
    text,
    write_metadata,
)
from pykctl.describe.pod import describe_pod_template
from pykctl.describe.volumes import claim_class
from pykctl.describe.writer import LEVEL_0, LEVEL_1, Writer

POD_TEMPLATE_HASH = "pod-template-hash"


@dataclass(frozen=True)
class PodCounts:
    """Pods of one controller by phase."""

    running: int = 0
    waiting: int = 0
    succeeded: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return (
            f"{self.running} Running / {self.waiting} Waiting / "
            f"{self.succeeded} Succeeded / {self.failed} Failed"
        )


def pod_counts(pods: Sequence[Obj], owner_uid: str) -> PodCounts:
    """Phases of the pods whose controller is ``owner_uid`` (others are skipped)."""
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in pods:
        if controller_uid(pod) != owner_uid:
            continue
        phase = text(pod, "status", "phase")
        if phase in counts:
            counts[phase] += 1
    return PodCounts(counts["Running"], counts["Pending"], counts["Succeeded"], counts["Failed"])


def selector_string(selector: Any) -> str:
    """``metav1.LabelSelectorAsSelector(s).String()`` (``""`` for nil or empty)."""
    return str(label_selector_from_dict(selector if isinstance(selector, dict) else None))


def _conditions(w: Writer, conditions: list[Any]) -> None:
    if conditions:
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(LEVEL_1, "----\t------\t------\n")
        for c in conditions:
            w.write(LEVEL_1, f"{text(c, 'type')} \t{text(c, 'status')}\t{text(c, 'reason')}\n")


def _controlled_by(w: Writer, obj: Obj) -> None:
    controller = controlled_by(obj)
    if controller:
        w.write(LEVEL_0, f"Controlled By:\t{controller}\n")


def _events(w: Writer, events: Sequence[Obj] | None, now: datetime) -> None:
    if events is not None:
        describe_events(w, events, now)


def describe_replica_set(
    rs: Obj, events: Sequence[Obj] | None, pods: PodCounts | str, now: datetime
) -> str:
    """``kubectl describe rs``; ``pods`` is the count, or the error listing them."""
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(rs, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Namespace:\t{text(rs, 'metadata', 'namespace')}\n")
    w.write(LEVEL_0, f"Selector:\t{format_label_selector(dig(rs, 'spec', 'selector'))}\n")
    _labels_and_annotations(w, rs)
    _controlled_by(w, rs)
    w.write(
        LEVEL_0,
        f"Replicas:\t{number(rs, 'status', 'replicas')} current / "
        f"{number(rs, 'spec', 'replicas')} desired\n",
    )
    w.write(LEVEL_0, "Pods Status:\t")
    if isinstance(pods, str):
        w.write(LEVEL_0, f"error in fetching pods: {pods}\n")
    else:
        w.write(LEVEL_0, f"{pods}\n")
    describe_pod_template(w, mapping(rs, "spec", "template"))
    _conditions(w, items(rs, "status", "conditions"))
    _events(w, events, now)
    return w.getvalue()


def describe_replication_controller(
    rc: Obj, events: Sequence[Obj] | None, pods: PodCounts, now: datetime
) -> str:
    """``kubectl describe rc``."""
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(rc, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Namespace:\t{text(rc, 'metadata', 'namespace')}\n")
    w.write(LEVEL_0, f"Selector:\t{format_labels(string_map(dig(rc, 'spec', 'selector')))}\n")
    _labels_and_annotations(w, rc)
    w.write(
        LEVEL_0,
        f"Replicas:\t{number(rc, 'status', 'replicas')} current / "
        f"{number(rc, 'spec', 'replicas')} desired\n",
    )
    w.write(LEVEL_0, f"Pods Status:\t{pods}\n")
    template = dig(rc, "spec", "template")
    describe_pod_template(w, template if isinstance(template, dict) else None)
    _conditions(w, items(rc, "status", "conditions"))
    _events(w, events, now)
    return w.getvalue()


def _labels_and_annotations(w: Writer, obj: Obj) -> None:
    labels_multiline(w, "Labels", labels_of(obj))
    annotations_multiline(w, "Annotations", annotations_of(obj))


# ---------------------------------------------------------------- Deployment


def _template_without_hash(template: Any) -> Any:
    """A pod template for comparison: no pod-template-hash label, no empty values."""
    copy = json.loads(json.dumps(template if isinstance(template, dict) else {}))
    labels = dig(copy, "metadata", "labels")
    if isinstance(labels, dict):
        labels.pop(POD_TEMPLATE_HASH, None)
    return _prune(copy)


def _prune(value: Any) -> Any:
    """Drop null, empty lists and empty maps (Go's semantic equality treats them as unset)."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _creation_order(rs: Obj) -> tuple[float, str]:
    moment = parse_time(dig(rs, "metadata", "creationTimestamp"))
    return (moment.timestamp() if moment else float("-inf"), text(rs, "metadata", "name"))


def new_and_old_replica_sets(
    deployment: Obj, replica_sets: Sequence[Obj]
) -> tuple[Obj | None, list[Obj]]:
    """The ReplicaSet running the deployment's template (oldest if several) and the other
    owned ReplicaSets that still want pods, as kubectl's deployment util finds them."""
    uid = text(deployment, "metadata", "uid")
    owned = sorted(
        (rs for rs in replica_sets if controller_uid(rs) == uid and uid), key=_creation_order
    )
    wanted = _template_without_hash(dig(deployment, "spec", "template"))
    new = next(
        (rs for rs in owned if _template_without_hash(dig(rs, "spec", "template")) == wanted),
        None,
    )
    old = [
        rs
        for rs in owned
        if rs is not new
        and (new is None or text(rs, "metadata", "uid") != text(new, "metadata", "uid"))
        and number(rs, "spec", "replicas") != 0
    ]
    return new, old


def _replica_sets_line(replica_sets: Sequence[Obj]) -> str:
    rendered = ", ".join(
        f"{text(rs, 'metadata', 'name')} ({number(rs, 'status', 'replicas')}/"
        f"{number(rs, 'spec', 'replicas')} replicas created)"
        for rs in replica_sets
    )
    return rendered or "<none>"


def describe_deployment(
    deployment: Obj,
    events: Sequence[Obj] | None,
    replica_sets: Sequence[Obj] | None,
    now: datetime,
) -> str:
    """``kubectl describe deployment``; ``replica_sets`` None when they could not be listed.

    Raises SelectorError for an invalid selector, as kubectl fails then.
    """
    selector = selector_string(dig(deployment, "spec", "selector"))
    w = Writer()
    spec, status = mapping(deployment, "spec"), mapping(deployment, "status")
    w.write(LEVEL_0, f"Name:\t{text(deployment, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Namespace:\t{text(deployment, 'metadata', 'namespace')}\n")
    w.write(
        LEVEL_0,
        f"CreationTimestamp:\t{rfc1123z(dig(deployment, 'metadata', 'creationTimestamp'))}\n",
    )
    _labels_and_annotations(w, deployment)
    w.write(LEVEL_0, f"Selector:\t{selector}\n")
    w.write(
        LEVEL_0,
        f"Replicas:\t{number(spec, 'replicas')} desired | {number(status, 'updatedReplicas')} "
        f"updated | {number(status, 'replicas')} total | {number(status, 'availableReplicas')} "
        f"available | {number(status, 'unavailableReplicas')} unavailable\n",
    )
    w.write(LEVEL_0, f"StrategyType:\t{text(spec, 'strategy', 'type')}\n")
    w.write(LEVEL_0, f"MinReadySeconds:\t{number(spec, 'minReadySeconds')}\n")
    rolling = dig(spec, "strategy", "rollingUpdate")
    if isinstance(rolling, dict):
        w.write(
            LEVEL_0,
            f"RollingUpdateStrategy:\t{int_or_string(dig(rolling, 'maxUnavailable'))} max "
            f"unavailable, {int_or_string(dig(rolling, 'maxSurge'))} max surge\n",
        )
    describe_pod_template(w, mapping(spec, "template"))
    _conditions(w, items(status, "conditions"))
    if replica_sets is not None:
        new, old = new_and_old_replica_sets(deployment, replica_sets)
        if old or new is not None:
            w.write(LEVEL_0, f"OldReplicaSets:\t{_replica_sets_line(old)}\n")
            w.write(LEVEL_0, f"NewReplicaSet:\t{_replica_sets_line([new] if new else [])}\n")
    _events(w, events, now)
    return w.getvalue()


# ---------------------------------------------------------------- DaemonSet, StatefulSet


def describe_daemon_set(
    ds: Obj, events: Sequence[Obj] | None, pods: PodCounts, now: datetime
) -> str:
    """``kubectl describe ds``."""
    selector = selector_string(dig(ds, "spec", "selector"))
    status = mapping(ds, "status")
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(ds, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Namespace:\t{text(ds, 'metadata', 'namespace')}\n")
    w.write(LEVEL_0, f"Selector:\t{selector}\n")
    node_selector = string_map(dig(ds, "spec", "template", "spec", "nodeSelector"))
    w.write(LEVEL_0, f"Node-Selector:\t{format_labels(node_selector)}\n")
    _labels_and_annotations(w, ds)
    for title, field in (
        ("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
        ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
        ("Number of Nodes Scheduled with Up-to-date Pods", "updatedNumberScheduled"),
        ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
        ("Number of Nodes Misscheduled", "numberMisscheduled"),
    ):
        w.write(LEVEL_0, f"{title}: {number(status, field)}\n")
    w.write(LEVEL_0, f"Pods Status:\t{pods}\n")
    describe_pod_template(w, mapping(ds, "spec", "template"))
    _events(w, events, now)
    return w.getvalue()


def describe_stateful_set(
    sts: Obj, events: Sequence[Obj] | None, pods: PodCounts, now: datetime
) -> str:
    """``kubectl describe sts``."""
    selector = selector_string(dig(sts, "spec", "selector"))
    spec = mapping(sts, "spec")
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(sts, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Namespace:\t{text(sts, 'metadata', 'namespace')}\n")
    w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(dig(sts, 'metadata', 'creationTimestamp'))}\n")
    w.write(LEVEL_0, f"Selector:\t{selector}\n")
    _labels_and_annotations(w, sts)
    if text(spec, "serviceName"):
        w.write(LEVEL_0, f"Service Name:\t{text(spec, 'serviceName')}\n")
    if text(spec, "podManagementPolicy"):
        w.write(LEVEL_0, f"Pod Management Policy:\t{text(spec, 'podManagementPolicy')}\n")
    w.write(
        LEVEL_0,
        f"Replicas:\t{number(spec, 'replicas')} desired | {number(sts, 'status', 'replicas')} total\n",
    )
    w.write(LEVEL_0, f"Update Strategy:\t{text(spec, 'updateStrategy', 'type')}\n")
    rolling = dig(spec, "updateStrategy", "rollingUpdate")
    if isinstance(rolling, dict) and isinstance(dig(rolling, "partition"), int):
        w.write(LEVEL_1, f"Partition:\t{number(rolling, 'partition')}\n")
        if dig(rolling, "maxUnavailable") is not None:
            w.write(LEVEL_1, f"MaxUnavailable:\t{int_or_string(dig(rolling, 'maxUnavailable'))}\n")
    retention = dig(spec, "persistentVolumeClaimRetentionPolicy")
    if isinstance(retention, dict):
        w.write(LEVEL_0, "Persistent Volume Claim Retention Policy:\n")
        w.write(LEVEL_1, f"WhenDeleted:\t{text(retention, 'whenDeleted')}\n")
        w.write(LEVEL_1, f"WhenScaled:\t{text(retention, 'whenScaled')}\n")
    w.write(LEVEL_0, f"Pods Status:\t{pods}\n")
    describe_pod_template(w, mapping(spec, "template"))
    _volume_claim_templates(w, items(spec, "volumeClaimTemplates"))
    _events(w, events, now)
    return w.getvalue()


def _volume_claim_templates(w: Writer, templates: list[Any]) -> None:
    if not templates:
        w.write(LEVEL_0, "Volume Claims:\t<none>\n")
        return
    w.write(LEVEL_0, "Volume Claims:\n")
    for pvc in templates:
        w.write(LEVEL_1, f"Name:\t{text(pvc, 'metadata', 'name')}\n")
        w.write(LEVEL_1, f"StorageClass:\t{claim_class(pvc)}\n")
        labels_multiline(w, "Labels", labels_of(pvc), "  ")
        labels_multiline(w, "Annotations", annotations_of(pvc), "  ")
        requests = mapping(pvc, "spec", "resources", "requests")
        capacity = quantity(requests["storage"]) if "storage" in requests else "<default>"
        w.write(LEVEL_1, f"Capacity:\t{capacity}\n")
        w.write(LEVEL_1, f"Access Modes:\t{go_value(items(pvc, 'spec', 'accessModes'))}\n")


# ---------------------------------------------------------------- Job, CronJob


def _job_selector(selector: Any) -> str:
    try:
        return selector_string(selector)
    except SelectorError as err:
        return f"Failed to get selector: {err}"


def describe_job(job: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe job``."""
    spec, status = mapping(job, "spec"), mapping(job, "status")
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(job, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Namespace:\t{text(job, 'metadata', 'namespace')}\n")
    w.write(LEVEL_0, f"Selector:\t{_job_selector(dig(spec, 'selector'))}\n")
    _labels_and_annotations(w, job)
    _controlled_by(w, job)
    if dig(spec, "parallelism") is not None:
        w.write(LEVEL_0, f"Parallelism:\t{number(spec, 'parallelism')}\n")
    if dig(spec, "completions") is not None:
        w.write(LEVEL_0, f"Completions:\t{number(spec, 'completions')}\n")
    else:
        w.write(LEVEL_0, "Completions:\t<unset>\n")
    if dig(spec, "completionMode") is not None:
        w.write(LEVEL_0, f"Completion Mode:\t{text(spec, 'completionMode')}\n")
    if dig(spec, "suspend") is not None:
        w.write(LEVEL_0, f"Suspend:\t{go_value(dig(spec, 'suspend'))}\n")
    if dig(spec, "backoffLimit") is not None:
        w.write(LEVEL_0, f"Backoff Limit:\t{go_value(dig(spec, 'backoffLimit'))}\n")
    if dig(spec, "ttlSecondsAfterFinished") is not None:
        w.write(
            LEVEL_0,
            f"TTL Seconds After Finished:\t{go_value(dig(spec, 'ttlSecondsAfterFinished'))}\n",
        )
    start, completion = dig(status, "startTime"), dig(status, "completionTime")
    if start is not None:
        w.write(LEVEL_0, f"Start Time:\t{rfc1123z(start)}\n")
    if completion is not None:
        w.write(LEVEL_0, f"Completed At:\t{rfc1123z(completion)}\n")
    started, completed = parse_time(start), parse_time(completion)
    if start is not None and completion is not None:
        elapsed = (completed - started) if started and completed else 0.0
        w.write(LEVEL_0, f"Duration:\t{human_duration(elapsed)}\n")
    if dig(spec, "activeDeadlineSeconds") is not None:
        w.write(LEVEL_0, f"Active Deadline Seconds:\t{number(spec, 'activeDeadlineSeconds')}s\n")
    active, succeeded, failed = (number(status, k) for k in ("active", "succeeded", "failed"))
    if dig(status, "ready") is None:
        w.write(
            LEVEL_0, f"Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n"
        )
    else:
        w.write(
            LEVEL_0,
            f"Pods Statuses:\t{active} Active ({number(status, 'ready')} Ready) / "
            f"{succeeded} Succeeded / {failed} Failed\n",
        )
    if text(spec, "completionMode") == "Indexed":
        w.write(
            LEVEL_0, f"Completed Indexes:\t{_cap_indexes(text(status, 'completedIndexes'), 50)}\n"
        )
    describe_pod_template(w, mapping(spec, "template"))
    _events(w, events, now)
    return w.getvalue()


def _cap_indexes(indexes: str, soft_limit: int) -> str:
    """kubectl's capIndexesListOrNone: cut after the first comma past ``soft_limit``."""
    if not indexes:
        return "<none>"
    cut = indexes.find(",", soft_limit)
    if cut < 0 or soft_limit >= len(indexes):
        return indexes
    return indexes[: cut + 1] + "..."


def describe_cron_job(cron_job: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe cronjob``."""
    spec = mapping(cron_job, "spec")
    w = Writer()
    write_metadata(w, cron_job)
    w.write(LEVEL_0, f"Schedule:\t{text(spec, 'schedule')}\n")
    w.write(LEVEL_0, f"Concurrency Policy:\t{text(spec, 'concurrencyPolicy')}\n")
    w.write(LEVEL_0, f"Suspend:\t{bool_ptr(dig(spec, 'suspend'))}\n")
    for title, field, suffix in (
        ("Time Zone", "timeZone", ""),
        ("Successful Job History Limit", "successfulJobsHistoryLimit", ""),
        ("Failed Job History Limit", "failedJobsHistoryLimit", ""),
        ("Starting Deadline Seconds", "startingDeadlineSeconds", "s"),
    ):
        value = dig(spec, field)
        shown = "<unset>" if value is None else go_value(value) + suffix
        w.write(LEVEL_0, f"{title}:\t{shown}\n")
    _job_template(w, mapping(spec, "jobTemplate"))
    last = dig(cron_job, "status", "lastScheduleTime")
    w.write(LEVEL_0, f"Last Schedule Time:\t{'<unset>' if last is None else rfc1123z(last)}\n")
    w.write(LEVEL_0, "Active Jobs:\t")
    active = items(cron_job, "status", "active")
    if not active:
        w.line("<none>")
    else:
        w.write(LEVEL_0, ", ".join(text(job, "name") for job in active))
        w.line("")
    _events(w, events, now)
    return w.getvalue()


def _job_template(w: Writer, template: Obj) -> None:
    spec = mapping(template, "spec")
    if isinstance(dig(spec, "selector"), dict):
        w.write(LEVEL_0, f"Selector:\t{_job_selector(dig(spec, 'selector'))}\n")
    else:
        w.write(LEVEL_0, "Selector:\t<unset>\n")
    for title, field in (("Parallelism", "parallelism"), ("Completions", "completions")):
        value = dig(spec, field)
        w.write(LEVEL_0, f"{title}:\t{'<unset>' if value is None else number(spec, field)}\n")
    if dig(spec, "activeDeadlineSeconds") is not None:
        w.write(LEVEL_0, f"Active Deadline Seconds:\t{number(spec, 'activeDeadlineSeconds')}s\n")
    describe_pod_template(w, mapping(spec, "template"))
