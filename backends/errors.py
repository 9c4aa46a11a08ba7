"""The one error vocabulary of the backends: API errors (a Status from the server) and
failures to reach the server. ``pykctl.cli.errors`` renders them as kubectl does."""

from __future__ import annotations

import json
from typing import Any

from backends.base import HttpResponse


class BackendError(Exception):
    """Base class."""


class ConnectionFailed(BackendError):
    """The server could not be reached. ``refused`` selects kubectl's "was refused" message."""

    def __init__(self, host: str, detail: str, refused: bool = False) -> None:
        super().__init__(detail)
        self.host = host
        self.detail = detail
        self.refused = refused


class ApiError(BackendError):
    """An error status from the API server, with its Status object when it sent one."""

    def __init__(
        self, code: int, reason: str, message: str, status: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.status = status or {}

    @property
    def causes(self) -> list[dict[str, Any]]:
        return list((self.status.get("details") or {}).get("causes") or [])


_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


def from_response(response: HttpResponse, verb: str = "get", resource: str = "") -> ApiError:
    """The ApiError for a non-2xx response (a Status body, or kubectl's text for anything else)."""
    try:
        body = json.loads(response.body)
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("kind") == "Status":
        return ApiError(
            int(body.get("code") or response.status),
            str(body.get("reason") or ""),
            str(body.get("message") or ""),
            body,
        )
    text = response.body.decode(errors="replace").strip()
    reason = _REASONS.get(response.status, "")
    suffix = f" ({verb} {resource})" if resource else ""
    if response.status >= 500 or not text:
        message = (
            f'an error on the server ("{text}") has prevented the request from succeeding{suffix}'
        )
        return ApiError(response.status, reason or "InternalError", message)
    return ApiError(response.status, reason, text)
