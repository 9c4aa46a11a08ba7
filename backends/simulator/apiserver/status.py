"""kube-apiserver's Status errors: codes, reasons and message texts.

Every error the API server returns is an ``ApiStatus`` exception carrying the Status object
kube-apiserver would send (``{"kind":"Status","apiVersion":"v1","status":"Failure",...}``);
the HTTP layer serialises it. Messages follow apimachinery's ``errors`` package word for word,
because kubectl prints them verbatim (``Error from server (NotFound): pods "x" not found``).
"""

from __future__ import annotations

from typing import Any

from backends.simulator.apiserver.resources import ResourceType


class ApiStatus(Exception):
    """An API error response."""

    def __init__(
        self, code: int, reason: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
        }
        if self.reason:
            status["reason"] = self.reason
        if self.details is not None:
            status["details"] = self.details
        status["code"] = self.code
        return status


def success(details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Status of success (returned by some deletes)."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
    }
    if details is not None:
        body["details"] = details
    return body


def _details(resource: ResourceType, name: str) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name}
    if resource.group:
        details["group"] = resource.group
    details["kind"] = resource.plural
    return details


def not_found(resource: ResourceType, name: str) -> ApiStatus:
    return ApiStatus(
        404, "NotFound", f'{resource.qualified} "{name}" not found', _details(resource, name)
    )


def path_not_found() -> ApiStatus:
    return ApiStatus(404, "NotFound", "the server could not find the requested resource", {})


def already_exists(resource: ResourceType, name: str) -> ApiStatus:
    return ApiStatus(
        409,
        "AlreadyExists",
        f'{resource.qualified} "{name}" already exists',
        _details(resource, name),
    )


def conflict(resource: ResourceType, name: str) -> ApiStatus:
    return ApiStatus(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {resource.qualified} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        _details(resource, name),
    )


def conflict_message(resource: ResourceType, name: str, message: str) -> ApiStatus:
    return ApiStatus(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {resource.qualified} "{name}": {message}',
        _details(resource, name),
    )


def invalid(kind: str, group: str, name: str, causes: list[dict[str, str]]) -> ApiStatus:
    """422 Invalid, apimachinery's NewInvalid: one cause inline, several as a list."""
    texts = []
    for cause in causes:
        text = f"{cause['field']}: {cause['message']}" if cause.get("field") else cause["message"]
        if text not in texts:
            texts.append(text)
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    qualified = f"{kind}.{group}" if group else kind
    details: dict[str, Any] = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = kind
    details["causes"] = causes
    return ApiStatus(422, "Invalid", f'{qualified} "{name}" is invalid: {joined}', details)


def bad_request(message: str) -> ApiStatus:
    return ApiStatus(400, "BadRequest", message)


def method_not_supported(resource: ResourceType, verb: str) -> ApiStatus:
    details: dict[str, Any] = {}
    if resource.group:
        details["group"] = resource.group
    details["kind"] = resource.plural
    return ApiStatus(
        405,
        "MethodNotAllowed",
        f'{verb} is not supported on resources of kind "{resource.plural}"',
        details,
    )


def gone(message: str) -> ApiStatus:
    return ApiStatus(410, "Expired", message)


def unsupported_media_type(content_type: str) -> ApiStatus:
    return ApiStatus(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf{_extra(content_type)}",
    )


def _extra(content_type: str) -> str:
    return (
        ", application/apply-patch+yaml"
        if content_type.startswith("application/apply-patch")
        else ""
    )


def unauthorized() -> ApiStatus:
    return ApiStatus(401, "Unauthorized", "Unauthorized")


def forbidden(message: str) -> ApiStatus:
    return ApiStatus(403, "Forbidden", message)


def internal(message: str) -> ApiStatus:
    return ApiStatus(500, "InternalError", f"Internal error occurred: {message}")


def timeout(message: str) -> ApiStatus:
    return ApiStatus(504, "Timeout", message)
