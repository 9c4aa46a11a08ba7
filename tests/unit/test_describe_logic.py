"""The computations behind the descriptions: which ReplicaSet is new, what pods a controller or
a claim has, how much a pod requests, its QoS class, role rule compaction, endpoint lists,
CSR subjects and kubectl's quirks (Go's int64 of a division by zero, random-free orders)."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

import pytest

from backends.objects.quantity import Quantity
from pykctl.describe.certificates import CSRError, csr_status, describe_csr
from pykctl.describe.containers import container_resource_value, describe_probe
from pykctl.describe.namespace import describe_limit_range, describe_resource_quota
from pykctl.describe.node import node_roles, pod_limits, pod_requests
from pykctl.describe.pod import compute_qos
from pykctl.describe.rbac import breakdown, combine_resource_group, compact, describe_role
from pykctl.describe.service import format_endpoint_slices
from pykctl.describe.storage import pods_for_claim
from pykctl.describe.workloads import _cap_indexes, new_and_old_replica_sets, pod_counts

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
Obj = dict[str, Any]


def owned(kind_uid: str, **meta: Any) -> Obj:
    return {"metadata": {"ownerReferences": [{"uid": kind_uid, "controller": True}], **meta}}


# ---------------------------------------------------------------- controllers


def test_pod_counts_only_count_owned_pods() -> None:
    pods = [
        {**owned("rs"), "status": {"phase": phase}}
        for phase in ("Running", "Running", "Pending", "Succeeded", "Failed", "Unknown")
    ]
    pods.append({"metadata": {}, "status": {"phase": "Running"}})
    pods.append({**owned("other"), "status": {"phase": "Running"}})
    assert str(pod_counts(pods, "rs")) == "2 Running / 1 Waiting / 1 Succeeded / 1 Failed"


TEMPLATE = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {"containers": [{"name": "c", "image": "v1"}]},
}


def replica_set(name: str, image: str, created: str, replicas: int, owner: str = "d") -> Obj:
    return {
        "metadata": {
            "name": name,
            "uid": name,
            "creationTimestamp": created,
            "ownerReferences": [{"uid": owner, "controller": True}],
        },
        "spec": {
            "replicas": replicas,
            "template": {
                "metadata": {"labels": {"app": "web", "pod-template-hash": name}},
                "spec": {"containers": [{"name": "c", "image": image}], "volumes": []},
            },
        },
    }


def test_new_replica_set_is_the_oldest_with_the_template_and_old_ones_want_pods() -> None:
    deployment = {"metadata": {"uid": "d"}, "spec": {"template": TEMPLATE}}
    sets = [
        replica_set("b", "v1", "2026-01-02T00:00:00Z", 1),
        replica_set("a", "v1", "2026-01-02T00:00:00Z", 1),
        replica_set("old", "v0", "2026-01-01T00:00:00Z", 2),
        replica_set("idle", "v0", "2026-01-01T00:00:00Z", 0),
        replica_set("stranger", "v1", "2025-01-01T00:00:00Z", 1, owner="x"),
    ]
    new, old = new_and_old_replica_sets(deployment, sets)
    assert new is not None and new["metadata"]["name"] == "a"
    assert [rs["metadata"]["name"] for rs in old] == ["old", "b"]


@pytest.mark.parametrize(
    ("indexes", "expected"),
    [("", "<none>"), ("1,3", "1,3"), ("0-9,11,13", "0-9,11,...")],
)
def test_completed_indexes_are_capped(indexes: str, expected: str) -> None:
    assert _cap_indexes(indexes, 5) == expected


# ---------------------------------------------------------------- pods and nodes


def pod(**spec: Any) -> Obj:
    return {"metadata": {"name": "p"}, "spec": spec, "status": {}}


def quantities(values: dict[str, Quantity]) -> dict[str, str]:
    return {name: str(value) for name, value in values.items()}


def test_requests_sum_containers_and_take_the_init_peak_with_sidecars() -> None:
    p = pod(
        containers=[
            {"name": "a", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
            {"name": "b", "resources": {"requests": {"cpu": "200m"}}},
        ],
        initContainers=[
            {"name": "side", "restartPolicy": "Always", "resources": {"requests": {"cpu": "50m"}}},
            {"name": "big", "resources": {"requests": {"cpu": "1", "memory": "32Mi"}}},
        ],
        overhead={"cpu": "10m"},
    )
    assert quantities(pod_requests(p, False)) == {"cpu": "1060m", "memory": "64Mi"}


def test_limits_get_overhead_only_when_set_and_pod_level_resources_win() -> None:
    p = pod(
        containers=[{"name": "a", "resources": {"limits": {"cpu": "1", "memory": "0"}}}],
        overhead={"cpu": "10m", "memory": "1Mi"},
    )
    assert quantities(pod_limits(p, False)) == {"cpu": "1010m", "memory": "0"}
    level = pod(
        containers=[{"name": "a", "resources": {"requests": {"cpu": "1"}}}],
        resources={"requests": {"cpu": "2", "example.com/x": "1"}},
    )
    assert quantities(pod_requests(level, False)) == {"cpu": "2"}


def test_requests_from_status_take_the_largest() -> None:
    p = pod(containers=[{"name": "a", "resources": {"requests": {"cpu": "100m"}}}])
    p["status"] = {"containerStatuses": [{"name": "a", "allocatedResources": {"cpu": "300m"}}]}
    assert quantities(pod_requests(p, True)) == {"cpu": "300m"}
    assert quantities(pod_requests(p, False)) == {"cpu": "100m"}


@pytest.mark.parametrize(
    ("containers", "expected"),
    [
        ([{}], "BestEffort"),
        (
            [
                {
                    "resources": {
                        "requests": {"cpu": "1", "memory": "1Gi"},
                        "limits": {"cpu": "1", "memory": "1Gi"},
                    }
                }
            ],
            "Guaranteed",
        ),
        ([{"resources": {"limits": {"cpu": "1"}}}], "Burstable"),
        ([{"resources": {"requests": {"ephemeral-storage": "1Gi"}}}], "BestEffort"),
        (
            [
                {
                    "resources": {
                        "requests": {"cpu": "1", "memory": "1"},
                        "limits": {"cpu": "1", "memory": "1"},
                    }
                },
                {},
            ],
            "Burstable",
        ),
    ],
)
def test_qos_class(containers: list[Obj], expected: str) -> None:
    assert compute_qos(pod(containers=containers)) == expected


def test_node_roles() -> None:
    node = {
        "metadata": {
            "labels": {
                "node-role.kubernetes.io/worker": "",
                "node-role.kubernetes.io/": "x",
                "kubernetes.io/role": "edge",
            }
        }
    }
    assert node_roles(node) == ["edge", "worker"]


def test_node_percentages_of_nothing_read_as_go_prints_them() -> None:
    from pykctl.describe.node import _percent

    assert _percent(250, 4000) == 6
    assert _percent(0, 0) == -(1 << 63)
    assert _percent(5, 0) == -(1 << 63)


# ---------------------------------------------------------------- containers


@pytest.mark.parametrize(
    ("probe", "expected"),
    [
        ({"httpGet": {"port": 80, "path": "/a b", "scheme": "HTTP"}}, "http-get http://:80/a%20b"),
        (
            {"httpGet": {"port": "web", "host": "::1", "scheme": "HTTPS"}},
            "http-get https://[::1]:web",
        ),
        ({"httpGet": {"port": 8080, "path": "x", "host": "h"}}, "http-get //h:8080/x"),
        ({"tcpSocket": {"port": "db"}}, "tcp-socket :db"),
        ({"exec": {"command": ["a", "b c"]}}, "exec [a b c]"),
        ({"grpc": {"port": 9000, "service": "health"}}, "grpc <pod>:9000 health"),
        ({}, "unknown"),
    ],
)
def test_probe(probe: Obj, expected: str) -> None:
    attrs = "delay=0s timeout=0s period=0s successThreshold=0 failureThreshold=0"
    assert describe_probe(probe) == f"{expected} {attrs}"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ({"resource": "limits.cpu", "divisor": "1m"}, "500"),
        ({"resource": "limits.cpu"}, "1"),
        ({"resource": "requests.memory", "divisor": "1Mi"}, "64"),
        ({"resource": "limits.hugepages-2Mi"}, "0"),
        ({"resource": "limits.gpu"}, ""),
    ],
)
def test_resource_field_values(ref: Obj, expected: str) -> None:
    container = {"resources": {"limits": {"cpu": "500m"}, "requests": {"memory": "64Mi"}}}
    assert container_resource_value(ref, container) == expected


# ---------------------------------------------------------------- services and storage


def endpoint_slice(ports: list[Obj], addresses: list[tuple[str, bool | None]]) -> Obj:
    endpoints = []
    for address, ready in addresses:
        conditions = {} if ready is None else {"ready": ready}
        endpoints.append({"addresses": [address], "conditions": conditions})
    return {"ports": ports, "endpoints": endpoints}


def test_endpoint_lists() -> None:
    eps = endpoint_slice(
        [{"name": "http", "port": 80}, {"name": "admin", "port": 9000}],
        [
            ("10.0.0.1", True),
            ("10.0.0.2", False),
            ("10.0.0.3", None),
            ("fd00::4", True),
            ("10.0.0.5", True),
        ],
    )
    assert format_endpoint_slices([], {"http"}) == "<none>"
    assert format_endpoint_slices([eps], {"other"}) == ""
    assert (
        format_endpoint_slices([eps], {"http"})
        == "10.0.0.1:80,10.0.0.3:80,[fd00::4]:80 + 1 more..."
    )
    assert format_endpoint_slices([eps], None).endswith(" + 5 more...")
    headless = endpoint_slice([], [("10.1.0.1", None), ("10.1.0.2", False)])
    assert format_endpoint_slices([headless], {""}) == "10.1.0.1"


def test_claim_users_are_mounting_pods_then_owners() -> None:
    claim = {"metadata": {"name": "data", "ownerReferences": [{"kind": "Pod", "uid": "u3"}]}}
    pods: list[Obj] = [
        {
            "metadata": {"name": "a", "uid": "u1"},
            "spec": {"volumes": [{"persistentVolumeClaim": {"claimName": "data"}}] * 2},
        },
        {
            "metadata": {"name": "b", "uid": "u2"},
            "spec": {"volumes": [{"persistentVolumeClaim": {"claimName": "x"}}]},
        },
        {"metadata": {"name": "c", "uid": "u3"}, "spec": {}},
    ]
    assert [p["metadata"]["name"] for p in pods_for_claim(claim, pods)] == ["a", "a", "c"]


def test_quota_used_values_take_the_hard_format() -> None:
    quota = {
        "metadata": {"name": "q", "namespace": "ns"},
        "spec": {"scopes": ["NotTerminating", "Custom"]},
        "status": {"hard": {"memory": "1Gi", "pods": "10"}, "used": {"memory": "512Mi"}},
    }
    assert describe_resource_quota(quota) == (
        "Name:       q\n"
        "Namespace:  ns\n"
        "Scopes:     Custom, NotTerminating\n"
        " * Matches all pods that do not have an active deadline. These pods usually include long "
        "running pods whose container command is not expected to terminate.\n"
        "Resource  Used   Hard\n"
        "--------  ----   ----\n"
        "memory    512Mi  1Gi\n"
        "pods      0      10\n"
    )


def test_limit_range_rows_are_sorted_by_resource() -> None:
    limit_range = {
        "metadata": {"name": "l", "namespace": "ns"},
        "spec": {
            "limits": [{"type": "Container", "max": {"memory": "1Gi"}, "default": {"cpu": "1"}}]
        },
    }
    assert describe_limit_range(limit_range).splitlines()[4:] == [
        "Container   cpu       -    -    -                1              -",
        "Container   memory    -    1Gi  -                -              -",
    ]


# ---------------------------------------------------------------- RBAC


def test_rules_are_broken_down_compacted_and_sorted() -> None:
    rules = [
        {"apiGroups": ["", "apps"], "resources": ["pods"], "verbs": ["get", "list"]},
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["watch", "get"]},
        {
            "apiGroups": [""],
            "resources": ["configmaps"],
            "resourceNames": ["a", "b"],
            "verbs": ["get"],
        },
        {"resources": ["ignored"], "verbs": ["get"]},
        {"nonResourceURLs": ["/healthz"], "verbs": ["get", "head"]},
    ]
    compacted = compact([r for rule in rules for r in breakdown(rule)])
    assert len(compacted) == 6
    role = {"metadata": {"name": "r"}, "rules": rules}
    assert describe_role(role).splitlines()[3:] == [
        "PolicyRule:",
        "  Resources   Non-Resource URLs  Resource Names  Verbs",
        "  ---------   -----------------  --------------  -----",
        "  pods        []                 []              [get list watch]",
        "  pods.apps   []                 []              [get list]",
        "              [/healthz]         []              [get]",
        "  configmaps  []                 [a]             [get]",
        "  configmaps  []                 [b]             [get]",
        "              [/healthz]         []              [head]",
    ]


def test_combine_resource_group() -> None:
    assert combine_resource_group(["deployments/scale"], ["apps"]) == "deployments.apps/scale"
    assert combine_resource_group(["pods"], [""]) == "pods"
    assert combine_resource_group([], ["x"]) == ""


# ---------------------------------------------------------------- certificates


def test_csr_status() -> None:
    assert csr_status({}) == "Pending"
    conditions = [{"type": "Approved"}, {"type": "Failed"}]
    assert (
        csr_status({"status": {"conditions": conditions, "certificate": "eA=="}})
        == "Approved,Failed,Issued"
    )
    assert (
        csr_status({"status": {"conditions": [{"type": "Denied"}, {"type": "Approved"}]}})
        == "Denied"
    )


def test_csr_that_does_not_parse() -> None:
    with pytest.raises(CSRError) as raised:
        describe_csr({"spec": {"request": base64.b64encode(b"nope").decode()}}, None, NOW)
    assert str(raised.value) == "Error parsing CSR: PEM block type must be CERTIFICATE REQUEST"


# ---------------------------------------------------------------- how errors are reported


def reported(err: BaseException) -> str:
    import io

    from pykctl.cli.errors import report

    stream = io.StringIO()
    report(err, stream)
    return stream.getvalue()


def test_errors_print_as_kubectl_aggregates_them() -> None:
    from backends.errors import ApiError
    from pykctl.cli.commands.describe import AggregateError, final_error
    from pykctl.cli.errors import CommandError

    missing = ApiError(404, "NotFound", 'pods "a" not found')
    other = ApiError(404, "NotFound", 'pods "b" not found')
    mapping = CommandError('resource mapping not found for name: "w"')
    lone = final_error([missing], [])
    assert reported(lone) == 'Error from server (NotFound): pods "a" not found\n'
    # errors met reading sources stay one nested aggregate: bare lines, "[a, b]" beside others
    assert reported(final_error([AggregateError([mapping])], [])) == (
        'resource mapping not found for name: "w"\n'
    )
    assert reported(final_error([AggregateError([missing, other])], [mapping])) == (
        '[pods "a" not found, pods "b" not found]\nresource mapping not found for name: "w"\n'
    )
    assert reported(final_error([missing, other], [])) == (
        'Error from server (NotFound): pods "a" not found\n'
        'Error from server (NotFound): pods "b" not found\n'
    )
    assert reported(final_error([], [CommandError("resource name may not be empty")])) == (
        "error: resource name may not be empty\n"
    )


def test_list_errors_name_what_was_listed() -> None:
    from backends.errors import ApiError
    from pykctl.cli.commands.describe import enhance_list_error

    bad = ApiError(400, "BadRequest", "unable to parse requirement")
    enhanced = enhance_list_error(bad, "/v1, Resource=pods", "a b", "")
    assert enhanced.message == (
        'Unable to find "/v1, Resource=pods" that match label selector "a b", field selector "": '
        "unable to parse requirement"
    )
    assert enhance_list_error(bad, "pods", "", "").message == (
        'Unable to list "pods": unable to parse requirement'
    )
    forbidden = ApiError(403, "Forbidden", "no")
    assert enhance_list_error(forbidden, "pods", "", "") is forbidden
