"""Unit tests for backends.objects.diff (the patches kubectl creates).

Expected patches follow k8s.io/apimachinery's strategicpatch and jsonmergepatch packages and
evanphx ``CreateMergePatch``; the e2e suite checks the same functions against the bodies the real
kubectl sends for ``apply``, ``label`` and ``annotate``.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from backends.objects import schemas
from backends.objects.diff import (
    PatchConflictError,
    PatchPreconditionError,
    three_way_json_merge_patch,
    three_way_merge_patch,
    two_way_merge_patch,
    two_way_strategic_merge_patch,
)
from backends.objects.patch import (
    StrategicMergePatchError,
    apply_merge_patch,
    apply_strategic_merge_patch,
)


def kind_schema(group: str, version: str, kind: str) -> schemas.Schema:
    schema = schemas.for_kind(group, version, kind)
    assert schema is not None
    return schema


DEPLOYMENT = kind_schema("apps", "v1", "Deployment")
PDB = kind_schema("policy", "v1", "PodDisruptionBudget")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

# --- two-way JSON merge patch (label, annotate) --------------------------------------------

TWO_WAY_MERGE = [
    ({"a": 1}, {"a": 1}, {}),
    ({"a": 1}, {"a": 2, "b": 3}, {"a": 2, "b": 3}),
    ({"a": 1, "b": 2}, {"b": 2}, {"a": None}),
    ({"m": {"x": 1, "y": 2}}, {"m": {"x": 1, "y": 3}}, {"m": {"y": 3}}),
    ({"m": {"x": 1}}, {"m": {"x": 1}}, {}),
    ({"l": [1, 2]}, {"l": [2, 1]}, {"l": [2, 1]}),
    ({"l": [{"a": 1}]}, {"l": [{"a": 1}]}, {}),
    ({"n": 1}, {"n": 1.0}, {}),
    ({"n": 1}, {"n": True}, {"n": True}),
    ({"m": {"x": 1}}, {"m": "flat"}, {"m": "flat"}),
    ({"v": None}, {"v": None}, {}),
    ({"v": None}, {"v": {}}, {"v": {}}),
    (
        {"metadata": {"name": "x", "labels": {"app": "web"}}},
        {"metadata": {"name": "x", "labels": {"app": "web", "new": "1"}}},
        {"metadata": {"labels": {"new": "1"}}},
    ),
    (
        {"metadata": {"name": "x"}},
        {"metadata": {"name": "x", "annotations": {"a": "b"}}},
        {"metadata": {"annotations": {"a": "b"}}},
    ),
]


@pytest.mark.parametrize(("original", "modified", "patch"), TWO_WAY_MERGE)
def test_two_way_merge_patch(original: Any, modified: Any, patch: Any) -> None:
    assert two_way_merge_patch(original, modified) == patch
    assert apply_merge_patch(original, patch) == modified


def test_two_way_merge_patch_shares_nothing_with_its_inputs() -> None:
    modified = {"m": {"deep": [1]}}
    patch = two_way_merge_patch({}, modified)
    patch["m"]["deep"].append(2)
    assert modified == {"m": {"deep": [1]}}


# --- three-way JSON merge patch (apply for custom resources) ------------------------------


def widget(spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", **metadata},
        "spec": spec,
    }


def test_three_way_json_merge_patch_deletes_only_what_was_applied() -> None:
    original = widget({"size": 1, "old": {"a": 1}, "nested": {"x": 1}})
    current = widget(
        {"size": 1, "old": {"a": 1}, "nested": {"x": 1, "live": 2}, "controller": True}
    )
    modified = widget({"size": 2, "nested": {"y": 2}, "colors": ["red"]})
    patch = three_way_json_merge_patch(original, modified, current)
    assert patch == {
        "spec": {"size": 2, "old": None, "nested": {"x": None, "y": 2}, "colors": ["red"]}
    }
    assert apply_merge_patch(current, patch)["spec"] == {
        "size": 2,
        "nested": {"live": 2, "y": 2},
        "controller": True,
        "colors": ["red"],
    }


def test_three_way_json_merge_patch_without_last_applied_never_deletes() -> None:
    current = widget({"size": 1, "colors": ["red"], "extra": 1})
    modified = widget({"size": 1, "colors": [], "labels": {}})
    assert three_way_json_merge_patch(None, modified, current) == {
        "spec": {"colors": [], "labels": {}}
    }
    assert three_way_json_merge_patch(None, current, current) == {}


def test_three_way_json_merge_patch_nulls() -> None:
    current = widget({})
    modified = widget({"list": [{"keep": 1, "drop": None}], "gone": None})
    # an explicit null in the configuration is sent as a deletion
    assert three_way_json_merge_patch(widget({}), modified, current) == {
        "spec": {"list": [{"keep": 1}], "gone": None}
    }


@pytest.mark.parametrize(
    "modified",
    [
        {**widget({}), "apiVersion": "example.com/v2"},
        {**widget({}), "kind": "Gadget"},
        widget({}) | {"metadata": {"name": "other"}},
    ],
)
def test_three_way_json_merge_patch_refuses_identity_changes(modified: dict[str, Any]) -> None:
    with pytest.raises(
        PatchPreconditionError, match="At least one of apiVersion, kind and name was changed"
    ):
        three_way_json_merge_patch(widget({}), modified, widget({}))


# --- two-way strategic merge patch ---------------------------------------------------------


def deployment(*containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"template": {"spec": {"containers": list(containers)}}, **spec},
    }


def pod_spec(**spec: Any) -> dict[str, Any]:
    return {"spec": {"template": {"spec": spec}}}


def test_two_way_smp_keyed_list_changes() -> None:
    original = deployment(
        {
            "name": "a",
            "image": "x",
            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
        },
        {"name": "gone"},
    )
    modified = deployment(
        {"name": "a", "image": "y", "env": [{"name": "A", "value": "1"}]}, {"name": "new"}
    )
    assert two_way_strategic_merge_patch(original, modified, DEPLOYMENT) == pod_spec(
        **{
            "$setElementOrder/containers": [{"name": "a"}, {"name": "new"}],
            "containers": [
                {
                    "$setElementOrder/env": [{"name": "A"}],
                    "env": [{"$patch": "delete", "name": "B"}],
                    "image": "y",
                    "name": "a",
                },
                {"name": "new"},
                {"$patch": "delete", "name": "gone"},
            ],
        }
    )


def test_two_way_smp_order_only_change() -> None:
    original = deployment({"name": "a"}, {"name": "b"})
    modified = deployment({"name": "b"}, {"name": "a"})
    patch = two_way_strategic_merge_patch(original, modified, DEPLOYMENT)
    assert patch == pod_spec(**{"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]})
    assert apply_strategic_merge_patch(original, patch, DEPLOYMENT) == modified


def test_two_way_smp_primitive_merge_list() -> None:
    original = {"metadata": {"finalizers": ["b", "a", "c"]}}
    modified = {"metadata": {"finalizers": ["d", "a"]}}
    assert two_way_strategic_merge_patch(original, modified, DEPLOYMENT) == {
        "metadata": {
            "finalizers": ["d"],
            "$deleteFromPrimitiveList/finalizers": ["b", "c"],
            "$setElementOrder/finalizers": ["d", "a"],
        }
    }


def test_two_way_smp_retain_keys_and_atomic_lists() -> None:
    original = deployment({"name": "a", "args": ["1"]})
    original["spec"]["template"]["spec"]["volumes"] = [{"name": "v", "emptyDir": {}}]
    modified = copy.deepcopy(original)
    modified["spec"]["template"]["spec"]["volumes"] = [{"name": "v", "configMap": {"name": "c"}}]
    modified["spec"]["template"]["spec"]["containers"][0]["args"] = ["1", "2"]
    patch = two_way_strategic_merge_patch(original, modified, DEPLOYMENT)
    assert patch == pod_spec(
        **{
            "$setElementOrder/containers": [{"name": "a"}],
            "containers": [{"args": ["1", "2"], "name": "a"}],
            "$setElementOrder/volumes": [{"name": "v"}],
            "volumes": [
                {
                    "$retainKeys": ["configMap", "name"],
                    "configMap": {"name": "c"},
                    "emptyDir": None,
                    "name": "v",
                }
            ],
        }
    )
    assert apply_strategic_merge_patch(original, patch, DEPLOYMENT) == modified


def test_two_way_smp_resends_maps_with_replace_strategy() -> None:
    pdb = {"spec": {"selector": {"matchLabels": {"a": "1"}}, "minAvailable": 1}}
    assert two_way_strategic_merge_patch(pdb, pdb, PDB) == {
        "spec": {"selector": {"matchLabels": {"a": "1"}}}
    }


def test_two_way_smp_unknown_fields() -> None:
    original = deployment() | {"extra": {"a": 1}}
    assert two_way_strategic_merge_patch(original, copy.deepcopy(original), DEPLOYMENT) == {}
    with pytest.raises(
        StrategicMergePatchError, match='in struct Deployment for the json field "extra"'
    ):
        two_way_strategic_merge_patch(original, deployment() | {"extra": {"a": 2}}, DEPLOYMENT)


def test_two_way_smp_compares_numbers_by_type() -> None:
    patch = two_way_strategic_merge_patch(
        {"spec": {"replicas": 1}}, {"spec": {"replicas": 1.0}}, DEPLOYMENT
    )
    assert patch == {"spec": {"replicas": 1.0}}
    assert isinstance(patch["spec"]["replicas"], float)


# --- three-way strategic merge patch (kubectl apply) --------------------------------------


def with_last_applied(config: dict[str, Any], annotation: str) -> dict[str, Any]:
    annotated = copy.deepcopy(config)
    annotated["metadata"].setdefault("annotations", {})[LAST_APPLIED] = annotation
    return annotated


def test_three_way_smp_observed_kubectl_apply_patch() -> None:
    """kubectl-output.md §5.2: the patch kubectl 1.37 was observed to send."""
    original = deployment(
        {
            "name": "c",
            "image": "nginx:1.27",
            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
        },
        {"name": "side", "image": "busybox"},
        replicas=2,
    )
    original["metadata"]["labels"]["tier"] = "front"
    current = with_last_applied(original, "{old}\n")
    current["metadata"]["labels"]["added-by-hand"] = "yes"
    current["spec"]["paused"] = True
    modified = with_last_applied(
        deployment({"name": "c", "image": "nginx:1.28", "env": [{"name": "A", "value": "1"}]}),
        "{new}\n",
    )
    assert three_way_merge_patch(original, modified, current, DEPLOYMENT) == {
        "metadata": {"annotations": {LAST_APPLIED: "{new}\n"}, "labels": {"tier": None}},
        "spec": {
            "replicas": None,
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "c"}],
                    "containers": [
                        {
                            "$setElementOrder/env": [{"name": "A"}],
                            "env": [{"$patch": "delete", "name": "B"}],
                            "image": "nginx:1.28",
                            "name": "c",
                        },
                        {"$patch": "delete", "name": "side"},
                    ],
                }
            },
        },
    }


def test_three_way_smp_leaves_live_only_fields_and_defaults_alone() -> None:
    config = deployment({"name": "c", "image": "x"})
    current = copy.deepcopy(config)
    current["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Always"
    current["spec"]["replicas"] = 5
    current["status"] = {"replicas": 5}
    assert three_way_merge_patch(config, config, current, DEPLOYMENT) == {}
    # A live-only element (an injected sidecar) makes the orders differ: kubectl resends it.
    current["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "proxy"})
    assert three_way_merge_patch(config, config, current, DEPLOYMENT) == pod_spec(
        **{"$setElementOrder/containers": [{"name": "c"}]}
    )


def test_three_way_smp_without_last_applied_never_deletes() -> None:
    current = deployment({"name": "c", "image": "x"}, {"name": "d"}, replicas=3)
    modified = deployment({"name": "c", "image": "y"})
    assert three_way_merge_patch(None, modified, current, DEPLOYMENT) == pod_spec(
        **{
            "$setElementOrder/containers": [{"name": "c"}],
            "containers": [{"image": "y", "name": "c"}],
        }
    )


def test_three_way_smp_primitive_list_quirks() -> None:
    # Go sorts the live list in place before comparing: unsorted but equal lists get an order.
    config = {"metadata": {"finalizers": ["b", "a"]}}
    assert three_way_merge_patch(config, config, config, DEPLOYMENT) == {
        "metadata": {"$setElementOrder/finalizers": ["b", "a"]}
    }
    patch = three_way_merge_patch(
        {"metadata": {"finalizers": ["x"]}},
        {"metadata": {"finalizers": ["c", "a"]}},
        {"metadata": {"finalizers": ["x", "live"]}},
        DEPLOYMENT,
    )
    assert patch == {
        "metadata": {
            "finalizers": ["c", "a"],
            "$deleteFromPrimitiveList/finalizers": ["x"],
            "$setElementOrder/finalizers": ["c", "a"],
        }
    }


def test_three_way_smp_duplicate_merge_keys_pair_like_go() -> None:
    def ports(*entries: dict[str, Any]) -> dict[str, Any]:
        return deployment({"name": "c", "ports": list(entries)})

    tcp, udp = {"containerPort": 53, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}
    original = ports(tcp, udp)
    modified = ports(udp | {"name": "dns"}, tcp)
    assert three_way_merge_patch(original, modified, original, DEPLOYMENT) == pod_spec(
        **{
            "$setElementOrder/containers": [{"name": "c"}],
            "containers": [
                {
                    "$setElementOrder/ports": [{"containerPort": 53}, {"containerPort": 53}],
                    "name": "c",
                    "ports": [tcp, udp | {"name": "dns"}],
                }
            ],
        }
    )


def test_three_way_smp_retain_keys() -> None:
    original = deployment()
    current = deployment(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}})
    modified = deployment(strategy={"type": "Recreate"})
    patch = three_way_merge_patch(original, modified, current, DEPLOYMENT)
    assert patch == {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert apply_strategic_merge_patch(current, patch, DEPLOYMENT)["spec"]["strategy"] == {
        "type": "Recreate"
    }


def test_three_way_smp_applied_to_current_reaches_the_configuration() -> None:
    original = deployment({"name": "a", "image": "1"}, {"name": "b"}, replicas=1)
    modified = deployment({"name": "b", "args": ["x"]}, {"name": "c"}, paused=True)
    current = copy.deepcopy(original)
    current["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Always"
    patch = three_way_merge_patch(original, modified, current, DEPLOYMENT)
    result = apply_strategic_merge_patch(current, patch, DEPLOYMENT)
    assert result == modified


def test_three_way_smp_conflicts_without_overwrite() -> None:
    original = deployment(replicas=2)
    current = deployment(replicas=5)
    modified = deployment(replicas=3)
    assert three_way_merge_patch(original, modified, current, DEPLOYMENT) == {
        "spec": {"replicas": 3}
    }
    with pytest.raises(PatchConflictError) as caught:
        three_way_merge_patch(original, modified, current, DEPLOYMENT, overwrite=False)
    assert str(caught.value) == (
        "patch:\nspec:\n  replicas: 3\n\nconflicts with changes made from original to current:\n"
        "spec:\n  replicas: 5\n\n"
    )
    agreeing = deployment(replicas=3)
    assert three_way_merge_patch(original, modified, agreeing, DEPLOYMENT, overwrite=False) == {}
    elsewhere = deployment(replicas=2, paused=True)
    assert three_way_merge_patch(original, modified, elsewhere, DEPLOYMENT, overwrite=False) == {
        "spec": {"replicas": 3}
    }


def test_three_way_smp_shares_nothing_with_its_inputs() -> None:
    modified = deployment({"name": "a", "env": [{"name": "E"}]})
    patch = three_way_merge_patch({}, modified, {}, DEPLOYMENT)
    patch["spec"]["template"]["spec"]["containers"][0]["env"].append("mutated")
    assert modified == deployment({"name": "a", "env": [{"name": "E"}]})
