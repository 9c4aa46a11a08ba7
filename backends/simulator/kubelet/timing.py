"""Waiting on the injected clock.

The simulator's Clock only tells the time; the kubelet also needs to wait (probe periods,
back-off, grace periods). ``sleep`` waits on the event loop for a real clock and, for any other
clock (tests' ``FakeClock``), polls it briefly until the clock has been moved past the
deadline, so tests advance time instead of sleeping. ``wait_for`` does the same for an awaitable
with a timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from backends.simulator.clock import Clock, RealClock

T = TypeVar("T")
_POLL_SECONDS = 0.01


async def sleep(clock: Clock, seconds: float) -> None:
    """Wait until ``seconds`` have passed on ``clock``."""
    if isinstance(clock, RealClock):
        await asyncio.sleep(max(0.0, seconds))
        return
    deadline = clock.monotonic() + seconds
    while clock.monotonic() < deadline:
        await asyncio.sleep(_POLL_SECONDS)


async def wait_for(clock: Clock, awaitable: Awaitable[T], seconds: float) -> T:
    """``awaitable``'s result, or ``asyncio.TimeoutError`` after ``seconds`` on ``clock``."""
    if isinstance(clock, RealClock):
        return await asyncio.wait_for(awaitable, max(0.0, seconds))
    task = asyncio.ensure_future(awaitable)
    timer = asyncio.ensure_future(sleep(clock, seconds))
    try:
        await asyncio.wait({task, timer}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        timer.cancel()
    if task.done():
        return task.result()
    task.cancel()
    raise asyncio.TimeoutError
