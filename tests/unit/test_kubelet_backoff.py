"""The kubelet's back-off (client-go flowcontrol.Backoff) and Go duration rendering."""

from __future__ import annotations

import pytest

from backends.simulator.kubelet.backoff import Backoff, go_duration


def test_first_failure_restarts_at_once_then_doubles_to_five_minutes() -> None:
    backoff = Backoff()
    key = "uid/c"
    finished = 100.0
    assert not backoff.in_backoff_since(key, finished, finished)
    backoff.next(key, finished)
    delays = []
    for _ in range(8):
        finished += 1
        assert backoff.in_backoff_since(key, finished, finished)
        delays.append(backoff.get(key))
        finished += backoff.get(key)
        assert not backoff.in_backoff_since(key, finished - backoff.get(key), finished)
        backoff.next(key, finished)
    assert delays == [10, 20, 40, 80, 160, 300, 300, 300]


def test_an_entry_older_than_twice_the_maximum_starts_over() -> None:
    backoff = Backoff()
    backoff.next("k", 0.0)
    backoff.next("k", 1.0)
    assert backoff.get("k") == 20
    assert not backoff.in_backoff_since("k", 602.0, 603.0)  # ran for more than 10 minutes
    backoff.next("k", 602.0)
    assert backoff.get("k") == 10


def test_image_pull_back_off_counts_from_the_last_failure() -> None:
    backoff = Backoff()
    backoff.next("img", 50.0)
    assert backoff.in_backoff_since_update("img", 59.9)
    assert not backoff.in_backoff_since_update("img", 60.0)
    assert backoff.remaining("img", 50.0, 55.0) == 5
    assert backoff.last_update("img") == 50.0


def test_forget_prefix_drops_a_pods_keys() -> None:
    backoff = Backoff()
    backoff.next("a/x", 0)
    backoff.next("a/y", 0)
    backoff.next("b/x", 0)
    backoff.forget_prefix("a/")
    assert (backoff.get("a/x"), backoff.get("a/y"), backoff.get("b/x")) == (0, 0, 10)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (0.393, "393ms"), (1.2866, "1.286s"), (5.1, "5.1s"), (10, "10s"), (80, "1m20s"),
     (300, "5m0s"), (3725.5, "1h2m5.5s")],
)  # fmt: skip
def test_go_duration(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text
