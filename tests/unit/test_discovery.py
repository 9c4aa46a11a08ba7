"""Discovery documents: shapes clients parse, content negotiation, and agreement with the registry.

The python client's generated models (kubernetes 37, pydantic) serve as an independent check
that every document has the fields the Kubernetes API defines as required.
"""

from __future__ import annotations

import json

import pytest
from kubernetes.client.models import (
    V1APIGroup,
    V1APIGroupList,
    V1APIResourceList,
    V1APIVersions,
    V2APIGroupDiscoveryList,
    VersionInfo,
)

from backends.simulator.apiserver import discovery
from backends.simulator.apiserver.discovery import (
    AGGREGATED_CONTENT_TYPE,
    aggregated_discovery,
    api_group,
    api_group_list,
    api_resource_list,
    api_versions,
    discovery_document,
    version_info,
    wants_aggregated,
)
from backends.simulator.apiserver.resources import GROUP_ORDER, RESOURCES, group_versions

KUBECTL_ACCEPT = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
)


@pytest.mark.parametrize(
    ("accept", "aggregated"),
    [
        (KUBECTL_ACCEPT, True),
        (AGGREGATED_CONTENT_TYPE, True),
        ("application/json; g=apidiscovery.k8s.io; v=v2; as=APIGroupDiscoveryList", True),
        (AGGREGATED_CONTENT_TYPE + ";profile=nopeer", True),
        ("application/json", False),
        ("application/json, */*", False),
        ("*/*", False),
        ("", False),
        (None, False),
        ("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList", False),
        (
            "application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
            False,
        ),
    ],
)
def test_aggregated_only_when_asked_for(accept: str | None, aggregated: bool) -> None:
    assert wants_aggregated(accept) is aggregated


def test_aggregated_core_pods_entry() -> None:
    document = aggregated_discovery(core=True)
    assert (document["kind"], document["apiVersion"]) == (
        "APIGroupDiscoveryList",
        "apidiscovery.k8s.io/v2",
    )
    (item,) = document["items"]
    assert item["metadata"] == {"name": ""}
    (version,) = item["versions"]
    assert (version["version"], version["freshness"]) == ("v1", "Current")
    pods = next(r for r in version["resources"] if r["resource"] == "pods")
    subresources = {s["subresource"]: s for s in pods.pop("subresources")}
    assert pods == {
        "resource": "pods",
        "responseKind": {"group": "", "version": "v1", "kind": "Pod"},
        "scope": "Namespaced",
        "singularResource": "pod",
        "verbs": [
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        "shortNames": ["po"],
        "categories": ["all"],
    }
    assert subresources["log"] == {
        "subresource": "log",
        "responseKind": {"group": "", "version": "v1", "kind": "Pod"},
        "verbs": ["get"],
    }
    assert subresources["exec"]["responseKind"]["kind"] == "PodExecOptions"
    assert subresources["eviction"]["responseKind"] == {
        "group": "policy",
        "version": "v1",
        "kind": "Eviction",
    }


def test_aggregated_groups_scale_and_scope() -> None:
    document = aggregated_discovery(core=False)
    assert [i["metadata"]["name"] for i in document["items"]] == [g for g in GROUP_ORDER if g]
    apps = document["items"][0]["versions"][0]["resources"]
    deployments = next(r for r in apps if r["resource"] == "deployments")
    scale = next(s for s in deployments["subresources"] if s["subresource"] == "scale")
    assert scale["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    rbac = next(
        i for i in document["items"] if i["metadata"]["name"] == "rbac.authorization.k8s.io"
    )
    scopes = {r["resource"]: r["scope"] for r in rbac["versions"][0]["resources"]}
    assert scopes == {
        "clusterrolebindings": "Cluster",
        "clusterroles": "Cluster",
        "rolebindings": "Namespaced",
        "roles": "Namespaced",
    }
    # Empty shortNames/categories/subresources are left out, as the apiserver omits them.
    roles = next(r for r in rbac["versions"][0]["resources"] if r["resource"] == "roles")
    assert not {"shortNames", "categories", "subresources"} & set(roles)


def test_aggregated_lists_every_registry_resource_once() -> None:
    listed = [
        (item["metadata"]["name"], version["version"], resource["resource"])
        for core in (True, False)
        for item in aggregated_discovery(core)["items"]
        for version in item["versions"]
        for resource in version["resources"]
    ]
    assert sorted(listed) == sorted((r.group, r.version, r.plural) for r in RESOURCES)


def test_documents_parse_as_the_api_types() -> None:
    for core in (True, False):
        V2APIGroupDiscoveryList.from_dict(aggregated_discovery(core))
    V1APIVersions.from_dict(api_versions("127.0.0.1:6443"))
    V1APIGroupList.from_dict(api_group_list())
    V1APIGroup.from_dict(api_group("apps"))
    for group, version in group_versions():
        V1APIResourceList.from_dict(api_resource_list(group, version))
    info = VersionInfo.from_dict(version_info())
    assert info is not None
    assert (info.major, info.minor, info.git_version) == ("1", "37", "v1.37.1")


def test_legacy_api_versions() -> None:
    assert api_versions("127.0.0.1:8080") == {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:8080"}
        ],
    }


