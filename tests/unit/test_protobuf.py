"""The protobuf body decoder on hand-built bodies: wire format, JSON rules, special messages, errors.

Bodies are built with a tiny encoder below that writes what Go's generated marshaller writes
(every non-pointer field, zero or not); the first test is a real 62-byte kubectl body.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from backends.simulator.apiserver.protobuf import _SPECIALS, MAGIC, ProtobufError, decode

META = "k8s.io.apimachinery.pkg.apis.meta.v1."


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def vi(number: int, value: int) -> bytes:
    """A varint record."""
    return varint(number << 3) + varint(value)


def ld(number: int, payload: bytes | str) -> bytes:
    """A length-delimited record."""
    data = payload.encode() if isinstance(payload, str) else payload
    return varint(number << 3 | 2) + varint(len(data)) + data


def body(api_version: str, kind: str, *raw: bytes) -> bytes:
    """The envelope around an object's fields, as kubectl writes it."""
    type_meta = ld(1, api_version) + ld(2, kind)
    return MAGIC + ld(1, type_meta) + ld(2, b"".join(raw)) + ld(3, "") + ld(4, "")


def metadata(name: str, *extra: bytes) -> bytes:
    """ObjectMeta as Go writes it for a new object: every non-pointer field, empty or zero."""
    empty = ld(2, "") + ld(3, "") + ld(4, "") + ld(5, "") + ld(6, "") + vi(7, 0) + ld(8, b"")
    return ld(1, ld(1, name) + empty + b"".join(extra))


def entry(number: int, key: str, value: bytes | str) -> bytes:
    return ld(number, ld(1, key) + ld(2, value))


def int_or_string(value: int | str) -> bytes:
    if isinstance(value, int):
        return vi(1, 0) + vi(2, value) + ld(3, "")
    return vi(1, 1) + vi(2, 0) + ld(3, value)


def special(name: str, data: bytes) -> Any:
    return _SPECIALS[name](data)


def test_real_configmap_body() -> None:
    """protobuf.md §2: `create configmap x --from-literal=a=b --from-literal=c=d`, 62 bytes."""
    raw = bytes.fromhex(
        "6b387300 0a0f 0a027631 1209436f6e6669674d6170"
        "1223 0a11 0a0178 1200 1a00 2200 2a00 3200 3800 4200"
        "1206 0a0161 120162 1206 0a0163 120164 1a00 2200"
    )
    assert len(raw) == 62
    assert decode(raw) == {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": "x"},
        "data": {"a": "b", "c": "d"},
    }


def test_real_hpa_body() -> None:
    """kubectl 1.37.1 `autoscale deployment web --min=2 --max=5 --cpu-percent=80`, 150 bytes."""
    raw = bytes.fromhex(
        "6b387300 0a29 0a0e6175746f7363616c696e672f7632 1217486f72697a6f6e74616c506f644175746f"
        "7363616c6572 1261 0a13 0a03776562 1200 1a00 2200 2a00 3200 3800 4200"
        "1244 0a1a 0a0a4465706c6f796d656e74 1203776562 1a07617070732f7631 1002 1805"
        "2222 0a085265736f75726365 2216 0a03637075 120f 0a0b5574696c697a6174696f6e 2050"
        "1a04 1800 2000 1a00 2200"
    )
    assert len(raw) == 150
    assert decode(raw) == {
        "kind": "HorizontalPodAutoscaler",
        "apiVersion": "autoscaling/v2",
        "metadata": {"name": "web"},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
            "minReplicas": 2,
            "maxReplicas": 5,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 80},
                    },
                }
            ],
        },
        "status": {"desiredReplicas": 0},
    }


def test_map_entries_zero_values_utf8_and_last_key_wins() -> None:
    raw = body(
        "v1",
        "ConfigMap",
        metadata("e"),
        entry(2, "k", ""),
        ld(2, ld(2, "v")),  # key missing: ""
        ld(2, ld(1, "novalue")),  # value missing: ""
        entry(2, "u", "ünï"),
        entry(2, "dup", "first"),
        entry(2, "dup", "second"),
        entry(3, "bin", b"\x00\xff\xfe"),
    )
    assert decode(raw) == {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": "e"},
        "data": {"k": "", "": "v", "novalue": "", "u": "ünï", "dup": "second"},
        "binaryData": {"bin": "AP/+"},
    }


