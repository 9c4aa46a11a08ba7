"""Human-readable durations and ages, as kubectl and kube-apiserver print them.

Ports the behaviour of apimachinery ``pkg/util/duration`` (``HumanDuration``,
``ShortHumanDuration``) and of the printers' ``translateTimestampSince``, plus the RFC 3339
parsing of ``metav1.Time``/``MicroTime`` values that feeds them.

Invariants: every function is pure (the current time is always passed in); durations are
truncated toward zero like Go's integer ``time.Duration`` arithmetic; a clock skew of less than
two seconds into the future reads as ``0s``, more reads as ``<invalid>``; a missing, zero
(``0001-01-01T00:00:00Z``) or unparseable timestamp reads as ``<unknown>``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_MICROS_PER_SECOND = 1_000_000
_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_YEAR = 365 * _DAY

_ZERO_TIME = datetime(1, 1, 1, tzinfo=timezone.utc)
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})"
)


Duration = timedelta | float  # a timedelta, or a number of seconds


def _whole_seconds(d: Duration) -> int:
    """Go's ``int(d.Seconds())``: whole seconds, truncated toward zero."""
    if not isinstance(d, timedelta):
        return int(d)
    micros = (d.days * 86_400 + d.seconds) * _MICROS_PER_SECOND + d.microseconds
    whole = abs(micros) // _MICROS_PER_SECOND
    return whole if micros >= 0 else -whole


def human_duration(d: Duration) -> str:
    """``HumanDuration``: about two significant figures (``119s``, ``9m59s``, ``7h59m``, ``2y3d``)."""
    seconds = _whole_seconds(d)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 2 * _MINUTE:
        return f"{seconds}s"
    minutes = seconds // _MINUTE
    if minutes < 10:
        rest = seconds % _MINUTE
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 3 * 60:
        return f"{minutes}m"
    hours = seconds // _HOUR
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    days = seconds // _DAY
    if hours < 8 * 24:
        rest = hours % 24
        return f"{days}d{rest}h" if rest else f"{days}d"
    if days < 2 * 365:
        return f"{days}d"
    years = seconds // _YEAR
    if days < 8 * 365:
        rest = days % 365
        return f"{years}y{rest}d" if rest else f"{years}y"
    return f"{years}y"


def short_human_duration(d: Duration) -> str:
    """``ShortHumanDuration``: one unit only (``59s``, ``59m``, ``23h``, ``364d``, ``2y``)."""
    seconds = _whole_seconds(d)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < _MINUTE:
        return f"{seconds}s"
    if seconds < _HOUR:
        return f"{seconds // _MINUTE}m"
    if seconds < _DAY:
        return f"{seconds // _HOUR}h"
    if seconds < _YEAR:
        return f"{seconds // _DAY}d"
    return f"{seconds // _YEAR}y"


def parse_time(value: object) -> datetime | None:
    """An RFC 3339 timestamp as an aware datetime; None if missing, invalid or Go's zero time."""
    if not isinstance(value, str):
        return None
    match = _RFC3339.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    tz = timezone.utc
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    try:
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "").ljust(6, "0")[:6]),
            tzinfo=tz,
        )
    except ValueError:
        return None
    return None if parsed == _ZERO_TIME else parsed


def as_utc(moment: datetime) -> datetime:
    """An aware datetime; naive values are taken to be UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def since(timestamp: object, now: datetime) -> str:
    """``translateTimestampSince``: the age of an RFC 3339 timestamp, or ``<unknown>``."""
    moment = parse_time(timestamp)
    if moment is None:
        return "<unknown>"
    return human_duration(as_utc(now) - moment)
