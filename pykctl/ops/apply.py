"""Client-side apply over plain dicts: the last-applied annotation and the three-way patch.

kubectl records what was applied in the ``kubectl.kubernetes.io/last-applied-configuration``
annotation and computes each update as a three-way patch between that record (original), the
new configuration (modified, carrying its own new record) and the live object (current):
a strategic merge patch for kinds with a schema, a JSON merge patch for the others (custom
resources). ``create --save-config``, ``replace --save-config``, ``edit --save-config`` and
``apply set-last-applied`` write the same annotation.

Invariants: nothing here mutates its inputs. The annotation value is ``encoding/json`` of the
configuration without the annotation itself, plus a newline: sorted keys for objects read from
manifests (kubectl's unstructured objects), Go struct order for generator objects
(``typed.encode``); an object that had no annotations records ``"annotations":{}``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backends.objects import gojson, schemas
from backends.objects.diff import three_way_json_merge_patch, three_way_merge_patch
from backends.objects.patch import apply_merge_patch, apply_strategic_merge_patch

Obj = dict[str, Any]
Encoder = Callable[[Obj], str]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
STRATEGIC = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"
APPLY = "application/apply-patch+yaml"


def encode_unstructured(obj: Obj) -> str:
    """``runtime.Encode(unstructured.UnstructuredJSONScheme, obj)``: sorted, compact, newline."""
    return gojson.dumps(obj) + "\n"


def encode_typed(obj: Obj) -> str:
    """``runtime.Encode`` of a typed object (generators): Go struct order, compact, newline."""
    from pykctl.ops import typed

    return gojson.dumps(typed.encode(obj), sort_keys=False) + "\n"


def original_configuration(obj: Obj) -> str | None:
    """The last-applied annotation's value, or None when the object has none."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    value = annotations.get(LAST_APPLIED)
    return value if isinstance(value, str) else None


def modified_configuration(obj: Obj, annotate: bool, encode: Encoder = encode_unstructured) -> str:
    """kubectl's ``GetModifiedConfiguration``: ``obj`` encoded without its last-applied
    annotation; with ``annotate``, encoded again carrying that encoding as its annotation."""
    config = copy.deepcopy(obj)
    metadata = config.setdefault("metadata", {})
    annotations = dict(metadata.get("annotations") or {})
    annotations.pop(LAST_APPLIED, None)
    metadata["annotations"] = annotations
    text = encode(config)
    if annotate:
        annotations[LAST_APPLIED] = text
        text = encode(config)
    return text


def with_last_applied(obj: Obj, value: str) -> Obj:
    """A copy of ``obj`` whose last-applied annotation is ``value``."""
    result = copy.deepcopy(obj)
    metadata = result.setdefault("metadata", {})
    metadata["annotations"] = {**(metadata.get("annotations") or {}), LAST_APPLIED: value}
    return result


def create_or_update_annotation(
    obj: Obj, create: bool, encode: Encoder = encode_unstructured
) -> Obj:
    """kubectl's ``CreateOrUpdateAnnotation``: with ``create`` (``--save-config``) always record
    the configuration; otherwise refresh the record only where one is already present."""
    if not create and not original_configuration(obj):
        return obj
    return with_last_applied(obj, modified_configuration(obj, False, encode))


def prune_nulls(value: Any) -> Any:
    """``pruneNullsFromMap``: the object kubectl creates has no null map values."""
    if isinstance(value, dict):
        return {k: prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune_nulls(v) for v in value]
    return value


def _kind_schema(obj: Obj) -> schemas.Schema | None:
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    return schemas.for_kind(group, version, str(obj.get("kind", "")))


@dataclass(frozen=True)
class Patch:
    """A patch to send: its content type and body (``{}`` means nothing to do)."""

    content_type: str
    body: Obj

    @property
    def empty(self) -> bool:
        return not self.body

    def text(self) -> str:
        """The bytes kubectl sends (and prints in its errors): compact, sorted."""
        return gojson.dumps(self.body)


def three_way_patch(current: Obj, modified_text: str, overwrite: bool = True) -> Patch:
    """The patch ``kubectl apply`` sends to turn ``current`` into the new configuration.

    ``modified_text`` is ``modified_configuration(manifest, annotate=True)``. Raises the
    ``backends.objects.diff`` errors (``PatchConflictError`` when ``overwrite`` is False and
    the live object changed a field the patch changes differently).
    """
    original_text = original_configuration(current)
    original = json.loads(original_text) if original_text else None
    modified = json.loads(modified_text)
    schema = _kind_schema(current)
    if schema is not None:
        return Patch(
            STRATEGIC, three_way_merge_patch(original, modified, current, schema, overwrite)
        )
    return Patch(MERGE, three_way_json_merge_patch(original, modified, current))


