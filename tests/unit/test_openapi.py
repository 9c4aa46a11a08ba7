"""OpenAPI v3 documents: schema conversion, the operations kubectl relies on, and how they are served."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from backends.objects import schemas
from backends.simulator.apiserver.openapi import (
    PATCH_CONTENT_TYPES,
    Response,
    convert_schema,
    group_version_document,
    gv_path,
    index,
    serve,
)
from backends.simulator.apiserver.resources import RESOURCES, ResourceType, group_versions

Schema = dict[str, Any]
REF = "#/components/schemas/"
KUBECTL_INDEX_ACCEPT = "application/json, */*"


def document(group: str, version: str) -> Schema:
    built = group_version_document(group, version)
    assert built is not None
    return built


@pytest.fixture(scope="module")
def documents() -> dict[tuple[str, str], Schema]:
    return {gv: document(*gv) for gv in group_versions()}


def walk_schemas(node: Any) -> Iterator[Schema]:
    """Every schema object under ``node`` (properties maps are names, not schemas)."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key == "properties":
                for prop in value.values():
                    yield from walk_schemas(prop)
            else:
                yield from walk_schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk_schemas(value)


def operations(doc: Schema) -> Iterator[tuple[str, str, Schema]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def collection_path(r: ResourceType) -> str:
    prefix = f"/apis/{r.group}/{r.version}" if r.group else f"/api/{r.version}"
    return prefix + ("/namespaces/{namespace}/" if r.namespaced else "/") + r.plural


def gvk(group: str, version: str, kind: str) -> Schema:
    return {"group": group, "kind": kind, "version": version}


# -- schema conversion ----------------------------------------------------------------------------


def test_convert_ref_alone_and_with_siblings() -> None:
    assert convert_schema({"$ref": "#/$defs/a.B"}) == {"$ref": REF + "a.B"}
    assert convert_schema({"$ref": "#/$defs/a.B", "description": "d"}) == {
        "allOf": [{"$ref": REF + "a.B"}],
        "description": "d",
    }


def test_convert_nullable_types_and_nesting() -> None:
    source = {
        "type": ["object", "null"],
        "properties": {
            "list": {"type": ["array", "null"], "items": {"$ref": "#/$defs/x.Y"}},
            "map": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
            "type": {"type": ["string", "null"]},  # a property named "type"
            "$ref": {"type": ["string", "null"]},  # and one named "$ref" (JSONSchemaProps)
        },
        "required": ["list"],
        "x-kubernetes-map-type": "atomic",
    }
    assert convert_schema(source) == {
        "type": "object",
        "properties": {
            "list": {"type": "array", "items": {"$ref": REF + "x.Y"}},
            "map": {"type": "object", "additionalProperties": {"type": "string"}},
            "type": {"type": "string"},
            "$ref": {"type": "string"},
        },
        "required": ["list"],
        "x-kubernetes-map-type": "atomic",
    }


def test_converted_documents_are_openapi_3_0(documents: dict[tuple[str, str], Schema]) -> None:
    for doc in documents.values():
        text = json.dumps(doc)
        assert "#/$defs/" not in text
        for schema in walk_schemas(doc["components"]):
            assert isinstance(schema.get("type", ""), str), schema
            assert "null" not in schema.get("type", "")


def test_kind_schema_keeps_gvk_docs_and_patch_metadata() -> None:
    components = document("", "v1")["components"]["schemas"]
    pod = components["io.k8s.api.core.v1.Pod"]
    assert pod["x-kubernetes-group-version-kind"] == [gvk("", "v1", "Pod")]
    assert pod["type"] == "object"
    assert pod["description"].startswith("Pod is a collection of containers")
    # JSON-schema generators add single-value enums to apiVersion/kind; upstream has none.
    assert pod["properties"]["apiVersion"] == {
        "description": schemas.definitions()["io.k8s.api.core.v1.Pod"]["properties"]["apiVersion"][
            "description"
        ],
        "type": "string",
    }
    assert "enum" not in pod["properties"]["kind"]
    assert pod["properties"]["spec"]["allOf"] == [{"$ref": REF + "io.k8s.api.core.v1.PodSpec"}]
    containers = components["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["items"] == {"$ref": REF + "io.k8s.api.core.v1.Container"}
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["x-kubernetes-list-type"] == "map"
    assert containers["x-kubernetes-list-map-keys"] == ["name"]
    assert components["io.k8s.api.core.v1.Container"]["required"] == ["name"]


def test_int_or_string_and_quantity() -> None:
    components = document("apps", "v1")["components"]["schemas"]
    assert components["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] == {
        "format": "int-or-string",
        "oneOf": [{"type": "string"}, {"type": "integer"}],
    }
    assert components["io.k8s.apimachinery.pkg.api.resource.Quantity"] == {
        "oneOf": [{"type": "string"}, {"type": "number"}]
    }


def test_conversion_leaves_the_definitions_alone() -> None:
    pod = schemas.definitions()["io.k8s.api.core.v1.Pod"]
    document("", "v1")
    assert pod["properties"]["kind"]["enum"] == ["Pod"]
    assert pod["type"] == ["object", "null"]


# -- documents ------------------------------------------------------------------------------------


def test_document_header(documents: dict[tuple[str, str], Schema]) -> None:
    for doc in documents.values():
        assert doc["openapi"] == "3.0.0"
        assert doc["info"] == {"title": "Kubernetes", "version": "v1.37.1"}
    assert group_version_document("apps", "v1beta1") is None
    assert group_version_document("extensions", "v1") is None


def test_every_ref_resolves_and_components_are_needed(
    documents: dict[tuple[str, str], Schema],
) -> None:
    for doc in documents.values():
        components = doc["components"]["schemas"]
        refs = {
            s["$ref"].removeprefix(REF) for s in walk_schemas(doc) if isinstance(s.get("$ref"), str)
        }
        assert set(components) == refs  # every ref resolves, and nothing is unreferenced
    core = documents["", "v1"]["components"]["schemas"]
    assert "io.k8s.api.apps.v1.Deployment" not in core
    assert "io.k8s.api.policy.v1.Eviction" in core  # pods/eviction
    assert "io.k8s.api.autoscaling.v1.Scale" in documents["apps", "v1"]["components"]["schemas"]


def test_every_resource_has_patch_kubectl_accepts(documents: dict[tuple[str, str], Schema]) -> None:
    for r in RESOURCES:
        if "patch" not in r.verbs:
            continue
        patch = documents[r.group, r.version]["paths"][collection_path(r) + "/{name}"]["patch"]
        assert patch["x-kubernetes-group-version-kind"] == gvk(r.group, r.version, r.kind)
        assert "fieldValidation" in {p["name"] for p in patch["parameters"]}
        assert tuple(patch["requestBody"]["content"]) == PATCH_CONTENT_TYPES


def test_every_patch_of_a_kind_agrees(documents: dict[tuple[str, str], Schema]) -> None:
    # kubectl decides from the first PATCH operation of a GVK it meets, in Go map order.
    for doc in documents.values():
        for path, method, op in operations(doc):
            if method != "patch":
                continue
            if op["x-kubernetes-action"] == "connect":  # proxy: its own *Options GVK
                assert op["x-kubernetes-group-version-kind"]["kind"].endswith("Options"), path
                continue
            assert op["x-kubernetes-action"] == "patch"
            assert "fieldValidation" in {p["name"] for p in op["parameters"]}, path
            assert tuple(op["requestBody"]["content"]) == PATCH_CONTENT_TYPES, path


def test_explain_finds_every_resource(documents: dict[tuple[str, str], Schema]) -> None:
    # kubectl explain reads the GVK from the collection or item path's operations, then looks
    # for a component carrying that GVK.
    for r in RESOURCES:
        doc = documents[r.group, r.version]
        collection = collection_path(r)
        found = [
            op["x-kubernetes-group-version-kind"]
            for path in (collection, collection + "/{name}")
            for op in doc["paths"].get(path, {}).values()
            if isinstance(op, dict)
        ]
        assert found and all(f == gvk(r.group, r.version, r.kind) for f in found), r.plural
        carriers = [
            name
            for name, schema in doc["components"]["schemas"].items()
            if gvk(r.group, r.version, r.kind) in schema.get("x-kubernetes-group-version-kind", [])
        ]
        assert carriers == [schemas.definition_name(r.group, r.version, r.kind)]


def test_operations_follow_verbs() -> None:
    paths = document("", "v1")["paths"]
    pods = paths["/api/v1/namespaces/{namespace}/pods"]
    assert set(pods) == {"get", "post", "delete", "parameters"}
    assert set(paths["/api/v1/namespaces/{namespace}/pods/{name}"]) == {
        "get",
        "put",
        "patch",
        "delete",
        "parameters",
    }
    assert set(paths["/api/v1/pods"]) == {"get", "parameters"}
    assert set(paths["/api/v1/namespaces"]) == {"get", "post", "parameters"}  # no deletecollection
    assert set(paths["/api/v1/namespaces/{namespace}/bindings"]) == {"post", "parameters"}
    assert "/api/v1/namespaces/{namespace}/bindings/{name}" not in paths
    assert "/api/v1/componentstatuses/{name}" in paths
    assert set(paths["/api/v1/componentstatuses"]) == {"get", "parameters"}
    reviews = document("authorization.k8s.io", "v1")["paths"]
    assert set(reviews) == {
        "/apis/authorization.k8s.io/v1/",
        "/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
    }


def test_list_operation() -> None:
    paths = document("apps", "v1")["paths"]
    listing = paths["/apis/apps/v1/namespaces/{namespace}/deployments"]["get"]
    assert listing["operationId"] == "listAppsV1NamespacedDeployment"
    assert listing["x-kubernetes-action"] == "list"
    schema = {"schema": {"$ref": REF + "io.k8s.api.apps.v1.DeploymentList"}}
    assert listing["responses"]["200"]["content"] == {
        "application/json": schema,
        "application/json;stream=watch": schema,
    }
    names = {p["name"] for p in listing["parameters"]}
    assert {
        "labelSelector",
        "fieldSelector",
        "limit",
        "continue",
        "watch",
        "sendInitialEvents",
    } <= names
    everywhere = paths["/apis/apps/v1/deployments"]["get"]
    assert everywhere["operationId"] == "listAppsV1DeploymentForAllNamespaces"
    assert paths["/apis/apps/v1/deployments"]["parameters"] == [
        {"name": "pretty", "in": "query", "schema": {"type": "string"}}
    ]


def test_path_parameters() -> None:
    paths = document("", "v1")["paths"]
    assert paths["/api/v1/namespaces/{namespace}/pods/{name}/status"]["parameters"] == [
        {"name": "name", "in": "path", "schema": {"type": "string"}, "required": True},
        {"name": "namespace", "in": "path", "schema": {"type": "string"}, "required": True},
        {"name": "pretty", "in": "query", "schema": {"type": "string"}},
    ]
    assert [p["name"] for p in paths["/api/v1/nodes/{name}"]["parameters"]] == ["name", "pretty"]


def test_subresource_operations() -> None:
    paths = document("", "v1")["paths"]
    item = "/api/v1/namespaces/{namespace}/pods/{name}"
    log = paths[item + "/log"]["get"]
    assert log["x-kubernetes-group-version-kind"] == gvk("", "v1", "Pod")
    assert log["responses"]["200"]["content"] == {"text/plain": {"schema": {"type": "string"}}}
    execute = paths[item + "/exec"]
    assert {m for m in execute if m != "parameters"} == {"get", "post"}
    assert execute["post"]["x-kubernetes-action"] == "connect"
    assert execute["post"]["x-kubernetes-group-version-kind"] == gvk("", "v1", "PodExecOptions")
    eviction = paths[item + "/eviction"]["post"]
    assert eviction["x-kubernetes-group-version-kind"] == gvk("policy", "v1", "Eviction")
    assert eviction["requestBody"]["content"]["*/*"]["schema"] == {
        "$ref": REF + "io.k8s.api.policy.v1.Eviction"
    }
    status_patch = paths[item + "/status"]["patch"]
    assert status_patch["x-kubernetes-group-version-kind"] == gvk("", "v1", "Pod")
    scale = document("apps", "v1")["paths"][
        "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"
    ]
    assert scale["patch"]["x-kubernetes-group-version-kind"] == gvk("autoscaling", "v1", "Scale")
    assert scale["put"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": REF + "io.k8s.api.autoscaling.v1.Scale"
    }


@pytest.mark.parametrize(
    ("group", "version", "path", "method", "operation_id", "tag"),
    [
        (
            "",
            "v1",
            "/api/v1/namespaces/{namespace}/pods/{name}",
            "patch",
            "patchCoreV1NamespacedPod",
            "core_v1",
        ),
        (
            "",
            "v1",
            "/api/v1/namespaces/{namespace}/pods",
            "delete",
            "deleteCoreV1CollectionNamespacedPod",
            "core_v1",
        ),
        (
            "",
            "v1",
            "/api/v1/namespaces/{namespace}/pods/{name}/log",
            "get",
            "readCoreV1NamespacedPodLog",
            "core_v1",
        ),
        (
            "",
            "v1",
            "/api/v1/namespaces/{namespace}/pods/{name}/exec",
            "get",
            "connectCoreV1GetNamespacedPodExec",
            "core_v1",
        ),
        (
            "",
            "v1",
            "/api/v1/namespaces/{name}/finalize",
            "put",
            "replaceCoreV1NamespaceFinalize",
            "core_v1",
        ),
        ("", "v1", "/api/v1/", "get", "getCoreV1APIResources", "core_v1"),
        (
            "rbac.authorization.k8s.io",
            "v1",
            "/apis/rbac.authorization.k8s.io/v1/clusterroles",
            "get",
            "listRbacAuthorizationV1ClusterRole",
            "rbacAuthorization_v1",
        ),
        (
            "events.k8s.io",
            "v1",
            "/apis/events.k8s.io/v1/events",
            "get",
            "listEventsV1EventForAllNamespaces",
            "events_v1",
        ),
        (
            "autoscaling",
            "v2",
            "/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers/{name}/status",
            "put",
            "replaceAutoscalingV2NamespacedHorizontalPodAutoscalerStatus",
            "autoscaling_v2",
        ),
    ],
)
def test_operation_ids_and_tags_match_upstream(
    group: str, version: str, path: str, method: str, operation_id: str, tag: str
) -> None:
    operation = document(group, version)["paths"][path][method]
    assert (operation["operationId"], operation["tags"]) == (operation_id, [tag])


def test_operation_ids_are_unique(documents: dict[tuple[str, str], Schema]) -> None:
    for doc in documents.values():
        ids = [op["operationId"] for _, _, op in operations(doc)]
        assert len(ids) == len(set(ids))


def test_documents_are_deterministic() -> None:
    assert json.dumps(document("", "v1"), sort_keys=True) == json.dumps(
        document("", "v1"), sort_keys=True
    )


# -- serving --------------------------------------------------------------------------------------


def sha512(body: bytes) -> str:
    return hashlib.sha512(body).hexdigest().upper()


def served(
    path: str,
    hash_: str | None = None,
    accept: str | None = "application/json",
    etag: str | None = None,
) -> Response:
    response = serve(
        path, hash_, etag, accept, now=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    )
    assert response is not None
    return response


def test_index_links_every_group_version_by_hash() -> None:
    links = index()["paths"]
    assert list(links) == [gv_path(g, v) for g, v in group_versions()]
    assert "api/v1" in links and "apis/apps/v1" in links
    for name, link in links.items():
        url, _, digest = link["serverRelativeURL"].partition("?hash=")
        assert url == f"/openapi/v3/{name}"
        assert digest == sha512(served(url).body)


@pytest.mark.parametrize("path", ["/openapi/v3", "/openapi/v3/"])
def test_serve_index(path: str) -> None:
    response = served(path, accept=KUBECTL_INDEX_ACCEPT)
    assert response.status == 200
    assert json.loads(response.body) == index()
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Etag"] == f'"{sha512(response.body)}"'
    assert response.headers["Cache-Control"] == "no-cache, private"


def test_serve_hashed_document_immutable() -> None:
    url, _, digest = index()["paths"]["apis/apps/v1"]["serverRelativeURL"].partition("?hash=")
    response = served(url, digest)
    assert response.status == 200
    assert json.loads(response.body) == document("apps", "v1")
    assert response.headers == {
        "Content-Type": "application/json",
        "Etag": f'"{digest}"',
        "Cache-Control": "public, immutable",
        "Expires": "Thu, 02 Jan 2031 03:04:05 GMT",
        "Vary": "Accept",
    }
    assert served(url, digest).body is response.body  # built once


def test_serve_unhashed_document_revalidates() -> None:
    response = served("/openapi/v3/api/v1")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-cache, private"
    assert "Expires" not in response.headers
    assert response.headers["Etag"] == f'"{sha512(response.body)}"'
    assert (
        response.body
        == json.dumps(document("", "v1"), separators=(",", ":"), sort_keys=True).encode()
    )


def test_serve_stale_hash_redirects() -> None:
    current = index()["paths"]["api/v1"]["serverRelativeURL"]
    response = served("/openapi/v3/api/v1", "0123ABCD")
    assert (response.status, response.headers, response.body) == (301, {"Location": current}, b"")


@pytest.mark.parametrize("form", ['"{}"', 'W/"{}"', '"other", "{}"', "*"])
def test_serve_not_modified(form: str) -> None:
    current = served("/openapi/v3/apis/batch/v1")
    digest = current.headers["Etag"].strip('"')
    response = served("/openapi/v3/apis/batch/v1", digest, etag=form.format(digest))
    assert (response.status, response.body) == (304, b"")
    assert response.headers["Etag"] == current.headers["Etag"]
    assert served("/openapi/v3", etag=f'"{digest}"').status == 200  # the index has its own ETag


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        (None, 200),
        ("*/*", 200),
        ("application/*", 200),
        ("application/com.github.proto-openapi.spec.v3@v1.0+protobuf", 406),
    ],
)
def test_serve_negotiates_json_only(accept: str | None, status: int) -> None:
    assert served("/openapi/v3/api/v1", accept=accept).status == status


@pytest.mark.parametrize(
    "path",
    ["/openapi/v2", "/openapi/v3/apis/apps/v1beta1", "/openapi/v3/apis/metrics.k8s.io/v1beta1"],
)
def test_serve_not_found(path: str) -> None:
    response = served(path, accept="application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
    assert response.status == 404
    assert response.headers == {"Content-Type": "application/json"}
    body = json.loads(response.body)
    assert (body["kind"], body["reason"], body["code"]) == ("Status", "NotFound", 404)


@pytest.mark.parametrize("path", ["/api/v1", "/openapi", "/openapiv3", "/version"])
def test_serve_other_paths(path: str) -> None:
    assert serve(path, None, None) is None
