"""Cron schedules as CronJobs write them (robfig/cron's standard parser, which kube uses): five
fields — minute, hour, day of month, month, day of week — each ``*``, ``?``, a value, a range
``a-b``, a step ``*/n`` or ``a-b/n``, or a comma-separated list of those; month and weekday
names (``jan``, ``sun``; case-insensitive); weekday 7 is Sunday; and the descriptors
``@yearly``/``@annually``, ``@monthly``, ``@weekly``, ``@daily``/``@midnight``, ``@hourly``.

Invariants (as robfig's ``SpecSchedule``): when both day fields are restricted (neither starts
with ``*`` or ``?``), a day matches either; otherwise both must match. Times are evaluated in
the schedule's time zone (UTC unless given) and come back timezone-aware; ``next_after`` is
strictly after its argument, at a whole minute.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

_MONTHS = ("jan feb mar apr may jun jul aug sep oct nov dec").split()
_DAYS = ("sun mon tue wed thu fri sat").split()
_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_SEARCH_YEARS = 5


class ScheduleError(ValueError):
    """The schedule cannot be parsed; the message is robfig's."""


@dataclass(frozen=True)
class _Field:
    low: int
    high: int
    names: tuple[str, ...] = ()
    name_base: int = 0


_FIELDS = (
    _Field(0, 59),
    _Field(0, 23),
    _Field(1, 31),
    _Field(1, 12, tuple(_MONTHS), 1),
    _Field(0, 7, tuple(_DAYS), 0),
)


def _number(text: str, spec: _Field) -> int:
    lowered = text.lower()
    if lowered in spec.names:
        return spec.names.index(lowered) + spec.name_base
    if not text.isdigit():
        raise ScheduleError(
            f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": invalid syntax'
        )
    return int(text)


def _range(expression: str, spec: _Field) -> set[int]:
    body, _, step_text = expression.partition("/")
    step = 1
    if step_text:
        step = _number(step_text, _Field(0, 1 << 30))
        if step == 0:
            raise ScheduleError(f"step of range should be a positive number: {expression}")
    if body in ("*", "?"):
        low, high = spec.low, spec.high
    else:
        start, dash, end = body.partition("-")
        low = _number(start, spec)
        high = _number(end, spec) if dash else (spec.high if step_text else low)
    if low < spec.low:
        raise ScheduleError(f"beginning of range ({low}) below minimum ({spec.low}): {expression}")
    if high > spec.high:
        raise ScheduleError(f"end of range ({high}) above maximum ({spec.high}): {expression}")
    if low > high:
        raise ScheduleError(
            f"beginning of range ({low}) beyond end of range ({high}): {expression}"
        )
    return set(range(low, high + 1, step))


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule; see the module docstring."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool  # one of the day fields is unrestricted: both must match
    zone: datetime.tzinfo

    def _day_matches(self, day: datetime.date) -> bool:
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        return (in_month and in_week) if self.any_day else (in_month or in_week)

    def next_after(self, moment: datetime.datetime) -> datetime.datetime | None:
        """The first scheduled minute strictly after ``moment`` (None within five years)."""
        local = moment.astimezone(self.zone).replace(second=0, microsecond=0)
        start = local + datetime.timedelta(minutes=1)
        day = start.date()
        last = day + datetime.timedelta(days=366 * _SEARCH_YEARS)
        while day <= last:
            if day.month in self.months and self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = datetime.datetime.combine(
                            day, datetime.time(hour, minute), tzinfo=self.zone
                        )
                        if candidate >= start:
                            return candidate.astimezone(datetime.timezone.utc)
            day += datetime.timedelta(days=1)
        return None


def _starred(expression: str) -> bool:
    """robfig's star bit: a part of the field is ``*`` or ``?`` without a step above 1."""
    return any(part in ("*", "?", "*/1", "?/1") for part in expression.split(","))


def parse(text: str, zone: str | None = None) -> Schedule:
    """Parse a CronJob's ``schedule`` (and ``timeZone``); raises ScheduleError."""
    spec = _DESCRIPTORS.get(text.strip(), text)
    if spec.startswith("@"):
        raise ScheduleError(f"unrecognized descriptor: {spec}")
    fields = spec.split()
    if len(fields) != 5:
        raise ScheduleError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    values = []
    for expression, field in zip(fields, _FIELDS, strict=True):
        found: set[int] = set()
        for part in expression.split(","):
            found |= _range(part, field)
        values.append(found)
    weekdays = {d % 7 for d in values[4]}
    try:
        tz: datetime.tzinfo = ZoneInfo(zone) if zone else datetime.timezone.utc
    except (KeyError, ValueError):
        raise ScheduleError(f"unknown time zone {zone}") from None
    return Schedule(
        frozenset(values[0]),
        frozenset(values[1]),
        frozenset(values[2]),
        frozenset(values[3]),
        frozenset(weekdays),
        _starred(fields[2]) or _starred(fields[4]),
        tz,
    )
