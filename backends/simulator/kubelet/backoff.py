"""The kubelet's exponential back-off (client-go ``flowcontrol.Backoff``), used for restarting
crashed containers (10 s doubling to 5 min) and for pulling images.

Per key, an entry holds the current delay and the time of its last update. Invariants, as
upstream: the first failure starts no delay (``in_backoff_since`` is False without an entry;
``next`` then records ``initial``); every later ``next`` doubles the delay up to ``maximum``; an
entry whose last update is more than ``2 * maximum`` before the event is stale and starts over
(so a container that ran for 10 minutes is back to 10 s). Times are plain seconds on the
injected clock's monotonic scale; nothing here reads a clock itself.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTAINER_BACKOFF_INITIAL = 10.0
CONTAINER_BACKOFF_MAX = 300.0
IMAGE_BACKOFF_INITIAL = 10.0
IMAGE_BACKOFF_MAX = 300.0


@dataclass
class _Entry:
    delay: float
    last_update: float


class Backoff:
    """Per-key exponential back-off."""

    def __init__(
        self, initial: float = CONTAINER_BACKOFF_INITIAL, maximum: float = CONTAINER_BACKOFF_MAX
    ) -> None:
        self.initial = initial
        self.maximum = maximum
        self._entries: dict[str, _Entry] = {}

    def _stale(self, entry: _Entry, event_time: float) -> bool:
        return event_time - entry.last_update > 2 * self.maximum

    def get(self, key: str) -> float:
        """The current delay for ``key`` (0 without an entry)."""
        entry = self._entries.get(key)
        return entry.delay if entry else 0.0

    def next(self, key: str, event_time: float) -> None:
        """Record a failure at ``event_time``: start at ``initial`` or double the delay."""
        entry = self._entries.get(key)
        if entry is None or self._stale(entry, event_time):
            self._entries[key] = _Entry(self.initial, event_time)
        else:
            entry.delay = min(entry.delay * 2, self.maximum)
            entry.last_update = event_time

    def in_backoff_since(self, key: str, event_time: float, now: float) -> bool:
        """Whether less than the current delay has passed since ``event_time`` (a container's
        finish time)."""
        entry = self._entries.get(key)
        if entry is None or self._stale(entry, event_time):
            return False
        return now - event_time < entry.delay

    def in_backoff_since_update(self, key: str, now: float) -> bool:
        """Whether less than the current delay has passed since the last ``next`` (image pulls)."""
        entry = self._entries.get(key)
        if entry is None or self._stale(entry, now):
            return False
        return now - entry.last_update < entry.delay

    def remaining(self, key: str, since: float, now: float) -> float:
        """Seconds until ``since + delay`` (never negative)."""
        return max(0.0, since + self.get(key) - now)

    def last_update(self, key: str) -> float | None:
        entry = self._entries.get(key)
        return entry.last_update if entry else None

    def forget_prefix(self, prefix: str) -> None:
        """Drop every key that starts with ``prefix`` (a deleted pod's keys)."""
        for key in [k for k in self._entries if k.startswith(prefix)]:
            del self._entries[key]


def go_duration(seconds: float) -> str:
    """``time.Duration.String()`` of ``seconds`` truncated to milliseconds: ``0s``, ``393ms``,
    ``1.286s``, ``10s``, ``1m20s``, ``5m0s``."""
    millis = int(seconds * 1000)
    if millis == 0:
        return "0s"
    if millis < 1000:
        return f"{millis}ms"
    whole, frac = divmod(millis, 1000)
    text = f"{whole % 60}" + (f".{frac:03d}".rstrip("0") if frac else "") + "s"
    minutes = whole // 60
    if minutes:
        hours, minutes = divmod(minutes, 60)
        text = f"{minutes}m{text}"
        if hours:
            text = f"{hours}h{text}"
    return text
