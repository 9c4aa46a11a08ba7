"""The controller framework kube-controller-manager's controllers share, in small: informers
over the store's events, a work queue of keys with client-go's rate-limited requeue,
expectations, and a manager that runs the controllers on the simulator's event loop.

Invariants:

* Event handlers only enqueue keys (``namespace/name``); ``reconcile(key)`` re-reads the
  current state from the store and converges (level-triggered). Nothing mutates an object the
  store returned: controllers copy before changing.
* A key is at most once in a queue; a key being reconciled that is added again is reconciled
  again afterwards (never twice at once: everything runs on one thread).
* ``reconcile`` raising requeues the key with client-go's default controller rate limiter: the
  larger of a per-item exponential backoff (5 ms doubling up to 1000 s) and an overall token
  bucket (10 per second, burst 100). Success forgets the item's failures.
* Time comes from the injected Clock: delayed keys become due when the clock passes their time,
  so tests move a FakeClock and call ``ControllerManager.sync()``; nothing sleeps.
* On ``start()`` every controller catches up from the store (every primary object is enqueued),
  so a restarted daemon converges from what is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from backends.simulator.apiserver import status
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.store import Event

log = logging.getLogger("pykctl.simulator.controllers")

BASE_DELAY_SECONDS = 0.005
MAX_DELAY_SECONDS = 1000.0
BUCKET_QPS = 10.0
BUCKET_BURST = 100
EXPECTATIONS_TIMEOUT_SECONDS = 300.0
LOOP_PERIOD_SECONDS = 1.0
_MAX_ROUNDS = 1000
ALL = "*"  # in ``Controller.watches``: every resource


def object_key(namespace: str, name: str) -> str:
    """client-go's ``MetaNamespaceKeyFunc``: ``namespace/name``, or ``name`` when cluster-scoped."""
    return f"{namespace}/{name}" if namespace else name


def split_key(key: str) -> tuple[str, str]:
    """(namespace, name) of a key made by ``object_key``."""
    namespace, _, name = key.rpartition("/")
    return namespace, name


