"""kube-controller-manager's cronjob controller (v2): a Job per scheduled time, driven by the
injected clock.

For each CronJob, ``reconcile``, as upstream:

* keeps ``status.active`` to the Jobs it owns that are still running: a finished one is
  dropped (event SawCompletedJob "Saw completed job: NAME, condition: Complete|Failed"; a
  Complete one sets ``lastSuccessfulTime``), a vanished one too;
* does nothing more while suspended or being deleted;
* finds the most recent scheduled time not after now (since ``lastScheduleTime``, else the
  creation time, and within ``startingDeadlineSeconds`` when set); a time older than the
  deadline is missed (Warning MissSchedule "Missed scheduled time to start a job: ...");
* the Job for time T is ``<cronjob>-<T in minutes since the epoch>``, with the jobTemplate's
  labels, annotations plus ``batch.kubernetes.io/cronjob-scheduled-timestamp`` (RFC 3339 in
  the schedule's zone), a controller reference and the template's spec; one already made for T
  is not made again;
* concurrencyPolicy Forbid skips a time while a Job is active (event JobAlreadyActive "Not
  starting job because prior execution is running and concurrency policy is Forbid"); Replace
  deletes the active Jobs first (SuccessfulDelete "Deleted job NAME"); Allow runs them side by
  side;
* records SuccessfulCreate "Created job NAME", ``lastScheduleTime`` and the active reference;
* deletes finished Jobs beyond ``successfulJobsHistoryLimit`` / ``failedJobsHistoryLimit``,
  oldest first (SuccessfulDelete "Deleted job NAME");
* comes back at the next scheduled time (a schedule that does not parse gets Warning
  UnparseableSchedule "unparseable schedule: ...: ..." once per change).
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

from backends.simulator.apiserver import status
from backends.simulator.apiserver.resources import lookup
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock, parse_rfc3339, rfc3339
from backends.simulator.cluster import api
from backends.simulator.cluster.events import NORMAL, WARNING, EventRecorder
from backends.simulator.controllers.cron_schedule import Schedule, ScheduleError, parse
from backends.simulator.controllers.framework import Controller, object_key, split_key
from backends.simulator.controllers.job import JOBS, condition
from backends.simulator.controllers.pods import MANAGER, controller_ref, meta, new_controller_ref
from backends.simulator.store import Event

Obj = dict[str, Any]

_cron_jobs = lookup("batch", "v1", "cronjobs")
assert _cron_jobs is not None
CRON_JOBS = _cron_jobs

SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp"
MAX_MISSED = 100


def job_name(cron_job: str, scheduled: datetime.datetime) -> str:
    """``getJobName``: the CronJob's name and the scheduled time in minutes since the epoch."""
    return f"{cron_job}-{int(scheduled.timestamp()) // 60}"


def finished_as(job: Obj) -> str:
    """ "Complete", "Failed", or "" while the job runs."""
    for kind in ("Complete", "Failed"):
        if condition(job, kind) is not None:
            return kind
    return ""


def job_reference(job: Obj) -> Obj:
    """The ObjectReference ``status.active`` holds."""
    return {
        "kind": "Job",
        "namespace": meta(job)["namespace"],
        "name": meta(job)["name"],
        "uid": meta(job)["uid"],
        "apiVersion": "batch/v1",
        "resourceVersion": meta(job).get("resourceVersion"),
    }


def _last_between(
    schedule: Schedule, start: datetime.datetime, now: datetime.datetime, limit: int
) -> tuple[datetime.datetime | None, int]:
    """The last scheduled time in (start, now] and how many there are, counting at most
    ``limit + 1``."""
    found: datetime.datetime | None = None
    count = 0
    moment = schedule.next_after(start)
    while moment is not None and moment <= now and count <= limit:
        found, count = moment, count + 1
        moment = schedule.next_after(moment)
    return found, count


def most_recent(
    schedule: Schedule, earliest: datetime.datetime, now: datetime.datetime
) -> tuple[datetime.datetime | None, int]:
    """The last scheduled time after ``earliest`` and not after ``now``, and how many there
    were (``mostRecentScheduleTime``; past ``MAX_MISSED`` the count stops mattering)."""
    found, count = _last_between(schedule, earliest, now, MAX_MISSED)
    if count <= MAX_MISSED:
        return found, count
    for window in (3600, 86400, 32 * 86400, 366 * 86400, 5 * 366 * 86400):
        start = max(earliest, now - datetime.timedelta(seconds=window))
        last, _ = _last_between(schedule, start, now, 100_000)
        if last is not None:
            return last, count
    return found, count


