"""Subresources served by the API server itself: status, scale, binding, eviction,
serviceaccount tokens, namespace finalize. (log, exec, attach and portforward belong to the
kubelet, which registers its own handlers.)"""

from __future__ import annotations

import copy
import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from backends.simulator.apiserver import status
from backends.simulator.apiserver.bodies import PATCH_TYPES, decode, media_type
from backends.simulator.apiserver.deletion import finish_if_released
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.rest import Response, resource_key
from backends.simulator.clock import rfc3339

if TYPE_CHECKING:
    from backends.simulator.apiserver.app import ServerContext

Obj = dict[str, Any]


async def serve(context: ServerContext, request: web.Request, target: Target) -> web.StreamResponse:
    from backends.simulator.apiserver.app import json_response

    sub = target.subresource
    method = request.method
    handler = {
        "status": _status,
        "scale": _scale,
        "binding": _binding,
        "eviction": _eviction,
        "token": _token,
        "finalize": _finalize,
    }.get(sub or "")
    if handler is None:
        raise status.ApiStatus(
            404,
            "NotFound",
            f"the server could not find the requested resource ({method.lower()} {target.resource.plural} {sub})",
        )
    response = await handler(context, request, target)
    return json_response(response.code, response.body, response.warnings)


async def _read(request: web.Request) -> Any:
    return decode(await request.read(), request.headers.get("Content-Type"))


async def _status(context: ServerContext, request: web.Request, target: Target) -> Response:
    rest = context.rest
    if request.method == "GET":
        return Response(200, rest.get(target))
    from backends.simulator.apiserver.app import field_manager

    if request.method == "PUT":
        return rest.update_status(
            target, await _read(request), request.query, field_manager(request)
        )
    if request.method == "PATCH":
        patch_type = media_type(request.headers.get("Content-Type"))
        if patch_type not in PATCH_TYPES:
            raise status.unsupported_media_type(patch_type)
        return rest.patch(
            target,
            await _read(request),
            patch_type,
            request.query,
            status_only=True,
            manager=field_manager(request),
        )
    raise status.method_not_supported(target.resource, request.method.lower())


def scale_of(obj: Obj, kind: str) -> Obj:
    """The autoscaling/v1 Scale view of a workload."""
    from backends.objects import selectors

    metadata = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    selector = spec.get("selector") or {}
    if kind == "ReplicationController":
        text = selectors.format_labels(selector)
    else:
        text = str(selectors.label_selector_from_dict(selector))
    scale_status: Obj = {"replicas": int((obj.get("status") or {}).get("replicas") or 0)}
    if text and text != "<none>":
        scale_status["selector"] = text
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            key: metadata[key]
            for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if key in metadata
        },
        "spec": {"replicas": int(spec["replicas"]) if spec.get("replicas") is not None else 1},
        "status": scale_status,
    }


async def _scale(context: ServerContext, request: web.Request, target: Target) -> Response:
    from backends.objects import patch as patching

    rest = context.rest
    obj = rest.get(target)
    current = scale_of(obj, target.resource.kind)
    if request.method == "GET":
        return Response(200, current)
    body = await _read(request)
    if request.method == "PUT":
        new_scale = body
        expected = (
            (body.get("metadata") or {}).get("resourceVersion") if isinstance(body, dict) else None
        )
        if expected and expected != obj["metadata"].get("resourceVersion"):
            raise status.conflict(target.resource, target.name or "")
    elif request.method == "PATCH":
        patch_type = media_type(request.headers.get("Content-Type"))
        try:
            if patch_type == "application/json-patch+json":
                new_scale = patching.apply_json_patch(current, body)
            elif patch_type == "application/strategic-merge-patch+json" or patch_type in (
                "application/merge-patch+json",
                "application/apply-patch+yaml",
            ):
                new_scale = patching.apply_merge_patch(current, body)
            else:
                raise status.unsupported_media_type(patch_type)
        except patching.PatchError as err:
            raise status.ApiStatus(err.code, err.reason, err.message) from None
    else:
        raise status.method_not_supported(target.resource, request.method.lower())
    replicas = (
        (new_scale.get("spec") or {}).get("replicas") if isinstance(new_scale, dict) else None
    )
    if not isinstance(replicas, int) or replicas < 0:
        raise status.invalid(
            "Scale",
            "autoscaling",
            target.name or "",
            [
                {
                    "reason": "FieldValueInvalid",
                    "message": f"Invalid value: {replicas}: must be greater than or equal to 0",
                    "field": "spec.replicas",
                }
            ],
        )
    updated = copy.deepcopy(obj)
    updated.setdefault("spec", {})["replicas"] = replicas
    result = rest._store_update(target, updated, obj, request.query, [], None)
    return Response(200, scale_of(result.body, target.resource.kind))


