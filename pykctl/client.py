"""A small REST client over a Backend: URLs for resource types, JSON in and out, Status errors
raised as ``backends.errors.ApiError``.

Every server-facing command goes through this class, so all of them send what kubectl sends
(Accept headers, fieldManager and fieldValidation parameters, DeleteOptions bodies) and map
errors the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from backends.base import Backend, HttpResponse
from backends.errors import ApiError, from_response
from pykctl.resources.discovery import Resource

Obj = dict[str, Any]
JSON = "application/json"
TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


def resource_path(
    resource: Resource,
    namespace: str | None = None,
    name: str | None = None,
    subresource: str | None = None,
) -> str:
    """``/api/v1/namespaces/NS/pods/NAME/log`` and friends."""
    base = (
        f"/api/{resource.version}"
        if not resource.group
        else f"/apis/{resource.group}/{resource.version}"
    )
    if resource.namespaced and namespace:
        base += f"/namespaces/{quote(namespace, safe='')}"
    path = f"{base}/{resource.plural}"
    if name is not None:
        path += f"/{quote(name, safe='')}"
    if subresource:
        path += f"/{subresource}"
    return path


class Client:
    """JSON requests against one cluster."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def _call(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        body: Any = None,
        content_type: str = JSON,
        accept: str = JSON,
    ) -> HttpResponse:
        headers = {"Accept": accept}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        response = self.backend.request(method, path, query, data, headers)
        if response.status >= 400:
            raise from_response(response, method.lower(), path.rsplit("/", 1)[-1])
        return response

    def get(
        self,
        resource: Resource,
        namespace: str | None,
        name: str,
        subresource: str | None = None,
        accept: str = JSON,
    ) -> Obj:
        data: Obj = self._call(
            "GET", resource_path(resource, namespace, name, subresource), accept=accept
        ).json()
        return data

    def list_objects(
        self,
        resource: Resource,
        namespace: str | None,
        query: list[tuple[str, str]] | None = None,
        accept: str = JSON,
    ) -> Obj:
        data: Obj = self._call(
            "GET", resource_path(resource, namespace), query, accept=accept
        ).json()
        return data

    def list_all_pages(
        self,
        resource: Resource,
        namespace: str | None,
        query: list[tuple[str, str]],
        chunk_size: int = 500,
        accept: str = JSON,
    ) -> Iterator[Obj]:
        """Every page of a list, following ``continue`` as kubectl does (``--chunk-size``)."""
        token = ""
        while True:
            page_query = list(query)
            if chunk_size > 0:
                page_query.append(("limit", str(chunk_size)))
            if token:
                page_query.append(("continue", token))
            page = self.list_objects(resource, namespace, page_query, accept)
            yield page
            token = (page.get("metadata") or {}).get("continue") or ""
            if not token:
                return

    def create(
        self,
        resource: Resource,
        namespace: str | None,
        obj: Obj,
        query: list[tuple[str, str]] | None = None,
    ) -> Obj:
        data: Obj = self._call("POST", resource_path(resource, namespace), query, obj).json()
        return data

    def create_subresource(
        self,
        resource: Resource,
        namespace: str | None,
        name: str,
        subresource: str,
        obj: Obj,
        query: list[tuple[str, str]] | None = None,
    ) -> Obj:
        """POST to a named object's subresource (``pods/NAME/eviction``)."""
        path = resource_path(resource, namespace, name, subresource)
        data: Obj = self._call("POST", path, query, obj).json()
        return data

    def replace(
        self,
        resource: Resource,
        namespace: str | None,
        name: str,
        obj: Obj,
        query: list[tuple[str, str]] | None = None,
        subresource: str | None = None,
    ) -> Obj:
        data: Obj = self._call(
            "PUT", resource_path(resource, namespace, name, subresource), query, obj
        ).json()
        return data

    def patch(
        self,
        resource: Resource,
        namespace: str | None,
        name: str,
        patch: Any,
        patch_type: str,
        query: list[tuple[str, str]] | None = None,
        subresource: str | None = None,
    ) -> Obj:
        data: Obj = self._call(
            "PATCH",
            resource_path(resource, namespace, name, subresource),
            query,
            patch,
            content_type=patch_type,
        ).json()
        return data

    def delete(
        self,
        resource: Resource,
        namespace: str | None,
        name: str,
        options: Obj | None = None,
        query: list[tuple[str, str]] | None = None,
    ) -> Obj:
        data: Obj = self._call(
            "DELETE", resource_path(resource, namespace, name), query, options or {}
        ).json()
        return data

    def watch(
        self,
        resource: Resource,
        namespace: str | None,
        query: list[tuple[str, str]],
        accept: str = JSON,
    ) -> Iterator[Obj]:
        """Watch events, decoded, as they arrive."""
        status, _, lines = self.backend.stream(
            "GET",
            resource_path(resource, namespace),
            [*query, ("watch", "true")],
            {"Accept": accept},
        )
        if status >= 400:
            body = b"".join(lines)
            raise from_response(HttpResponse(status, {}, body))
        for line in lines:
            if line.strip():
                yield json.loads(line)

    def raw(
        self, method: str, path: str, query: list[tuple[str, str]] | None = None
    ) -> HttpResponse:
        return self._call(method, path, query, accept="application/json, */*")


__all__ = ["TABLE_ACCEPT", "ApiError", "Client", "resource_path"]
