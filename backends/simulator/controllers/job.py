"""kube-controller-manager's job controller (NonIndexed jobs): pods until ``completions``
succeed, at most ``parallelism`` at a time, within ``backoffLimit`` failures and
``activeDeadlineSeconds``.

For each Job, ``reconcile`` claims its pods (finished ones too) and, as upstream (1.31+):

* pods are created from the template with ``generateName: <job>-``, a controller reference and
  the ``batch.kubernetes.io/job-tracking`` finalizer; a finished (or deleted) pod is counted in
  ``status.succeeded`` / ``status.failed`` once, then loses the finalizer. A pod whose Job is
  gone loses it too, so nothing stays Terminating;
* wanted active pods: ``parallelism``, capped by the completions still missing; surplus active
  pods go, not-ready and newer first;
* after a failure, new pods wait out the pod failure back-off: 10 s doubled per failure since
  the last success, at most 10 minutes, counted from the last failure;
* failures beyond ``backoffLimit`` (with ``restartPolicy: OnFailure`` container restarts count
  too) or a run longer than ``activeDeadlineSeconds`` add the ``FailureTarget`` condition
  (BackoffLimitExceeded "Job has reached the specified backoff limit" / DeadlineExceeded "Job was
  active longer than specified deadline"), delete the active pods, and once none is left
  terminating add ``Failed`` with the same reason and message;
* ``completions`` successes (or, without completions, one success and no active pod) add
  ``SuccessCriteriaMet`` (CompletionsReached "Reached expected number of succeeded pods"),
  then, with no pod left active or terminating, ``Complete`` and ``completionTime``;
* ``suspend: true`` deletes the active pods and sets ``Suspended`` (JobSuspended "Job
  suspended"); resuming sets it False (JobResumed "Job resumed") and restarts the clock;
* status: startTime, active, ready, succeeded, failed, terminating,
  uncountedTerminatedPods ``{}``; events SuccessfulCreate, SuccessfulDelete, Completed "Job
  completed", BackoffLimitExceeded, DeadlineExceeded, Suspended, Resumed.

Indexed completion mode, pod failure policies and success policies are not implemented.
"""

from __future__ import annotations

import datetime
from typing import Any

from backends.simulator.apiserver import status
from backends.simulator.apiserver.resources import lookup
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock, parse_rfc3339, rfc3339
from backends.simulator.cluster import api
from backends.simulator.cluster.events import NORMAL, WARNING
from backends.simulator.controllers.framework import object_key, split_key
from backends.simulator.controllers.ownership import PodOwnerController
from backends.simulator.controllers.pods import (
    MANAGER,
    controller_ref,
    is_ready,
    meta,
    pod_from_template,
)
from backends.simulator.store import Event

Obj = dict[str, Any]

_jobs = lookup("batch", "v1", "jobs")
assert _jobs is not None
JOBS = _jobs

TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
BURST = 500
BACKOFF_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 600.0
_POD_KEY = "pod:"  # queue keys of pods whose finalizer must go (their Job is gone)

COMPLETIONS_REACHED = ("CompletionsReached", "Reached expected number of succeeded pods")
BACKOFF_EXCEEDED = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
DEADLINE_EXCEEDED = ("DeadlineExceeded", "Job was active longer than specified deadline")


def phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def finished(pod: Obj) -> bool:
    return phase(pod) in ("Succeeded", "Failed")


def condition(job: Obj, kind: str) -> Obj | None:
    """The job's condition of type ``kind`` when it is True."""
    for item in (job.get("status") or {}).get("conditions") or []:
        if item.get("type") == kind and item.get("status") == "True":
            return dict(item)
    return None


def is_finished(job: Obj) -> bool:
    """``IsJobFinished``: Complete or Failed is True."""
    return condition(job, "Complete") is not None or condition(job, "Failed") is not None


def finish_time(pod: Obj) -> datetime.datetime | None:
    """When a finished pod's last container terminated."""
    stamps = [
        str(((s.get("state") or {}).get("terminated") or {}).get("finishedAt") or "")
        for s in (pod.get("status") or {}).get("containerStatuses") or []
    ]
    found = [parse_rfc3339(s) for s in stamps if s]
    return max(found) if found else None


def failure_backoff(pods: list[Obj], now: datetime.datetime) -> float:
    """Seconds until a new pod may be created after failures (0: now)."""
    ended = sorted(
        ((finish_time(p) or now, phase(p)) for p in pods if finished(p)), key=lambda x: x[0]
    )
    failures = 0
    last_failure: datetime.datetime | None = None
    for moment, result in ended:
        if result == "Succeeded":
            failures, last_failure = 0, None
        else:
            failures, last_failure = failures + 1, moment
    if not failures or last_failure is None:
        return 0.0
    delay = min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2.0 ** (failures - 1))
    return max(0.0, (last_failure - now).total_seconds() + delay)


def _restarts(pod: Obj) -> int:
    return sum(
        int(s.get("restartCount") or 0)
        for s in (pod.get("status") or {}).get("containerStatuses") or []
    )


