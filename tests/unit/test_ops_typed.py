"""``pykctl.ops.typed``: objects laid out as kubectl's Go structs print them."""

from __future__ import annotations

from backends.objects import gojson
from pykctl.ops import typed


def test_struct_order_and_empty_structs() -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx"}]},
            },
        },
    }
    assert gojson.dumps(typed.encode(deployment), sort_keys=False) == (
        '{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","labels":'
        '{"app":"web"}},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},'
        '"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx",'
        '"image":"nginx","resources":{}}]}},"strategy":{}},"status":{}}'
    )


def test_nil_lists_without_omitempty_are_null_and_unknown_fields_dropped() -> None:
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "agg"},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "b"}}]},
        "extra": True,
    }
    assert list(typed.encode(role)) == [
        "kind",
        "apiVersion",
        "metadata",
        "rules",
        "aggregationRule",
    ]
    assert typed.encode(role)["rules"] is None
    assert typed.encode({**role, "rules": []})["rules"] == []


def test_zero_scalars_follow_omitempty() -> None:
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "p", "creationTimestamp": None},
        "spec": {"minAvailable": "50%"},
    }
    encoded = typed.encode(pdb)
    assert encoded["metadata"] == {"name": "p"}
    assert encoded["status"] == {
        "disruptionsAllowed": 0,
        "currentHealthy": 0,
        "desiredHealthy": 0,
        "expectedPods": 0,
    }


def test_maps_are_sorted_and_unknown_kinds_untouched() -> None:
    config = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {}, "data": {"b": "1", "a": "2"}}
    assert list(typed.encode(config)["data"]) == ["a", "b"]
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "z": 1, "a": 2}
    assert typed.encode(widget) is widget
