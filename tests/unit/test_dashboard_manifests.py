"""Pasted YAML to placed objects, and objects to YAML, for the dashboard."""

from __future__ import annotations

from typing import Any

import pytest

from backends.simulator.dashboard import manifests

SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n"


def test_documents_are_placed_in_the_default_or_their_own_namespace() -> None:
    text = (
        f"{SERVICE}---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\n  namespace: prod\n"
        "--- # a comment\n"
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n---\n"
    )
    placed = manifests.parse(text, "team")
    assert [(p.ref, p.path) for p in placed] == [
        ("service/web", "/api/v1/namespaces/team/services/web"),
        ("deployment.apps/shop", "/apis/apps/v1/namespaces/prod/deployments/shop"),
        ("namespace/prod", "/api/v1/namespaces/prod"),
    ]
    assert placed[0].as_json()["object"]["spec"] == {"ports": [{"port": 80}]}


def test_lists_are_flattened() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n"
    )
    assert [p.ref for p in manifests.parse(text, "default")] == ["configmap/a", "configmap/b"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no objects passed to apply"),
        ("kind: Service\nmetadata: {name: x}\n", "error validating data: apiVersion not set"),
        ("apiVersion: v1\nmetadata: {name: x}\n", "error validating data: kind not set"),
        ("- 1\n- 2\n", "error validating data: invalid object to validate"),
        (
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: x}\n",
            'resource mapping not found for kind "Widget" in version "example.com/v1"',
        ),
        ("apiVersion: v1\nkind: Pod\nmetadata: {}\n", "Pod: metadata.name is required"),
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [\n",
            "document 1: error converting YAML to JSON: yaml: line 4: did not find expected node content",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: ../secrets}\n",
            'invalid name "../secrets": it cannot be part of a URL path',
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: '..'}\n",
            'invalid name "..": it cannot be part of a URL path',
        ),
    ],
)
def test_what_cannot_be_applied(text: str, message: str) -> None:
    with pytest.raises(manifests.ManifestError) as caught:
        manifests.parse(text, "default")
    assert str(caught.value) == message


def test_yaml_as_kubectl_prints_it_without_managed_fields() -> None:
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "a", "managedFields": [{"manager": "x"}]},
        "data": {"b": "1", "a": "yes"},
    }
    assert manifests.to_yaml(obj) == (
        'apiVersion: v1\ndata:\n  a: "yes"\n  b: "1"\nkind: ConfigMap\nmetadata:\n  name: a\n'
    )
    assert obj["metadata"]["managedFields"] == [{"manager": "x"}]