class RateLimiter:
    """client-go's ``DefaultControllerRateLimiter``: max of per-item backoff and a bucket."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._failures: dict[str, int] = {}
        self._tokens = float(BUCKET_BURST)
        self._checked = clock.monotonic()
        self._reserved_until = clock.monotonic()

    def when(self, key: str) -> float:
        """The delay before ``key`` may be retried (one more failure counted)."""
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        backoff = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2.0**failures)
        return max(backoff, self._bucket_delay())

    def _bucket_delay(self) -> float:
        now = self.clock.monotonic()
        self._tokens = min(float(BUCKET_BURST), self._tokens + (now - self._checked) * BUCKET_QPS)
        self._checked = now
        self._tokens -= 1.0
        if self._tokens >= 0:
            return 0.0
        return -self._tokens / BUCKET_QPS

    def retries(self, key: str) -> int:
        return self._failures.get(key, 0)

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)


class WorkQueue:
    """Keys to reconcile now, and keys due later (client-go's delaying, rate-limited queue)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.limiter = RateLimiter(clock)
        self._ready: dict[str, None] = {}  # insertion-ordered set
        self._delayed: list[tuple[float, int, str]] = []
        self._order = itertools.count()

    def add(self, key: str) -> None:
        """Reconcile ``key`` as soon as possible."""
        self._ready.setdefault(key, None)

    def add_after(self, key: str, seconds: float) -> None:
        """Reconcile ``key`` once ``seconds`` have passed on the clock."""
        if seconds <= 0:
            self.add(key)
            return
        heapq.heappush(self._delayed, (self.clock.monotonic() + seconds, next(self._order), key))

    def add_rate_limited(self, key: str) -> None:
        """Retry ``key`` after its backoff (a failed reconcile)."""
        self.add_after(key, self.limiter.when(key))

    def forget(self, key: str) -> None:
        """``key`` succeeded: its failures no longer count."""
        self.limiter.forget(key)

    def take(self) -> list[str]:
        """The keys due now, in the order they became due; they leave the queue."""
        now = self.clock.monotonic()
        while self._delayed and self._delayed[0][0] <= now:
            _, _, key = heapq.heappop(self._delayed)
            self.add(key)
        keys = list(self._ready)
        self._ready.clear()
        return keys

    def pending(self) -> bool:
        """Whether a key is due now."""
        return bool(self._ready) or bool(
            self._delayed and self._delayed[0][0] <= self.clock.monotonic()
        )

    def next_due(self) -> float | None:
        """The clock's monotonic time at which the next delayed key is due."""
        return self._delayed[0][0] if self._delayed else None

    def __len__(self) -> int:
        return len(self._ready) + len(self._delayed)


@dataclass
class _Expected:
    adds: int = 0
    deletes: set[str] = field(default_factory=set)
    since: float = 0.0


class Expectations:
    """client-go's ``ControllerExpectations``: creates and deletes a controller has asked for
    and not yet seen in its informer, so it does not act twice on a stale view."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._expected: dict[str, _Expected] = {}

    def expect(self, key: str, adds: int = 0, deletes: Iterable[str] = ()) -> None:
        """Record ``adds`` creations and the deletion of the pods named in ``deletes``."""
        self._expected[key] = _Expected(adds, set(deletes), self.clock.monotonic())

    def creation_observed(self, key: str) -> None:
        found = self._expected.get(key)
        if found is not None and found.adds > 0:
            found.adds -= 1

    def deletion_observed(self, key: str, pod: str) -> None:
        found = self._expected.get(key)
        if found is not None:
            found.deletes.discard(pod)

    def satisfied(self, key: str) -> bool:
        """Whether the controller may act: nothing pending, or the expectations expired."""
        found = self._expected.get(key)
        if found is None:
            return True
        if found.adds <= 0 and not found.deletes:
            return True
        return self.clock.monotonic() - found.since > EXPECTATIONS_TIMEOUT_SECONDS

    def forget(self, key: str) -> None:
        """The controller's object is gone."""
        self._expected.pop(key, None)


class Controller:
    """A reconciler: ``watches`` names the store resources its informers follow."""

    name = "controller"
    watches: Sequence[str] = ()
    primary = ""  # the store resource whose objects are the keys (caught up at start)

    def __init__(self, rest: Rest, clock: Clock) -> None:
        self.rest = rest
        self.store = rest.store
        self.clock = clock
        self.queue = WorkQueue(clock)

    def on_event(self, event: Event) -> None:
        """An informer's event (ADDED/MODIFIED/DELETED): enqueue the keys it concerns."""
        raise NotImplementedError

    def reconcile(self, key: str) -> None:
        """Converge the object named ``key`` towards its desired state."""
        raise NotImplementedError

    def catch_up(self) -> None:
        """Enqueue every stored primary object (start and restart)."""
        for obj in self.store.objects(self.primary):
            meta = obj.get("metadata") or {}
            self.queue.add(object_key(meta.get("namespace") or "", meta["name"]))

    def process(self) -> bool:
        """Reconcile every key due now; whether there were any."""
        keys = self.queue.take()
        for key in keys:
            try:
                self.reconcile(key)
            except status.ApiStatus as err:
                log.debug("%s: %s: %s", self.name, key, err.message)
                self.queue.add_rate_limited(key)
            except Exception:  # a bug in one reconcile must not stop the controller
                log.exception("%s: reconciling %s failed", self.name, key)
                self.queue.add_rate_limited(key)
            else:
                self.queue.forget(key)
        return bool(keys)


class ControllerManager:
    """Runs controllers on the simulator's loop (kube-controller-manager in small)."""

    def __init__(self, rest: Rest, clock: Clock, controllers: Sequence[Controller]) -> None:
        self.rest = rest
        self.clock = clock
        self.controllers = list(controllers)
        self._informers: dict[str, list[Controller]] = {}
        for controller in self.controllers:
            for resource in controller.watches:
                self._informers.setdefault(resource, []).append(controller)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listening = False

    def _on_event(self, event: Event) -> None:
        for controller in (*self._informers.get(event.resource, ()), *self._informers.get(ALL, ())):
            controller.on_event(event)
        self._wake.set()

    def attach(self) -> None:
        """Follow the store and catch up from it, without a loop (tests drive ``sync()``)."""
        if not self._listening:
            self.rest.store.add_listener(self._on_event)
            self._listening = True
        for controller in self.controllers:
            controller.catch_up()

    def start(self) -> None:
        """``attach()`` and run the loop (call on the simulator's event loop)."""
        self.attach()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop the loop and stop following the store."""
        if self._listening:
            self.rest.store.remove_listener(self._on_event)
            self._listening = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def pending(self) -> bool:
        return any(controller.queue.pending() for controller in self.controllers)

    def sync_round(self) -> bool:
        """Reconcile what is due now in every controller once; whether anything was."""
        worked = False
        for controller in self.controllers:
            worked = controller.process() or worked
        return worked

    def sync(self) -> None:
        """Drain every queue of what is due now (tests on a FakeClock)."""
        for _ in range(_MAX_ROUNDS):
            if not self.sync_round() and not self.pending():
                return

    def _next_wake(self) -> float:
        dues = [due for due in (c.queue.next_due() for c in self.controllers) if due is not None]
        if not dues:
            return LOOP_PERIOD_SECONDS
        return max(0.0, min(LOOP_PERIOD_SECONDS, min(dues) - self.clock.monotonic()))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            while self.sync_round():
                await asyncio.sleep(0)  # let requests and the kubelets in between rounds
            timer = loop.call_later(self._next_wake(), self._wake.set)
            try:
                await self._wake.wait()
            finally:
                timer.cancel()
