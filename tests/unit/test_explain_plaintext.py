"""kubectl explain's plaintext rendering (pykctl.explain) on a small OpenAPI v3 document."""

from __future__ import annotations

import pytest

from pykctl.explain.plaintext import ExplainError, Request, render
from pykctl.explain.wordwrap import wrap_string

DOC = {
    "paths": {
        "/apis/example.com/v1/namespaces/{namespace}/widgets": {
            "get": {
                "x-kubernetes-group-version-kind": {
                    "group": "example.com",
                    "kind": "Widget",
                    "version": "v1",
                }
            }
        }
    },
    "components": {
        "schemas": {
            "com.example.v1.Widget": {
                "description": "A widget.",
                "properties": {
                    "spec": {
                        "allOf": [{"$ref": "#/components/schemas/com.example.v1.Spec"}],
                        "description": "The desired widget.",
                    },
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "mode": {"type": "string", "enum": ["", "a", "b", "c", "d", "e"]},
                },
                "required": ["spec"],
                "x-kubernetes-group-version-kind": [
                    {"group": "example.com", "kind": "Widget", "version": "v1"}
                ],
            },
            "com.example.v1.Spec": {
                "description": "Spec of a widget.",
                "properties": {
                    "size": {"type": "integer", "description": "How big."},
                    "parts": {
                        "type": "object",
                        "additionalProperties": {
                            "$ref": "#/components/schemas/com.example.v1.Spec"
                        },
                    },
                },
            },
        }
    },
}


def test_wrap_breaks_before_the_word_that_passes_the_limit() -> None:
    assert wrap_string("aaa bbb ccc", 7) == "aaa bbb\nccc"
    assert wrap_string("a verylongword b", 4) == "a\nverylongword\nb"
    assert wrap_string("keep\nlines  ", 80) == "keep\nlines  "
    assert wrap_string("no\u00a0break here", 8) == "no\u00a0break\nhere"


def test_resource_page() -> None:
    text = render(DOC, Request("example.com", "v1", "widgets"))
    assert text == (
        "GROUP:      example.com\n"
        "KIND:       Widget\n"
        "VERSION:    v1\n"
        "\n"
        "DESCRIPTION:\n"
        "    A widget.\n"
        "    \n"
        "FIELDS:\n"
        "  mode\t<string>\n"
        '  enum: "", a, b, c, ....\n'
        "    <no description>\n"
        "\n"
        "  spec\t<Spec> -required-\n"
        "    The desired widget.\n"
        "\n"
        "  tags\t<[]string>\n"
        "    <no description>\n"
        "\n"
        "\n"
    )


def test_field_page_and_recursion_stops_at_cycles() -> None:
    field = render(DOC, Request("example.com", "v1", "widgets", ("spec", "parts")))
    assert field.splitlines()[4] == "FIELD: parts <map[string]Spec>"
    tree = render(DOC, Request("example.com", "v1", "widgets", (), recursive=True))
    assert tree.split("FIELDS:\n")[1] == (
        "  mode\t<string>\n"
        '  enum: "", a, b, c, ....\n'
        "  spec\t<Spec> -required-\n"
        "    parts\t<map[string]Spec>\n"
        "    size\t<integer>\n"
        "  tags\t<[]string>\n"
        "\n"
    )
    shallow = render(DOC, Request("example.com", "v1", "widgets", (), recursive=True, max_depth=1))
    assert "    size" not in shallow


def test_errors_keep_the_header() -> None:
    with pytest.raises(ExplainError) as err:
        render(DOC, Request("example.com", "v1", "widgets", ("nope",)))
    assert str(err.value) == 'error: field "nope" does not exist'
    assert err.value.output == "GROUP:      example.com\nKIND:       Widget\nVERSION:    v1\n\n"
    with pytest.raises(ExplainError) as err:
        render(DOC, Request("example.com", "v1", "gadgets"))
    assert str(err.value) == (
        "error: GVR (example.com/v1, Resource=gadgets) not found in OpenAPI schema"
    )