class CronJobController(Controller):
    """Starts each CronJob's Jobs on its schedule; see the module docstring."""

    name = "cronjob-controller"
    primary = api.key(CRON_JOBS)
    watches = (primary, api.key(JOBS))

    def __init__(self, rest: Rest, clock: Clock) -> None:
        super().__init__(rest, clock)
        self.recorder = EventRecorder(rest, clock, "cronjob-controller", manager=MANAGER)
        self._unparseable: dict[str, Any] = {}  # uid -> the generation already reported

    def on_event(self, event: Event) -> None:
        obj = event.object
        namespace = meta(obj).get("namespace") or ""
        if event.resource == self.primary:
            self.queue.add(object_key(namespace, meta(obj)["name"]))
            return
        ref = controller_ref(obj)
        if ref is not None and ref.get("kind") == "CronJob":
            self.queue.add(object_key(namespace, str(ref.get("name"))))

    def reconcile(self, key: str) -> None:
        namespace, name = split_key(key)
        cron_job = self.store.get(self.primary, namespace, name)
        if cron_job is None:
            return
        uid = meta(cron_job)["uid"]
        jobs = [
            j
            for j in self.store.objects(api.key(JOBS), namespace)
            if (controller_ref(j) or {}).get("uid") == uid
        ]
        old = cron_job.get("status") or {}
        new = copy.deepcopy(old)
        active = self._active(cron_job, jobs, new)
        spec = cron_job.get("spec") or {}
        if not meta(cron_job).get("deletionTimestamp") and not spec.get("suspend"):
            try:
                schedule = parse(str(spec.get("schedule") or ""), spec.get("timeZone"))
            except ScheduleError as err:
                generation = meta(cron_job).get("generation")
                if self._unparseable.get(uid) != generation:
                    self._unparseable[uid] = generation
                    self.recorder.event(
                        cron_job,
                        WARNING,
                        "UnparseableSchedule",
                        f"unparseable schedule: {spec.get('schedule')!r} : {err}",
                    )
            else:
                self._run_schedule(key, cron_job, schedule, jobs, active, new)
        new["active"] = active
        if not new["active"]:
            del new["active"]
        if new != old:
            updated = copy.deepcopy(cron_job)
            updated["status"] = new
            api.update_status(self.rest, CRON_JOBS, updated, MANAGER)
        self._cleanup(cron_job, jobs)

    def _active(self, cron_job: Obj, jobs: list[Obj], new: Obj) -> list[Obj]:
        """``status.active`` without the Jobs that finished or went away."""
        by_uid = {meta(j)["uid"]: j for j in jobs}
        active = []
        for ref in new.get("active") or []:
            job = by_uid.get(ref.get("uid"))
            if job is None:
                continue
            outcome = finished_as(job)
            if not outcome:
                active.append(ref)
                continue
            self.recorder.event(
                cron_job,
                NORMAL,
                "SawCompletedJob",
                f"Saw completed job: {meta(job)['name']}, condition: {outcome}",
            )
            if outcome == "Complete":
                done = (job.get("status") or {}).get("completionTime")
                if done and (not new.get("lastSuccessfulTime") or new["lastSuccessfulTime"] < done):
                    new["lastSuccessfulTime"] = done
        for job in jobs:  # running jobs of ours not yet listed (after a restart)
            if not finished_as(job) and all(r.get("uid") != meta(job)["uid"] for r in active):
                active.append(job_reference(job))
        return active

    def _run_schedule(
        self,
        key: str,
        cron_job: Obj,
        schedule: Schedule,
        jobs: list[Obj],
        active: list[Obj],
        new: Obj,
    ) -> None:
        spec = cron_job.get("spec") or {}
        now = self.clock.now()
        since = new.get("lastScheduleTime") or meta(cron_job).get("creationTimestamp")
        earliest = parse_rfc3339(str(since)) if since else now
        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None:
            earliest = max(earliest, now - datetime.timedelta(seconds=int(deadline)))
        scheduled, count = most_recent(schedule, earliest, now)
        self._requeue(key, schedule, now)
        if scheduled is None:
            return
        if count > MAX_MISSED:
            self.recorder.event(
                cron_job,
                WARNING,
                "TooManyMissedTimes",
                f"too many missed start times: {count}. Set or decrease "
                ".spec.startingDeadlineSeconds or check clock skew",
            )
        if deadline is not None and scheduled + datetime.timedelta(seconds=int(deadline)) < now:
            self.recorder.event(
                cron_job,
                WARNING,
                "MissSchedule",
                f"Missed scheduled time to start a job: {rfc3339(scheduled)}",
            )
            return
        name = job_name(meta(cron_job)["name"], scheduled)
        if any(meta(j)["name"] == name for j in jobs):
            return
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and active:
            self.recorder.event(
                cron_job,
                NORMAL,
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy "
                "is Forbid",
            )
            return
        if policy == "Replace":
            for ref in list(active):
                if self._delete_job(cron_job, str(ref.get("name"))):
                    active.remove(ref)
        job = self._create_job(cron_job, schedule, scheduled, name)
        if job is None:
            return
        active.append(job_reference(job))
        new["lastScheduleTime"] = rfc3339(scheduled)

    def _requeue(self, key: str, schedule: Schedule, now: datetime.datetime) -> None:
        upcoming = schedule.next_after(now)
        if upcoming is not None:
            self.queue.add_after(key, (upcoming - now).total_seconds() + 0.1)

    def _create_job(
        self, cron_job: Obj, schedule: Schedule, scheduled: datetime.datetime, name: str
    ) -> Obj | None:
        template = (cron_job.get("spec") or {}).get("jobTemplate") or {}
        template_meta = template.get("metadata") or {}
        stamp = scheduled.astimezone(schedule.zone).isoformat().replace("+00:00", "Z")
        metadata: Obj = {"name": name, "namespace": meta(cron_job)["namespace"]}
        if template_meta.get("labels"):
            metadata["labels"] = dict(template_meta["labels"])
        metadata["annotations"] = {
            **(template_meta.get("annotations") or {}),
            SCHEDULED_TIMESTAMP: stamp,
        }
        metadata["ownerReferences"] = [new_controller_ref(cron_job)]
        body = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": metadata,
            "spec": copy.deepcopy(template.get("spec") or {}),
        }
        try:
            job = api.create(self.rest, JOBS, meta(cron_job)["namespace"], body, MANAGER)
        except status.ApiStatus as err:
            if err.reason != "AlreadyExists":
                self.recorder.event(
                    cron_job, WARNING, "FailedCreate", f"Error creating job: {err.message}"
                )
            return None
        self.recorder.event(cron_job, NORMAL, "SuccessfulCreate", f"Created job {name}")
        return job

    def _delete_job(self, cron_job: Obj, name: str) -> bool:
        target = api.target(JOBS, meta(cron_job)["namespace"], name)
        try:
            self.rest.delete(target, {"propagationPolicy": "Background"}, api.NO_QUERY)
        except status.ApiStatus as err:
            if err.reason != "NotFound":
                self.recorder.event(
                    cron_job, WARNING, "FailedDelete", f"Deleted job: {err.message}"
                )
                return False
            return True
        self.recorder.event(cron_job, NORMAL, "SuccessfulDelete", f"Deleted job {name}")
        return True

    def _cleanup(self, cron_job: Obj, jobs: list[Obj]) -> None:
        """Delete finished Jobs beyond the history limits, oldest first."""
        spec = cron_job.get("spec") or {}
        for outcome, field, default in (
            ("Complete", "successfulJobsHistoryLimit", 3),
            ("Failed", "failedJobsHistoryLimit", 1),
        ):
            limit = spec.get(field, default)
            if limit is None:
                continue
            done = sorted(
                (
                    j
                    for j in jobs
                    if finished_as(j) == outcome and not meta(j).get("deletionTimestamp")
                ),
                key=lambda j: str((j.get("status") or {}).get("startTime") or ""),
            )
            for job in done[: max(0, len(done) - int(limit))]:
                self._delete_job(cron_job, meta(job)["name"])