def test_secret_bytes_are_padded_base64_and_invalid_utf8_is_replaced() -> None:
    raw = body(
        "v1",
        "Secret",
        metadata("s", vi(7, 0)),
        entry(2, "a", b"\x00\x01"),
        entry(2, "empty", b""),
        ld(3, "Opaque"),
        entry(4, "bad", b"ok\xffok"),
    )
    assert decode(raw) == {
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": {"name": "s"},
        "data": {"a": "AAE=", "empty": ""},
        "type": "Opaque",
        "stringData": {"bad": "ok\ufffdok"},
    }


def deployment(*spec: bytes) -> dict[str, Any]:
    return decode(body("apps/v1", "Deployment", metadata("d"), ld(2, b"".join(spec)), ld(3, b"")))


def test_pointer_zero_kept_and_omitempty_zero_dropped() -> None:
    obj = deployment(vi(1, 0), ld(3, b""), ld(4, b""), vi(5, 0), vi(7, 0), vi(6, 0))
    assert obj["spec"] == {"replicas": 0, "template": {}, "strategy": {}, "revisionHistoryLimit": 0}
    assert obj["status"] == {}
    assert deployment(vi(1, 3), vi(7, 1))["spec"] == {"replicas": 3, "paused": True}


def test_non_omitempty_zero_and_negative_ints() -> None:
    def priority_class(*fields: bytes) -> dict[str, Any]:
        return decode(body("scheduling.k8s.io/v1", "PriorityClass", metadata("pc"), *fields))

    assert priority_class(vi(2, 0), vi(3, 0), ld(4, ""))["value"] == 0
    negative = varint(-5)
    assert negative == bytes.fromhex("fbffffffffffffffff01")
    assert priority_class(varint(2 << 3) + negative)["value"] == -5
    assert priority_class(vi(2, 1 << 31))["value"] == -(1 << 31)  # int32 wraps like Go
    assert priority_class(vi(2, 5), vi(3, 1), ld(5, "Never")) == {
        "kind": "PriorityClass",
        "apiVersion": "scheduling.k8s.io/v1",
        "metadata": {"name": "pc"},
        "value": 5,
        "globalDefault": True,
        "preemptionPolicy": "Never",
    }


def test_int64_keeps_exact_values() -> None:
    big, low = (1 << 63) - 1, -(1 << 63)
    obj = decode(body("v1", "Namespace", metadata("n", vi(7, big), vi(10, low))))
    assert obj["metadata"] == {"name": "n", "generation": big, "deletionGracePeriodSeconds": low}


def test_pointer_empty_string_and_false_are_kept() -> None:
    raw = body(
        "networking.k8s.io/v1",
        "Ingress",
        metadata("i"),
        ld(2, ld(4, "")),  # ingressClassName: *string
    )
    assert decode(raw)["spec"] == {"ingressClassName": ""}
    configmap = decode(body("v1", "ConfigMap", metadata("c"), vi(4, 0)))
    assert configmap["immutable"] is False


def test_quantities() -> None:
    hard = entry(1, "cpu", ld(1, "1500m")) + entry(1, "memory", ld(1, "1Gi"))
    zero = ld(1, ld(1, "pods"))  # value missing: the zero Quantity
    raw = body("v1", "ResourceQuota", metadata("q"), ld(2, hard + zero + ld(2, "BestEffort")))
    assert decode(raw)["spec"] == {
        "hard": {"cpu": "1500m", "memory": "1Gi", "pods": "0"},
        "scopes": ["BestEffort"],
    }


def service_port(*fields: bytes) -> dict[str, Any]:
    raw = body("v1", "Service", metadata("s"), ld(2, ld(1, b"".join(fields))), ld(3, ld(1, b"")))
    obj = decode(raw)
    assert obj["status"] == {"loadBalancer": {}}
    port: dict[str, Any] = obj["spec"]["ports"][0]
    return port


def test_int_or_string() -> None:
    assert service_port(vi(3, 80), ld(4, int_or_string(8080)), vi(5, 30080)) == {
        "port": 80,
        "targetPort": 8080,
        "nodePort": 30080,
    }
    assert service_port(ld(1, "https"), vi(3, 443), ld(4, int_or_string("https"))) == {
        "name": "https",
        "port": 443,
        "targetPort": "https",
    }
    # Go writes a zero port too; an empty IntOrString is the number 0.
    assert service_port(vi(3, 0), ld(4, b"")) == {"port": 0, "targetPort": 0}
    with pytest.raises(ProtobufError, match="IntOrString"):
        service_port(vi(3, 1), ld(4, vi(1, 2)))


