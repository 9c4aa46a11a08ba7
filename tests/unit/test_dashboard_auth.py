"""The dashboard's credentials: one-time tickets, sessions (on an injected clock) and the CSRF
rule."""

from __future__ import annotations

import pytest

from backends.simulator.dashboard import auth

ORIGIN = "https://127.0.0.1:6443"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_ticket_logs_in_once(clock: Clock) -> None:
    tickets = auth.Tickets(clock)
    ticket = tickets.issue()
    assert len(ticket) >= 40
    assert tickets.redeem(ticket)
    assert not tickets.redeem(ticket)


def test_a_ticket_expires(clock: Clock) -> None:
    tickets = auth.Tickets(clock, lifetime=60)
    early, late = tickets.issue(), tickets.issue()
    clock.now += 59.9
    assert tickets.redeem(early)
    clock.now += 0.1
    assert not tickets.redeem(late)


def test_unknown_tickets_and_sessions_are_refused(clock: Clock) -> None:
    assert not auth.Tickets(clock).redeem("made-up")
    assert not auth.Sessions(clock).touch("made-up")
    assert not auth.Sessions(clock).touch("")


def test_tickets_are_unique_and_stored_only_as_digests(clock: Clock) -> None:
    tickets = auth.Tickets(clock)
    issued = {tickets.issue() for _ in range(20)}
    assert len(issued) == 20
    stored = repr(vars(tickets))
    assert not any(ticket in stored for ticket in issued)


def test_a_session_lives_while_used(clock: Clock) -> None:
    sessions = auth.Sessions(clock, idle=100)
    session = sessions.start()
    for _ in range(5):
        clock.now += 90
        assert sessions.touch(session)
    clock.now += 100
    assert not sessions.touch(session)


def test_a_session_ends_at_logout(clock: Clock) -> None:
    sessions = auth.Sessions(clock)
    session, other = sessions.start(), sessions.start()
    sessions.end(session)
    assert not sessions.touch(session)
    assert sessions.touch(other)


def test_the_oldest_sessions_give_way_beyond_the_limit(clock: Clock) -> None:
    sessions = auth.Sessions(clock)
    first = sessions.start()
    clock.now += 1
    later = []
    for _ in range(auth.MAX_SESSIONS):
        later.append(sessions.start())
        clock.now += 1
    assert not sessions.touch(first)
    assert all(sessions.touch(session) for session in later)


def test_token_comparison() -> None:
    assert auth.token_matches(" secret\n", "secret")
    assert not auth.token_matches("secre", "secret")
    assert not auth.token_matches("", "secret")


@pytest.mark.parametrize(
    ("method", "headers", "refusal"),
    [
        ("GET", {auth.CSRF_HEADER: "1"}, None),
        ("POST", {auth.CSRF_HEADER: "1", "Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"}, None),
        ("GET", {}, "missing the X-Pykctl-Dashboard header"),
        ("DELETE", {auth.CSRF_HEADER: "yes"}, "missing the X-Pykctl-Dashboard header"),
        (
            "POST",
            {auth.CSRF_HEADER: "1", "Origin": "https://evil.example"},
            "cross-origin request from https://evil.example",
        ),
        ("POST", {auth.CSRF_HEADER: "1", "Origin": "null"}, "cross-origin request from null"),
        (
            "PATCH",
            {auth.CSRF_HEADER: "1", "Origin": "https://127.0.0.1:6444"},
            "cross-origin request from https://127.0.0.1:6444",
        ),
        (
            "GET",
            {auth.CSRF_HEADER: "1", "Sec-Fetch-Site": "cross-site"},
            "cross-site request (cross-site)",
        ),
        (
            "GET",
            {auth.CSRF_HEADER: "1", "Sec-Fetch-Site": "same-site"},
            "cross-site request (same-site)",
        ),
        ("TRACE", {auth.CSRF_HEADER: "1"}, "method TRACE not allowed"),
    ],
)
def test_csrf_rule(method: str, headers: dict[str, str], refusal: str | None) -> None:
    assert auth.csrf_refusal(method, headers, ORIGIN) == refusal
