"""Validation shared by every kind: object metadata, labels, annotations, label selectors.

Mirrors apimachinery's ``ValidateObjectMeta``/``ValidateObjectMetaUpdate`` and
``metav1/validation``. Functions append :class:`~.causes.Cause` objects to the list they are
given, in upstream's order, and never raise on malformed input (wrong JSON types are the strict
decoder's business, so values of the wrong type are skipped here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backends.simulator.apiserver.admission import causes as c
from backends.simulator.apiserver.admission.causes import Cause
from backends.simulator.apiserver.admission.names import (
    NameCheck,
    is_label_value,
    is_qualified_name,
    name_is_dns_label,
)

TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
IMMUTABLE = "field is immutable"
NEGATIVE = "must be greater than or equal to 0"
_BANNED_OWNERS = {("v1", "Event")}


def key_path(path: str, key: str) -> str:
    """``field.Path.Key``: ``data[some key]``."""
    return f"{path}[{key}]"


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def nonnegative(errs: list[Cause], value: Any, path: str) -> None:
    """``ValidateNonnegativeField``."""
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        errs.append(c.invalid(path, value, NEGATIVE))


def immutable(errs: list[Cause], new: Any, old: Any, path: str) -> None:
    """``ValidateImmutableField`` (the new value is shown)."""
    if new != old:
        errs.append(c.invalid(path, new, IMMUTABLE))


def validate_labels(errs: list[Cause], labels: Any, path: str) -> None:
    """``ValidateLabels``: qualified-name keys and label values."""
    for key, value in as_dict(labels).items():
        validate_label_name(errs, key, path)
        if isinstance(value, str):
            errs.extend(c.invalid(path, value, msg) for msg in is_label_value(value))


def validate_label_name(errs: list[Cause], key: str, path: str) -> None:
    """``ValidateLabelName``."""
    errs.extend(c.invalid(path, key, msg) for msg in is_qualified_name(key))


def validate_annotations(errs: list[Cause], annotations: Any, path: str) -> None:
    """``ValidateAnnotations``: keys are qualified names (case-insensitive); 256 KiB in total."""
    total = 0
    for key, value in as_dict(annotations).items():
        errs.extend(c.invalid(path, key, msg) for msg in is_qualified_name(key.lower()))
        total += len(key.encode()) + len(str(value).encode())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        errs.append(c.too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT))


def _validate_owner_references(errs: list[Cause], refs: Any, path: str) -> None:
    controller = ""
    for index, ref in enumerate(as_list(refs)):
        ref = as_dict(ref)
        ref_path = f"{path}[{index}]"
        api_version = ref.get("apiVersion") or ""
        if not api_version:
            errs.append(c.required(f"{ref_path}.apiVersion", "must not be empty"))
        elif api_version.count("/") > 1 or api_version.endswith("/"):
            errs.append(
                c.invalid(
                    f"{ref_path}.apiVersion", api_version, "must be <group>/<version> or <version>"
                )
            )
        for name in ("kind", "name", "uid"):
            if not ref.get(name):
                errs.append(c.required(f"{ref_path}.{name}", "must not be empty"))
        if (api_version, ref.get("kind")) in _BANNED_OWNERS:
            errs.append(
                c.invalid(ref_path, ref, "/v1, Kind=Event is disallowed from being an owner")
            )
        if ref.get("controller") is True:
            current = f"{ref.get('kind', '')}/{ref.get('name', '')}"
            if controller:
                errs.append(
                    c.invalid(
                        path,
                        refs,
                        'Only one reference can have Controller set to true. Found "true" in '
                        f"references for {controller} and {current}",
                    )
                )
            else:
                controller = current


def _validate_finalizers(errs: list[Cause], finalizers: Any, path: str) -> None:
    names = [f for f in as_list(finalizers) if isinstance(f, str)]
    for name in names:
        errs.extend(c.invalid(path, name, msg) for msg in is_qualified_name(name))
    if "orphan" in names and "foregroundDeletion" in names:
        errs.append(
            c.invalid(path, names, "finalizer orphan and foregroundDeletion cannot be both set")
        )


def validate_object_meta(
    errs: list[Cause],
    meta: Mapping[str, Any],
    namespaced: bool,
    name_check: NameCheck,
    path: str = "metadata",
) -> None:
    """``ValidateObjectMeta`` for a create (after name generation)."""
    generate_name = meta.get("generateName")
    if isinstance(generate_name, str) and generate_name:
        errs.extend(
            c.invalid(f"{path}.generateName", generate_name, m)
            for m in name_check(generate_name, True)
        )
    name = meta.get("name")
    if not name or not isinstance(name, str):
        errs.append(c.required(f"{path}.name", "name or generateName is required"))
    else:
        errs.extend(c.invalid(f"{path}.name", name, m) for m in name_check(name, False))
    _validate_common(errs, meta, namespaced, path)


def _validate_common(
    errs: list[Cause], meta: Mapping[str, Any], namespaced: bool, path: str
) -> None:
    namespace = meta.get("namespace")
    if namespaced:
        if not namespace:
            errs.append(c.required(f"{path}.namespace"))
        elif isinstance(namespace, str):
            errs.extend(
                c.invalid(f"{path}.namespace", namespace, m) for m in name_is_dns_label(namespace)
            )
    elif namespace:
        errs.append(c.forbidden(f"{path}.namespace", "not allowed on this type"))
    nonnegative(errs, meta.get("generation", 0), f"{path}.generation")
    validate_labels(errs, meta.get("labels"), f"{path}.labels")
    validate_annotations(errs, meta.get("annotations"), f"{path}.annotations")
    _validate_owner_references(errs, meta.get("ownerReferences"), f"{path}.ownerReferences")
    _validate_finalizers(errs, meta.get("finalizers"), f"{path}.finalizers")


def validate_object_meta_update(
    errs: list[Cause], meta: Mapping[str, Any], old: Mapping[str, Any], path: str = "metadata"
) -> None:
    """``ValidateObjectMetaUpdate``: identity fields are immutable, RV is required."""
    if old.get("deletionTimestamp"):
        added = sorted(set(as_list(meta.get("finalizers"))) - set(as_list(old.get("finalizers"))))
        if added:
            listed = ", ".join(c.go_quote(f) for f in added)
            errs.append(
                c.forbidden(
                    f"{path}.finalizers",
                    "no new finalizers can be added if the object is being deleted, found new "
                    f"finalizers []string{{{listed}}}",
                )
            )
    if not meta.get("resourceVersion"):
        errs.append(c.invalid(f"{path}.resourceVersion", "", "must be specified for an update"))
    generation = meta.get("generation", 0)
    nonnegative(errs, generation, f"{path}.generation")
    if isinstance(generation, int) and generation < int(old.get("generation") or 0):
        errs.append(c.invalid(f"{path}.generation", generation, "must not be decremented"))
    for name in (
        "name",
        "namespace",
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
    ):
        default: Any = "" if name in ("name", "namespace", "uid") else None
        immutable(errs, meta.get(name, default), old.get(name, default), f"{path}.{name}")
    validate_labels(errs, meta.get("labels"), f"{path}.labels")
    validate_annotations(errs, meta.get("annotations"), f"{path}.annotations")
    _validate_owner_references(errs, meta.get("ownerReferences"), f"{path}.ownerReferences")


def validate_label_selector(errs: list[Cause], selector: Any, path: str) -> None:
    """``ValidateLabelSelector`` (invalid label values in expressions rejected)."""
    if not isinstance(selector, dict):
        return
    validate_labels(errs, selector.get("matchLabels"), f"{path}.matchLabels")
    for index, expr in enumerate(as_list(selector.get("matchExpressions"))):
        expr = as_dict(expr)
        expr_path = f"{path}.matchExpressions[{index}]"
        operator = expr.get("operator")
        values = as_list(expr.get("values"))
        if operator in ("In", "NotIn"):
            if not values:
                errs.append(
                    c.required(
                        f"{expr_path}.values",
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    )
                )
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errs.append(
                    c.forbidden(
                        f"{expr_path}.values",
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    )
                )
        else:
            errs.append(
                c.invalid(f"{expr_path}.operator", operator or "", "not a valid selector operator")
            )
        validate_label_name(errs, str(expr.get("key") or ""), f"{expr_path}.key")
        for value_index, value in enumerate(values):
            if isinstance(value, str):
                errs.extend(
                    c.invalid(f"{expr_path}.values[{value_index}]", value, m)
                    for m in is_label_value(value)
                )


def selector_is_empty(selector: Any) -> bool:
    """True for a selector with neither matchLabels nor matchExpressions."""
    selector = as_dict(selector)
    return not selector.get("matchLabels") and not selector.get("matchExpressions")


def selector_matches(selector: Any, labels: Any) -> bool:
    """``LabelSelectorAsSelector(selector).Matches(labels)``; a missing selector matches nothing."""
    if not isinstance(selector, dict):
        return False
    labels = as_dict(labels)
    for key, value in as_dict(selector.get("matchLabels")).items():
        if labels.get(key) != value:
            return False
    for expr in as_list(selector.get("matchExpressions")):
        expr = as_dict(expr)
        key = str(expr.get("key") or "")
        values = as_list(expr.get("values"))
        operator = expr.get("operator")
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True
