"""kube-scheduler's scheduling queue, in small: which pending pods to try now.

Three places a pod can wait, as upstream: *active* (to be tried; highest priority first, then in
arrival order — the caller sorts by priority), *backoff* (tried and failed recently: not again
before 1 s, doubling with each attempt up to 10 s) and *unschedulable* (failed; waits for a
cluster change that could help, or 5 minutes). A cluster change moves the unschedulable pods to
active, or to backoff while their backoff lasts. Times come from the injected Clock.
"""

from __future__ import annotations

import itertools

from backends.simulator.clock import Clock

PodKey = tuple[str, str]

INITIAL_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 10.0
UNSCHEDULABLE_FLUSH_SECONDS = 300.0


class SchedulingQueue:
    """Pending pods by namespace/name; see the module docstring."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._arrivals = itertools.count()
        self._active: dict[PodKey, int] = {}  # pod -> arrival order
        self._backoff: dict[PodKey, float] = {}  # pod -> when it may be tried
        self._unschedulable: dict[PodKey, float] = {}  # pod -> when it was parked
        self._attempts: dict[PodKey, int] = {}
        self._failed_at: dict[PodKey, float] = {}

    def _backoff_until(self, pod: PodKey) -> float:
        attempts = self._attempts.get(pod, 0)
        if not attempts:
            return float("-inf")
        seconds = min(MAX_BACKOFF_SECONDS, INITIAL_BACKOFF_SECONDS * 2.0 ** (attempts - 1))
        return self._failed_at[pod] + seconds

    def _requeue(self, pod: PodKey) -> None:
        """Active, or backoff while it lasts."""
        until = self._backoff_until(pod)
        if until > self.clock.monotonic():
            self._backoff[pod] = until
        else:
            self._active.setdefault(pod, next(self._arrivals))

    def add(self, pod: PodKey) -> None:
        """A new pod, or one whose spec or labels changed."""
        self._unschedulable.pop(pod, None)
        if pod not in self._backoff:
            self._requeue(pod)

    def remove(self, pod: PodKey) -> None:
        """The pod was bound or deleted, or no longer needs this scheduler."""
        for place in (
            self._active,
            self._backoff,
            self._unschedulable,
            self._attempts,
            self._failed_at,
        ):
            place.pop(pod, None)

    def failed(self, pod: PodKey) -> None:
        """The pod fits nowhere: park it."""
        now = self.clock.monotonic()
        self._attempts[pod] = self._attempts.get(pod, 0) + 1
        self._failed_at[pod] = now
        self._unschedulable[pod] = now

    def cluster_changed(self) -> None:
        """Something that could help happened: try the parked pods again (after backoff)."""
        parked = sorted(self._unschedulable)
        self._unschedulable.clear()
        for pod in parked:
            self._requeue(pod)

    def ready(self) -> list[PodKey]:
        """Take the pods to try now (backoff over, or parked 5 minutes), in arrival order."""
        now = self.clock.monotonic()
        for pod, until in list(self._backoff.items()):
            if until <= now:
                del self._backoff[pod]
                self._active.setdefault(pod, next(self._arrivals))
        for pod, parked in list(self._unschedulable.items()):
            if now - parked >= UNSCHEDULABLE_FLUSH_SECONDS:
                del self._unschedulable[pod]
                self._requeue(pod)
        pods = sorted(self._active, key=self._active.__getitem__)
        self._active.clear()
        return pods

    def pending(self) -> bool:
        """Whether pods are to be tried now."""
        return bool(self._active)
