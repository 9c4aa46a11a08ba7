"""The label/annotate editing rules (pykctl.ops.metadata), without a server."""

from __future__ import annotations

from typing import Any

import pytest

from pykctl.ops import metadata as m

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "labels": {"app": "web"}},
}


def test_resources_come_before_updates() -> None:
    assert m.split_resources_and_pairs(["pods", "web", "a=b", "c-"], m.LABELS) == (
        ["pods", "web"],
        ["a=b", "c-"],
    )
    assert m.split_resources_and_pairs(["pods", "-", "=x"], m.LABELS) == (["pods", "-", "=x"], [])
    with pytest.raises(m.MetadataError) as err:
        m.split_resources_and_pairs(["pods", "a=b", "web"], m.ANNOTATIONS)
    assert err.value.messages == ["all resources must be specified before annotation changes: web"]


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["a=b=c"], "invalid label spec: a=b=c"),
        (["bogus"], "unknown label spec: bogus"),
        (["a=b", "a-"], "can not both modify and remove a label in the same command"),
        (
            ["a=bad value"],
            'invalid label value: "a=bad value": a valid label must be an empty string or '
            "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
            "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
    ],
)
def test_bad_label_specs(specs: list[str], message: str) -> None:
    with pytest.raises(m.MetadataError) as err:
        m.parse_label_specs(specs)
    assert err.value.messages == [message]


def test_annotation_specs() -> None:
    edit = m.parse_annotation_specs(["note=a=b", "note=last", "x-", "text=with spaces"])
    assert edit.set == {"note": "last", "text": "with spaces"}
    assert edit.remove == ["x"]
    with pytest.raises(m.MetadataError) as err:
        m.parse_annotation_specs(["=x", "y", "ok=1"])
    assert err.value.messages == ["invalid annotation format: =x, y"]
    both = m.parse_annotation_specs(["a=1", "b=2", "a-", "b-"])
    with pytest.raises(m.MetadataError) as err:
        m.refuse_set_and_remove(both)
    assert err.value.messages == [
        "can not both modify and remove the following annotation(s) in the same command: a, b"
    ]


def test_label_edit_reports_what_changed() -> None:
    result = m.apply_edit(POD, m.parse_label_specs(["app=web", "tier=front", "gone-"]), False)
    assert (result.added, result.removed, result.label_message) == (["tier"], [], "labeled")
    assert result.obj["metadata"]["labels"] == {"app": "web", "tier": "front"}
    assert POD["metadata"]["labels"] == {"app": "web"}  # the input is never changed
    assert m.apply_edit(POD, m.parse_label_specs(["app-"]), False).label_message == "unlabeled"
    modified = m.apply_edit(POD, m.parse_label_specs(["app-", "x=1"]), False)
    assert modified.label_message == "modified"
    assert m.apply_edit(POD, m.parse_label_specs(["app=web"]), False).label_message == "not labeled"


def test_overwrite_conflicts() -> None:
    with pytest.raises(m.MetadataError) as err:
        m.apply_edit(POD, m.parse_label_specs(["app=db"]), False)
    assert err.value.messages == ["'app' already has a value (web), and --overwrite is false"]
    assert m.apply_edit(POD, m.parse_label_specs(["app=db"]), True).obj["metadata"]["labels"] == {
        "app": "db"
    }
    annotated = {"metadata": {"annotations": {"a": "1", "b": "2", m.CHANGE_CAUSE: "old"}}}
    with pytest.raises(m.MetadataError) as err:
        m.apply_edit(
            annotated, m.parse_annotation_specs(["a=x", "b=y", f"{m.CHANGE_CAUSE}=z"]), False
        )
    assert err.value.messages == [
        "--overwrite is false but found the following declared annotation(s): "
        "'a' already has a value (1); 'b' already has a value (2)"
    ]


def test_resource_version_and_listing() -> None:
    edited = m.apply_edit(POD, m.parse_label_specs(["x=1"]), False, "42").obj
    assert edited["metadata"]["resourceVersion"] == "42"
    assert m.listing(edited, m.LABELS) == ["app=web", "x=1"]
    assert m.listing(edited, m.ANNOTATIONS) == []
    assert m.missing_removals(POD, m.parse_label_specs(["app-", "nope-"])) == ["nope"]


def test_an_object_without_labels_gets_an_empty_map() -> None:
    bare = {"metadata": {"name": "x"}}
    assert m.apply_edit(bare, m.parse_label_specs(["nope-"]), False).obj["metadata"] == {
        "name": "x",
        "labels": {},
    }
