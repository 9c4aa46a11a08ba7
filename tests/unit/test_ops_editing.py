"""``pykctl.ops.editing``: the edit file's header, comment handling and edit patches."""

from __future__ import annotations

import pytest

from pykctl.ops import editing


def test_headers() -> None:
    assert editing.header(editing.NORMAL).startswith(
        "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
    )
    assert editing.header(editing.APPLY).endswith("an empty file will abort the edit.\n#\n")
    reasons = [
        editing.Reason('configmaps "c" was not valid', ["data: Invalid value: x\nmore"]),
        editing.Reason("The edited file had a syntax error: bad"),
    ]
    assert editing.header(editing.NORMAL, reasons).endswith(
        '# configmaps "c" was not valid:\n# * data: Invalid value: x\n# more\n#\n'
        "# The edited file had a syntax error: bad\n#\n"
    )


def test_comments_are_ignored_when_comparing() -> None:
    original = "# header\napiVersion: v1\nkind: ConfigMap\n"
    assert editing.strip_comments(original) == editing.strip_comments(
        "kind: ConfigMap\napiVersion: v1\n"
    )
    assert editing.manual_strip("# a\nb: [\n#! keep\n# c") == "b: [\n#! keep\n"
    assert not editing.has_lines("# only\n\n  # comments\n")
    assert editing.has_lines("# x\na: 1\n")


def test_edit_patches() -> None:
    original = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "data": {"a": "1"},
    }
    edited = {**original, "data": {"a": "2"}}
    assert editing.edit_patch(original, edited) == (
        "application/strategic-merge-patch+json",
        {"data": {"a": "2"}},
    )
    widget = {"apiVersion": "x.io/v1", "kind": "W", "metadata": {"name": "w"}, "spec": {"l": [1]}}
    assert editing.edit_patch(widget, {**widget, "spec": {"l": [2]}}) == (
        "application/merge-patch+json",
        {"spec": {"l": [2]}},
    )
    with pytest.raises(editing.EditError, match="apiVersion, kind and name was changed"):
        editing.edit_patch(original, {**original, "metadata": {"name": "d"}})
