"""Filtering lists and watches by ``labelSelector`` and ``fieldSelector``, as kube-apiserver
does (a bad selector is 400 BadRequest with apimachinery's parser message)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from multidict import MultiMapping

from backends.objects import selectors
from backends.simulator.apiserver import status
from backends.simulator.apiserver.resources import ResourceType

Obj = dict[str, Any]
Matcher = Callable[[Obj], bool]


def matcher(resource: ResourceType, query: MultiMapping[str]) -> Matcher:
    """A predicate for the query's selectors (always true without selectors)."""
    label_text = query.get("labelSelector") or ""
    field_text = query.get("fieldSelector") or ""
    try:
        labels = selectors.parse_label_selector(label_text) if label_text else None
        fields = selectors.parse_field_selector(field_text) if field_text else None
        if fields is not None:
            fields = selectors.convert_field_selector(
                fields, resource.group, resource.version, resource.kind
            )
    except selectors.SelectorError as err:
        raise status.bad_request(str(err)) from None
    if labels is None and fields is None:
        return lambda obj: True
    group, kind = resource.group, resource.kind

    def matches(obj: Obj) -> bool:
        metadata = obj.get("metadata") or {}
        if labels is not None and not labels.matches(metadata.get("labels") or {}):
            return False
        return fields is None or fields.matches(selectors.selectable_fields(group, kind, obj))

    return matches


def select(resource: ResourceType, objects: list[Obj], query: MultiMapping[str]) -> list[Obj]:
    """The objects the query's selectors match, in order."""
    match = matcher(resource, query)
    return [obj for obj in objects if match(obj)]
