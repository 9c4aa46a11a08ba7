"""The generic REST verbs over the store: get, list, watch, create, update, patch, delete,
deletecollection — with kube-apiserver's semantics and error statuses.

Per-kind behaviour lives elsewhere (strategies, admission, subresources, tables); this module
sequences it: decode → check namespace and name → defaults → server-owned fields → validation
→ dry run or store → respond. Objects from the store are read-only here: every change is made
on a copy.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from multidict import MultiMapping

from backends.objects import managedfields, schemas
from backends.simulator.apiserver import status
from backends.simulator.apiserver.admission import (
    AdmissionError,
    Cause,
    admit,
    apply_defaults,
    decode_body,
    field_problems,
    invalid_status,
    prepare_for_create,
    prepare_for_update,
    validate,
)
from backends.simulator.apiserver.bodies import (
    APPLY_PATCH,
    JSON,
    JSON_PATCH,
    MERGE_PATCH,
    STRATEGIC_MERGE_PATCH,
    decode,
    media_type,
)
from backends.simulator.apiserver.deletion import delete_object, finish_if_released
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.resources import RESOURCES, ResourceType, lookup
from backends.simulator.apiserver.strategies import (
    convert_secret,
    generate_name,
    keep_system_metadata,
    prepare_for_status_update,
    set_system_metadata,
)
from backends.simulator.clock import Clock, rfc3339
from backends.simulator.store import (
    AlreadyExistsError,
    ConflictError,
    GoneError,
    NotFoundError,
    Store,
)

Obj = dict[str, Any]
_namespaces = lookup("", "v1", "namespaces")
assert _namespaces is not None
NAMESPACES: ResourceType = _namespaces


def resource_key(resource: ResourceType) -> str:
    """The store's name for a resource: ``apps/deployments``, ``/pods``."""
    return f"{resource.group}/{resource.plural}"


@dataclass
class Response:
    """A JSON response: status code, body, extra headers (warnings)."""

    code: int
    body: Any
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Body:
    """A request body as it arrived: bytes and Content-Type."""

    raw: bytes
    content_type: str | None = None


def _as_status(err: AdmissionError) -> status.ApiStatus:
    body = err.status
    return status.ApiStatus(
        int(body["code"]), str(body.get("reason") or ""), str(body["message"]), body.get("details")
    )


