"""The loop the simulator's data-plane components share: re-apply the store's state whenever a
resource they watch changes.

Invariants: ``sync()`` runs on the event loop, one run at a time, and always reads the latest
state, so changes arriving during a run cause exactly one more run; an exception in ``sync()`` is
logged and the loop goes on (a bug must not stop the data plane); ``settled()`` returns once
every change seen so far has been applied.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection

from backends.simulator.store import Event, Store

log = logging.getLogger("pykctl.simulator.network")


class StoreReconciler:
    """Calls ``sync()`` after every change to one of ``watched`` (store resource keys)."""

    name = "reconciler"
    watched: Collection[str] = ()

    def __init__(self, store: Store) -> None:
        self.store = store
        self._dirty = asyncio.Event()
        self._idle = asyncio.Event()  # set while the applied state matches the store
        self._task: asyncio.Task[None] | None = None

    async def sync(self) -> None:
        raise NotImplementedError

    def start_watching(self) -> None:
        """Follow the store, starting with a run over its current state."""
        self.store.add_listener(self._on_event)
        self._dirty.set()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop_watching(self) -> None:
        self.store.remove_listener(self._on_event)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def settled(self) -> None:
        """Return once every change seen so far is applied."""
        await self._idle.wait()

    def _on_event(self, event: Event) -> None:
        if event.resource in self.watched:
            self._idle.clear()
            self._dirty.set()

    async def _run(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            try:
                await self.sync()
            except Exception:  # pragma: no cover - a bug must not stop the data plane
                log.exception("%s sync failed", self.name)
            if not self._dirty.is_set():
                self._idle.set()
