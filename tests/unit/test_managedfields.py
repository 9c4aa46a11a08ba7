"""Unit tests for backends.objects.managedfields and backends.objects.fieldpath.

Expected values come from kube-apiserver v1.37's field manager (apimachinery
``util/managedfields`` over structured-merge-diff v6) and its tests: ``conflict_test.go``
(messages), ``managedfields_test.go`` (identifiers, FieldsV1 round trips, sorting),
``fieldmanager_test.go`` (apply flows, resets, client-side apply upgrade), SMD's
``merge/set_test.go`` (list order and ownership), and managedFields real clusters show for
``kubectl create`` / ``kubectl apply`` (kubernetes issues #109576 and #127938).
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest

from backends.objects import fieldpath, schemas
from backends.objects.managedfields import (
    LAST_APPLIED,
    ApplyConflictError,
    FieldManagerError,
    apply,
    default_manager,
    field_set,
    track_update,
)

CONFIGMAP = schemas.for_kind("", "v1", "ConfigMap")
DEPLOYMENT = schemas.for_kind("apps", "v1", "Deployment")
POD = schemas.for_kind("", "v1", "Pod")
SERVICE = schemas.for_kind("", "v1", "Service")

T0, T1, T2, T3 = (f"2024-05-06T07:08:0{i}Z" for i in range(4))

# A kind with one set, like structured-merge-diff's ``setFieldsParser``.
SETS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
        "list": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
        "numeric": {"type": "integer"},
        "string": {"type": "string"},
        "bool": {"type": "boolean"},
    },
}

Obj = dict[str, Any]


def configmap(data: dict[str, str] | None = None, **metadata: Any) -> Obj:
    obj: Obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cm", "namespace": "default", **metadata},
    }
    if data is not None:
        obj["data"] = data
    return obj


def stored(obj: Obj) -> Obj:
    """An object as the store holds it after a create (it has a uid)."""
    out = copy.deepcopy(obj)
    out["metadata"]["uid"] = "6f1c-uid"
    return out


def entries(obj: Obj) -> list[tuple[str, str, str | None]]:
    return [(e["manager"], e["operation"], e.get("time")) for e in obj["metadata"]["managedFields"]]


def fields_of(obj: Obj, manager: str, operation: str | None = None) -> Any:
    for e in obj["metadata"].get("managedFields") or []:
        if e["manager"] == manager and operation in (None, e["operation"]):
            return e["fieldsV1"]
    return None


def thing(**fields: Any) -> Obj:
    return {"apiVersion": "v1", "kind": "Thing", **fields}


# --- fieldpath ---------------------------------------------------------------------------------


def test_path_elements_are_serialized_as_kube_apiserver_writes_them() -> None:
    assert fieldpath.field("app") == "f:app"
    assert fieldpath.key([("protocol", "TCP"), ("containerPort", 80)]) == (
        'k:{"containerPort":80,"protocol":"TCP"}'
    )
    assert fieldpath.value("x") == 'v:"x"'
    assert fieldpath.value(3.0) == "v:3"
    assert fieldpath.value("<a&b>") == 'v:"\\u003ca\\u0026b\\u003e"'
    assert fieldpath.index(5) == "i:5"


def test_path_strings_are_what_conflict_messages_show() -> None:
    path = ("f:spec", "f:containers", 'k:{"name":"c"}', "f:image")
    assert fieldpath.path_string(path) == '.spec.containers[name="c"].image'
    assert fieldpath.path_string(("f:ports", 'k:{"port":80,"protocol":"TCP"}')) == (
        '.ports[port=80,protocol="TCP"]'
    )
    assert fieldpath.path_string(("f:finalizers", 'v:"a\\"b"', "i:0")) == (
        '.finalizers[="a\\"b"][0]'
    )
    assert fieldpath.path_string(("f:x", "v:1.5", "v:true", "v:null")) == ".x[=1.5][=true][=null]"


def test_parse_round_trips_kube_apiserver_fields_v1() -> None:
    # managedfields_test.go TestRoundTripManagedFields: values, then keys, field order kept.
    raw: Obj = {"v:3": {"f:alsoPi": {}}, "v:3.1415": {"f:pi": {}}, "v:false": {"f:notTrue": {}}}
    assert fieldpath.to_json(fieldpath.parse(raw)) == (
        '{"v:3":{"f:alsoPi":{}},"v:3.1415":{"f:pi":{}},"v:false":{"f:notTrue":{}}}'
    )
    deployment: Obj = {
        "f:spec": {
            "f:template": {
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"nginx"}': {
                            ".": {},
                            "f:image": {},
                            "f:name": {},
                            "f:ports": {"i:0": {"f:containerPort": {}}},
                        }
                    }
                }
            }
        }
    }
    assert fieldpath.parse(deployment) == deployment
    assert fieldpath.to_json(fieldpath.parse(deployment)) == json.dumps(
        deployment, separators=(",", ":")
    )


def test_parse_orders_and_respells_keys() -> None:
    parsed = fieldpath.parse(
        {
            "i:10": {},
            "i:9": {},
            'v:"b"': {},
            "v:2": {},
            'k:{"protocol": "TCP", "containerPort": 80.0}': {".": {}, "f:name": {}},
            "f:b": {},
            "f:a": {".": {}},
            "x:future": {},
        }
    )
    assert list(parsed) == [
        "f:a",
        "f:b",
        'k:{"containerPort":80,"protocol":"TCP"}',
        "v:2",
        'v:"b"',
        "i:9",
        "i:10",
    ]
    assert parsed["f:a"] == {}
    assert parsed['k:{"containerPort":80,"protocol":"TCP"}'] == {".": {}, "f:name": {}}
    assert fieldpath.parse(None) == {}
    assert fieldpath.parse({}) == {}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"f": {}}, "key must be 2 characters long:"),
        ({"fx": {}}, "missing colon: fx"),
        ({"k:[1]": {}}, "expected an object"),
        ({"f:a": []}, "must be a JSON object"),
        ([], "fieldsV1 must be a JSON object"),
    ],
)
def test_parse_rejects_malformed_fields(raw: Any, message: str) -> None:
    with pytest.raises(fieldpath.FieldsError, match=message.replace("[", r"\[")):
        fieldpath.parse(raw)


def test_set_operations_treat_the_dot_as_membership() -> None:
    a = fieldpath.parse({"f:data": {".": {}, "f:a": {}, "f:b": {}}, "f:x": {}})
    b = fieldpath.parse({"f:data": {"f:b": {}, "f:c": {}}})
    assert fieldpath.union(a, b) == {
        "f:data": {".": {}, "f:a": {}, "f:b": {}, "f:c": {}},
        "f:x": {},
    }
    assert fieldpath.difference(a, b) == {"f:data": {".": {}, "f:a": {}}, "f:x": {}}
    assert fieldpath.intersection(a, b) == {"f:data": {"f:b": {}}}
    # Owning a node does not remove what lies below it, unless recursively.
    assert fieldpath.difference(a, {"f:data": {}}) == {"f:data": {"f:a": {}, "f:b": {}}, "f:x": {}}
    assert fieldpath.recursive_difference(a, {"f:data": {}}) == {"f:x": {}}
    assert fieldpath.difference(a, a) == {}
    assert fieldpath.union(b, fieldpath.from_paths(("f:data",))) == {
        "f:data": {".": {}, "f:b": {}, "f:c": {}}
    }


def test_set_operations_keep_the_serialization_order_and_share_unchanged_nodes() -> None:
    a = fieldpath.parse({"f:m": {"f:z": {}}, "f:b": {}})
    merged = fieldpath.union(a, fieldpath.from_paths(("f:a",), ("f:m", "f:c")))
    assert list(merged) == ["f:a", "f:b", "f:m"]
    assert list(merged["f:m"]) == ["f:c", "f:z"]
    assert fieldpath.difference(a, {"f:q": {}}) is a
    assert fieldpath.union(a, {}) is a


def test_paths_iterate_members_before_children() -> None:
    s = fieldpath.parse(
        {"f:spec": {"f:replicas": {}, "f:template": {"f:x": {}}}, "f:data": {".": {}, "f:k": {}}}
    )
    assert [fieldpath.path_string(p) for p in fieldpath.paths(s)] == [
        ".data",
        ".data.k",
        ".spec.replicas",
        ".spec.template.x",
    ]
    assert fieldpath.has(s, ("f:data",))
    assert fieldpath.has(s, ("f:spec", "f:replicas"))
    assert not fieldpath.has(s, ("f:spec",))


# --- field sets of objects -----------------------------------------------------------------------


def test_field_set_of_an_applied_configuration() -> None:
    config = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "labels": {"app": "a"}, "annotations": {}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "a"}},
            "template": {
                "metadata": {"labels": {"app": "a"}},
                "spec": {
                    "containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80}]}],
                    "nodeSelector": {"disk": "ssd"},
                },
            },
        },
    }
    assert field_set(config, DEPLOYMENT) == {
        "f:apiVersion": {},
        "f:kind": {},
        "f:metadata": {"f:annotations": {}, "f:labels": {"f:app": {}}, "f:name": {}},
        "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"c"}': {
                            ".": {},
                            "f:image": {},
                            "f:name": {},
                            "f:ports": {
                                'k:{"containerPort":80,"protocol":"TCP"}': {
                                    ".": {},
                                    "f:containerPort": {},
                                }
                            },
                        }
                    },
                    "f:nodeSelector": {},
                },
            },
        },
    }


def test_field_set_of_sets_nulls_and_kinds_without_schema() -> None:
    obj = {"metadata": {"finalizers": ["b", "a"], "labels": None}, "spec": {"x": {"y": [1, 2]}}}
    assert field_set(obj, CONFIGMAP) == {
        "f:metadata": {"f:finalizers": {'v:"a"': {}, 'v:"b"': {}}, "f:labels": {}},
        "f:spec": {".": {}, "f:x": {".": {}, "f:y": {}}},
    }
    # No schema: maps are granular (every key undeclared, so owned itself), lists atomic.
    assert field_set(obj, None) == {
        "f:metadata": {".": {}, "f:finalizers": {}, "f:labels": {}},
        "f:spec": {".": {}, "f:x": {".": {}, "f:y": {}}},
    }


# --- track_update ---------------------------------------------------------------------------------


def test_create_records_the_creator_like_kube_apiserver() -> None:
    # kubernetes#109576: what `kubectl apply` (client side) leaves on a new ConfigMap.
    annotation = '{"apiVersion":"v1","data":{"key":"value"},"kind":"ConfigMap"}\n'
    obj = configmap({"key": "value"}, annotations={LAST_APPLIED: annotation})
    created = track_update(None, obj, "kubectl-client-side-apply", CONFIGMAP, T0)
    assert created["metadata"]["managedFields"] == [
        {
            "manager": "kubectl-client-side-apply",
            "operation": "Update",
            "apiVersion": "v1",
            "time": T0,
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:data": {".": {}, "f:key": {}},
                "f:metadata": {"f:annotations": {".": {}, f"f:{LAST_APPLIED}": {}}},
            },
        }
    ]
    assert "managedFields" not in obj["metadata"]
    assert {k: v for k, v in created.items() if k != "metadata"} == {
        k: v for k, v in obj.items() if k != "metadata"
    }


def test_create_of_a_deployment_owns_defaults_and_marks_new_structures() -> None:
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "nginx",
                            "image": "nginx",
                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                            "resources": {},
                        }
                    ],
                    "restartPolicy": "Always",
                },
            },
        },
        "status": {},
    }
    created = track_update(None, obj, "kubectl-create", DEPLOYMENT, T0)
    assert fields_of(created, "kubectl-create") == {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:strategy": {
                "f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}},
                "f:type": {},
            },
            "f:template": {
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"nginx"}': {
                            ".": {},
                            "f:image": {},
                            "f:name": {},
                            "f:ports": {
                                ".": {},
                                'k:{"containerPort":80,"protocol":"TCP"}': {
                                    ".": {},
                                    "f:containerPort": {},
                                    "f:protocol": {},
                                },
                            },
                            "f:resources": {},
                        }
                    },
                    "f:restartPolicy": {},
                },
            },
        },
    }


def test_update_takes_changed_fields_from_their_owners() -> None:
    created = stored(track_update(None, configmap({"a": "1", "b": "2"}), "creator", CONFIGMAP, T0))
    changed = copy.deepcopy(created)
    changed["data"]["a"] = "changed"
    changed["metadata"]["labels"] = {"x": "y"}
    after = track_update(created, changed, "editor", CONFIGMAP, T1)
    assert entries(after) == [("creator", "Update", T0), ("editor", "Update", T1)]
    assert fields_of(after, "creator") == {"f:data": {".": {}, "f:b": {}}}
    assert fields_of(after, "editor") == {
        "f:data": {"f:a": {}},
        "f:metadata": {"f:labels": {".": {}, "f:x": {}}},
    }
    # Removing a field takes it from everyone; an entry left empty disappears.
    removed = copy.deepcopy(after)
    del removed["data"]
    del removed["metadata"]["labels"]
    final = track_update(after, removed, "cleaner", CONFIGMAP, T2)
    assert "managedFields" not in final["metadata"]


def test_update_merges_into_the_writers_entry_and_bumps_its_time() -> None:
    created = stored(track_update(None, configmap({"a": "1"}), "w", CONFIGMAP, T0))
    changed = copy.deepcopy(created)
    changed["data"]["b"] = "2"
    after = track_update(created, changed, "w", CONFIGMAP, T1)
    assert entries(after) == [("w", "Update", T1)]
    assert fields_of(after, "w") == {"f:data": {".": {}, "f:a": {}, "f:b": {}}}


def test_a_no_op_update_changes_nothing() -> None:
    created = stored(track_update(None, configmap({"a": "1"}), "w", CONFIGMAP, T0))
    again = track_update(created, copy.deepcopy(created), "other", CONFIGMAP, T3)
    assert again == created
    without = copy.deepcopy(created)
    del without["metadata"]["managedFields"]
    assert track_update(created, without, "other", CONFIGMAP, T3) == created


def test_updates_at_another_api_version_get_their_own_entry() -> None:
    created = stored(track_update(None, configmap({"a": "1"}), "w", CONFIGMAP, T0))
    changed = copy.deepcopy(created)
    changed["apiVersion"] = "v2"
    changed["data"]["b"] = "2"
    after = track_update(created, changed, "w", CONFIGMAP, T1)
    assert [(e["manager"], e["apiVersion"]) for e in after["metadata"]["managedFields"]] == [
        ("w", "v1"),
        ("w", "v2"),
    ]


def test_sent_managed_fields_replace_the_live_ones() -> None:
    created = stored(track_update(None, configmap({"a": "1"}), "w", CONFIGMAP, T0))
    sent = copy.deepcopy(created)
    sent["metadata"]["managedFields"] = [
        {
            "manager": "someone",
            "operation": "Apply",
            "apiVersion": "v1",
            "time": "2024-05-06T09:08:00+02:00",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:a": {".": {}}}},
        }
    ]
    after = track_update(created, sent, "w", CONFIGMAP, T1)
    assert after["metadata"]["managedFields"] == [
        {
            "manager": "someone",
            "operation": "Apply",
            "apiVersion": "v1",
            "time": T0,
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:a": {}}},
        }
    ]
    # Entries that do not decode are ignored: the live ones stay.
    sent["metadata"]["managedFields"][0]["operation"] = "Patch"
    assert track_update(created, sent, "w", CONFIGMAP, T1) == created


@pytest.mark.parametrize("reset", [[], [{}]])
def test_empty_managed_fields_reset_tracking_until_the_next_apply(reset: list[Any]) -> None:
    created = stored(track_update(None, configmap({"a": "1"}), "w", CONFIGMAP, T0))
    sent = copy.deepcopy(created)
    sent["metadata"]["managedFields"] = reset
    after = track_update(created, sent, "w", CONFIGMAP, T1)
    assert "managedFields" not in after["metadata"]
    changed = copy.deepcopy(after)
    changed["data"]["b"] = "2"
    assert "managedFields" not in track_update(after, changed, "w", CONFIGMAP, T2)["metadata"]
    # A create with [] is still tracked.
    fresh = configmap({"a": "1"})
    fresh["metadata"]["managedFields"] = reset
    assert entries(track_update(None, fresh, "c", CONFIGMAP, T0)) == [("c", "Update", T0)]


def test_subresources_ignore_managed_fields_in_the_request() -> None:
    created = stored(track_update(None, configmap({"a": "1"}), "w", CONFIGMAP, T0))
    sent = copy.deepcopy(created)
    sent["metadata"]["managedFields"] = []
    sent["data"]["a"] = "2"
    after = track_update(created, sent, "scaler", CONFIGMAP, T1, subresource="scale")
    assert after["metadata"]["managedFields"][-1] == {
        "manager": "scaler",
        "operation": "Update",
        "apiVersion": "v1",
        "time": T1,
        "fieldsType": "FieldsV1",
        "fieldsV1": {"f:data": {"f:a": {}}},
        "subresource": "scale",
    }


def test_a_nameless_writer_is_unknown() -> None:
    assert entries(track_update(None, configmap({"a": "1"}), "", CONFIGMAP, T0)) == [
        ("unknown", "Update", T0)
    ]


def test_ignored_fields_are_nobodys() -> None:
    created = stored(track_update(None, configmap({"a": "1"}), "w", CONFIGMAP, T0))
    changed = copy.deepcopy(created)
    changed["data"]["a"] = "2"
    changed["data"]["b"] = "3"
    after = track_update(created, changed, "x", CONFIGMAP, T1, ignored={"f:data": {"f:a": {}}})
    assert fields_of(after, "w") == {"f:data": {".": {}, "f:a": {}}}
    assert fields_of(after, "x") == {"f:data": {"f:b": {}}}


def test_list_items_without_keys_keep_the_live_managed_fields() -> None:
    pod = stored(
        track_update(
            None,
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "a"}]},
            },
            "w",
            POD,
            T0,
        )
    )
    broken = copy.deepcopy(pod)
    broken["spec"]["containers"] = [{"image": "no-name"}]
    after = track_update(pod, broken, "x", POD, T1)
    assert after["metadata"]["managedFields"] == pod["metadata"]["managedFields"]
    assert after["spec"] == broken["spec"]


def test_update_managers_are_capped_at_ten() -> None:
    obj = stored(track_update(None, configmap({}), "creator", CONFIGMAP, "2024-05-06T07:07:00Z"))
    for i in range(12):
        changed = copy.deepcopy(obj)
        changed["data"][f"k{i:02}"] = "v"
        obj = track_update(obj, changed, f"m{i:02}", CONFIGMAP, f"2024-05-06T07:08:{i:02}Z")
    managers = [e["manager"] for e in obj["metadata"]["managedFields"]]
    assert len(managers) == 10
    assert managers[0] == "ancient-changes"
    assert managers[1:] == [f"m{i:02}" for i in range(3, 12)]
    first = obj["metadata"]["managedFields"][0]
    assert first["time"] == "2024-05-06T07:08:02Z"
    assert first["fieldsV1"] == {"f:data": {".": {}, "f:k00": {}, "f:k01": {}, "f:k02": {}}}


def test_track_update_of_a_pod_is_fast() -> None:
    pod: Obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "containers": [
                {
                    "name": "web",
                    "image": "nginx",
                    "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    "env": [{"name": f"E{i}", "value": str(i)} for i in range(10)],
                    "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "100m"}},
                }
            ],
            "volumes": [{"name": "v", "emptyDir": {}}],
            "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoExecute"}],
        },
        "status": {
            "phase": "Running",
            "conditions": [{"type": t, "status": "True"} for t in ("Ready", "Initialized")],
            "containerStatuses": [{"name": "web", "ready": True, "restartCount": 0}],
        },
    }
    created = stored(track_update(None, pod, "creator", POD, T0))
    new = copy.deepcopy(created)
    new["status"]["containerStatuses"][0]["restartCount"] = 1
    new["metadata"]["labels"]["x"] = "y"
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        track_update(created, new, "kubelet", POD, T1)
    assert (time.perf_counter() - start) / runs < 1e-3


# --- apply ------------------------------------------------------------------------------------------


def test_apply_creates_and_records_the_applier() -> None:
    created = apply(
        None, configmap({"k": "v"}, labels={"app": "a"}), "kubectl", False, CONFIGMAP, T0
    )
    assert created["data"] == {"k": "v"}
    assert created["metadata"]["managedFields"] == [
        {
            "manager": "kubectl",
            "operation": "Apply",
            "apiVersion": "v1",
            "time": T0,
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:k": {}}, "f:metadata": {"f:labels": {"f:app": {}}}},
        }
    ]


def test_apply_never_owns_server_metadata() -> None:
    # fieldmanager_test.go TestApplyStripsFields / TestApplyDoesNotStripLabels.
    created = apply(None, configmap(), "a", False, CONFIGMAP, T0)
    assert "managedFields" not in created["metadata"]
    labelled = apply(None, configmap(labels={"a": "b"}), "a", False, CONFIGMAP, T0)
    assert len(labelled["metadata"]["managedFields"]) == 1


def test_apply_rejects_managed_fields_and_other_kinds() -> None:
    live = stored(apply(None, configmap({"k": "v"}), "a", False, CONFIGMAP, T0))
    with pytest.raises(FieldManagerError) as err:
        apply(live, configmap(managedFields=[{"manager": "x"}]), "a", False, CONFIGMAP, T1)
    assert (err.value.code, err.value.reason, err.value.message) == (
        400,
        "BadRequest",
        "metadata.managedFields must be nil",
    )
    wrong = {"apiVersion": "apps/v1beta1", "kind": "Deployment", "metadata": {"name": "cm"}}
    with pytest.raises(
        FieldManagerError, match=r"^invalid object type: apps/v1beta1, Kind=Deployment$"
    ):
        apply(live, wrong, "a", False, CONFIGMAP, T1)
    with pytest.raises(FieldManagerError, match=r"^invalid object type: /, Kind=$"):
        apply(live, {}, "a", False, CONFIGMAP, T1)


def test_conflict_with_an_updater_is_kube_apiservers_409() -> None:
    live = stored(
        track_update(None, configmap({"k": "v"}), "kubectl-client-side-apply", CONFIGMAP, T0)
    )
    with pytest.raises(ApplyConflictError) as err:
        apply(live, configmap({"k": "mine"}), "other", False, CONFIGMAP, T1)
    assert err.value.status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.k',
        "reason": "Conflict",
        "details": {
            "causes": [
                {
                    "reason": "FieldManagerConflict",
                    "message": 'conflict with "kubectl-client-side-apply" using v1',
                    "field": ".data.k",
                }
            ]
        },
        "code": 409,
    }
    # Applying the value already there co-owns the field without a conflict.
    shared = apply(live, configmap({"k": "v"}), "other", False, CONFIGMAP, T1)
    assert fields_of(shared, "other") == {"f:data": {"f:k": {}}}
    assert fields_of(shared, "kubectl-client-side-apply") == {"f:data": {".": {}, "f:k": {}}}


def test_several_conflicts_are_grouped_by_manager() -> None:
    live = stored(apply(None, configmap(labels={"app": "x"}), "bar", False, CONFIGMAP, T0))
    changed = copy.deepcopy(live)
    changed["data"] = {"a": "1", "b": "2"}
    live = track_update(live, changed, "foo", CONFIGMAP, T1, subresource="status")
    with pytest.raises(ApplyConflictError) as err:
        apply(
            live, configmap({"a": "x", "b": "y"}, labels={"app": "y"}), "me", False, CONFIGMAP, T2
        )
    assert err.value.message == (
        'Apply failed with 3 conflicts: conflicts with "bar":\n- .metadata.labels.app\n'
        'conflicts with "foo" with subresource "status" using v1:\n- .data.a\n- .data.b'
    )
    assert [c["field"] for c in err.value.status()["details"]["causes"]] == [
        ".metadata.labels.app",
        ".data.a",
        ".data.b",
    ]
    assert err.value.status()["details"]["causes"][1]["message"] == (
        'conflict with "foo" with subresource "status" using v1'
    )


def test_force_takes_fields_over() -> None:
    live = stored(track_update(None, configmap({"k": "v", "j": "w"}), "creator", CONFIGMAP, T0))
    forced = apply(live, configmap({"k": "mine"}), "me", True, CONFIGMAP, T1)
    assert forced["data"] == {"k": "mine", "j": "w"}
    assert entries(forced) == [("me", "Apply", T1), ("creator", "Update", T0)]
    assert fields_of(forced, "me") == {"f:data": {"f:k": {}}}
    assert fields_of(forced, "creator") == {"f:data": {".": {}, "f:j": {}}}


def test_fields_dropped_from_the_configuration_are_removed_unless_shared() -> None:
    live = stored(
        apply(None, configmap({"a": "1", "b": "2", "c": "3"}), "me", False, CONFIGMAP, T0)
    )
    live = apply(live, configmap({"b": "2"}), "friend", False, CONFIGMAP, T1)
    after = apply(live, configmap({"a": "1"}), "me", False, CONFIGMAP, T2)
    assert after["data"] == {"a": "1", "b": "2"}
    assert fields_of(after, "me") == {"f:data": {"f:a": {}}}
    assert fields_of(after, "friend") == {"f:data": {"f:b": {}}}


def test_fields_owned_by_nobody_else_go_with_their_struct() -> None:
    config: Obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"a": "b"}},
            "template": {"spec": {"containers": [{"name": "c", "image": "i", "args": ["x"]}]}},
        },
    }
    live = stored(apply(None, config, "me", False, DEPLOYMENT, T0))
    live["spec"]["progressDeadlineSeconds"] = 600  # a default nobody owns
    smaller = copy.deepcopy(config)
    del smaller["spec"]["replicas"]
    del smaller["spec"]["template"]["spec"]["containers"][0]["args"]
    after = apply(live, smaller, "me", False, DEPLOYMENT, T1)
    assert "replicas" not in after["spec"]
    assert after["spec"]["progressDeadlineSeconds"] == 600
    assert after["spec"]["template"]["spec"]["containers"] == [{"name": "c", "image": "i"}]


def test_set_lists_merge_and_keep_ownership_apart() -> None:
    # structured-merge-diff merge/set_test.go apply_update_apply_no_overlap.
    live = stored(apply(None, thing(list=["a", "c"]), "default", False, SETS, T0))
    updated = copy.deepcopy(live)
    updated["list"] = ["a", "b", "c", "d"]
    live = track_update(live, updated, "controller", SETS, T1)
    after = apply(live, thing(list=["a", "aprime", "c", "cprime"]), "default", False, SETS, T2)
    assert after["list"] == ["a", "b", "aprime", "c", "d", "cprime"]
    assert fields_of(after, "default") == {
        "f:list": {'v:"a"': {}, 'v:"aprime"': {}, 'v:"c"': {}, 'v:"cprime"': {}}
    }
    assert fields_of(after, "controller") == {"f:list": {'v:"b"': {}, 'v:"d"': {}}}


def test_set_lists_follow_the_applied_order_and_shrink() -> None:
    # set_test.go apply_update_apply_reorder and apply_twice_remove.
    live = stored(apply(None, thing(list=["a", "b", "c", "d"]), "default", False, SETS, T0))
    reordered = copy.deepcopy(live)
    reordered["list"] = ["a", "d", "c", "b"]
    live = track_update(live, reordered, "controller", SETS, T1)
    assert [e["manager"] for e in live["metadata"]["managedFields"]] == ["default"]
    live = apply(live, thing(list=["a", "b", "c", "d"]), "default", False, SETS, T2)
    assert live["list"] == ["a", "b", "c", "d"]
    live = apply(live, thing(list=["a", "c"]), "default", False, SETS, T3)
    assert live["list"] == ["a", "c"]
    assert fields_of(live, "default") == {"f:list": {'v:"a"': {}, 'v:"c"': {}}}


def test_list_maps_merge_by_key() -> None:
    def service(*ports: Obj) -> Obj:
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "s"},
            "spec": {"ports": list(ports)},
        }

    live = stored(apply(None, service({"port": 80, "name": "http"}), "a", False, SERVICE, T0))
    live = apply(live, service({"port": 443, "name": "https"}), "b", False, SERVICE, T1)
    assert live["spec"]["ports"] == [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}]
    assert fields_of(live, "b") == {
        "f:spec": {
            "f:ports": {'k:{"port":443,"protocol":"TCP"}': {".": {}, "f:name": {}, "f:port": {}}}
        }
    }
    live = apply(live, service(), "a", False, SERVICE, T2)
    assert live["spec"]["ports"] == [{"port": 443, "name": "https"}]


def test_atomic_fields_are_replaced_whole() -> None:
    config: Obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"a": "b", "c": "d"}}},
    }
    live = stored(apply(None, config, "me", False, DEPLOYMENT, T0))
    config["spec"]["selector"] = {"matchLabels": {"x": "y"}}
    after = apply(live, config, "me", False, DEPLOYMENT, T1)
    assert after["spec"]["selector"] == {"matchLabels": {"x": "y"}}


def test_list_items_must_have_keys_and_be_unique() -> None:
    def deployment(*containers: Obj) -> Obj:
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "d", "namespace": "ns"},
            "spec": {"template": {"spec": {"containers": list(containers)}}},
        }

    with pytest.raises(FieldManagerError) as err:
        apply(None, deployment({"image": "i"}), "me", False, DEPLOYMENT, T0)
    assert (err.value.code, err.value.reason) == (500, "")
    assert err.value.message == (
        "failed to create typed patch object (ns/d; apps/v1, Kind=Deployment): "
        ".spec.template.spec.containers: element 0: associative list with keys has an element "
        'that omits all key fields ["name"] (and doesn\'t have default values for any key fields)'
    )
    with pytest.raises(FieldManagerError) as err:
        apply(None, deployment({"name": "a"}, {"name": "a"}), "me", False, DEPLOYMENT, T0)
    assert err.value.message == (
        "failed to create typed patch object (ns/d; apps/v1, Kind=Deployment): "
        '.spec.template.spec.containers: duplicate entries for key [name="a"]'
    )


def test_an_object_without_managed_fields_gets_a_before_first_apply_entry() -> None:
    # fieldmanager_test.go TestNoTrackManagedFieldsForClientSideApply.
    live = stored(configmap({"k": "v", "other": "o"}))
    after = apply(live, configmap({"k": "v", "new": "n"}), "ssa", False, CONFIGMAP, T1)
    assert entries(after) == [("ssa", "Apply", T1), ("before-first-apply", "Update", T1)]
    assert fields_of(after, "before-first-apply") == {"f:data": {".": {}, "f:k": {}, "f:other": {}}}
    with pytest.raises(ApplyConflictError, match='conflict with "before-first-apply" using v1'):
        apply(live, configmap({"k": "changed"}), "ssa", False, CONFIGMAP, T1)


def test_no_op_applies() -> None:
    live = stored(apply(None, configmap({"k": "v"}), "first", False, CONFIGMAP, T0))
    # Re-applying the same configuration changes nothing (TestApplyDoesNotChangeManagedFields).
    assert apply(live, configmap({"k": "v"}), "first", False, CONFIGMAP, T2) == live
    # A second manager applying the same values co-owns them: its entry has no time
    # (kubernetes#127938).
    second = apply(live, configmap({"k": "v"}), "second", False, CONFIGMAP, T2)
    assert entries(second) == [("second", "Apply", None), ("first", "Apply", T0)]


def test_kubectl_takes_over_what_client_side_apply_applied() -> None:
    # fieldmanager_test.go TestInteropForClientSideApplyAndServerSideApply.
    last = configmap({"k": "v1"})
    annotated = configmap({"k": "v1"}, annotations={LAST_APPLIED: json.dumps(last)})
    live = stored(track_update(None, annotated, "kubectl-client-side-apply", CONFIGMAP, T0))
    applied = configmap({"k": "v2"})
    with pytest.raises(ApplyConflictError):
        apply(live, applied, "not-kubectl", False, CONFIGMAP, T1)
    after = apply(live, applied, "kubectl", False, CONFIGMAP, T1)
    assert after["data"] == {"k": "v2"}
    assert fields_of(after, "kubectl") == {"f:data": {"f:k": {}}}
    assert after["metadata"]["annotations"][LAST_APPLIED] == (
        '{"apiVersion":"v1","data":{"k":"v2"},"kind":"ConfigMap",'
        '"metadata":{"name":"cm","namespace":"default"}}\n'
    )


def test_kubectl_only_takes_over_fields_its_last_applied_annotation_sets() -> None:
    last = configmap({"k": "v1"})
    annotated = configmap({"k": "v1"}, annotations={LAST_APPLIED: json.dumps(last)})
    live = stored(track_update(None, annotated, "kubectl-client-side-apply", CONFIGMAP, T0))
    changed = copy.deepcopy(live)
    changed["data"]["x"] = "theirs"
    live = track_update(live, changed, "controller", CONFIGMAP, T1)
    with pytest.raises(ApplyConflictError) as err:
        apply(live, configmap({"k": "v2", "x": "mine"}), "kubectl", False, CONFIGMAP, T2)
    assert err.value.message == (
        'Apply failed with 1 conflict: conflict with "controller" using v1: .data.x'
    )


def test_kubectl_conflicts_when_the_last_applied_annotation_does_not_match() -> None:
    # fieldmanager_test.go TestServerSideApplyWithInvalidLastApplied.
    annotated = configmap({"k": "v1"}, annotations={LAST_APPLIED: "invalid-object"})
    live = stored(track_update(None, annotated, "kubectl-client-side-apply", CONFIGMAP, T0))
    with pytest.raises(ApplyConflictError):
        apply(live, configmap({"k": "v2"}), "kubectl", False, CONFIGMAP, T1)
    forced = apply(live, configmap({"k": "v2"}), "kubectl", True, CONFIGMAP, T1)
    assert '"k":"v2"' in forced["metadata"]["annotations"][LAST_APPLIED]


def test_apply_results_share_nothing_with_the_inputs() -> None:
    live = stored(apply(None, configmap({"k": "v"}), "a", False, CONFIGMAP, T0))
    config = configmap({"j": "w"}, labels={"x": "y"})
    before = copy.deepcopy((live, config))
    after = apply(live, config, "b", False, CONFIGMAP, T1)
    assert (live, config) == before
    after["metadata"]["labels"]["x"] = "changed"
    after["metadata"]["managedFields"][0]["fieldsV1"]["f:data"] = {}
    assert (live, config) == before


def test_apply_on_a_subresource_with_reset_fields() -> None:
    live = stored(apply(None, configmap({"k": "v"}), "a", False, CONFIGMAP, T0))
    after = apply(
        live,
        configmap({"k": "v", "s": "1"}, labels={"l": "1"}),
        "status-writer",
        False,
        CONFIGMAP,
        T1,
        subresource="status",
        ignored={"f:metadata": {}},
    )
    assert after["metadata"]["managedFields"][1] == {
        "manager": "status-writer",
        "operation": "Apply",
        "apiVersion": "v1",
        "time": T1,
        "fieldsType": "FieldsV1",
        "fieldsV1": {"f:data": {"f:k": {}, "f:s": {}}},
        "subresource": "status",
    }


def test_entries_sort_apply_first_then_by_time_and_manager() -> None:
    # managedfields_test.go TestSortEncodedManagedFields "newest last".
    live = stored(configmap({"a": "1"}))
    live["metadata"]["managedFields"] = [
        {
            "manager": "c",
            "operation": "Update",
            "apiVersion": "v1",
            "time": "2002-01-01T01:00:00Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:a": {}}},
        },
        {
            "manager": "a",
            "operation": "Apply",
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:a": {}}},
        },
        {
            "manager": "c",
            "operation": "Update",
            "apiVersion": "v2",
            "time": "2001-01-01T01:00:00Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:a": {}}},
        },
        {
            "manager": "b",
            "operation": "Apply",
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:a": {}}},
        },
    ]
    after = apply(live, configmap({"a": "1"}), "a", False, CONFIGMAP, T0)
    assert [(e["manager"], e["apiVersion"]) for e in after["metadata"]["managedFields"]] == [
        ("a", "v1"),
        ("b", "v1"),
        ("c", "v2"),
        ("c", "v1"),
    ]


# --- default managers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "manager"),
    [
        ("kubectl/v1.37.1 (linux/amd64) kubernetes/f78e722", "kubectl"),
        ("Go-http-client/1.1", "Go-http-client"),
        ("python-requests/2.32.3", "python-requests"),
        ("OpenAPI-Generator/37.0.2/python", "OpenAPI-Generator"),
        ("", ""),
        ("tab\there\x00/x", "tabhere"),
        ("é" * 70, "é" * 64),
    ],
)
def test_default_manager_is_the_user_agent_prefix(user_agent: str, manager: str) -> None:
    assert default_manager(user_agent) == manager