def test_pointer_int_or_string_in_pdb() -> None:
    selector = ld(2, entry(1, "app", "x"))
    raw = body(
        "policy/v1",
        "PodDisruptionBudget",
        metadata("p"),
        ld(2, ld(1, int_or_string("50%")) + selector),
    )
    assert decode(raw)["spec"] == {"minAvailable": "50%", "selector": {"matchLabels": {"app": "x"}}}
    raw = body("policy/v1", "PodDisruptionBudget", metadata("p"), ld(2, ld(3, int_or_string(0))))
    assert decode(raw)["spec"] == {"maxUnavailable": 0}


def test_times() -> None:
    def meta(*fields: bytes) -> dict[str, Any]:
        got: dict[str, Any] = decode(body("v1", "Namespace", ld(1, b"".join(fields))))["metadata"]
        return got

    assert meta(ld(8, b"")) == {}  # zero creationTimestamp: omitzero
    assert meta(ld(8, vi(1, 0))) == {"creationTimestamp": "1970-01-01T00:00:00Z"}
    assert meta(ld(8, vi(1, 1700000000) + vi(2, 999_999_999))) == {
        "creationTimestamp": "2023-11-14T22:13:20Z"  # nanos ignored
    }
    assert meta(ld(8, vi(1, -62135596800))) == {}  # Go's zero time, spelled out
    assert meta(ld(9, b"")) == {"deletionTimestamp": None}  # pointer to a zero Time
    assert meta(ld(9, vi(1, -1))) == {"deletionTimestamp": "1969-12-31T23:59:59Z"}
    with pytest.raises(ProtobufError, match="out of range"):
        meta(ld(8, vi(1, 1 << 40)))


def test_token_request_keeps_non_omitempty_status() -> None:
    bound = ld(1, "Pod") + ld(2, "v1") + ld(3, "p") + ld(4, "123")
    spec = ld(1, "a1") + ld(3, bound) + vi(4, 3600)
    raw = body(
        "authentication.k8s.io/v1",
        "TokenRequest",
        ld(1, b""),
        ld(2, spec),
        ld(3, ld(1, "") + ld(2, b"")),
    )
    assert decode(raw) == {
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {},
        "spec": {
            "audiences": ["a1"],
            "expirationSeconds": 3600,
            "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "p", "uid": "123"},
        },
        "status": {"token": "", "expirationTimestamp": None},
    }


def test_self_subject_access_review_keeps_allowed_false() -> None:
    attributes = ld(1, "kube-system") + ld(2, "list") + ld(5, "pods") + ld(6, "log")
    raw = body(
        "authorization.k8s.io/v1",
        "SelfSubjectAccessReview",
        ld(1, b""),
        ld(2, ld(1, attributes)),
        ld(3, vi(1, 0) + vi(4, 0) + ld(3, "")),
    )
    assert decode(raw)["spec"] == {
        "resourceAttributes": {
            "namespace": "kube-system",
            "verb": "list",
            "resource": "pods",
            "subresource": "log",
        }
    }
    assert decode(raw)["status"] == {"allowed": False}


def test_user_info_extra_is_a_map_of_bare_lists() -> None:
    extra = entry(4, "scopes", ld(1, "a") + ld(1, "b")) + ld(4, ld(1, "none"))
    user = ld(1, "alice") + ld(3, "devs") + ld(3, "ops") + extra
    raw = body("authentication.k8s.io/v1", "SelfSubjectReview", ld(1, b""), ld(2, ld(1, user)))
    assert decode(raw)["status"] == {
        "userInfo": {
            "username": "alice",
            "groups": ["devs", "ops"],
            "extra": {"scopes": ["a", "b"], "none": []},
        }
    }


def test_managed_fields_embed_fields_v1_json() -> None:
    fields_v1 = ld(1, b'{"f:data":{".":{},"f:a":{}}}')
    managed = (
        ld(1, "kubectl") + ld(2, "Update") + ld(4, vi(1, 0)) + ld(6, "FieldsV1") + ld(7, fields_v1)
    )
    obj = decode(body("v1", "ConfigMap", ld(1, ld(1, "c") + ld(17, managed))))
    assert obj["metadata"]["managedFields"] == [
        {
            "manager": "kubectl",
            "operation": "Update",
            "time": "1970-01-01T00:00:00Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {".": {}, "f:a": {}}},
        }
    ]
    with pytest.raises(ProtobufError, match="valid JSON"):
        decode(body("v1", "ConfigMap", ld(1, ld(17, ld(7, ld(1, b"{nope"))))))


