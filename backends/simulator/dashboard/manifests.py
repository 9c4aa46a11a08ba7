"""YAML in and out of the dashboard: pasted manifests to API objects, objects to YAML.

``parse`` turns a YAML text (several ``---`` documents, ``List`` kinds flattened) into the
objects with the REST path each one is applied at, so the page can send a server-side apply
(or a replace, for edits) per object through the API proxy; the server's answers, dry run
first, are what the user sees. Only kinds the simulator serves map to a path; anything else is
a ``ManifestError`` with kubectl's wording. ``to_yaml`` prints an object as ``kubectl get -o
yaml`` does (managed fields hidden). Pure functions: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from backends.objects import goyaml
from backends.simulator.apiserver.resources import for_kind

_DOCUMENT_SEPARATOR = re.compile(r"^---(?:[ \t].*)?\r?$", re.MULTILINE)


class ManifestError(ValueError):
    """A manifest the dashboard cannot apply; the message says why."""


@dataclass(frozen=True)
class Placed:
    """One object of a manifest and where it lives in the API."""

    ref: str  # kind/name, as kubectl names it in messages (``service/kuard``)
    path: str  # the object's REST path
    obj: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "path": self.path, "object": self.obj}


def _documents(text: str) -> list[Any]:
    documents = []
    for number, chunk in enumerate(_DOCUMENT_SEPARATOR.split(text), start=1):
        if not chunk.strip():
            continue
        try:
            document = goyaml.loads(chunk)
        except goyaml.YAMLSyntaxError as err:
            raise ManifestError(
                f"document {number}: error converting YAML to JSON: {err}"
            ) from None
        if document is not None:
            documents.append(document)
    return documents


def _flatten(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        raise ManifestError("error validating data: invalid object to validate")
    kind = document.get("kind")
    items = document.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        return [obj for item in items for obj in _flatten(item)]
    return [document]


def place(obj: dict[str, Any], namespace: str) -> Placed:
    """Where ``obj`` is applied; ``namespace`` is used when a namespaced object names none."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not api_version:
        raise ManifestError("error validating data: apiVersion not set")
    if not isinstance(kind, str) or not kind:
        raise ManifestError("error validating data: kind not set")
    group, _, version = api_version.rpartition("/")
    resource = for_kind(group, version, kind)
    if resource is None:
        raise ManifestError(
            f'resource mapping not found for kind "{kind}" in version "{api_version}"'
        )
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        raise ManifestError(f"{kind}: metadata.name is required")
    root = f"/apis/{group}/{version}" if group else f"/api/{version}"
    if resource.namespaced:
        own = metadata.get("namespace") if isinstance(metadata, dict) else None
        root += f"/namespaces/{_segment(own if isinstance(own, str) and own else namespace)}"
    name = _segment(name)
    ref = f"{resource.kind.lower()}.{group}/{name}" if group else f"{kind.lower()}/{name}"
    return Placed(ref, f"{root}/{resource.plural}/{name}", obj)


def _segment(name: str) -> str:
    """``name`` when it can stand as one path segment (the server validates the rest)."""
    if name in (".", "..") or any(c in name for c in "/%?#\\"):
        raise ManifestError(f'invalid name "{name}": it cannot be part of a URL path')
    return name


def parse(text: str, namespace: str) -> list[Placed]:
    """Every object of a manifest text, placed (see ``place``)."""
    placed = [place(obj, namespace) for document in _documents(text) for obj in _flatten(document)]
    if not placed:
        raise ManifestError("no objects passed to apply")
    return placed


def to_yaml(obj: dict[str, Any]) -> str:
    """``obj`` as ``kubectl get -o yaml`` prints it (without managedFields)."""
    metadata = obj.get("metadata")
    if isinstance(metadata, dict) and "managedFields" in metadata:
        obj = {**obj, "metadata": {k: v for k, v in metadata.items() if k != "managedFields"}}
    return goyaml.dumps(obj)
