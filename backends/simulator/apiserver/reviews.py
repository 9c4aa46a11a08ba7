"""Review resources, answered rather than stored: the simulator has one user, an administrator
(``kubectl auth can-i`` is always yes, ``kubectl auth whoami`` names that user)."""

from __future__ import annotations

import copy
from typing import Any

from backends.simulator.apiserver import status
from backends.simulator.apiserver.resources import ResourceType

Obj = dict[str, Any]
USER = {"username": "pykctl-admin", "groups": ["system:masters", "system:authenticated"]}
REVIEWS = (
    "selfsubjectreviews",
    "tokenreviews",
    "selfsubjectaccessreviews",
    "localsubjectaccessreviews",
    "subjectaccessreviews",
    "selfsubjectrulesreviews",
)


def answer(resource: ResourceType, body: Any, token: str) -> Obj:
    """The reviewed object with its status filled in (as 201 Created returns it)."""
    if not isinstance(body, dict):
        raise status.bad_request(
            f"the object provided is unrecognized (must be of type {resource.kind})"
        )
    review = copy.deepcopy(body)
    review["apiVersion"] = resource.api_version
    review["kind"] = resource.kind
    review.setdefault("metadata", {})["creationTimestamp"] = None
    if resource.plural == "selfsubjectreviews":
        review["status"] = {"userInfo": dict(USER)}
    elif resource.plural == "tokenreviews":
        presented = (review.get("spec") or {}).get("token", "")
        ok = presented == token
        review["status"] = {"authenticated": ok, "user": dict(USER) if ok else {}, "audiences": []}
    elif resource.plural == "selfsubjectrulesreviews":
        review["status"] = {
            "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
            "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
            "incomplete": False,
        }
    else:
        review["status"] = {"allowed": True, "reason": "the simulator does not enforce RBAC"}
    return review
