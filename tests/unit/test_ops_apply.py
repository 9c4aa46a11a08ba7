"""``pykctl.ops.apply``: the last-applied annotation and the patches of client-side apply."""

from __future__ import annotations

import json

import pytest

from backends.objects.diff import PatchPreconditionError
from pykctl.ops import apply as ops

CONFIG = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "c", "namespace": "default", "labels": {"app": "demo"}},
    "data": {"a": "1", "b": "<2>"},
}


def test_annotation_is_sorted_compact_json_with_newline_and_empty_annotations() -> None:
    text = ops.modified_configuration(CONFIG, annotate=False)
    assert text == (
        '{"apiVersion":"v1","data":{"a":"1","b":"\\u003c2\\u003e"},"kind":"ConfigMap",'
        '"metadata":{"annotations":{},"labels":{"app":"demo"},"name":"c","namespace":"default"}}\n'
    )
    annotated = json.loads(ops.modified_configuration(CONFIG, annotate=True))
    assert annotated["metadata"]["annotations"] == {ops.LAST_APPLIED: text}
    assert "annotations" not in CONFIG["metadata"]


def test_save_config_creates_or_refreshes() -> None:
    assert ops.create_or_update_annotation(CONFIG, create=False) is CONFIG
    created = ops.create_or_update_annotation(CONFIG, create=True)
    assert ops.original_configuration(created) == ops.modified_configuration(CONFIG, False)
    stale = ops.with_last_applied(CONFIG, "old")
    refreshed = ops.create_or_update_annotation(stale, create=False)
    assert ops.original_configuration(refreshed) == ops.modified_configuration(CONFIG, False)


def test_typed_encoding_keeps_struct_order_and_omits_empty_maps() -> None:
    generated = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}}
    assert ops.modified_configuration(generated, False, ops.encode_typed) == (
        '{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"sa"}}\n'
    )


def test_three_way_patch_unchanged_configured_and_local() -> None:
    live = ops.with_last_applied(CONFIG, ops.modified_configuration(CONFIG, False))
    live["metadata"]["uid"] = "u"
    same = ops.three_way_patch(live, ops.modified_configuration(CONFIG, True))
    assert same.empty and same.content_type == ops.STRATEGIC
    changed = {**CONFIG, "data": {"a": "9"}}
    patch = ops.three_way_patch(live, ops.modified_configuration(changed, True))
    assert patch.body["data"] == {"a": "9", "b": None}
    result = ops.patch_locally(live, patch)
    assert result["data"] == {"a": "9"} and result["metadata"]["uid"] == "u"


def test_custom_kinds_get_json_merge_patches() -> None:
    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"x": [1, 2]},
    }
    live = ops.with_last_applied(widget, ops.modified_configuration(widget, False))
    patch = ops.three_way_patch(
        live, ops.modified_configuration({**widget, "spec": {"x": [3]}}, True)
    )
    assert patch.content_type == ops.MERGE
    assert patch.body["spec"] == {"x": [3]}
    with pytest.raises(PatchPreconditionError):
        ops.three_way_patch(live, ops.modified_configuration({**widget, "kind": "Gadget"}, True))


def test_prune_selection() -> None:
    applied = ops.with_last_applied({"metadata": {"uid": "1"}}, "{}")
    assert ops.should_prune(applied, set())
    assert not ops.should_prune(applied, {"1"})
    assert not ops.should_prune({"metadata": {"uid": "2"}}, set())
    assert ops.parse_prune_allowlist(["core/v1/ConfigMap", "apps/v1/Deployment"]) == [
        ("", "v1", "ConfigMap"),
        ("apps", "v1", "Deployment"),
    ]
    with pytest.raises(ops.PruneAllowlistError, match="please follow <group/version/kind>"):
        ops.parse_prune_allowlist(["ConfigMap"])


def test_upgrading_client_side_managers() -> None:
    entries = [
        {
            "manager": "kubectl",
            "operation": "Apply",
            "apiVersion": "v1",
            "fieldsV1": {"f:data": {"f:a": {}}},
        },
        {
            "manager": "kubectl-client-side-apply",
            "operation": "Update",
            "apiVersion": "v1",
            "fieldsV1": {
                "f:data": {".": {}, "f:b": {}},
                "f:metadata": {"f:annotations": {f"f:{ops.LAST_APPLIED}": {}}},
            },
        },
    ]
    obj = {"metadata": {"managedFields": entries}}
    assert ops.last_applied_owners(obj, "Update") == ["kubectl-client-side-apply"]
    assert ops.last_applied_owners(obj, "Apply") == []
    upgraded = ops.upgraded_managed_fields(entries, ["kubectl-client-side-apply"], "kubectl")
    assert [e["manager"] for e in upgraded] == ["kubectl"]
    assert upgraded[0]["fieldsV1"]["f:data"] == {".": {}, "f:a": {}, "f:b": {}}
    alone = ops.upgraded_managed_fields(entries[1:], ["kubectl-client-side-apply"], "kubectl")
    assert [(e["manager"], e["operation"]) for e in alone] == [("kubectl", "Apply")]
