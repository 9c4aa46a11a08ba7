"""Who may use the dashboard: one-time login tickets, browser sessions and the CSRF rule.

Invariants: the API token never leaves the server (a browser holds only a random session id in
an HttpOnly, Secure, SameSite=Strict cookie); a ticket logs in once, within ``TICKET_SECONDS``
of being issued; a session ends after ``SESSION_IDLE_SECONDS`` without a request; secrets are
kept as SHA-256 digests, so the tables never hold a usable credential. Time comes from an
injected monotonic clock. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping

TICKET_SECONDS = 60.0
SESSION_IDLE_SECONDS = 12 * 3600.0
MAX_SESSIONS = 64
# The header every dashboard request from the page's own scripts carries; a cross-site form or
# link cannot set it, and a cross-site script cannot send it without a CORS preflight we refuse.
CSRF_HEADER = "X-Pykctl-Dashboard"


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


class _Expiring:
    """Digests of secrets with their deadlines on a monotonic clock."""

    def __init__(self, clock: Callable[[], float], limit: int) -> None:
        self._clock = clock
        self._limit = limit
        self._deadlines: dict[bytes, float] = {}

    def _add(self, lifetime: float) -> str:
        now = self._clock()
        self._deadlines = {k: t for k, t in self._deadlines.items() if t > now}
        while len(self._deadlines) >= self._limit:  # the oldest deadline goes first
            del self._deadlines[min(self._deadlines, key=self._deadlines.__getitem__)]
        secret = secrets.token_urlsafe(32)
        self._deadlines[_digest(secret)] = now + lifetime
        return secret

    def _live(self, secret: str) -> bytes | None:
        key = _digest(secret)
        deadline = self._deadlines.get(key)
        if deadline is None:
            return None
        if deadline <= self._clock():
            del self._deadlines[key]
            return None
        return key


class Tickets(_Expiring):
    """Single-use, short-lived login tickets (``pykctl sim dashboard``'s one-time links)."""

    def __init__(self, clock: Callable[[], float], lifetime: float = TICKET_SECONDS) -> None:
        super().__init__(clock, MAX_SESSIONS)
        self.lifetime = lifetime

    def issue(self) -> str:
        return self._add(self.lifetime)

    def redeem(self, ticket: str) -> bool:
        """True once for a ticket issued less than ``lifetime`` ago; it is spent either way."""
        key = self._live(ticket)
        if key is None:
            return False
        del self._deadlines[key]
        return True


class Sessions(_Expiring):
    """Browser sessions: a random id per login, alive while used."""

    def __init__(self, clock: Callable[[], float], idle: float = SESSION_IDLE_SECONDS) -> None:
        super().__init__(clock, MAX_SESSIONS)
        self.idle = idle

    def start(self) -> str:
        return self._add(self.idle)

    def touch(self, session_id: str) -> bool:
        """Is ``session_id`` a live session? If so its idle deadline moves forward."""
        key = self._live(session_id)
        if key is None:
            return False
        self._deadlines[key] = self._clock() + self.idle
        return True

    def end(self, session_id: str) -> None:
        self._deadlines.pop(_digest(session_id), None)


def token_matches(presented: str, token: str) -> bool:
    """Constant-time comparison of a token typed on the login page with the API's."""
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def csrf_refusal(method: str, headers: Mapping[str, str], origin: str) -> str | None:
    """Why a request to the dashboard's API must be refused as possibly cross-site, or None.

    Every request needs ``CSRF_HEADER``; a browser's ``Origin`` (sent on writes) and
    ``Sec-Fetch-Site``, when present, must say the page is this dashboard's own (``origin`` is
    ``https://127.0.0.1:PORT``).
    """
    if headers.get(CSRF_HEADER) != "1":
        return f"missing the {CSRF_HEADER} header"
    sent_origin = headers.get("Origin")
    if sent_origin is not None and sent_origin != origin:
        return f"cross-origin request from {sent_origin}"
    site = headers.get("Sec-Fetch-Site")
    if site is not None and site != "same-origin":
        return f"cross-site request ({site})"
    if method not in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        return f"method {method} not allowed"
    return None
