"""A container's environment: precedence, $(VAR) expansion, the Downward API, config errors."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from backends.simulator.kubelet.env import (
    ConfigError,
    PodAddresses,
    Sources,
    container_env,
    expand,
    expand_argv,
    field_value,
    resource_value,
)

Obj = dict[str, Any]
POD: Obj = {
    "metadata": {
        "name": "web", "namespace": "shop", "uid": "u-1",
        "labels": {"app": "web", "tier": "front"}, "annotations": {"note": 'say "hi"'},
    },
    "spec": {"nodeName": "node-1", "serviceAccountName": "robot"},
}  # fmt: skip
ADDRESSES = PodAddresses(("127.244.1.5",), ("127.18.0.1",))
CONFIG = {("shop", "cfg"): {"data": {"mode": "fast", "level": "3"}}}
SECRETS = {("shop", "sec"): {"data": {"password": base64.b64encode(b"hunter2").decode()}}}


def sources(service: dict[str, str] | None = None) -> Sources:
    return Sources(
        lambda ns, name: CONFIG.get((ns, name)),
        lambda ns, name: SECRETS.get((ns, name)),
        {"cpu": "2", "memory": "4Gi"},
        lambda pod: service or {},
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("$(A)-$(B)", "1-$(B)"), ("$$(A)", "$(A)"), ("$A", "$A"), ("$(A", "$(A"), ("a$", "a$"),
     ("$$$(A)", "$1"), ("", "")],
)  # fmt: skip
def test_expansion(text: str, expected: str) -> None:
    assert expand(text, {"A": "1"}.get) == expected


def test_precedence_image_service_env_from_env() -> None:
    container = {
        "envFrom": [
            {"prefix": "CFG_", "configMapRef": {"name": "cfg"}},
            {"secretRef": {"name": "sec"}},
        ],
        "env": [
            {"name": "CFG_mode", "value": "slow"},
            {"name": "GREETING", "value": "$(CFG_level)-$(SVC_HOST)-$(UNDEFINED)"},
            {"name": "EMPTY"},
        ],
    }
    env = container_env(
        POD,
        container,
        ADDRESSES,
        sources({"SVC_HOST": "127.96.0.9", "CFG_mode": "x"}),
        {"PATH": "/bin"},
    )
    assert env == {
        "PATH": "/bin", "SVC_HOST": "127.96.0.9", "CFG_mode": "slow", "CFG_level": "3",
        "password": "hunter2", "GREETING": "3-127.96.0.9-$(UNDEFINED)", "EMPTY": "",
    }  # fmt: skip


def test_downward_api_fields() -> None:
    expected = {
        "metadata.name": "web", "metadata.namespace": "shop", "metadata.uid": "u-1",
        "spec.nodeName": "node-1", "spec.serviceAccountName": "robot",
        "status.podIP": "127.244.1.5", "status.podIPs": "127.244.1.5", "status.hostIP": "127.18.0.1",
        "metadata.labels['app']": "web", "metadata.labels['none']": "",
        "metadata.labels": 'app="web"\ntier="front"', "metadata.annotations": 'note="say \\"hi\\""',
    }  # fmt: skip
    for path, value in expected.items():
        assert field_value(POD, path, ADDRESSES) == value
    with pytest.raises(ConfigError, match=r"^unsupported fieldPath: metadata\.generateName$"):
        field_value(POD, "metadata.generateName", ADDRESSES)


def test_resource_field_ref_defaults_limits_to_the_node() -> None:
    container = {"resources": {"limits": {"memory": "256Mi"}, "requests": {"cpu": "250m"}}}
    allocatable = {"cpu": "2", "memory": "4Gi"}
    assert resource_value(container, "limits.memory", None, allocatable) == str(256 * 1024 * 1024)
    assert resource_value(container, "limits.memory", "1Mi", allocatable) == "256"
    assert resource_value(container, "limits.cpu", None, allocatable) == "2"
    assert resource_value(container, "requests.cpu", None, allocatable) == "1"  # ceil(250m / 1)
    assert resource_value(container, "requests.cpu", "1m", allocatable) == "250"
    assert resource_value(container, "requests.memory", None, allocatable) == "0"


@pytest.mark.parametrize(
    ("value_from", "message"),
    [
        ({"configMapKeyRef": {"name": "absent", "key": "k"}}, 'configmap "absent" not found'),
        (
            {"configMapKeyRef": {"name": "cfg", "key": "nope"}},
            "couldn't find key nope in ConfigMap shop/cfg",
        ),
        ({"secretKeyRef": {"name": "absent", "key": "k"}}, 'secret "absent" not found'),
        (
            {"secretKeyRef": {"name": "sec", "key": "user"}},
            "couldn't find key user in Secret shop/sec",
        ),
    ],
)
def test_missing_sources_are_config_errors(value_from: Obj, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        container_env(POD, {"env": [{"name": "X", "valueFrom": value_from}]}, ADDRESSES, sources())
    assert str(err.value) == message


def test_optional_sources_are_skipped() -> None:
    container = {
        "envFrom": [{"configMapRef": {"name": "absent", "optional": True}}],
        "env": [
            {
                "name": "A",
                "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "nope", "optional": True}},
            },
            {
                "name": "B",
                "valueFrom": {"secretKeyRef": {"name": "absent", "key": "k", "optional": True}},
            },
        ],
    }
    assert container_env(POD, container, ADDRESSES, sources()) == {}
    with pytest.raises(ConfigError, match='configmap "absent" not found'):
        container_env(
            POD, {"envFrom": [{"configMapRef": {"name": "absent"}}]}, ADDRESSES, sources()
        )


def test_command_and_args_expand_from_the_environment() -> None:
    assert expand_argv(["echo", "$(MSG)", "$$(MSG)"], {"MSG": "hi"}) == ["echo", "hi", "$(MSG)"]
