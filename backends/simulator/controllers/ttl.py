"""kube-controller-manager's ttl-after-finished controller: a finished Job with
``ttlSecondsAfterFinished`` is deleted (foreground: its pods first) that many seconds after it
finished (its ``completionTime``, or when its Failed condition became True).

Invariants: a Job that is not finished, has no TTL or is already being deleted is left alone;
an unexpired Job is looked at again when it expires, on the injected clock.
"""

from __future__ import annotations

import datetime

from backends.simulator.apiserver import status
from backends.simulator.clock import parse_rfc3339
from backends.simulator.cluster import api
from backends.simulator.controllers.framework import Controller, object_key, split_key
from backends.simulator.controllers.job import JOBS, Obj, condition
from backends.simulator.controllers.pods import meta
from backends.simulator.store import Event


def finished_at(job: Obj) -> datetime.datetime | None:
    """When the job finished, None while it runs."""
    completed = (job.get("status") or {}).get("completionTime")
    if condition(job, "Complete") is not None and completed:
        return parse_rfc3339(str(completed))
    failed = condition(job, "Failed")
    if failed is not None and failed.get("lastTransitionTime"):
        return parse_rfc3339(str(failed["lastTransitionTime"]))
    return None


class TTLAfterFinishedController(Controller):
    """Deletes finished Jobs whose time to live has passed."""

    name = "ttl-after-finished-controller"
    primary = api.key(JOBS)
    watches = (primary,)

    def on_event(self, event: Event) -> None:
        if event.type != "DELETED":
            self.queue.add(object_key(meta(event.object)["namespace"], meta(event.object)["name"]))

    def reconcile(self, key: str) -> None:
        job = self.store.get(self.primary, *split_key(key))
        if job is None or meta(job).get("deletionTimestamp"):
            return
        ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
        done = finished_at(job)
        if ttl is None or done is None:
            return
        left = (done - self.clock.now()).total_seconds() + int(ttl)
        if left > 0:
            self.queue.add_after(key, left)
            return
        target = api.target(JOBS, *split_key(key))
        options = {
            "propagationPolicy": "Foreground",
            "preconditions": {"uid": meta(job)["uid"]},
        }
        try:
            self.rest.delete(target, options, api.NO_QUERY)
        except status.ApiStatus as err:
            if err.reason not in ("NotFound", "Conflict"):
                raise
