"""Unit tests for backends.objects.durations (apimachinery HumanDuration and friends).

Expected strings follow apimachinery ``pkg/util/duration`` and the thresholds listed in the
kubectl output reference (§1.5, §11 item 7).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from backends.objects.durations import (
    as_utc,
    human_duration,
    parse_time,
    short_human_duration,
    since,
)

S, M, H, D = 1, 60, 3600, 86400

HUMAN = [
    (0, "0s"),
    (-0.5, "0s"),
    (-1.9, "0s"),
    (-2, "<invalid>"),
    (-3600, "<invalid>"),
    (1.999, "1s"),
    (59, "59s"),
    (119, "119s"),
    (119.999, "119s"),
    (120, "2m"),
    (125, "2m5s"),
    (9 * M + 59, "9m59s"),
    (10 * M, "10m"),
    (10 * M + 59, "10m"),
    (179 * M + 59, "179m"),
    (3 * H, "3h"),
    (3 * H + 5 * M, "3h5m"),
    (3 * H + 5 * M + 59, "3h5m"),
    (7 * H + 59 * M, "7h59m"),
    (8 * H, "8h"),
    (47 * H + 59 * M, "47h"),
    (48 * H, "2d"),
    (2 * D + 3 * H, "2d3h"),
    (7 * D + 23 * H + 59 * M, "7d23h"),
    (8 * D, "8d"),
    (332 * D, "332d"),
    (729 * D + 23 * H, "729d"),
    (730 * D, "2y"),
    (733 * D, "2y3d"),
    (8 * 365 * D - 1, "7y364d"),
    (8 * 365 * D, "8y"),
    (100 * 365 * D, "100y"),
]


@pytest.mark.parametrize(("seconds", "expected"), HUMAN)
def test_human_duration(seconds: float, expected: str) -> None:
    assert human_duration(timedelta(seconds=seconds)) == expected
    assert human_duration(seconds) == expected


SHORT = [
    (-2, "<invalid>"),
    (-1, "0s"),
    (0, "0s"),
    (59.9, "59s"),
    (60, "1m"),
    (59 * M + 59, "59m"),
    (H, "1h"),
    (23 * H + 59 * M, "23h"),
    (D, "1d"),
    (364 * D + 23 * H, "364d"),
    (365 * D, "1y"),
    (3 * 365 * D + 200 * D, "3y"),
]


@pytest.mark.parametrize(("seconds", "expected"), SHORT)
def test_short_human_duration(seconds: float, expected: str) -> None:
    assert short_human_duration(timedelta(seconds=seconds)) == expected
    assert short_human_duration(seconds) == expected


UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T12:00:00Z", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("2026-03-01T12:00:00.123456Z", datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)),
        ("2026-03-01T12:00:00.123456789Z", datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)),
        ("2026-03-01T12:00:00.5Z", datetime(2026, 3, 1, 12, 0, 0, 500000, tzinfo=UTC)),
        ("2026-03-01T14:00:00+02:00", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("2026-03-01T07:30:00-04:30", datetime(2026, 3, 1, 12, tzinfo=UTC)),
    ],
)
def test_parse_time(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        5,
        "0001-01-01T00:00:00Z",
        "2026-03-01 12:00:00Z",
        "2026-03-01T12:00:00",
        "2026-13-01T12:00:00Z",
        "2026-03-01T12:00:00z",
        "yesterday",
    ],
)
def test_parse_time_rejects(value: object) -> None:
    assert parse_time(value) is None


NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2026-03-01T11:57:00Z", "3m"),
        ("2025-04-03T12:00:00Z", "332d"),
        ("2026-03-01T12:00:01Z", "0s"),
        ("2026-03-01T12:00:05Z", "<invalid>"),
        (None, "<unknown>"),
        ("0001-01-01T00:00:00Z", "<unknown>"),
        ("garbage", "<unknown>"),
    ],
)
def test_since(timestamp: object, expected: str) -> None:
    assert since(timestamp, NOW) == expected


def test_naive_now_is_utc() -> None:
    assert as_utc(datetime(2026, 3, 1, 12)) == NOW
    assert since("2026-03-01T11:00:00Z", datetime(2026, 3, 1, 12)) == "60m"