class _StoreCluster:
    """What admission plugins may read: stored objects, by plural."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._keys: dict[str, str] = {}
        for resource in RESOURCES:  # the core group first: "events" are core events
            self._keys.setdefault(resource.plural, resource_key(resource))

    def _key(self, plural: str) -> str:
        return self._keys.get(plural, f"/{plural}")

    def get(self, plural: str, namespace: str, name: str) -> Obj | None:
        return self.store.get(self._key(plural), namespace, name)

    def list(self, plural: str) -> list[Obj]:
        return self.store.objects(self._key(plural))


class Rest:
    """The REST verbs for every resource in the registry."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.cluster = _StoreCluster(store)
        # Hooks other parts of the simulator plug in (service IPs, namespace termination, ...).
        self.on_create: list[Callable[[ResourceType, Obj, Obj | None], None]] = []

    # --------------------------------------------------------------------------- helpers

    def _get_existing(self, target: Target) -> Obj:
        assert target.name is not None
        obj = self.store.get(resource_key(target.resource), target.namespace or "", target.name)
        if obj is None:
            raise status.not_found(target.resource, target.name)
        return obj

    def _check_namespace(self, target: Target, creating: bool) -> None:
        if not target.resource.namespaced or target.namespace is None:
            return
        namespace = self.store.get(resource_key(NAMESPACES), "", target.namespace)
        if namespace is None:
            raise status.not_found(NAMESPACES, target.namespace)
        if creating and (namespace.get("metadata") or {}).get("deletionTimestamp"):
            raise status.forbidden(
                f'{target.resource.plural} "{target.name or ""}" is forbidden: unable to create new content in '
                f"namespace {target.namespace} because it is being terminated"
            )

    def _check_kind(self, resource: ResourceType, obj: Any) -> Obj:
        if not isinstance(obj, dict):
            raise status.bad_request(
                f"the object provided is unrecognized (must be of type {resource.kind}): "
                "couldn't get version/kind; json parse error"
            )
        api_version = obj.get("apiVersion")
        kind = obj.get("kind")
        if api_version and api_version != resource.api_version:
            raise status.bad_request(
                f"the API version in the data ({api_version}) does not match the expected API version "
                f"({resource.api_version})"
            )
        if kind and kind != resource.kind:
            raise status.bad_request(
                f"the kind in the data ({kind}) does not match the expected kind ({resource.kind})"
            )
        return obj

    def _place(self, target: Target, obj: Obj) -> None:
        """The URL's namespace goes into the object; a different one in the body is an error."""
        metadata = obj.setdefault("metadata", {})
        if not target.resource.namespaced:
            metadata.pop("namespace", None)
            return
        body_ns = metadata.get("namespace")
        if body_ns and target.namespace and body_ns != target.namespace:
            raise status.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        if target.namespace:
            metadata["namespace"] = target.namespace

    # ------------------------------------------------------------------------------ read

    def get(self, target: Target) -> Obj:
        return self._get_existing(target)

    def list_objects(self, target: Target, query: MultiMapping[str]) -> tuple[list[Obj], Obj]:
        """Matching objects and the list metadata (resourceVersion, continue).

        Pages are consistent: a continue token carries the revision of the first page and the
        last key returned, and later pages are read as of that revision (410 Expired when it
        left the history window). ``resourceVersionMatch=Exact`` reads at the given revision.
        """
        from backends.simulator.apiserver.listing import select

        key = resource_key(target.resource)
        revision = self.store.revision
        after: tuple[str, str] | None = None
        token = query.get("continue")
        if token:
            revision, after = _decode_continue(token)
        elif query.get("resourceVersionMatch") == "Exact" and query.get("resourceVersion"):
            try:
                revision = int(query["resourceVersion"])
            except ValueError:
                raise status.bad_request(
                    f"invalid resource version: {query['resourceVersion']}"
                ) from None
        try:
            objects = self.store.objects_at(key, target.namespace, revision)
        except GoneError:
            raise status.gone(
                "The provided continue parameter is too old to display a consistent list result. "
                "You can start a new list without the continue parameter."
                if token
                else f"too old resource version: {revision} ({self.store.revision})"
            ) from None
        if after is not None:
            objects = [obj for obj in objects if _key_of(obj) > after]
        objects = select(target.resource, objects, query)
        metadata: Obj = {"resourceVersion": str(revision)}
        limit = int(query.get("limit") or 0)
        if limit > 0 and len(objects) > limit:
            metadata["remainingItemCount"] = len(objects) - limit
            objects = objects[:limit]
            metadata["continue"] = _encode_continue(revision, _key_of(objects[-1]))
        return objects, metadata

    # ----------------------------------------------------------------------------- write

    def decode(self, resource: ResourceType, body: Body | Any, mode: str) -> tuple[Obj, list[str]]:
        """A request body as an object of ``resource``, with fieldValidation applied."""
        if isinstance(body, Body):
            if media_type(body.content_type) in (JSON, "*/*"):
                raw = body.raw
            else:
                raw = json.dumps(decode(body.raw, body.content_type)).encode()
        else:
            raw = json.dumps(body).encode()
        try:
            obj, warnings = decode_body(raw, resource, mode)
        except AdmissionError as err:
            raise _as_status(err) from None
        return self._check_kind(resource, obj), warnings

    def create(
        self, target: Target, body: Body | Any, query: MultiMapping[str], manager: str = ""
    ) -> Response:
        resource = target.resource
        obj, warnings = self.decode(resource, body, query.get("fieldValidation") or "Warn")
        return self._create_decoded(target, obj, warnings, query, manager)

    def _create_decoded(
        self,
        target: Target,
        obj: Obj,
        warnings: list[str],
        query: MultiMapping[str],
        manager: str,
        applied: bool = False,
    ) -> Response:
        resource = target.resource
        self._place(target, obj)
        metadata = obj["metadata"]
        if not metadata.get("name"):
            if metadata.get("generateName"):
                metadata["name"] = generate_name(metadata["generateName"])
            else:
                cause = Cause(
                    "FieldValueRequired",
                    "metadata.name",
                    "Required value: name or generateName is required",
                )
                raise _as_status(AdmissionError(invalid_status(resource, "", [cause])))
        self._check_namespace(
            Target(resource, target.namespace, metadata["name"], None), creating=True
        )
        if resource.kind == "Secret":
            convert_secret(obj)
        try:
            apply_defaults(resource, obj)
            set_system_metadata(resource, obj, self.clock)
            admit(resource, obj, self.cluster)
            prepare_for_create(resource, obj)
        except AdmissionError as err:
            raise _as_status(err) from None
        for hook in self.on_create:
            hook(resource, obj, None)
        if not applied:
            obj = managedfields.track_update(
                None,
                obj,
                manager or "unknown",
                _schema(resource),
                rfc3339(self.clock.now()),
                ignored=_ignored(resource, ""),
            )
        self._validate(resource, obj, None)
        if _dry_run(query):
            if self.store.get(
                resource_key(resource), metadata.get("namespace", ""), metadata["name"]
            ):
                raise status.already_exists(resource, metadata["name"])
            return Response(201, obj, warnings)
        try:
            stored = self.store.create(resource_key(resource), obj)
        except AlreadyExistsError:
            raise status.already_exists(resource, metadata["name"]) from None
        return Response(201, stored, warnings)

    def _validate(self, resource: ResourceType, obj: Obj, old: Obj | None) -> None:
        causes = validate(resource, obj, old)
        if causes:
            name = (obj.get("metadata") or {}).get("name", "")
            raise _as_status(AdmissionError(invalid_status(resource, name, causes)))

    def update(
        self, target: Target, body: Body | Any, query: MultiMapping[str], manager: str = ""
    ) -> Response:
        resource = target.resource
        obj, warnings = self.decode(resource, body, query.get("fieldValidation") or "Warn")
        self._place(target, obj)
        name = obj["metadata"].get("name")
        if name != target.name:
            raise status.bad_request(
                f"the name of the object ({name}) does not match the name on the URL ({target.name})"
            )
        old = self._get_existing(target)
        return self._store_update(
            target,
            obj,
            old,
            query,
            warnings,
            obj["metadata"].get("resourceVersion"),
            manager=manager,
        )

    def _store_update(
        self,
        target: Target,
        obj: Obj,
        old: Obj,
        query: MultiMapping[str],
        warnings: list[str],
        expected: str | None,
        status_only: bool = False,
        manager: str = "",
        applied: bool = False,
    ) -> Response:
        resource = target.resource
        if expected and expected != old["metadata"].get("resourceVersion"):
            raise status.conflict(resource, target.name or "")
        subresource = "status" if status_only else ""
        if status_only:
            requested_fields = (obj.get("metadata") or {}).get("managedFields")
            obj = prepare_for_status_update(obj, old)
            if requested_fields is not None:
                obj["metadata"]["managedFields"] = requested_fields
        else:
            if resource.kind == "Secret":
                convert_secret(obj)
            try:
                apply_defaults(resource, obj)
                keep_system_metadata(resource, obj, old)
                prepare_for_update(resource, obj, old)
            except AdmissionError as err:
                raise _as_status(err) from None
        for hook in self.on_create:
            hook(resource, obj, old)
        if not applied:
            obj = managedfields.track_update(
                old,
                obj,
                manager or "unknown",
                _schema(resource),
                rfc3339(self.clock.now()),
                subresource=subresource,
                ignored=_ignored(resource, subresource),
            )
        obj["metadata"]["resourceVersion"] = old["metadata"].get("resourceVersion")
        self._validate(resource, obj, old)
        if obj == old:
            return Response(200, old, warnings)
        if _dry_run(query):
            return Response(200, obj, warnings)
        try:
            stored = self.store.update(
                resource_key(resource), obj, old["metadata"].get("resourceVersion")
            )
        except ConflictError:
            raise status.conflict(resource, target.name or "") from None
        except NotFoundError:
            raise status.not_found(resource, target.name or "") from None
        finish_if_released(self.store, resource_key(resource), stored)
        return Response(200, stored, warnings)

    def update_status(
        self, target: Target, body: Body | Any, query: MultiMapping[str], manager: str = ""
    ) -> Response:
        obj, _ = self.decode(target.resource, body, "Ignore")
        old = self._get_existing(target)
        expected = (obj.get("metadata") or {}).get("resourceVersion")
        return self._store_update(
            target, obj, old, query, [], expected, status_only=True, manager=manager
        )

    def patch(
        self,
        target: Target,
        body: Any,
        patch_type: str,
        query: MultiMapping[str],
        status_only: bool = False,
        manager: str = "",
    ) -> Response:
        from backends.objects import patch as patching

        resource = target.resource
        _check_patch_options(patch_type, query)
        old = self.store.get(resource_key(resource), target.namespace or "", target.name or "")
        if patch_type == APPLY_PATCH:
            return self._apply(target, old, body, query, manager, status_only)
        if old is None:
            raise status.not_found(resource, target.name or "")
        try:
            if patch_type == JSON_PATCH:
                patched = patching.apply_json_patch(old, body)
            elif patch_type == MERGE_PATCH:
                patched = patching.apply_merge_patch(old, body)
            elif patch_type == STRATEGIC_MERGE_PATCH:
                patched = patching.apply_strategic_merge_patch(
                    old, body, schemas.for_kind(resource.group, resource.version, resource.kind)
                )
            else:
                raise status.unsupported_media_type(patch_type)
        except patching.PatchError as err:
            raise status.ApiStatus(err.code, err.reason, err.message) from None
        if not isinstance(patched, dict):
            raise status.bad_request("the patch does not produce an object")
        self._place(target, patched)
        if patched.get("metadata", {}).get("name") != target.name:
            raise status.bad_request(
                f"the name of the object ({patched.get('metadata', {}).get('name')}) does not match the name on the URL ({target.name})"
            )
        expected = None
        if isinstance(body, dict):
            expected = (body.get("metadata") or {}).get("resourceVersion")
        warnings = (
            []
            if status_only
            else self._field_warnings(resource, patched, query.get("fieldValidation") or "Warn")
        )
        return self._store_update(
            target,
            patched,
            old,
            query,
            warnings,
            expected,
            status_only=status_only,
            manager=manager,
        )

    def _field_warnings(self, resource: ResourceType, obj: Obj, mode: str) -> list[str]:
        """Strict/Warn field validation of a patch result."""
        problems = field_problems(resource, obj)
        if not problems or mode == "Ignore":
            return []
        if mode == "Strict":
            raise status.bad_request(
                f'{resource.kind} in version "{resource.version}" cannot be handled as a {resource.kind}: '
                f"strict decoding error: {', '.join(problems)}"
            )
        return problems

    def _apply(
        self,
        target: Target,
        old: Obj | None,
        body: Any,
        query: MultiMapping[str],
        manager: str,
        status_only: bool,
    ) -> Response:
        """Server-side apply: merge the configuration as its manager, create when absent."""
        resource = target.resource
        if not isinstance(body, dict):
            raise status.bad_request(
                f"the object provided is unrecognized (must be of type {resource.kind})"
            )
        applied = copy.deepcopy(body)
        applied.setdefault("metadata", {})
        if target.namespace and resource.namespaced:
            applied["metadata"].setdefault("namespace", target.namespace)
        if old is None and status_only:
            raise status.not_found(resource, target.name or "")
        subresource = "status" if status_only else ""
        try:
            result = managedfields.apply(
                old,
                applied,
                manager,
                query.get("force") == "true",
                _schema(resource),
                rfc3339(self.clock.now()),
                subresource,
                ignored=_ignored(resource, subresource),
            )
        except managedfields.FieldManagerError as err:
            raise status.ApiStatus(err.code, err.reason, err.message, err.details) from None
        if old is None:
            result.setdefault("metadata", {})["name"] = target.name
            return self._create_decoded(
                Target(resource, target.namespace, None, None),
                result,
                self._field_warnings(resource, result, query.get("fieldValidation") or "Strict"),
                query,
                manager,
                applied=True,
            )
        self._place(target, result)
        warnings = self._field_warnings(resource, result, query.get("fieldValidation") or "Strict")
        return self._store_update(
            target,
            result,
            old,
            query,
            warnings,
            None,
            status_only=status_only,
            manager=manager,
            applied=True,
        )

    # ---------------------------------------------------------------------------- delete

    def delete(self, target: Target, options: Obj, query: MultiMapping[str]) -> Response:
        return delete_object(
            self, target, options, _dry_run(query) or "All" in (options.get("dryRun") or [])
        )

    def delete_collection(self, target: Target, options: Obj, query: MultiMapping[str]) -> Response:
        objects, _ = self.list_objects(target, query)
        deleted = []
        dry = _dry_run(query) or "All" in (options.get("dryRun") or [])
        for obj in objects:
            metadata = obj["metadata"]
            item = Target(
                target.resource, metadata.get("namespace") or None, metadata["name"], None
            )
            response = delete_object(self, item, options, dry)
            if (
                isinstance(response.body, dict)
                and response.body.get("kind") == target.resource.kind
            ):
                deleted.append(response.body)
        return Response(
            200,
            list_object(target.resource, deleted, {"resourceVersion": str(self.store.revision)}),
        )