def pod_spec(*fields: bytes) -> dict[str, Any]:
    template = ld(3, ld(1, b"") + ld(2, b"".join(fields)))
    spec: dict[str, Any] = deployment(template)["spec"]["template"]["spec"]
    return spec


def test_inline_fields_merge_into_the_parent() -> None:
    volume = ld(1, ld(1, "cfg") + ld(2, ld(19, ld(1, ld(1, "app-config")) + vi(3, 420))))
    http_get = ld(2, ld(1, "/healthz") + ld(2, int_or_string("http")) + ld(4, "HTTP"))
    probe = ld(1, http_get) + vi(2, 0) + vi(3, 1)
    container = ld(2, ld(1, "c") + ld(2, "nginx") + ld(8, b"") + ld(10, probe))
    assert pod_spec(volume, container) == {
        "volumes": [{"name": "cfg", "configMap": {"name": "app-config", "defaultMode": 420}}],
        "containers": [
            {
                "name": "c",
                "image": "nginx",
                "resources": {},
                "livenessProbe": {
                    "httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                    "timeoutSeconds": 1,
                },
            }
        ],
    }


def test_ingress_rule_value_is_inline() -> None:
    backend = ld(4, ld(1, "svc") + ld(2, vi(2, 8080)))  # IngressBackend.service
    path = ld(1, "/bar") + ld(2, backend) + ld(3, "Exact")
    rule = ld(1, "foo.com") + ld(2, ld(1, ld(1, path)))  # ingressRuleValue.http.paths
    tls = ld(1, "foo.com") + ld(2, "my-cert")
    raw = body(
        "networking.k8s.io/v1",
        "Ingress",
        metadata("i"),
        ld(2, ld(2, tls) + ld(3, rule)),
        ld(3, ld(1, b"")),
    )
    assert decode(raw)["spec"] == {
        "tls": [{"hosts": ["foo.com"], "secretName": "my-cert"}],
        "rules": [
            {
                "host": "foo.com",
                "http": {
                    "paths": [
                        {
                            "path": "/bar",
                            "backend": {"service": {"name": "svc", "port": {"number": 8080}}},
                            "pathType": "Exact",
                        }
                    ]
                },
            }
        ],
    }


def test_packed_and_unpacked_repeated_numbers() -> None:
    packed = ld(4, varint(1) + varint(1000) + varint(-1))
    assert pod_spec(ld(14, packed + vi(4, 7))) == {
        "securityContext": {"supplementalGroups": [1, 1000, -1, 7]}
    }


def test_unknown_fields_are_skipped_by_wire_type() -> None:
    unknown = (
        vi(99, 5)
        + ld(98, b"\x01\x02")
        + varint(97 << 3 | 1)
        + bytes(8)
        + varint(96 << 3 | 5)
        + bytes(4)
    )
    raw = body("v1", "ConfigMap", unknown, metadata("x", unknown), entry(2, "a", "b"), unknown)
    assert decode(raw) == {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": "x"},
        "data": {"a": "b"},
    }
    assert pod_spec(ld(44, b"future"), ld(2, ld(1, "c") + ld(8, b"")))["containers"] == [
        {"name": "c", "resources": {}}
    ]


def test_repeated_fields_last_scalar_wins_and_messages_merge() -> None:
    raw = body(
        "v1", "ConfigMap", ld(1, ld(1, "first")), ld(1, ld(1, "second") + entry(11, "a", "b"))
    )
    assert decode(raw)["metadata"] == {"name": "second", "labels": {"a": "b"}}
    # A later zero value of an omitempty field wins, and drops the key.
    assert deployment(vi(7, 1), vi(7, 0))["spec"] == {}
    # An inline message seen twice is merged too.
    first = ld(2, ld(19, ld(1, ld(1, "cm"))))
    second = ld(2, ld(19, vi(4, 1)))
    assert pod_spec(ld(1, ld(1, "v") + first + second))["volumes"] == [
        {"name": "v", "configMap": {"name": "cm", "optional": True}}
    ]