def patch_locally(current: Obj, patch: Patch) -> Obj:
    """``current`` with ``patch`` applied, as ``apply --dry-run=client`` shows it."""
    if patch.content_type == STRATEGIC:
        return apply_strategic_merge_patch(current, patch.body, _kind_schema(current))
    patched: Obj = apply_merge_patch(current, patch.body)
    return patched


def last_applied_patch(obj: Obj) -> tuple[Obj, str]:
    """kubectl's ``GetApplyPatch``: the merge patch that records ``obj`` as its own
    last-applied configuration, and that configuration's JSON."""
    before = encode_unstructured(obj)
    return {"metadata": {"annotations": {LAST_APPLIED: before}}}, before


# --- client-side to server-side apply -----------------------------------------------------------

_ANNOTATION_PATH = ("f:metadata", "f:annotations", f"f:{LAST_APPLIED}")


def owns_last_applied(entry: Obj) -> bool:
    """Whether a managedFields entry owns the last-applied annotation."""
    from backends.objects import fieldpath

    try:
        fields = fieldpath.parse(entry.get("fieldsV1"))
    except fieldpath.FieldsError:
        return False
    return fieldpath.has(fields, _ANNOTATION_PATH)


def last_applied_owners(obj: Obj, operation: str) -> list[str]:
    """Managers with entries of ``operation`` that own the last-applied annotation (client-go's
    ``csaupgrade.FindFieldsOwners``)."""
    entries = (obj.get("metadata") or {}).get("managedFields") or []
    owners = [
        str(e.get("manager", ""))
        for e in entries
        if e.get("operation") == operation and owns_last_applied(e)
    ]
    return list(dict.fromkeys(owners))


def upgraded_managed_fields(
    entries: list[Obj], csa_managers: list[str], ssa_manager: str
) -> list[Obj]:
    """client-go's ``csaupgrade``: each client-side-apply manager's fields merged into the
    server-side-apply manager's entry (which it becomes, when there is none), and dropped."""
    from backends.objects import fieldpath

    def first(manager: str, operation: str, items: list[Obj], version: str | None = None) -> int:
        for i, entry in enumerate(items):
            if (
                (entry.get("manager"), entry.get("operation")) == (manager, operation)
                and not entry.get("subresource")
                and (version is None or entry.get("apiVersion") == version)
            ):
                return i
        return -1

    result = copy.deepcopy(entries)
    for csa in csa_managers:
        target = first(ssa_manager, "Apply", result)
        if target < 0:
            target = first(csa, "Update", result)
            if target < 0:
                continue
            result[target] = {**result[target], "manager": ssa_manager, "operation": "Apply"}
        fields = fieldpath.parse(result[target].get("fieldsV1"))
        source = first(csa, "Update", result, result[target].get("apiVersion"))
        if source >= 0:
            fields = fieldpath.union(fields, fieldpath.parse(result[source].get("fieldsV1")))
        result[target]["fieldsV1"] = json.loads(fieldpath.to_json(fields))
        result = [
            e
            for e in result
            if not (
                (e.get("manager"), e.get("operation")) == (csa, "Update")
                and not e.get("subresource")
            )
        ]
    return result


# --- prune ------------------------------------------------------------------------------------

# (group, version, kind, namespaced): what ``apply --prune`` looks at without an allowlist.
DEFAULT_PRUNE_RESOURCES = (
    ("", "v1", "ConfigMap", True),
    ("", "v1", "Endpoints", True),
    ("", "v1", "PersistentVolumeClaim", True),
    ("", "v1", "Pod", True),
    ("", "v1", "ReplicationController", True),
    ("", "v1", "Secret", True),
    ("", "v1", "Service", True),
    ("batch", "v1", "Job", True),
    ("batch", "v1", "CronJob", True),
    ("networking.k8s.io", "v1", "Ingress", True),
    ("apps", "v1", "DaemonSet", True),
    ("apps", "v1", "Deployment", True),
    ("apps", "v1", "ReplicaSet", True),
    ("apps", "v1", "StatefulSet", True),
    ("", "v1", "Namespace", False),
    ("", "v1", "PersistentVolume", False),
)


class PruneAllowlistError(ValueError):
    """A ``--prune-allowlist`` entry that is not ``group/version/kind``."""


def parse_prune_allowlist(entries: list[str]) -> list[tuple[str, str, str]]:
    """``--prune-allowlist`` values as (group, version, kind); ``core`` is the core group."""
    parsed = []
    for entry in entries:
        parts = entry.split("/")
        if len(parts) != 3:
            raise PruneAllowlistError(
                f"invalid GroupVersionKind format: {entry}, please follow <group/version/kind>"
            )
        group = "" if parts[0] == "core" else parts[0]
        parsed.append((group, parts[1], parts[2]))
    return parsed


def should_prune(obj: Obj, visited_uids: set[str]) -> bool:
    """An object is pruned when it was applied (has the annotation) but not in this run."""
    metadata = obj.get("metadata") or {}
    return (
        LAST_APPLIED in (metadata.get("annotations") or {})
        and metadata.get("uid") not in visited_uids
    )