def _schema(resource: ResourceType) -> schemas.Schema | None:
    return schemas.for_kind(resource.group, resource.version, resource.kind)


def _ignored(resource: ResourceType, subresource: str) -> dict[str, Any] | None:
    """The fields an endpoint resets, which nobody owns through it (the strategies' ResetFields)."""
    if subresource == "status":
        return {"f:spec": {}}
    if resource.subresource("status") is not None:
        return {"f:status": {}}
    return None


def _check_patch_options(patch_type: str, query: MultiMapping[str]) -> None:
    """kube-apiserver's PatchOptions validation: apply needs a fieldManager, only apply takes force."""
    cause = None
    if patch_type == APPLY_PATCH and not query.get("fieldManager"):
        cause = Cause(
            "FieldValueRequired", "fieldManager", "Required value: is required for apply patch"
        )
    elif patch_type != APPLY_PATCH and "force" in query:
        cause = Cause(
            "FieldValueForbidden", "force", "Forbidden: may not be specified for non-apply patch"
        )
    if cause is not None:
        details = {"group": "meta.k8s.io", "kind": "PatchOptions", "causes": [cause.as_dict()]}
        message = f'PatchOptions.meta.k8s.io "" is invalid: {cause.field}: {cause.message}'
        raise status.ApiStatus(422, "Invalid", message, details)


def list_object(resource: ResourceType, items: list[Obj], metadata: Obj) -> Obj:
    """``{"kind": "PodList", ...}``."""
    return {
        "kind": f"{resource.kind}List",
        "apiVersion": resource.api_version,
        "metadata": metadata,
        "items": items,
    }


def _dry_run(query: MultiMapping[str]) -> bool:
    return "All" in query.getall("dryRun", [])


def _key_of(obj: Obj) -> tuple[str, str]:
    metadata = obj.get("metadata") or {}
    return str(metadata.get("namespace") or ""), str(metadata.get("name") or "")


def _encode_continue(revision: int, after: tuple[str, str]) -> str:
    raw = json.dumps(
        {"v": "meta.k8s.io/v1", "rv": revision, "start": "/".join(after) + "\u0000"}
    ).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_continue(token: str) -> tuple[int, tuple[str, str]]:
    """The revision and the last key of the page before."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
        namespace, _, name = str(data["start"]).rstrip("\u0000").partition("/")
        return int(data["rv"]), (namespace, name)
    except (ValueError, KeyError, TypeError):
        raise status.bad_request(
            "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
        ) from None
