"""Unit tests for backends.objects.patch (applying JSON, merge and strategic merge patches).

Expected values follow RFC 6902/7386, the behaviour of gopkg.in/evanphx/json-patch.v4 and
k8s.io/apimachinery's strategicpatch package (kube-apiserver's PATCH), quirks included; the
e2e suite checks the same functions against ``kubectl patch --local``, which runs that Go code.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from backends.objects import schemas
from backends.objects.patch import (
    JSONPatchError,
    MergePatchError,
    StrategicMergePatchError,
    StrategicMergeUnsupportedError,
    apply_json_patch,
    apply_merge_patch,
    apply_strategic_merge_patch,
)
from backends.objects.strategic import (
    go_sprint,
    go_stable_sort,
    sort_by_merge_key,
)

DEPLOYMENT = schemas.for_kind("apps", "v1", "Deployment")
POD = schemas.for_kind("", "v1", "Pod")
SERVICE = schemas.for_kind("", "v1", "Service")
PDB = schemas.for_kind("policy", "v1", "PodDisruptionBudget")

# --- JSON patch ---------------------------------------------------------------------------

RFC6902_EXAMPLES = [
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
    (
        {"foo": ["bar", "baz"]},
        [{"op": "add", "path": "/foo/1", "value": "qux"}],
        {"foo": ["bar", "qux", "baz"]},
    ),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    (
        {"baz": "qux", "foo": "bar"},
        [{"op": "replace", "path": "/baz", "value": "boo"}],
        {"baz": "boo", "foo": "bar"},
    ),
    (
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
        {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
    ),
    (
        {"foo": ["all", "grass", "cows", "eat"]},
        [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
        {"foo": ["all", "cows", "eat", "grass"]},
    ),
    (
        {"baz": "qux", "foo": ["a", 2, "c"]},
        [
            {"op": "test", "path": "/baz", "value": "qux"},
            {"op": "test", "path": "/foo/1", "value": 2},
        ],
        {"baz": "qux", "foo": ["a", 2, "c"]},
    ),
    (
        {"foo": "bar"},
        [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
        {"foo": "bar", "child": {"grandchild": {}}},
    ),
    (
        {"foo": ["bar"]},
        [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
        {"foo": ["bar", ["abc", "def"]]},
    ),
    (
        {"/": 9, "~1": 10},
        [{"op": "test", "path": "/~01", "value": 10}, {"op": "remove", "path": "/~1"}],
        {"~1": 10},
    ),
    (
        {"a": {"b": [1]}},
        [
            {"op": "copy", "from": "/a/b", "path": "/a/c"},
            {"op": "add", "path": "/a/c/-", "value": 2},
        ],
        {"a": {"b": [1], "c": [1, 2]}},
    ),
    ({"a": 1}, [{"op": "replace", "path": "", "value": ["whole"]}], ["whole"]),
    ({"a": 1}, None, {"a": 1}),
]


@pytest.mark.parametrize(("document", "patch", "result"), RFC6902_EXAMPLES)
def test_json_patch_rfc6902(document: Any, patch: Any, result: Any) -> None:
    assert apply_json_patch(document, patch) == result


EVANPHX_QUIRKS = [
    # replacing a missing object member adds it
    ({"a": 1}, [{"op": "replace", "path": "/b", "value": 2}], {"a": 1, "b": 2}),
    # negative indices count from the end; add at -1 appends
    ({"l": [1, 2, 3]}, [{"op": "remove", "path": "/l/-1"}], {"l": [1, 2]}),
    ({"l": [1, 2]}, [{"op": "add", "path": "/l/-1", "value": 9}], {"l": [1, 2, 9]}),
    ({"l": [1, 2]}, [{"op": "replace", "path": "/l/-2", "value": 0}], {"l": [0, 2]}),
    # a missing member tests equal to null (and to a missing value)
    ({"a": 1}, [{"op": "test", "path": "/b", "value": None}], {"a": 1}),
    ({"a": None}, [{"op": "test", "path": "/a"}], {"a": None}),
    # the first token of a path is ignored, even when it is not empty
    ({"a": 1}, [{"op": "add", "path": "x/b", "value": 2}], {"a": 1, "b": 2}),
    # an add without a value adds null; "/" is the member named ""
    ({}, [{"op": "add", "path": "/x"}, {"op": "add", "path": "/", "value": 1}], {"x": None, "": 1}),
    # leading zeros and a plus sign are accepted as indices
    ({"l": [1, 2]}, [{"op": "remove", "path": "/l/+01"}], {"l": [1]}),
]


@pytest.mark.parametrize(("document", "patch", "result"), EVANPHX_QUIRKS)
def test_json_patch_follows_evanphx(document: Any, patch: Any, result: Any) -> None:
    assert apply_json_patch(document, patch) == result


JSON_PATCH_FAILURES = [
    (
        [{"op": "remove", "path": "/missing"}],
        "error in remove for path: '/missing': Unable to remove nonexistent key: missing: missing value",
    ),
    (
        [{"op": "add", "path": "/a/b/c", "value": 1}],
        'add operation does not apply: doc is missing path: "/a/b/c": missing value',
    ),
    (
        [{"op": "add", "path": "/l/5", "value": 1}],
        "error in add for path: '/l/5': Unable to access invalid index: 5: invalid index referenced",
    ),
    (
        [{"op": "add", "path": "/l/x", "value": 1}],
        "error in add for path: '/l/x': value was not a proper array index: 'x': "
        'strconv.Atoi: parsing "x": invalid syntax',
    ),
    (
        [{"op": "remove", "path": "/l/-"}],
        "error in remove for path: '/l/-': strconv.Atoi: parsing \"-\": invalid syntax",
    ),
    (
        [{"op": "replace", "path": "/l/9", "value": 1}],
        "replace operation does not apply: doc is missing key: /l/9: missing value",
    ),
    (
        [{"op": "replace", "path": "/s/x", "value": 1}],
        "replace operation does not apply: doc is missing path: /s/x: missing value",
    ),
    (
        [{"op": "replace", "path": "", "value": 3}],
        "replace operation value must be object or array: %!w(<nil>)",
    ),
    ([{"op": "test", "path": "/s", "value": "other"}], "testing value /s failed: test failed"),
    ([{"op": "test", "path": "/n", "value": 1.0}], "testing value /n failed: test failed"),
    ([{"op": "test", "path": "/s"}], "testing value /s failed: test failed"),
    ([{"op": "test", "path": "", "value": {}}], "testing value  failed: test failed"),
    (
        [{"op": "move", "from": "/nope", "path": "/x"}],
        "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value",
    ),
    (
        [{"op": "move", "from": "/s", "path": "/gone/x"}],
        "move operation does not apply: doc is missing destination path: /gone/x: missing value",
    ),
    (
        [{"op": "move", "path": "/x"}],
        "move operation failed to decode from: operation, missing from field: missing value",
    ),
    (
        [{"op": "copy", "from": "/l/7", "path": "/x"}],
        "error in copy for from: '/l/7': Unable to access invalid index: 7: invalid index referenced",
    ),
    ([{"op": "add", "value": 1}], "add operation failed to decode path: missing value"),
    (
        [{"op": "replace", "path": 5, "value": 1}],
        "replace operation failed to decode path: json: cannot unmarshal number into Go value of type string",
    ),
    ([{"op": "merge", "path": "/s"}], "Unexpected kind: merge"),
    ([{"path": "/s"}], "Unexpected kind: unknown"),
    ([None], "Unexpected kind: unknown"),
]


@pytest.mark.parametrize(("patch", "text"), JSON_PATCH_FAILURES)
def test_json_patch_failures_are_422_with_evanphx_text(patch: Any, text: str) -> None:
    document = {"s": "v", "n": 1, "l": [1, 2]}
    with pytest.raises(JSONPatchError) as caught:
        apply_json_patch(document, patch)
    assert str(caught.value) == text
    assert (caught.value.code, caught.value.reason) == (422, "Invalid")
    assert caught.value.message == "the server rejected our request due to an error in our request"


@pytest.mark.parametrize(
    ("patch", "text"),
    [
        ({"op": "add"}, "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
        ("[]", "json: cannot unmarshal string into Go value of type jsonpatch.Patch"),
        ([1], "json: cannot unmarshal number into Go value of type jsonpatch.Operation"),
        ([True], "json: cannot unmarshal bool into Go value of type jsonpatch.Operation"),
    ],
)
def test_json_patch_that_is_not_a_list_of_objects_is_a_bad_request(patch: Any, text: str) -> None:
    with pytest.raises(JSONPatchError) as caught:
        apply_json_patch({}, patch)
    assert (str(caught.value), caught.value.code, caught.value.reason) == (text, 400, "BadRequest")


def test_json_patch_operation_limit() -> None:
    patch = [{"op": "test", "path": "/a", "value": 1}] * 10001
    with pytest.raises(JSONPatchError) as caught:
        apply_json_patch({"a": 1}, patch)
    assert caught.value.code == 413
    assert caught.value.reason == "RequestEntityTooLarge"
    assert caught.value.message == (
        "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001"
    )
    assert apply_json_patch({"a": 1}, patch[:10000]) == {"a": 1}


def test_json_patch_copy_limit_counts_encoded_bytes() -> None:
    document = {"big": "x" * (1024 * 1024 - 2)}  # 1 MiB per copy with the quotes
    three = [{"op": "copy", "from": "/big", "path": f"/c{i}"} for i in range(3)]
    assert len(apply_json_patch(document, three)) == 4
    with pytest.raises(JSONPatchError) as caught:
        apply_json_patch(document, [*three, {"op": "copy", "from": "/big", "path": "/c3"}])
    assert str(caught.value) == (
        "Unable to complete the copy, the accumulated size increase of copy is 4194304, "
        "exceeding the limit 3145728"
    )


def test_json_patch_leaves_inputs_alone() -> None:
    document = {"a": {"b": [1]}}
    patch = [
        {"op": "add", "path": "/a/b/-", "value": {"c": 1}},
        {"op": "add", "path": "/a/b/1/d", "value": 2},
    ]
    before = (copy.deepcopy(document), copy.deepcopy(patch))
    result = apply_json_patch(document, patch)
    assert result == {"a": {"b": [1, {"c": 1, "d": 2}]}}
    assert (document, patch) == before


# --- JSON merge patch ---------------------------------------------------------------------

RFC7386_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("document", "patch", "result"), RFC7386_EXAMPLES)
def test_merge_patch_rfc7386(document: Any, patch: Any, result: Any) -> None:
    assert apply_merge_patch(document, patch) == result


def test_merge_patch_drops_nulls_inside_added_values_even_in_lists() -> None:
    patch = {"new": [{"a": None, "b": 1}, None], "over": {"x": None}}
    result = apply_merge_patch({"over": "scalar", "keep": 1}, patch)
    assert result == {"new": [{"b": 1}, None], "over": {}, "keep": 1}


def test_merge_patch_keeps_nulls_in_a_list_replacing_an_object() -> None:
    assert apply_merge_patch({"a": {"b": 1}}, {"a": [{"c": None}]}) == {"a": [{"c": None}]}


@pytest.mark.parametrize(("document", "patch"), [({"a": 1}, None), ({"a": 1}, "bar"), ({}, 3)])
def test_merge_patch_must_be_an_object_or_array(document: Any, patch: Any) -> None:
    with pytest.raises(MergePatchError) as caught:
        apply_merge_patch(document, patch)
    assert (str(caught.value), caught.value.code) == ("Invalid JSON Patch", 400)


def test_merge_patch_leaves_inputs_alone() -> None:
    document, patch = {"a": {"b": 1}}, {"a": {"c": {"d": None, "e": 1}}}
    result = apply_merge_patch(document, patch)
    result["a"]["c"]["e"] = 2
    assert document == {"a": {"b": 1}}
    assert patch == {"a": {"c": {"d": None, "e": 1}}}


# --- strategic merge patch ----------------------------------------------------------------


def deployment(*containers: dict[str, Any], **pod_spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}},
        "spec": {
            "replicas": 2,
            "template": {"spec": {"containers": list(containers), **pod_spec}},
        },
    }


def pod_spec_patch(**spec: Any) -> dict[str, Any]:
    return {"spec": {"template": {"spec": spec}}}


def pod_spec_of(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"]
    return spec


def smp(document: dict[str, Any], patch: Any) -> dict[str, Any]:
    return apply_strategic_merge_patch(document, patch, DEPLOYMENT)


def test_smp_merges_maps_and_null_deletes() -> None:
    result = smp(
        deployment(),
        {"metadata": {"labels": {"tier": None, "new": "1"}}, "spec": {"replicas": None}},
    )
    assert result["metadata"]["labels"] == {"app": "web", "new": "1"}
    assert "replicas" not in result["spec"]


def test_smp_null_for_a_missing_field_is_ignored_and_nulls_in_new_values_dropped() -> None:
    patch = {"spec": {"paused": None, "strategy": {"type": "Recreate", "rollingUpdate": None}}}
    assert smp(deployment(), patch)["spec"] == {
        "replicas": 2,
        "template": {"spec": {"containers": []}},
        "strategy": {"type": "Recreate"},
    }


def test_smp_merges_keyed_lists_by_merge_key() -> None:
    before = deployment(
        {"name": "a", "image": "x", "env": [{"name": "A", "value": "1"}]},
        {"name": "b", "image": "y"},
    )
    patch = pod_spec_patch(
        containers=[
            {"name": "a", "image": "x2", "env": [{"name": "B", "value": "2"}]},
            {"name": "c", "image": "z"},
        ]
    )
    # Patch elements the live list lacks go before the live-only ones (mergeSortedSlice).
    assert pod_spec_of(smp(before, patch))["containers"] == [
        {
            "name": "a",
            "image": "x2",
            "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
        },
        {"name": "c", "image": "z"},
        {"name": "b", "image": "y"},
    ]


def test_smp_keyed_list_element_directives() -> None:
    before = deployment({"name": "a"}, {"name": "b"}, {"name": "c"})
    deleted = smp(before, pod_spec_patch(containers=[{"$patch": "delete", "name": "b"}]))
    assert pod_spec_of(deleted)["containers"] == [{"name": "a"}, {"name": "c"}]
    replaced = smp(before, pod_spec_patch(containers=[{"name": "z"}, {"$patch": "replace"}]))
    assert pod_spec_of(replaced)["containers"] == [{"name": "z"}]


def test_smp_map_directives() -> None:
    before = deployment()
    replaced = smp(before, {"metadata": {"labels": {"$patch": "replace", "only": "1"}}})
    assert replaced["metadata"]["labels"] == {"only": "1"}
    deleted = smp(before, {"metadata": {"labels": {"$patch": "delete"}}})
    assert deleted["metadata"] == {"name": "web", "labels": {}}
    assert smp(before, {"$patch": "delete"}) == {}


def test_smp_lists_without_a_merge_strategy_are_replaced() -> None:
    before = deployment({"name": "a", "args": ["1", "2"]}, tolerations=[{"key": "k"}])
    patch = pod_spec_patch(
        containers=[{"name": "a", "args": ["3"]}], tolerations=[{"key": "other"}]
    )
    spec = pod_spec_of(smp(before, patch))
    assert spec["containers"] == [{"name": "a", "args": ["3"]}]
    assert spec["tolerations"] == [{"key": "other"}]


def test_smp_primitive_merge_lists_are_sets() -> None:
    before = {"metadata": {"finalizers": ["a", "b"]}}
    assert smp(before, {"metadata": {"finalizers": ["c", "a"]}})["metadata"]["finalizers"] == [
        "c",
        "a",
        "b",
    ]
    removed = smp(before, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a", "x"]}})
    assert removed["metadata"]["finalizers"] == ["b"]


def test_smp_set_element_order_reorders_and_keeps_server_only_items_in_place() -> None:
    before = deployment({"name": "a"}, {"name": "injected"}, {"name": "b"})
    patch = pod_spec_patch(**{"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]})
    names = [c["name"] for c in pod_spec_of(smp(before, patch))["containers"]]
    assert names == ["injected", "b", "a"]


def test_smp_set_element_order_for_primitive_lists() -> None:
    before = {"metadata": {"finalizers": ["a", "b", "c"]}}
    patch = {"metadata": {"$setElementOrder/finalizers": ["c", "a"], "finalizers": ["c"]}}
    assert smp(before, patch)["metadata"]["finalizers"] == ["b", "c", "a"]


def test_smp_deletion_and_addition_with_server_only_items_follow_gos_shared_arrays() -> None:
    # Go deletes and appends in the live list's own array; the ordering pass then sees the
    # added element where the deleted one was (upstream's "add map and delete map" case).
    before = deployment({"name": "1"}, {"name": "2", "image": "b"}, {"name": "4", "image": "c"})
    patch = pod_spec_patch(
        **{
            "$setElementOrder/containers": [{"name": "2"}, {"name": "3"}],
            "containers": [{"name": "3"}, {"$patch": "delete", "name": "1"}],
        }
    )
    names = [c["name"] for c in pod_spec_of(smp(before, patch))["containers"]]
    assert names == ["2", "4", "3"]


def test_smp_retain_keys_clears_the_other_fields() -> None:
    before = deployment(volumes=[{"name": "v", "emptyDir": {}}])
    patch = pod_spec_patch(
        volumes=[{"name": "v", "$retainKeys": ["configMap", "name"], "configMap": {"name": "c"}}]
    )
    assert pod_spec_of(smp(before, patch))["volumes"] == [{"name": "v", "configMap": {"name": "c"}}]
    strategy = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    patched = smp(strategy, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}})
    assert patched["spec"]["strategy"] == {"type": "Recreate"}


def test_smp_replace_strategy_replaces_the_map() -> None:
    before = {"spec": {"selector": {"matchLabels": {"a": "1"}, "matchExpressions": []}}}
    patch = {"spec": {"selector": {"matchLabels": {"b": "2"}}}}
    result = apply_strategic_merge_patch(before, patch, PDB)
    assert result["spec"]["selector"] == {"matchLabels": {"b": "2"}}


def test_smp_service_ports_merge_by_port() -> None:
    before = {"spec": {"ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}]}}
    patch = {"spec": {"ports": [{"port": 80, "targetPort": 9090}, {"port": 443}]}}
    assert apply_strategic_merge_patch(before, patch, SERVICE)["spec"]["ports"] == [
        {"port": 80, "targetPort": 9090, "protocol": "TCP"},
        {"port": 443},
    ]


def test_smp_merge_keys_compare_with_their_json_types() -> None:
    before = {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]}}
    patch = {
        "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80.0, "name": "x"}]}]}
    }
    ports = apply_strategic_merge_patch(before, patch, POD)["spec"]["containers"][0]["ports"]
    assert ports == [{"containerPort": 80.0, "name": "x"}, {"containerPort": 80}]


def test_smp_leaves_inputs_alone() -> None:
    before = deployment({"name": "a", "env": [{"name": "A"}]})
    patch = pod_spec_patch(containers=[{"name": "a", "env": [{"name": "B", "value": None}]}])
    saved = (copy.deepcopy(before), copy.deepcopy(patch))
    result = smp(before, patch)
    assert pod_spec_of(result)["containers"][0]["env"] == [
        {"name": "B", "value": None},
        {"name": "A"},
    ]
    assert (before, patch) == saved


SMP_FAILURES = [
    (
        pod_spec_patch(containers=[{"image": "x"}]),
        500,
        "map: map[image:x] does not contain declared merge key: name",
    ),
    ({"spec": {"$patch": "bogus"}}, 500, "unknown patch type: bogus in map: map[$patch:bogus]"),
    ({"spec": {"$patch": 1}}, 500, "unknown patch type: %!s(int64=1) in map: map[$patch:1]"),
    (
        pod_spec_patch(containers=[{"name": "a", "$patch": "merge"}]),
        500,
        "merging lists cannot yet be specified in the patch",
    ),
    (
        {"spec": {"strategy": {"$retainKeys": ["type"], "paused": 1}}},
        400,
        "invalid patch format of retainKeys",
    ),
    ({"spec": {"strategy": {"$retainKeys": "type"}}}, 400, "invalid patch format of retainKeys"),
    (
        {"metadata": {"$deleteFromPrimitiveListfinalizers": ["a"]}},
        400,
        "invalid patch format of primitive list",
    ),
    (
        {"metadata": {"$setElementOrderX/finalizers": ["a"]}},
        400,
        "invalid patch format of setElementOrder list",
    ),
    (pod_spec_patch(initContainers=[["x"]]), 422, "lists of lists are not supported"),
    (
        pod_spec_patch(containers=[["x"]]),
        500,
        "list element types are not identical: [[map[image:x name:a]] [[x]]]",
    ),
    (
        pod_spec_patch(
            **{"$setElementOrder/containers": [{"name": "b"}], "containers": [{"name": "a"}]}
        ),
        500,
        "The order in patch list:\n[map[name:a]]\n doesn't match $setElementOrder list:\n[map[name:b]]\n",
    ),
    (
        {"spec": {"template": {"spec": {"nodeSelector": {"k": {"x": 1}}}}}},
        500,
        "merging an object in json but data type is not struct, instead is: map",
    ),
    (
        {"spec": {"bogus": {"x": 1}}},
        500,
        'unable to find api field in struct DeploymentSpec for the json field "bogus"',
    ),
    (
        ["not", "a", "map"],
        400,
        "json: cannot unmarshal array into Go value of type map[string]interface {}",
    ),
]


@pytest.mark.parametrize(("patch", "code", "text"), SMP_FAILURES)
def test_smp_failures(patch: Any, code: int, text: str) -> None:
    before = deployment(
        {"name": "a", "image": "x"},
        nodeSelector={"k": {"y": 2}},
        initContainers=[],
    )
    before["spec"]["bogus"] = {"y": 2}
    before["spec"]["strategy"] = {"type": "Recreate"}
    before["metadata"]["finalizers"] = ["a"]
    with pytest.raises(StrategicMergePatchError) as caught:
        smp(before, patch)
    assert (str(caught.value), caught.value.code) == (text, code)
    if code == 422:
        assert (
            caught.value.message == "the server rejected our request due to an error in our request"
        )


def test_smp_is_not_supported_for_kinds_without_schema() -> None:
    with pytest.raises(StrategicMergeUnsupportedError) as caught:
        apply_strategic_merge_patch(
            {"spec": {}}, {"spec": {"a": 1}}, schemas.for_kind("example.com", "v1", "Widget")
        )
    assert (caught.value.code, caught.value.reason) == (415, "UnsupportedMediaType")
    assert caught.value.message.startswith("the body of the request was in an unknown format")


# --- shared Go-compatible primitives ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "<nil>"),
        (True, "true"),
        (12, "12"),
        (1.5, "1.5"),
        (1e6, "1e+06"),
        (123456.0, "123456"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-2.5e-7, "-2.5e-07"),
        ({"b": [1, "x"], "a": None}, "map[a:<nil> b:[1 x]]"),
    ],
)
def test_go_sprint(value: Any, text: str) -> None:
    assert go_sprint(value) == text


def test_merge_key_sort_is_by_text_with_equal_keys_reversed() -> None:
    items: list[dict[str, Any]] = [
        {"k": 10, "i": 0},
        {"k": 9, "i": 1},
        {"k": 10, "i": 2},
        {"k": "1", "i": 3},
    ]
    assert [item["i"] for item in sort_by_merge_key(items, "k")] == [3, 2, 0, 1]


def test_go_stable_sort_matches_go_for_an_inconsistent_order() -> None:
    order = ["a", "b"]

    def less(x: str, y: str) -> bool:
        if x in order and y in order:
            return order.index(x) < order.index(y)
        return True

    assert go_stable_sort(["b", "x", "a"], less) == ["a", "x", "b"]
    assert go_stable_sort(list(range(45)), lambda x, y: x > y) == list(range(44, -1, -1))