async def _binding(context: ServerContext, request: web.Request, target: Target) -> Response:
    """POST pods/NAME/binding: assign the pod to a node (the scheduler's write)."""
    rest = context.rest
    body = await _read(request)
    node = ((body or {}).get("target") or {}).get("name", "")
    pod = rest.get(target)
    if (pod.get("spec") or {}).get("nodeName"):
        raise status.conflict_message(
            target.resource,
            target.name or "",
            f'pod {target.name} is already assigned to node "{pod["spec"]["nodeName"]}"',
        )
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        raise status.conflict_message(
            target.resource, target.name or "", "pod is being deleted, cannot be assigned to a host"
        )
    bound = copy.deepcopy(pod)
    bound["spec"]["nodeName"] = node
    conditions = [
        c
        for c in (bound.get("status") or {}).get("conditions") or []
        if c.get("type") != "PodScheduled"
    ]
    conditions.append(
        {
            "type": "PodScheduled",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": rfc3339(context.clock.now()),
        }
    )
    bound.setdefault("status", {})["conditions"] = conditions
    stored = rest.store.update(
        resource_key(target.resource), bound, pod["metadata"].get("resourceVersion")
    )
    del stored
    return Response(201, status.success())


async def _eviction(context: ServerContext, request: web.Request, target: Target) -> Response:
    """POST pods/NAME/eviction: delete the pod with the eviction's options."""
    body = await _read(request)
    options = (body or {}).get("deleteOptions") or {}
    context.rest.delete(target, options, request.query)
    return Response(201, status.success())


async def _token(context: ServerContext, request: web.Request, target: Target) -> Response:
    """POST serviceaccounts/NAME/token: a TokenRequest with a signed JWT for the account."""
    account = context.rest.get(target)
    body = await _read(request) or {}
    seconds = int((body.get("spec") or {}).get("expirationSeconds") or 3600)
    now = context.clock.now()
    spec = {k: v for k, v in (body.get("spec") or {}).items() if v is not None}
    spec["audiences"] = spec.get("audiences") or ["https://kubernetes.default.svc.cluster.local"]
    spec["expirationSeconds"] = seconds
    token = context.tokens.issue(
        target.namespace or "",
        target.name or "",
        (account.get("metadata") or {}).get("uid", ""),
        spec["audiences"],
        seconds,
        now,
    )
    return Response(
        201,
        {
            "kind": "TokenRequest",
            "apiVersion": "authentication.k8s.io/v1",
            "metadata": {
                "name": target.name,
                "namespace": target.namespace,
                "creationTimestamp": None,
            },
            "spec": spec,
            "status": {
                "token": token,
                "expirationTimestamp": rfc3339(now + datetime.timedelta(seconds=seconds)),
            },
        },
    )


async def _finalize(context: ServerContext, request: web.Request, target: Target) -> Response:
    """PUT namespaces/NAME/finalize: set spec.finalizers; a terminating namespace left with
    none goes at once (kube-apiserver removes it in the same update)."""
    body = await _read(request) or {}
    rest = context.rest
    old = rest.get(target)
    updated = copy.deepcopy(old)
    updated.setdefault("spec", {})["finalizers"] = (body.get("spec") or {}).get("finalizers") or []
    key = resource_key(target.resource)
    stored = rest.store.update(key, updated, old["metadata"].get("resourceVersion"))
    finish_if_released(rest.store, key, stored)
    return Response(200, stored)
