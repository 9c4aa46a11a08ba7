"""Request bodies in, responses out: content types as kube-apiserver negotiates them.

Request bodies may be JSON (also when no Content-Type is sent, as the Python client does),
YAML, or Kubernetes protobuf (kubectl's typed clients). Responses are always JSON; an Accept
header asking for ``as=Table`` gets a meta.k8s.io/v1 Table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from backends.objects import goyaml
from backends.simulator.apiserver import status

JSON = "application/json"
PROTOBUF = "application/vnd.kubernetes.protobuf"
JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)


def media_type(content_type: str | None) -> str:
    """The bare media type of a Content-Type header (parameters dropped); JSON when absent."""
    if not content_type:
        return JSON
    return content_type.split(";", 1)[0].strip().lower() or JSON


def decode(body: bytes, content_type: str | None) -> Any:
    """Decode a request body into JSON-like data; 400/415 Status on failure."""
    kind = media_type(content_type)
    if kind == PROTOBUF:
        from backends.simulator.apiserver import protobuf

        try:
            return protobuf.decode(body)
        except protobuf.ProtobufError as err:
            raise status.bad_request(str(err)) from None
    if kind in (JSON, JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, "*/*"):
        try:
            return json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError) as err:
            raise status.bad_request(
                f"couldn't get version/kind; json parse error: {err}"
            ) from None
    if kind in ("application/yaml", "application/x-yaml", "text/yaml", APPLY_PATCH):
        return decode_yaml(body)
    raise status.unsupported_media_type(kind)


def decode_yaml(body: bytes) -> Any:
    """YAML (or JSON, which is YAML) as sigs.k8s.io/yaml reads it."""
    try:
        return goyaml.loads(body)
    except goyaml.YAMLSyntaxError as err:
        raise status.bad_request(f"error converting YAML to JSON: {err}") from None


@dataclass(frozen=True)
class Accept:
    """What the client wants back: a Table (and which object form in rows), or plain JSON."""

    table: bool
    include_object: str = "Metadata"


def negotiate(accept: str | None, include_object: str | None) -> Accept:
    """Parse an Accept header: ``application/json;as=Table;v=v1;g=meta.k8s.io,...``."""
    if accept:
        for part in accept.split(","):
            params = {
                p.split("=", 1)[0].strip(): p.split("=", 1)[1].strip()
                for p in part.split(";")[1:]
                if "=" in p
            }
            if (
                params.get("as") == "Table"
                and params.get("g") == "meta.k8s.io"
                and params.get("v") in ("v1", "v1beta1")
            ):
                return Accept(True, include_object or "Metadata")
    return Accept(False)


def encode(data: Any) -> bytes:
    """Compact JSON, as kube-apiserver writes it."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