def test_legacy_group_list_preferred_version_is_a_listed_version() -> None:
    document = api_group_list()
    assert (document["kind"], document["apiVersion"]) == ("APIGroupList", "v1")
    assert [g["name"] for g in document["groups"]] == [g for g in GROUP_ORDER if g]
    for group in document["groups"]:
        # The python DynamicClient finds the preferred version by dict equality.
        assert group["preferredVersion"] in group["versions"]
    autoscaling = next(g for g in document["groups"] if g["name"] == "autoscaling")
    assert autoscaling["versions"] == [{"groupVersion": "autoscaling/v2", "version": "v2"}]


def test_legacy_group() -> None:
    assert api_group("batch") == {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": "batch",
        "versions": [{"groupVersion": "batch/v1", "version": "v1"}],
        "preferredVersion": {"groupVersion": "batch/v1", "version": "v1"},
    }
    assert api_group("extensions") is None


def test_legacy_core_resource_list() -> None:
    document = api_resource_list("", "v1")
    assert document is not None
    assert "apiVersion" not in document  # the core list has none on a real apiserver
    assert (document["kind"], document["groupVersion"]) == ("APIResourceList", "v1")
    by_name = {r["name"]: r for r in document["resources"]}
    assert by_name["pods"] == {
        "name": "pods",
        "singularName": "pod",
        "namespaced": True,
        "kind": "Pod",
        "verbs": [
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        "shortNames": ["po"],
        "categories": ["all"],
    }
    assert by_name["pods/log"] == {
        "name": "pods/log",
        "singularName": "",
        "namespaced": True,
        "kind": "Pod",
        "verbs": ["get"],
    }
    assert by_name["pods/eviction"]["group"] == "policy"
    assert by_name["pods/eviction"]["version"] == "v1"
    assert by_name["serviceaccounts/token"]["group"] == "authentication.k8s.io"
    assert by_name["nodes/status"]["namespaced"] is False
    names = [r["name"] for r in document["resources"]]
    # Subresources follow their parent.
    assert names[names.index("pods") : names.index("pods") + 3] == [
        "pods",
        "pods/attach",
        "pods/binding",
    ]


def test_legacy_group_resource_list() -> None:
    document = api_resource_list("apps", "v1")
    assert document is not None
    assert document["apiVersion"] == "v1"
    assert document["groupVersion"] == "apps/v1"
    scale = next(r for r in document["resources"] if r["name"] == "deployments/scale")
    assert scale == {
        "name": "deployments/scale",
        "singularName": "",
        "namespaced": True,
        "group": "autoscaling",
        "version": "v1",
        "kind": "Scale",
        "verbs": ["get", "patch", "update"],
    }
    assert api_resource_list("apps", "v1beta1") is None
    assert api_resource_list("", "v2") is None


def test_builders_return_fresh_documents() -> None:
    aggregated_discovery(core=True)["items"].clear()
    assert aggregated_discovery(core=True)["items"]
    api_group_list()["groups"].clear()
    assert api_group_list()["groups"]


@pytest.mark.parametrize("path", ["/api", "/api/"])
def test_document_api(path: str) -> None:
    aggregated = discovery_document(path, KUBECTL_ACCEPT, "127.0.0.1:1")
    assert aggregated is not None
    assert (
        aggregated.content_type
        == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    )
    assert json.loads(aggregated.body) == aggregated_discovery(core=True)
    assert aggregated.etag is not None and aggregated.etag.startswith('"')
    legacy = discovery_document(path, "application/json, */*", "127.0.0.1:1")
    assert legacy is not None
    assert (legacy.content_type, legacy.etag) == ("application/json", None)
    assert json.loads(legacy.body) == api_versions("127.0.0.1:1")


def test_document_apis() -> None:
    aggregated = discovery_document("/apis/", KUBECTL_ACCEPT, "h:1")
    legacy = discovery_document("/apis", "application/json", "h:1")
    assert aggregated is not None and legacy is not None
    assert json.loads(aggregated.body) == aggregated_discovery(core=False)
    assert json.loads(legacy.body) == api_group_list()
    core = discovery_document("/api", KUBECTL_ACCEPT, "h:1")
    assert core is not None and aggregated.etag != core.etag


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/version", version_info()),
        ("/version/", version_info()),
        ("/api/v1", api_resource_list("", "v1")),
        ("/api/v1/", api_resource_list("", "v1")),
        ("/apis/apps", api_group("apps")),
        ("/apis/apps/v1", api_resource_list("apps", "v1")),
        (
            "/apis/rbac.authorization.k8s.io/v1/",
            api_resource_list("rbac.authorization.k8s.io", "v1"),
        ),
    ],
)
def test_document_other_paths(path: str, expected: discovery.Body) -> None:
    # Per-group-version lists exist only in the legacy form, whatever the client accepts.
    document = discovery_document(path, KUBECTL_ACCEPT, "h:1")
    assert document is not None
    assert document.content_type == "application/json"
    assert json.loads(document.body) == expected


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/healthz",
        "/api/v2",
        "/apis/extensions",
        "/apis/apps/v2",
        "/api/v1/pods",
        "/apis/apps/v1/deployments",
        "/openapi/v3",
    ],
)
def test_document_not_discovery(path: str) -> None:
    assert discovery_document(path, KUBECTL_ACCEPT, "h:1") is None


def test_bodies_are_compact_sorted_json() -> None:
    document = discovery_document("/apis/batch/v1", None, "h:1")
    assert document is not None
    assert (
        document.body
        == json.dumps(json.loads(document.body), separators=(",", ":"), sort_keys=True).encode()
    )