class JobController(PodOwnerController):
    """Runs each Job's pods to completion or failure; see the module docstring."""

    def __init__(self, rest: Rest, clock: Clock) -> None:
        super().__init__(rest, clock, JOBS, "job-controller")

    def on_event(self, event: Event) -> None:
        obj = event.object
        if (
            event.resource == "/pods"
            and TRACKING_FINALIZER in (meta(obj).get("finalizers") or [])
            and (controller_ref(obj) or {}).get("kind") == "Job"
            and self.owner_key(obj) is None
        ):
            self.queue.add(_POD_KEY + object_key(meta(obj)["namespace"], meta(obj)["name"]))
        super().on_event(event)

    def reconcile(self, key: str) -> None:
        if key.startswith(_POD_KEY):
            pod = self.store.get("/pods", *split_key(key[len(_POD_KEY) :]))
            if pod is not None and self.owner_key(pod) is None:
                self._release_finalizer(pod)
            return
        job = self.owner(key)
        if job is None:
            self.expectations.forget(key)
            return
        pods = self.pods_of(job)
        if pods is None:
            return
        if is_finished(job):
            for pod in pods:
                self._release_finalizer(pod)
            return
        job = self._count(job, pods)
        pods = self.pods_of(job) or []
        if meta(job).get("deletionTimestamp"):
            return
        self._sync(key, job, pods)

    # --------------------------------------------------------------------- tracking

    def _release_finalizer(self, pod: Obj) -> None:
        finalizers = meta(pod).get("finalizers") or []
        if TRACKING_FINALIZER not in finalizers:
            return
        body: Obj = {
            "metadata": {
                "uid": meta(pod)["uid"],
                "$deleteFromPrimitiveList/finalizers": [TRACKING_FINALIZER],
            }
        }
        try:
            api.patch(self.rest, api.PODS, meta(pod)["namespace"], meta(pod)["name"], body, MANAGER)
        except status.ApiStatus:
            return

    def _count(self, job: Obj, pods: list[Obj]) -> Obj:
        """Count the finished pods still tracked, then release them; the job as stored."""
        tracked = [
            p
            for p in pods
            if TRACKING_FINALIZER in (meta(p).get("finalizers") or [])
            and (finished(p) or meta(p).get("deletionTimestamp"))
        ]
        if not tracked:
            return job
        old = job.get("status") or {}
        new = dict(old)
        succeeded = sum(1 for p in tracked if phase(p) == "Succeeded")
        failed = len(tracked) - succeeded
        if succeeded:
            new["succeeded"] = int(old.get("succeeded") or 0) + succeeded
        if failed:
            new["failed"] = int(old.get("failed") or 0) + failed
        new["uncountedTerminatedPods"] = {}
        stored = self.write_status(job, new)
        for pod in tracked:
            self._release_finalizer(pod)
        return stored

    # ------------------------------------------------------------------------- sync

    def _sync(self, key: str, job: Obj, pods: list[Obj]) -> None:
        spec = job.get("spec") or {}
        now = self.clock.now()
        old = job.get("status") or {}
        new: Obj = {k: v for k, v in old.items() if k not in ("active", "ready", "terminating")}
        conditions = [dict(c) for c in old.get("conditions") or []]
        active = [p for p in pods if not finished(p) and not meta(p).get("deletionTimestamp")]
        succeeded = int(old.get("succeeded") or 0)
        failed = int(old.get("failed") or 0)
        suspended = bool(spec.get("suspend"))
        conditions = self._suspension(job, conditions, suspended, new, now)
        if not suspended and not new.get("startTime"):
            new["startTime"] = rfc3339(now)
        failure = self._failure_target(job, conditions, active, failed, new, now)
        complete = self._success(spec, succeeded, active)
        doomed: list[Obj] = []
        if failure is not None or suspended:
            doomed = active
        elif complete:
            doomed = active if spec.get("completions") is not None else []
            if condition({"status": {"conditions": conditions}}, "SuccessCriteriaMet") is None:
                conditions.append(self._condition("SuccessCriteriaMet", *COMPLETIONS_REACHED))
        elif self.expectations.satisfied(key):
            doomed = self._manage(key, job, pods, active, succeeded)
        if doomed:
            self._delete(key, job, doomed)
        remaining = self._remaining(job)
        active = [p for p in remaining if not finished(p) and not meta(p).get("deletionTimestamp")]
        terminating = [p for p in remaining if meta(p).get("deletionTimestamp") and not finished(p)]
        if not active and not terminating:
            if failure is not None and condition(job, "Failed") is None:
                conditions.append(self._condition("Failed", *failure))
                self.recorder.event(job, WARNING, failure[0], failure[1])
            elif complete and failure is None:
                conditions.append(self._condition("Complete", *COMPLETIONS_REACHED))
                new["completionTime"] = rfc3339(now)
                self.recorder.event(job, NORMAL, "Completed", "Job completed")
        if conditions:
            new["conditions"] = conditions
        if active:
            new["active"] = len(active)
        new["ready"] = sum(1 for p in active if is_ready(p))
        new["terminating"] = len(terminating)
        new["uncountedTerminatedPods"] = {}
        self.write_status(job, new)

    def _remaining(self, job: Obj) -> list[Obj]:
        uid = meta(job).get("uid")
        return [
            p
            for p in self.store.objects("/pods", meta(job)["namespace"])
            if (controller_ref(p) or {}).get("uid") == uid
        ]

    def _condition(self, kind: str, reason: str, message: str, state: str = "True") -> Obj:
        now = rfc3339(self.clock.now())
        return {
            "type": kind,
            "status": state,
            "lastProbeTime": now,
            "lastTransitionTime": now,
            "reason": reason,
            "message": message,
        }

    def _suspension(
        self, job: Obj, conditions: list[Obj], suspended: bool, new: Obj, now: datetime.datetime
    ) -> list[Obj]:
        current = next((c for c in conditions if c.get("type") == "Suspended"), None)
        if suspended and (current is None or current.get("status") != "True"):
            self.recorder.event(job, NORMAL, "Suspended", "Job suspended")
            new.pop("startTime", None)
            return [c for c in conditions if c.get("type") != "Suspended"] + [
                self._condition("Suspended", "JobSuspended", "Job suspended")
            ]
        if not suspended and current is not None and current.get("status") == "True":
            self.recorder.event(job, NORMAL, "Resumed", "Job resumed")
            new["startTime"] = rfc3339(now)
            return [c for c in conditions if c.get("type") != "Suspended"] + [
                self._condition("Suspended", "JobResumed", "Job resumed", "False")
            ]
        return conditions

    def _failure_target(
        self,
        job: Obj,
        conditions: list[Obj],
        active: list[Obj],
        failed: int,
        new: Obj,
        now: datetime.datetime,
    ) -> tuple[str, str] | None:
        """The reason and message the job fails with, adding FailureTarget the first time."""
        target = next(
            (c for c in conditions if c.get("type") == "FailureTarget" and c["status"] == "True"),
            None,
        )
        if target is not None:
            return str(target.get("reason")), str(target.get("message"))
        spec = job.get("spec") or {}
        template_spec = (spec.get("template") or {}).get("spec") or {}
        limit = int(spec.get("backoffLimit", 6))
        restarts = (
            sum(_restarts(p) for p in active)
            if template_spec.get("restartPolicy") == "OnFailure"
            else 0
        )
        failure: tuple[str, str] | None = None
        if failed + restarts > limit:
            failure = BACKOFF_EXCEEDED
        deadline = spec.get("activeDeadlineSeconds")
        if failure is None and deadline is not None and new.get("startTime"):
            elapsed = (now - parse_rfc3339(new["startTime"])).total_seconds()
            if elapsed >= int(deadline):
                failure = DEADLINE_EXCEEDED
            else:
                key = object_key(meta(job)["namespace"], meta(job)["name"])
                self.queue.add_after(key, int(deadline) - elapsed)
        if failure is not None:
            conditions.append(self._condition("FailureTarget", *failure))
        return failure

    @staticmethod
    def _success(spec: Obj, succeeded: int, active: list[Obj]) -> bool:
        completions = spec.get("completions")
        if completions is None:
            return succeeded > 0 and not active
        return succeeded >= int(completions)

    def _manage(
        self, key: str, job: Obj, pods: list[Obj], active: list[Obj], succeeded: int
    ) -> list[Obj]:
        """Create the missing pods (after the failure back-off); the surplus pods to delete."""
        spec = job.get("spec") or {}
        wanted = int(spec.get("parallelism", 1))
        completions = spec.get("completions")
        if completions is not None:
            wanted = min(wanted, int(completions) - succeeded)
        elif succeeded > 0:
            wanted = min(wanted, len(active))
        wanted = max(0, wanted)
        if len(active) > wanted:
            ordered = sorted(
                active,
                key=lambda p: (is_ready(p), str(meta(p).get("creationTimestamp") or "")),
            )
            return ordered[: len(active) - wanted]
        missing = min(wanted - len(active), BURST)
        if missing <= 0:
            return []
        wait = failure_backoff(pods, self.clock.now())
        if wait > 0:
            self.queue.add_after(key, wait)
            return []
        self.expectations.expect(key, adds=missing)
        namespace = meta(job)["namespace"]
        template = spec.get("template") or {}
        created, batch = 0, 1
        while created < missing:
            size = min(batch, missing - created)
            for _ in range(size):
                pod = pod_from_template(job, template, namespace)
                pod["metadata"]["finalizers"] = [
                    *(pod["metadata"].get("finalizers") or []),
                    TRACKING_FINALIZER,
                ]
                made, _ = self.create_pod(job, pod)
                if made is None:
                    for _ in range(missing - created - 1):
                        self.expectations.creation_observed(key)
                    return []
                created += 1
            batch *= 2
        return []

    def _delete(self, key: str, job: Obj, doomed: list[Obj]) -> None:
        namespace = meta(job)["namespace"]
        self.expectations.expect(
            key, deletes=[object_key(namespace, meta(p)["name"]) for p in doomed]
        )
        for pod in doomed:
            self.delete_pod(job, pod)
