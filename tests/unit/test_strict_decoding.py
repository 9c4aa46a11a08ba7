"""Unit tests for server-side field validation and type checking of request bodies.

Expected texts follow kube-apiserver v1.37: ``sigs.k8s.io/json`` strict errors (``unknown
field "spec.containers[0].foo"``, ``duplicate field "..."``), Go's ``UnmarshalTypeError`` wording
(``json: cannot unmarshal X into Go struct field S.path of type T``), apimachinery's quantity
error and the handler's ``<Kind> in version "v1" cannot be handled as a <Kind>: ...`` wrapping.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from backends.simulator.apiserver.admission import (
    IGNORE,
    WARN,
    AdmissionError,
    decode_body,
    field_problems,
)
from backends.simulator.apiserver.resources import ResourceType, lookup


def resource(group: str, version: str, plural: str) -> ResourceType:
    found = lookup(group, version, plural)
    assert found is not None
    return found


PODS = resource("", "v1", "pods")
DEPLOYMENTS = resource("apps", "v1", "deployments")
SERVICES = resource("", "v1", "services")


def pod_body(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    body["spec"].update(spec)
    return body


def rejection(body: str | dict[str, Any], res: ResourceType = PODS, mode: str = "Strict") -> str:
    text = body if isinstance(body, str) else json.dumps(body)
    with pytest.raises(AdmissionError) as raised:
        decode_body(text, res, mode)
    status = raised.value.status
    assert (status["code"], status["reason"], "details" in status) == (400, "BadRequest", False)
    message: str = status["message"]
    return message


def test_valid_body_round_trips() -> None:
    body = pod_body()
    assert decode_body(json.dumps(body), PODS) == (body, [])


def test_unknown_fields_strict() -> None:
    body = pod_body(foo=1)
    body["spec"]["containers"][0]["imagePullPolicyx"] = "Always"
    body["metadata"]["labelz"] = {}
    assert rejection(body) == (
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.labelz", '
        'unknown field "spec.containers[0].imagePullPolicyx", unknown field "spec.foo"'
    )


def test_unknown_fields_warn_and_ignore_drop_the_fields() -> None:
    body = pod_body(foo=1)
    obj, warnings = decode_body(json.dumps(body), PODS, WARN)
    assert warnings == ['unknown field "spec.foo"']
    assert "foo" not in obj["spec"]
    assert decode_body(json.dumps(body), PODS, IGNORE) == (pod_body(), [])


def test_field_names_are_case_sensitive() -> None:
    assert rejection(pod_body(RestartPolicy="Never")).endswith(
        'strict decoding error: unknown field "spec.RestartPolicy"'
    )


def test_map_keys_and_opaque_values_are_not_checked() -> None:
    body = pod_body(nodeSelector={"anything": "goes"})
    body["metadata"]["annotations"] = {"x": "y"}
    body["metadata"]["managedFields"] = [
        {"manager": "m", "fieldsV1": {"f:spec": {"f:anything": {}}}}
    ]
    assert decode_body(json.dumps(body), PODS)[1] == []


def test_duplicate_fields() -> None:
    text = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","name":"b"},"data":{"k":"1","k":"2"}}'
    configmaps = resource("", "v1", "configmaps")
    assert rejection(text, configmaps) == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
        'duplicate field "metadata.name", duplicate field "data.k"'
    )
    obj, warnings = decode_body(text, configmaps, WARN)
    assert obj == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "b"},
        "data": {"k": "2"},
    }
    assert warnings == ['duplicate field "metadata.name"', 'duplicate field "data.k"']


def test_repeated_objects_merge_like_go() -> None:
    text = '{"metadata":{"labels":{"a":"1"}},"metadata":{"labels":{"b":"2"}}}'
    obj, warnings = decode_body(text, resource("", "v1", "configmaps"), WARN)
    assert obj["metadata"] == {"labels": {"a": "1", "b": "2"}}
    assert warnings == ['duplicate field "metadata"']


def test_unknown_fields_are_deduplicated_in_document_order() -> None:
    text = '{"spec":{"b":1,"a":2,"b":3},"zz":1}'
    _, warnings = decode_body(text, PODS, WARN)
    assert warnings == ['unknown field "spec.b"', 'unknown field "spec.a"', 'unknown field "zz"']


@pytest.mark.parametrize(
    ("spec", "detail"),
    [
        (
            {"containers": "x"},
            "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container",
        ),
        (
            {"containers": [{"name": 5}]},
            "json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string",
        ),
        (
            {"terminationGracePeriodSeconds": "30"},
            "json: cannot unmarshal string into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64",
        ),
        (
            {"hostNetwork": "yes"},
            "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool",
        ),
        (
            {"nodeSelector": {"a": 1}},
            "json: cannot unmarshal number into Go struct field PodSpec.spec.nodeSelector of type string",
        ),
        (
            {"securityContext": []},
            "json: cannot unmarshal array into Go struct field PodSpec.spec.securityContext of type v1.PodSecurityContext",
        ),
        (
            {"containers": [{"name": "c", "ports": [{"containerPort": 1.5}]}]},
            "json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32",
        ),
        (
            {"containers": [{"name": "c", "ports": [{"containerPort": 3000000000}]}]},
            "json: cannot unmarshal number 3000000000 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32",
        ),
    ],
)
def test_type_errors(spec: dict[str, Any], detail: str) -> None:
    body = pod_body()
    body["spec"] = spec
    assert (
        rejection(body, mode=IGNORE) == f'Pod in version "v1" cannot be handled as a Pod: {detail}'
    )


def test_type_error_in_deployment() -> None:
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"replicas": "3"},
    }
    assert rejection(body, DEPLOYMENTS) == (
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go '
        "struct field DeploymentSpec.spec.replicas of type int32"
    )


def test_first_type_error_wins_over_strict_errors() -> None:
    body = pod_body(foo=1, hostIPC="no", hostPID="no")
    assert rejection(body).endswith(
        "json: cannot unmarshal string into Go struct field PodSpec.spec.hostIPC of type bool"
    )


def test_int_or_string() -> None:
    ok = {
        "apiVersion": "v1",
        "kind": "Service",
        "spec": {"ports": [{"port": 80, "targetPort": "http"}, {"port": 81, "targetPort": 8081}]},
    }
    assert decode_body(json.dumps(ok), SERVICES)[0] == ok
    bad = {
        "apiVersion": "v1",
        "kind": "Service",
        "spec": {"ports": [{"port": 80, "targetPort": True}]},
    }
    assert rejection(bad, SERVICES) == (
        'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal bool into Go struct '
        "field ServicePort.spec.ports.targetPort of type int32"
    )


def test_quantities_are_stored_as_kube_apiserver_writes_them() -> None:
    limits = {"cpu": 0.5, "memory": "1024Mi", "ephemeral-storage": "1.5Gi", "nvidia.com/gpu": "1"}
    requests = {"cpu": "0.0001", "memory": "100M"}
    ok = pod_body(
        containers=[
            {"name": "c", "image": "i", "resources": {"limits": limits, "requests": requests}}
        ]
    )
    decoded = decode_body(json.dumps(ok), PODS)[0]["spec"]["containers"][0]["resources"]
    assert decoded == {
        "limits": {
            "cpu": "500m",
            "memory": "1Gi",
            "ephemeral-storage": "1536Mi",
            "nvidia.com/gpu": "1",
        },
        "requests": {"cpu": "1m", "memory": "100M"},
    }
    bad = pod_body(
        containers=[{"name": "c", "image": "i", "resources": {"limits": {"memory": "1 GB"}}}]
    )
    assert rejection(bad) == (
        'Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )


def test_secret_data_must_be_base64() -> None:
    secrets = resource("", "v1", "secrets")
    body = {"apiVersion": "v1", "kind": "Secret", "data": {"ok": "aGVsbG8=", "bad": "hello!"}}
    assert (
        rejection(body, secrets)
        == 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 5'
    )


def test_nulls_are_dropped() -> None:
    body = pod_body(nodeName=None)
    body["metadata"]["labels"] = None
    obj, _ = decode_body(json.dumps(body), PODS)
    assert "nodeName" not in obj["spec"] and "labels" not in obj["metadata"]


def test_kind_and_version_come_from_the_body() -> None:
    body = {"apiVersion": "apps/v1beta1", "kind": "Deployment", "spec": {"bogus": True}}
    assert rejection(body, DEPLOYMENTS).startswith(
        'Deployment in version "v1beta1" cannot be handled as a Deployment: '
    )


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "unexpected end of JSON input (<empty>)"),
        ('{"a":', 'unexpected end of JSON input ({"a":)'),
        (
            "[1]",
            'json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" } (5b315d)',
        ),
    ],
)
def test_malformed_bodies(text: str, detail: str) -> None:
    assert (
        rejection(text)
        == f"the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: {detail}"
    )


def test_field_problems_of_a_decoded_object() -> None:
    obj = pod_body(foo=1, hostNetwork="not checked here")
    obj["spec"]["containers"][0]["bar"] = 2
    assert field_problems(PODS, obj) == [
        'unknown field "spec.containers[0].bar"',
        'unknown field "spec.foo"',
    ]
    assert field_problems(PODS, pod_body()) == []
