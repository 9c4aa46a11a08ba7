"""Time, injected: everything in the simulator that reads the time takes a Clock, so tests can
move time forward instead of sleeping (probe periods, backoff, grace periods, AGE)."""

from __future__ import annotations

import datetime
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime.datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a monotonic scale (for durations and timers)."""
        ...


class RealClock:
    """The machine's clock."""

    def now(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.timezone.utc)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime.datetime | None = None) -> None:
        self._now = start or datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
        self._monotonic = 1000.0

    def now(self) -> datetime.datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        self._now += datetime.timedelta(seconds=seconds)
        self._monotonic += seconds


def rfc3339(moment: datetime.datetime) -> str:
    """Kubernetes' metav1.Time form: seconds precision, ``Z``."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> datetime.datetime:
    """Parse a metav1.Time / MicroTime string."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