def test_field_order_does_not_matter() -> None:
    ordered = [metadata("n"), ld(2, ld(1, "kubernetes")), ld(3, ld(1, "Active"))]
    assert decode(body("v1", "Namespace", *ordered)) == decode(
        body("v1", "Namespace", *reversed(ordered))
    )


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "0s"),
        (1, "1ns"),
        (999, "999ns"),
        (1500, "1.5µs"),
        (500_000_000, "500ms"),
        (1_500_000_000, "1.5s"),
        (90 * 10**9, "1m30s"),
        (3600 * 10**9, "1h0m0s"),
        (3723 * 10**9 + 1, "1h2m3.000000001s"),
        (-2 * 10**9, "-2s"),
        (-(1 << 63), "-2562047h47m16.854775808s"),
    ],
)
def test_duration_like_go(ns: int, text: str) -> None:
    assert special(META + "Duration", vi(1, ns)) == text


def test_micro_time() -> None:
    assert special(META + "MicroTime", b"") is None
    assert special(META + "MicroTime", vi(1, 1700000000) + vi(2, 123_456_789)) == (
        "2023-11-14T22:13:20.123456Z"
    )
    assert special(META + "MicroTime", vi(1, 0) + vi(2, -1)) == "1969-12-31T23:59:59.999999Z"


def test_raw_extension() -> None:
    name = "k8s.io.apimachinery.pkg.runtime.RawExtension"
    assert special(name, b"") is None
    assert special(name, ld(1, b'{"a":[1,true]}')) == {"a": [1, True]}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "magic"),
        (b'{"kind":"ConfigMap"}', "magic"),
        (MAGIC + ld(2, b""), "Kind"),
        (MAGIC + ld(1, ld(2, "ConfigMap")), "apiVersion"),
        (body("v1", "Pod"), "no kind 'Pod'"),
        (body("v1", "PodTemplateSpec"), "no kind"),
        (body("v1", "ObjectMeta"), "no kind"),
        (body("apps/v1beta1", "Deployment"), "no kind"),
        (body("example.com/v1", "Widget"), "no kind"),
        (body("v1", "ConfigMap", b"\x0a"), "unexpected end"),
        (body("v1", "ConfigMap", b"\x0a\x05ab"), "past the end"),
        (body("v1", "ConfigMap", vi(1, 3)), "wire type 0, expected 2"),
        (body("v1", "ConfigMap", ld(1, vi(1, 3))), "wire type 0, expected 2"),
        (body("v1", "ConfigMap", b"\x0b\x0c"), "wire type 3"),
        (body("v1", "ConfigMap", b"\x00\x00"), "field number 0"),
        (body("v1", "ConfigMap", b"\x20" + b"\xff" * 10 + b"\x01"), "10 bytes"),
        (body("v1", "ConfigMap", ld(2, vi(1, 1))), "entry"),
        (body("v1", "ConfigMap", ld(2, ld(1, "k") + vi(2, 1))), "entry"),
        (MAGIC + vi(1, 1), "runtime.Unknown"),
        (
            body(
                "authentication.k8s.io/v1",
                "SelfSubjectReview",
                ld(2, ld(1, entry(4, "k", vi(1, 1)))),
            ),
            "ExtraValue",
        ),
    ],
)
def test_malformed_bodies_raise_protobuf_error(raw: bytes, message: str) -> None:
    with pytest.raises(ProtobufError, match=message) as caught:
        decode(raw)
    assert isinstance(caught.value, ValueError)


def test_typical_body_decodes_well_under_a_millisecond() -> None:
    container = ld(
        2, ld(1, "nginx") + ld(2, "nginx") + ld(6, vi(3, 80) + ld(4, "TCP")) + ld(8, b"")
    )
    labels = entry(11, "app", "d")
    template = ld(3, ld(1, ld(1, "") + labels) + ld(2, container))
    raw = body(
        "apps/v1",
        "Deployment",
        metadata("d", labels),
        ld(2, vi(1, 2) + ld(2, ld(1, ld(1, "app") + ld(2, "d"))) + template + ld(4, b"")),
        ld(3, b""),
    )
    best = min(_elapsed(raw) for _ in range(50))
    assert best < 0.001


def _elapsed(raw: bytes) -> float:
    start = time.perf_counter()
    decode(raw)
    return time.perf_counter() - start
