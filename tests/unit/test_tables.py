"""Unit tests for backends.simulator.apiserver.tables (kube-apiserver's server-side printing).

Expected cells follow kubernetes ``pkg/printers/internalversion/printers.go`` as kube-apiserver
runs it (always wide, never truncated). Every object is dated against a fixed NOW; objects are
created an hour earlier (AGE ``60m``) unless a case says otherwise.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from backends.simulator.apiserver import tables
from backends.simulator.apiserver.tables import (
    column_definitions,
    format_label_selector,
    format_labels,
    has_printer,
    row_cells,
    table,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
AGE = "60m"


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def obj(name: str, *, meta: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    metadata = {"name": name, "namespace": "default", "creationTimestamp": ago(hours=1)}
    return {"metadata": {**metadata, **(meta or {})}, **fields}


def cells(resource: str, item: dict[str, Any], group: str = "") -> list[Any]:
    return row_cells(resource, group, item, NOW)


def names(resource: str, group: str = "", wide: bool = False) -> list[str]:
    return [c["name"] for c in column_definitions(resource, group) if wide or c["priority"] == 0]


# --- pods -------------------------------------------------------------------------------------


def running(name: str, restarts: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "ready": True,
        "started": True,
        "restartCount": restarts,
        "state": {"running": {"startedAt": ago(minutes=30)}},
        **extra,
    }


def waiting(name: str, reason: str, restarts: int = 0, **extra: Any) -> dict[str, Any]:
    state = {"waiting": {"reason": reason}}
    return {"name": name, "ready": False, "restartCount": restarts, "state": state, **extra}


def terminated(name: str, exit_code: int, reason: str = "", **extra: Any) -> dict[str, Any]:
    finished: dict[str, Any] = {"exitCode": exit_code, "finishedAt": ago(minutes=1)}
    if reason:
        finished["reason"] = reason
    return {
        "name": name,
        "ready": False,
        "restartCount": 0,
        "state": {"terminated": finished},
        **extra,
    }


def last_terminated(**delta: float) -> dict[str, Any]:
    return {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(**delta)}}


def pod(
    containers: list[str],
    status: dict[str, Any],
    init: list[dict[str, Any]] | None = None,
    meta: dict[str, Any] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    pod_spec = {"containers": [{"name": n, "image": f"{n}:1"} for n in containers], **spec}
    if init is not None:
        pod_spec["initContainers"] = init
    return obj("p", meta=meta, spec=pod_spec, status=status)


def conditions(**statuses: bool) -> list[dict[str, str]]:
    return [{"type": t, "status": "True" if s else "False"} for t, s in statuses.items()]


SIDECAR = {"name": "istio-proxy", "image": "istio/proxyv2", "restartPolicy": "Always"}
MIGRATE = {"name": "migrate", "image": "migrate:1"}

POD_CASES = [
    pytest.param(pod(["app"], {"phase": "Pending"}), "0/1", "Pending", "0", id="pending"),
    pytest.param(
        pod(
            ["app"],
            {"phase": "Pending", "containerStatuses": [waiting("app", "ContainerCreating")]},
        ),
        "0/1",
        "ContainerCreating",
        "0",
        id="container-creating",
    ),
    pytest.param(
        pod(
            ["app"], {"phase": "Pending", "containerStatuses": [waiting("app", "ImagePullBackOff")]}
        ),
        "0/1",
        "ImagePullBackOff",
        "0",
        id="image-pull-backoff",
    ),
    pytest.param(
        pod(
            ["web", "log"],
            {
                "phase": "Running",
                "conditions": conditions(Initialized=True, Ready=True),
                "containerStatuses": [running("web"), running("log")],
            },
        ),
        "2/2",
        "Running",
        "0",
        id="running",
    ),
    pytest.param(
        pod(
            ["web", "log"],
            {
                "phase": "Running",
                "containerStatuses": [
                    running("web"),
                    {**running("log"), "ready": False},
                ],
            },
        ),
        "1/2",
        "Running",
        "0",
        id="running-not-ready-container",
    ),
    pytest.param(
        pod(
            ["api", "proxy"],
            {
                "phase": "Running",
                "containerStatuses": [
                    waiting(
                        "api",
                        "CrashLoopBackOff",
                        5,
                        lastState=last_terminated(minutes=3, seconds=12),
                    ),
                    running("proxy"),
                ],
            },
        ),
        "1/2",
        "CrashLoopBackOff",
        "5 (3m12s ago)",
        id="crash-loop-backoff",
    ),
    pytest.param(
        pod(
            ["app"],
            {
                "phase": "Running",
                "containerStatuses": [
                    running(
                        "app",
                        2,
                        lastState={
                            "terminated": {
                                "exitCode": 137,
                                "reason": "OOMKilled",
                                "finishedAt": ago(hours=2),
                            }
                        },
                    )
                ],
            },
        ),
        "1/1",
        "Running",
        "2 (120m ago)",
        id="running-after-oomkill",
    ),
    pytest.param(
        pod(["app"], {"phase": "Running", "containerStatuses": [running("app", 4)]}),
        "1/1",
        "Running",
        "4",
        id="restarts-without-last-state",
    ),
    pytest.param(
        pod(
            ["job"],
            {"phase": "Succeeded", "containerStatuses": [terminated("job", 0, "Completed")]},
        ),
        "0/1",
        "Completed",
        "0",
        id="completed",
    ),
    pytest.param(
        pod(["job"], {"phase": "Failed", "containerStatuses": [terminated("job", 1, "Error")]}),
        "0/1",
        "Error",
        "0",
        id="error",
    ),
    pytest.param(
        pod(["job"], {"phase": "Failed", "containerStatuses": [terminated("job", 137)]}),
        "0/1",
        "ExitCode:137",
        "0",
        id="exit-code",
    ),
    pytest.param(
        pod(
            ["job"],
            {
                "phase": "Failed",
                "containerStatuses": [
                    {"name": "job", "state": {"terminated": {"exitCode": 143, "signal": 15}}}
                ],
            },
        ),
        "0/1",
        "Signal:15",
        "0",
        id="signal",
    ),
    pytest.param(
        pod(
            ["job", "sidecar"],
            {
                "phase": "Failed",
                "containerStatuses": [
                    terminated("job", 0, "Completed"),
                    terminated("sidecar", 1, "Error"),
                ],
            },
        ),
        "0/2",
        "Error",
        "0",
        id="error-beats-completed",
    ),
    pytest.param(
        pod(
            ["job", "server"],
            {
                "phase": "Running",
                "conditions": conditions(Ready=False),
                "containerStatuses": [terminated("job", 0, "Completed"), running("server")],
            },
        ),
        "1/2",
        "NotReady",
        "0",
        id="not-ready",
    ),
    pytest.param(
        pod(
            ["job", "server"],
            {
                "phase": "Running",
                "conditions": conditions(Ready=True),
                "containerStatuses": [terminated("job", 0, "Completed"), running("server")],
            },
        ),
        "1/2",
        "Running",
        "0",
        id="completed-container-pod-ready",
    ),
    pytest.param(
        pod(
            ["app"],
            {
                "phase": "Pending",
                "conditions": conditions(Initialized=False),
                "initContainerStatuses": [{**running("migrate"), "ready": False}],
                "containerStatuses": [waiting("app", "PodInitializing")],
            },
            init=[MIGRATE],
        ),
        "0/1",
        "Init:0/1",
        "0",
        id="init-0-of-1",
    ),
    pytest.param(
        pod(
            ["app"],
            {
                "phase": "Pending",
                "initContainerStatuses": [
                    terminated("migrate", 0, "Completed"),
                    waiting("seed", "PodInitializing"),
                ],
            },
            init=[MIGRATE, {"name": "seed"}],
        ),
        "0/1",
        "Init:1/2",
        "0",
        id="init-1-of-2",
    ),
    pytest.param(
        pod(
            ["app"],
            {
                "phase": "Pending",
                "conditions": conditions(Initialized=False),
                "initContainerStatuses": [
                    waiting("migrate", "CrashLoopBackOff", 3, lastState=last_terminated(minutes=1))
                ],
                "containerStatuses": [waiting("app", "PodInitializing")],
            },
            init=[MIGRATE],
        ),
        "0/1",
        "Init:CrashLoopBackOff",
        "3 (60s ago)",
        id="init-crash-loop-backoff",
    ),
    pytest.param(
        pod(
            ["app"],
            {"phase": "Pending", "initContainerStatuses": [terminated("migrate", 1, "Error")]},
            init=[MIGRATE],
        ),
        "0/1",
        "Init:Error",
        "0",
        id="init-error",
    ),
    pytest.param(
        pod(
            ["app"],
            {"phase": "Pending", "initContainerStatuses": [terminated("migrate", 2)]},
            init=[MIGRATE],
        ),
        "0/1",
        "Init:ExitCode:2",
        "0",
        id="init-exit-code",
    ),
    pytest.param(
        pod(
            ["app"],
            {
                "phase": "Pending",
                "initContainerStatuses": [
                    {"name": "migrate", "state": {"terminated": {"exitCode": 137, "signal": 9}}}
                ],
            },
            init=[MIGRATE],
        ),
        "0/1",
        "Init:Signal:9",
        "0",
        id="init-signal",
    ),
    pytest.param(
        pod(
            ["app"],
            {
                "phase": "Running",
                "conditions": conditions(Initialized=True, Ready=True),
                "initContainerStatuses": [
                    running("istio-proxy", 2, lastState=last_terminated(minutes=10))
                ],
                "containerStatuses": [running("app", 1, lastState=last_terminated(minutes=5))],
            },
            init=[SIDECAR],
        ),
        "2/2",
        "Running",
        "3 (5m ago)",
        id="sidecar",
    ),
    pytest.param(
        pod(
            ["app"],
            {
                "phase": "Pending",
                "initContainerStatuses": [
                    {**running("istio-proxy"), "started": False, "ready": False},
                    waiting("migrate", "PodInitializing"),
                ],
            },
            init=[SIDECAR, MIGRATE],
        ),
        "0/2",
        "Init:0/2",
        "0",
        id="sidecar-starting",
    ),
    pytest.param(
        pod(
            ["app"],
            {
                "phase": "Pending",
                "initContainerStatuses": [
                    running("istio-proxy", 1, lastState=last_terminated(minutes=4)),
                    terminated("migrate", 1, "Error", restartCount=2),
                ],
            },
            init=[SIDECAR, MIGRATE],
        ),
        "1/2",
        "Init:Error",
        "3 (4m ago)",
        id="sidecar-ready-while-init-fails",
    ),
    pytest.param(
        pod(
            ["app"],
            {
                "phase": "Pending",
                "conditions": [
                    {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}
                ],
            },
        ),
        "0/1",
        "SchedulingGated",
        "0",
        id="scheduling-gated",
    ),
    pytest.param(
        pod(["app"], {"phase": "Failed", "reason": "Evicted", "message": "low on memory"}),
        "0/1",
        "Evicted",
        "0",
        id="evicted",
    ),
    pytest.param(
        pod(
            ["app"],
            {"phase": "Running", "containerStatuses": [running("app")]},
            meta={"deletionTimestamp": ago(seconds=5)},
        ),
        "1/1",
        "Terminating",
        "0",
        id="terminating",
    ),
    pytest.param(
        pod(
            ["job"],
            {"phase": "Succeeded", "containerStatuses": [terminated("job", 0, "Completed")]},
            meta={"deletionTimestamp": ago(seconds=5)},
        ),
        "0/1",
        "Completed",
        "0",
        id="terminal-pod-being-deleted",
    ),
    pytest.param(
        pod(
            ["app"],
            {"phase": "Running", "reason": "NodeLost", "containerStatuses": [running("app")]},
            meta={"deletionTimestamp": ago(seconds=5)},
        ),
        "1/1",
        "Unknown",
        "0",
        id="node-lost",
    ),
]


@pytest.mark.parametrize(("item", "ready", "status", "restarts"), POD_CASES)
def test_pod_ready_status_restarts(
    item: dict[str, Any], ready: str, status: str, restarts: str
) -> None:
    assert cells("pods", item)[:5] == ["p", ready, status, restarts, AGE]


def test_pod_wide_cells() -> None:
    item = pod(
        ["web"],
        {
            "phase": "Running",
            "podIP": "10.244.1.5",
            "podIPs": [{"ip": "10.244.1.5"}, {"ip": "fd00:10:244:1::5"}],
            "nominatedNodeName": "node-2",
            "conditions": [
                {"type": "www.example.com/feature-1", "status": "True"},
                {"type": "www.example.com/feature-2", "status": "False"},
            ],
            "containerStatuses": [running("web")],
        },
        nodeName="node-1",
        readinessGates=[
            {"conditionType": "www.example.com/feature-1"},
            {"conditionType": "www.example.com/feature-2"},
        ],
    )
    assert cells("pods", item) == [
        "p",
        "1/1",
        "Running",
        "0",
        AGE,
        "10.244.1.5",
        "node-1",
        "node-2",
        "1/2",
    ]


def test_pod_ip_sources() -> None:
    only_ips = pod(["a"], {"podIPs": [{"ip": "fd00::5"}, {"ip": "10.0.0.5"}]})
    only_ip = pod(["a"], {"podIP": "10.0.0.6"})
    assert cells("pods", only_ips)[5] == "fd00::5"
    assert cells("pods", only_ip)[5] == "10.0.0.6"


def test_pod_columns() -> None:
    assert names("pods") == ["Name", "Ready", "Status", "Restarts", "Age"]
    assert names("pods", wide=True)[5:] == ["IP", "Node", "Nominated Node", "Readiness Gates"]
    first = column_definitions("pods", "")[0]
    assert list(first) == ["name", "type", "format", "description", "priority"]
    assert (first["name"], first["type"], first["format"], first["priority"]) == (
        "Name",
        "string",
        "name",
        0,
    )
    assert first["description"].startswith("Name must be unique within a namespace.")


def test_pod_row_conditions() -> None:
    done = pod(["job"], {"phase": "Succeeded"})
    failed = pod(["job"], {"phase": "Failed"})
    assert table("pods", "", [done, failed, pod(["a"], {"phase": "Running"})], NOW)["rows"][0][
        "conditions"
    ] == [
        {
            "type": "Completed",
            "status": "True",
            "reason": "Succeeded",
            "message": "The pod has completed successfully.",
        }
    ]
    rows = table("pods", "", [failed, pod(["a"], {"phase": "Running"})], NOW)["rows"]
    assert rows[0]["conditions"][0]["reason"] == "Failed"
    assert rows[0]["conditions"][0]["message"] == "The pod failed."
    assert "conditions" not in rows[1]


def test_pod_templates() -> None:
    template = obj(
        "web-template",
        template={
            "metadata": {"labels": {"tier": "fe", "app": "web"}},
            "spec": {
                "containers": [
                    {"name": "web", "image": "nginx"},
                    {"name": "log", "image": "busybox"},
                ]
            },
        },
    )
    assert names("podtemplates") == ["Name", "Containers", "Images", "Pod Labels"]
    assert cells("podtemplates", template) == [
        "web-template",
        "web,log",
        "nginx,busybox",
        "app=web,tier=fe",
    ]


# --- services, endpoints, endpoint slices, ingresses -------------------------------------------


def service(name: str, **spec: Any) -> dict[str, Any]:
    status = spec.pop("status", {})
    return obj(name, spec=spec, status=status)


SERVICE_CASES = [
    pytest.param(
        service(
            "kube-dns",
            type="ClusterIP",
            clusterIP="10.96.0.10",
            clusterIPs=["10.96.0.10"],
            selector={"k8s-app": "kube-dns"},
            ports=[
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
            ],
        ),
        ["kube-dns", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP", AGE, "k8s-app=kube-dns"],
        id="cluster-ip",
    ),
    pytest.param(
        service(
            "db",
            type="ClusterIP",
            clusterIP="None",
            clusterIPs=["None"],
            selector={"app": "db"},
            ports=[{"port": 5432, "protocol": "TCP"}],
        ),
        ["db", "ClusterIP", "None", "<none>", "5432/TCP", AGE, "app=db"],
        id="headless",
    ),
    pytest.param(
        service(
            "web",
            type="NodePort",
            clusterIPs=["10.96.12.34", "fd00::1234"],
            externalIPs=["203.0.113.5", "203.0.113.6"],
            ports=[
                {"port": 80, "nodePort": 31234, "protocol": "TCP"},
                {"port": 443, "nodePort": 31443, "protocol": "TCP"},
            ],
        ),
        [
            "web",
            "NodePort",
            "10.96.12.34",
            "203.0.113.5,203.0.113.6",
            "80:31234/TCP,443:31443/TCP",
            AGE,
            "<none>",
        ],
        id="node-port-external-ips",
    ),
    pytest.param(
        service(
            "edge",
            type="LoadBalancer",
            clusterIPs=["10.96.0.200"],
            ports=[{"port": 443, "nodePort": 30443, "protocol": "TCP"}],
        ),
        ["edge", "LoadBalancer", "10.96.0.200", "<pending>", "443:30443/TCP", AGE, "<none>"],
        id="load-balancer-pending",
    ),
    pytest.param(
        service(
            "edge",
            type="LoadBalancer",
            clusterIPs=["10.96.0.200"],
            ports=[{"port": 80, "nodePort": 30080, "protocol": "TCP"}],
            status={
                "loadBalancer": {
                    "ingress": [
                        {"ip": "203.0.113.20"},
                        {"hostname": "edge-1234.elb.example.com"},
                        {"ip": "198.51.100.7", "hostname": "ignored.example.com"},
                        {"ip": "203.0.113.20"},
                    ]
                }
            },
        ),
        [
            "edge",
            "LoadBalancer",
            "10.96.0.200",
            "198.51.100.7,203.0.113.20,edge-1234.elb.example.com",
            "80:30080/TCP",
            AGE,
            "<none>",
        ],
        id="load-balancer-ingress-never-truncated",
    ),
    pytest.param(
        service(
            "edge",
            type="LoadBalancer",
            clusterIPs=["10.96.0.200"],
            externalIPs=["10.0.0.9"],
            ports=[{"port": 80, "protocol": "TCP"}],
            status={"loadBalancer": {"ingress": [{"ip": "198.51.100.7"}]}},
        ),
        ["edge", "LoadBalancer", "10.96.0.200", "198.51.100.7,10.0.0.9", "80/TCP", AGE, "<none>"],
        id="load-balancer-and-external-ips",
    ),
    pytest.param(
        service("db", type="ExternalName", externalName="db.example.com"),
        ["db", "ExternalName", "<none>", "db.example.com", "<none>", AGE, "<none>"],
        id="external-name",
    ),
    pytest.param(
        service(
            "old",
            type="ClusterIP",
            clusterIP="10.96.1.1",
            ports=[{"port": 8080, "protocol": "TCP"}],
        ),
        ["old", "ClusterIP", "10.96.1.1", "<none>", "8080/TCP", AGE, "<none>"],
        id="cluster-ip-without-cluster-ips",
    ),
    pytest.param(
        service("odd", clusterIPs=["10.96.1.2"]),
        ["odd", "", "10.96.1.2", "<unknown>", "<none>", AGE, "<none>"],
        id="no-type",
    ),
]


@pytest.mark.parametrize(("item", "expected"), SERVICE_CASES)
def test_services(item: dict[str, Any], expected: list[Any]) -> None:
    assert cells("services", item) == expected


def test_service_columns() -> None:
    assert names("services") == ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"]
    assert names("services", wide=True)[-1] == "Selector"


def endpoints(*subsets: dict[str, Any]) -> dict[str, Any]:
    return obj("web", subsets=list(subsets))


def addresses(*ips: str) -> list[dict[str, str]]:
    return [{"ip": ip} for ip in ips]


ENDPOINTS_CASES = [
    pytest.param(obj("web"), "<none>", id="no-subsets"),
    pytest.param(
        endpoints(
            {
                "addresses": addresses("10.0.0.1", "10.0.0.2"),
                "notReadyAddresses": addresses("10.0.0.3"),
                "ports": [{"name": "http", "port": 80}],
            }
        ),
        "10.0.0.1:80,10.0.0.2:80",
        id="ready-only",
    ),
    pytest.param(
        endpoints(
            {
                "addresses": addresses("10.0.0.1", "10.0.0.2", "10.0.0.3"),
                "ports": [{"port": 80}, {"port": 443}],
            }
        ),
        "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 3 more...",
        id="more",
    ),
    pytest.param(
        endpoints(
            {"addresses": addresses("10.0.0.1"), "ports": [{"port": 80}]},
            {"addresses": addresses("10.0.1.1", "10.0.1.2", "10.0.1.3"), "ports": [{"port": 81}]},
        ),
        "10.0.0.1:80,10.0.1.1:81,10.0.1.2:81 + 1 more...",
        id="several-subsets",
    ),
    pytest.param(
        endpoints({"addresses": addresses("fd00::1"), "ports": [{"port": 8080}]}),
        "[fd00::1]:8080",
        id="ipv6",
    ),
    pytest.param(
        endpoints({"addresses": addresses("10.0.0.1", "10.0.0.2")}),
        "10.0.0.1,10.0.0.2",
        id="headless-without-ports",
    ),
    pytest.param(
        endpoints({"notReadyAddresses": addresses("10.0.0.1"), "ports": [{"port": 80}]}),
        "",
        id="nothing-ready",
    ),
]


@pytest.mark.parametrize(("item", "expected"), ENDPOINTS_CASES)
def test_endpoints(item: dict[str, Any], expected: str) -> None:
    assert cells("endpoints", item) == ["web", expected, AGE]


def test_endpoint_slices() -> None:
    group = "discovery.k8s.io"
    slice_ = obj(
        "web-abc12",
        addressType="IPv4",
        ports=[{"name": "http", "port": 80, "protocol": "TCP"}, {"name": "https", "port": 443}],
        endpoints=[
            {"addresses": ["10.0.0.1"], "conditions": {"ready": True}},
            {"addresses": ["10.0.0.2"], "conditions": {"ready": False}},
        ],
    )
    assert names("endpointslices", group) == ["Name", "AddressType", "Ports", "Endpoints", "Age"]
    assert cells("endpointslices", slice_, group) == [
        "web-abc12",
        "IPv4",
        "80,443",
        "10.0.0.1,10.0.0.2",
        AGE,
    ]
    many = obj(
        "many",
        addressType="IPv6",
        ports=[{"name": "metrics"}, {}, {"port": 1}, {"port": 2}],
        endpoints=[
            {"addresses": ["fd00::1", "fd00::2"]},
            {"addresses": ["fd00::3", "fd00::4", "fd00::5"]},
        ],
    )
    assert cells("endpointslices", many, group)[1:4] == [
        "IPv6",
        "metrics,*,1 + 1 more...",
        "fd00::1,fd00::2,fd00::3 + 2 more...",
    ]
    assert cells("endpointslices", obj("empty"), group)[2:4] == ["<unset>", "<unset>"]


def ingress(**spec: Any) -> dict[str, Any]:
    status = spec.pop("status", {})
    return obj("web", spec=spec, status=status)


INGRESS_CASES = [
    pytest.param(
        ingress(
            ingressClassName="nginx",
            rules=[{"host": "foo.example.com"}, {"host": "bar.example.com"}],
            tls=[{"hosts": ["foo.example.com"], "secretName": "tls"}],
            status={
                "loadBalancer": {"ingress": [{"ip": "203.0.113.9"}, {"hostname": "lb.example.com"}]}
            },
        ),
        [
            "web",
            "nginx",
            "foo.example.com,bar.example.com",
            "203.0.113.9,lb.example.com",
            "80, 443",
            AGE,
        ],
        id="class-tls-address",
    ),
    pytest.param(
        ingress(rules=[{"http": {"paths": []}}], defaultBackend={"service": {"name": "web"}}),
        ["web", "<none>", "*", "", "80", AGE],
        id="no-host",
    ),
    pytest.param(
        ingress(rules=[{"host": "a"}, {"host": "b"}, {}, {"host": "c"}, {"host": "d"}]),
        ["web", "<none>", "a,b,c + 2 more...", "", "80", AGE],
        id="more-hosts",
    ),
    pytest.param(
        ingress(rules=[{"host": "a"}, {"host": "b"}, {"host": "c"}]),
        ["web", "<none>", "a,b,c", "", "80", AGE],
        id="three-hosts",
    ),
]


@pytest.mark.parametrize(("item", "expected"), INGRESS_CASES)
def test_ingresses(item: dict[str, Any], expected: list[Any]) -> None:
    assert cells("ingresses", item, "networking.k8s.io") == expected


def test_ingress_classes() -> None:
    group = "networking.k8s.io"
    with_group = obj(
        "external-lb",
        spec={
            "controller": "example.com/ingress-controller",
            "parameters": {
                "apiGroup": "k8s.example.com",
                "kind": "IngressParameters",
                "name": "external-lb",
            },
        },
    )
    core = obj(
        "nginx",
        spec={
            "controller": "k8s.io/ingress-nginx",
            "parameters": {"kind": "ConfigMap", "name": "cfg"},
        },
    )
    plain = obj("plain", spec={"controller": "k8s.io/ingress-nginx"})
    assert names("ingressclasses", group) == ["Name", "Controller", "Parameters", "Age"]
    assert cells("ingressclasses", with_group, group) == [
        "external-lb",
        "example.com/ingress-controller",
        "IngressParameters.k8s.example.com/external-lb",
        AGE,
    ]
    assert cells("ingressclasses", core, group)[2] == "ConfigMap/cfg"
    assert cells("ingressclasses", plain, group)[2] == "<none>"


def test_network_policies() -> None:
    group = "networking.k8s.io"
    selective = obj(
        "db", spec={"podSelector": {"matchLabels": {"role": "db"}}, "policyTypes": ["Ingress"]}
    )
    everything = obj("deny-all", spec={"podSelector": {}})
    assert names("networkpolicies", group) == ["Name", "Pod-Selector", "Age"]
    assert cells("networkpolicies", selective, group) == ["db", "role=db", AGE]
    assert cells("networkpolicies", everything, group) == ["deny-all", "<none>", AGE]


# --- workloads --------------------------------------------------------------------------------


def template(*containers: tuple[str, str], labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "metadata": {"labels": labels or {}},
        "spec": {"containers": [{"name": n, "image": i} for n, i in containers]},
    }


def test_deployments() -> None:
    group = "apps"
    deployment = obj(
        "web",
        spec={
            "replicas": 3,
            "selector": {
                "matchLabels": {"app": "web"},
                "matchExpressions": [
                    {"key": "tier", "operator": "In", "values": ["frontend", "backend"]},
                    {"key": "canary", "operator": "DoesNotExist"},
                    {"key": "env", "operator": "NotIn", "values": ["dev"]},
                    {"key": "team", "operator": "Exists"},
                ],
            },
            "template": template(("web", "nginx:1.25"), ("log", "busybox")),
        },
        status={"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2},
    )
    assert names(group=group, resource="deployments", wide=True) == [
        "Name",
        "Ready",
        "Up-to-date",
        "Available",
        "Age",
        "Containers",
        "Images",
        "Selector",
    ]
    assert cells("deployments", deployment, group) == [
        "web",
        "2/3",
        3,
        2,
        AGE,
        "web,log",
        "nginx:1.25,busybox",
        "app=web,!canary,env notin (dev),team,tier in (backend,frontend)",
    ]
    scaled_down = obj("idle", spec={"replicas": 0, "selector": {}, "template": template()})
    assert cells("deployments", scaled_down, group) == ["idle", "0/0", 0, 0, AGE, "", "", ""]
    broken = obj(
        "broken", spec={"selector": {"matchExpressions": [{"key": "a", "operator": "Like"}]}}
    )
    assert cells("deployments", broken, group)[-1] == "<invalid>"


def test_replica_sets() -> None:
    labels = {"app": "web", "pod-template-hash": "7d4b9c6f5"}
    replica_set = obj(
        "web-7d4b9c6f5",
        spec={
            "replicas": 3,
            "selector": {"matchLabels": labels},
            "template": template(("web", "nginx:1.25")),
        },
        status={"replicas": 3, "readyReplicas": 2},
    )
    assert names("replicasets", "apps") == ["Name", "Desired", "Current", "Ready", "Age"]
    assert cells("replicasets", replica_set, "apps") == [
        "web-7d4b9c6f5",
        3,
        3,
        2,
        AGE,
        "web",
        "nginx:1.25",
        "app=web,pod-template-hash=7d4b9c6f5",
    ]
    old = obj(
        "web-old",
        spec={"replicas": 0, "selector": {"matchExpressions": [{"key": "a", "operator": "In"}]}},
    )
    assert cells("replicasets", old, "apps") == ["web-old", 0, 0, 0, AGE, "", "", "<error>"]


def test_replication_controllers() -> None:
    controller = obj(
        "legacy",
        spec={
            "replicas": 2,
            "selector": {"app": "legacy"},
            "template": template(("app", "legacy:2")),
        },
        status={"replicas": 2, "readyReplicas": 1},
    )
    assert cells("replicationcontrollers", controller) == [
        "legacy",
        2,
        2,
        1,
        AGE,
        "app",
        "legacy:2",
        "app=legacy",
    ]


def test_daemon_sets() -> None:
    daemon_set = obj(
        "kube-proxy",
        spec={
            "selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
            "template": {
                "spec": {
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "containers": [
                        {"name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.37.1"}
                    ],
                }
            },
        },
        status={
            "desiredNumberScheduled": 3,
            "currentNumberScheduled": 3,
            "numberReady": 2,
            "updatedNumberScheduled": 3,
            "numberAvailable": 2,
        },
    )
    assert names("daemonsets", "apps") == [
        "Name",
        "Desired",
        "Current",
        "Ready",
        "Up-to-date",
        "Available",
        "Node Selector",
        "Age",
    ]
    assert cells("daemonsets", daemon_set, "apps") == [
        "kube-proxy",
        3,
        3,
        2,
        3,
        2,
        "kubernetes.io/os=linux",
        AGE,
        "kube-proxy",
        "registry.k8s.io/kube-proxy:v1.37.1",
        "k8s-app=kube-proxy",
    ]


def test_stateful_sets() -> None:
    stateful_set = obj(
        "db",
        spec={
            "replicas": 3,
            "serviceName": "db",
            "template": template(("postgres", "postgres:16")),
        },
        status={"replicas": 2, "readyReplicas": 1},
    )
    assert names("statefulsets", "apps", wide=True) == [
        "Name",
        "Ready",
        "Age",
        "Containers",
        "Images",
    ]
    assert cells("statefulsets", stateful_set, "apps") == [
        "db",
        "1/3",
        AGE,
        "postgres",
        "postgres:16",
    ]


def test_controller_revisions() -> None:
    owned = obj(
        "db-6b8f7c9d4",
        meta={
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "StatefulSet",
                    "name": "other",
                    "controller": False,
                },
                {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "controller": True},
            ]
        },
        revision=2,
    )
    core_owner = obj(
        "x",
        meta={
            "ownerReferences": [
                {"apiVersion": "v1", "kind": "Pod", "name": "p", "controller": True}
            ]
        },
        revision=1,
    )
    assert names("controllerrevisions", "apps") == ["Name", "Controller", "Revision", "Age"]
    assert cells("controllerrevisions", owned, "apps") == [
        "db-6b8f7c9d4",
        "statefulset.apps/db",
        2,
        AGE,
    ]
    assert cells("controllerrevisions", core_owner, "apps")[1] == "pod/p"
    assert cells("controllerrevisions", obj("orphan", revision=7), "apps")[1:3] == ["<none>", 7]


def job(**fields: Any) -> dict[str, Any]:
    spec = {
        "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "8c6e"}},
        "template": template(("pi", "perl:5.34.0")),
        **fields.pop("spec", {}),
    }
    return obj("pi", spec=spec, **fields)


JOB_CASES = [
    pytest.param(
        job(
            spec={"completions": 1, "parallelism": 1},
            status={
                "succeeded": 1,
                "startTime": ago(minutes=10),
                "completionTime": ago(minutes=9, seconds=48),
                "conditions": [
                    {"type": "SuccessCriteriaMet", "status": "True"},
                    {"type": "Complete", "status": "True"},
                ],
            },
        ),
        ["Complete", "1/1", "12s"],
        id="complete",
    ),
    pytest.param(
        job(
            spec={"completions": 5, "parallelism": 2},
            status={"succeeded": 2, "startTime": ago(minutes=3)},
        ),
        ["Running", "2/5", "3m"],
        id="running",
    ),
    pytest.param(
        job(
            spec={"parallelism": 3},
            status={
                "failed": 4,
                "startTime": ago(hours=2),
                "conditions": [
                    {"type": "FailureTarget", "status": "True"},
                    {"type": "Failed", "status": "True"},
                ],
            },
        ),
        ["Failed", "0/1 of 3", "120m"],
        id="failed-work-queue",
    ),
    pytest.param(
        job(
            spec={"completions": 1, "suspend": True},
            status={"conditions": [{"type": "Suspended", "status": "True"}]},
        ),
        ["Suspended", "0/1", ""],
        id="suspended",
    ),
    pytest.param(
        job(
            spec={"completions": 1},
            status={
                "startTime": ago(minutes=1),
                "conditions": [{"type": "FailureTarget", "status": "True"}],
            },
        ),
        ["FailureTarget", "0/1", "60s"],
        id="failure-target",
    ),
    pytest.param(
        job(
            meta={"deletionTimestamp": ago(seconds=1)},
            spec={"completions": 1},
            status={"conditions": [{"type": "Suspended", "status": "True"}]},
        ),
        ["Terminating", "0/1", ""],
        id="terminating",
    ),
    pytest.param(
        job(
            spec={"completions": 2},
            status={"succeeded": 1, "conditions": [{"type": "Complete", "status": "False"}]},
        ),
        ["Running", "1/2", ""],
        id="false-condition",
    ),
]


@pytest.mark.parametrize(("item", "expected"), JOB_CASES)
def test_jobs(item: dict[str, Any], expected: list[str]) -> None:
    row = cells("jobs", item, "batch")
    assert row[1:4] == expected
    assert row[4:] == [AGE, "pi", "perl:5.34.0", "batch.kubernetes.io/controller-uid=8c6e"]


def test_job_columns() -> None:
    assert names("jobs", "batch") == ["Name", "Status", "Completions", "Duration", "Age"]


def test_cron_jobs() -> None:
    cron_job = obj(
        "report",
        spec={
            "schedule": "*/5 * * * *",
            "suspend": False,
            "jobTemplate": {"spec": {"template": template(("report", "report:3"))}},
        },
        status={"active": [{"name": "report-29012345"}], "lastScheduleTime": ago(minutes=2)},
    )
    assert names("cronjobs", "batch") == [
        "Name",
        "Schedule",
        "Timezone",
        "Suspend",
        "Active",
        "Last Schedule",
        "Age",
    ]
    assert cells("cronjobs", cron_job, "batch") == [
        "report",
        "*/5 * * * *",
        "<none>",
        "False",
        1,
        "2m",
        AGE,
        "report",
        "report:3",
        "<none>",
    ]
    never = obj("nightly", spec={"schedule": "0 3 * * *", "timeZone": "Etc/UTC", "suspend": True})
    assert cells("cronjobs", never, "batch")[1:6] == ["0 3 * * *", "Etc/UTC", "True", 0, "<none>"]
    assert cells("cronjobs", obj("unset", spec={"schedule": "@daily"}), "batch")[3] == "<unset>"


def test_pod_disruption_budgets() -> None:
    group = "policy"
    minimum = obj("web", spec={"minAvailable": 2}, status={"disruptionsAllowed": 1})
    maximum = obj("db", spec={"maxUnavailable": "25%"}, status={"disruptionsAllowed": 0})
    assert names("poddisruptionbudgets", group) == [
        "Name",
        "Min Available",
        "Max Unavailable",
        "Allowed Disruptions",
        "Age",
    ]
    assert cells("poddisruptionbudgets", minimum, group) == ["web", "2", "N/A", 1, AGE]
    assert cells("poddisruptionbudgets", maximum, group) == ["db", "N/A", "25%", 0, AGE]


def hpa(
    metrics: list[dict[str, Any]], current: list[dict[str, Any]] | None = None, **spec: Any
) -> dict[str, Any]:
    status: dict[str, Any] = {"currentReplicas": 3, "desiredReplicas": 3}
    if current is not None:
        status["currentMetrics"] = current
    return obj(
        "web",
        spec={
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "maxReplicas": 10,
            "metrics": metrics,
            **spec,
        },
        status=status,
    )


CPU_80 = {
    "type": "Resource",
    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
}
CPU_45 = {
    "type": "Resource",
    "resource": {"name": "cpu", "current": {"averageUtilization": 45, "averageValue": "230m"}},
}

HPA_CASES = [
    pytest.param(hpa([CPU_80], [CPU_45], minReplicas=2), "cpu: 45%/80%", "2", id="cpu-utilization"),
    pytest.param(hpa([CPU_80]), "cpu: <unknown>/80%", "<unset>", id="no-status-yet"),
    pytest.param(hpa([]), "<none>", "<unset>", id="no-metrics"),
    pytest.param(
        hpa(
            [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "memory",
                        "target": {"type": "AverageValue", "averageValue": "500Mi"},
                    },
                },
                {
                    "type": "Pods",
                    "pods": {
                        "metric": {"name": "rps"},
                        "target": {"type": "AverageValue", "averageValue": "1k"},
                    },
                },
                {
                    "type": "External",
                    "external": {
                        "metric": {"name": "queue"},
                        "target": {"type": "Value", "value": "10"},
                    },
                },
            ],
            [
                {
                    "type": "Resource",
                    "resource": {"name": "memory", "current": {"averageValue": "300Mi"}},
                },
                {
                    "type": "Pods",
                    "pods": {"metric": {"name": "rps"}, "current": {"averageValue": "1500m"}},
                },
            ],
            minReplicas=1,
        ),
        "memory: 300Mi/500Mi, 1500m/1k + 1 more...",
        "1",
        id="more-than-two",
    ),
    pytest.param(
        hpa(
            [
                {
                    "type": "Object",
                    "object": {
                        "metric": {"name": "hits"},
                        "target": {"type": "AverageValue", "averageValue": "100"},
                    },
                },
                {
                    "type": "External",
                    "external": {
                        "metric": {"name": "queue"},
                        "target": {"type": "Value", "value": "10"},
                    },
                },
            ],
            [
                {
                    "type": "Object",
                    "object": {"metric": {"name": "hits"}, "current": {"averageValue": "80"}},
                },
                {
                    "type": "External",
                    "external": {"metric": {"name": "queue"}, "current": {"value": "7"}},
                },
            ],
        ),
        "80/100 (avg), 7/10",
        "<unset>",
        id="object-and-external",
    ),
    pytest.param(
        hpa(
            [
                {
                    "type": "ContainerResource",
                    "containerResource": {
                        "name": "cpu",
                        "container": "app",
                        "target": {"type": "Utilization"},
                    },
                },
                {"type": "Custom"},
            ]
        ),
        "cpu: <unknown>/<auto>, <unknown type>",
        "<unset>",
        id="container-resource-and-unknown-type",
    ),
]


@pytest.mark.parametrize(("item", "targets", "min_pods"), HPA_CASES)
def test_horizontal_pod_autoscalers(item: dict[str, Any], targets: str, min_pods: str) -> None:
    assert cells("horizontalpodautoscalers", item, "autoscaling") == [
        "web",
        "Deployment/web",
        targets,
        min_pods,
        10,
        3,
        AGE,
    ]


def test_horizontal_pod_autoscaler_columns() -> None:
    assert names("horizontalpodautoscalers", "autoscaling") == [
        "Name",
        "Reference",
        "Targets",
        "MinPods",
        "MaxPods",
        "Replicas",
        "Age",
    ]


# --- cluster, configuration, policy -----------------------------------------------------------


def test_nodes() -> None:
    control_plane = obj(
        "cp",
        meta={
            "namespace": None,
            "labels": {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/hostname": "cp"},
        },
        status={
            "conditions": [
                {"type": "MemoryPressure", "status": "False"},
                {"type": "Ready", "status": "True"},
            ],
            "addresses": [
                {"type": "InternalIP", "address": "172.18.0.2"},
                {"type": "Hostname", "address": "cp"},
            ],
            "nodeInfo": {
                "kubeletVersion": "v1.37.1",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "kernelVersion": "6.8.0-45-generic",
                "containerRuntimeVersion": "containerd://2.1.0",
            },
        },
    )
    assert names("nodes") == ["Name", "Status", "Roles", "Age", "Version"]
    assert cells("nodes", control_plane) == [
        "cp",
        "Ready",
        "control-plane",
        AGE,
        "v1.37.1",
        "172.18.0.2",
        "<none>",
        "Debian GNU/Linux 12 (bookworm)",
        "6.8.0-45-generic",
        "containerd://2.1.0",
    ]
    cordoned = obj(
        "w1",
        meta={
            "labels": {
                "kubernetes.io/role": "worker",
                "node-role.kubernetes.io/infra": "",
                "node-role.kubernetes.io/": "",
            }
        },
        spec={"unschedulable": True},
        status={
            "conditions": [{"type": "Ready", "status": "Unknown"}],
            "addresses": [{"type": "ExternalIP", "address": "203.0.113.4"}],
            "nodeInfo": {"kubeletVersion": "v1.36.0"},
        },
    )
    assert cells("nodes", cordoned) == [
        "w1",
        "NotReady,SchedulingDisabled",
        "infra,worker",
        AGE,
        "v1.36.0",
        "<none>",
        "203.0.113.4",
        "<unknown>",
        "<unknown>",
        "<unknown>",
    ]
    fresh = obj("new", spec={"unschedulable": True})
    assert cells("nodes", fresh)[1:3] == ["Unknown,SchedulingDisabled", "<none>"]


def test_namespaces() -> None:
    assert names("namespaces") == ["Name", "Status", "Age"]
    assert cells("namespaces", obj("kube-system", status={"phase": "Active"})) == [
        "kube-system",
        "Active",
        AGE,
    ]
    gone = obj("old", meta={"deletionTimestamp": ago(seconds=3)}, status={"phase": "Terminating"})
    assert cells("namespaces", gone) == ["old", "Terminating", AGE]


def test_config_maps_secrets_service_accounts() -> None:
    config_map = obj("settings", data={"a": "1", "b": "2"}, binaryData={"c": "AA=="})
    secret = obj("tls", type="kubernetes.io/tls", data={"tls.crt": "Y3J0", "tls.key": "a2V5"})
    assert cells("configmaps", config_map) == ["settings", 3, AGE]
    assert cells("configmaps", obj("empty")) == ["empty", 0, AGE]
    assert cells("secrets", secret) == ["tls", "kubernetes.io/tls", 2, AGE]
    assert cells("secrets", obj("opaque", type="Opaque")) == ["opaque", "Opaque", 0, AGE]
    assert names("secrets") == ["Name", "Type", "Data", "Age"]
    account = obj("default", secrets=[{"name": "default-token"}])
    assert names("serviceaccounts") == ["Name", "Age"]
    assert cells("serviceaccounts", account) == ["default", AGE]


def test_component_statuses() -> None:
    healthy = obj("etcd-0", conditions=[{"type": "Healthy", "status": "True", "message": "ok"}])
    broken = obj(
        "scheduler",
        conditions=[
            {"type": "Healthy", "status": "False", "message": "", "error": "connection refused"}
        ],
    )
    assert names("componentstatuses") == ["Name", "Status", "Message", "Error"]
    assert cells("componentstatuses", healthy) == ["etcd-0", "Healthy", "ok", ""]
    assert cells("componentstatuses", broken) == [
        "scheduler",
        "Unhealthy",
        "",
        "connection refused",
    ]
    assert cells("componentstatuses", obj("x")) == ["x", "Unknown", "", ""]


def test_resource_quotas() -> None:
    quota = obj(
        "compute",
        status={
            "hard": {
                "pods": "10",
                "requests.cpu": "2",
                "requests.memory": "4Gi",
                "limits.cpu": "4",
                "limits.memory": "8Gi",
            },
            "used": {
                "pods": "3",
                "requests.cpu": "500m",
                "requests.memory": "1Gi",
                "limits.cpu": "1",
            },
        },
    )
    assert names("resourcequotas") == ["Name", "Request", "Limit", "Age"]
    assert cells("resourcequotas", quota) == [
        "compute",
        "pods: 3/10, requests.cpu: 500m/2, requests.memory: 1Gi/4Gi",
        "limits.cpu: 1/4, limits.memory: 0/8Gi",
        AGE,
    ]
    assert cells("resourcequotas", obj("fresh", spec={"hard": {"pods": "1"}})) == [
        "fresh",
        "",
        "",
        AGE,
    ]


def test_priority_classes() -> None:
    group = "scheduling.k8s.io"
    high = obj("high", value=1000000, preemptionPolicy="PreemptLowerPriority", description="x")
    default = obj("default-priority", value=0, globalDefault=True)
    assert names("priorityclasses", group) == [
        "Name",
        "Value",
        "Global-Default",
        "Age",
        "PreemptionPolicy",
    ]
    assert cells("priorityclasses", high, group) == [
        "high",
        1000000,
        False,
        AGE,
        "PreemptLowerPriority",
    ]
    assert cells("priorityclasses", default, group) == ["default-priority", 0, True, AGE, ""]


def test_leases() -> None:
    group = "coordination.k8s.io"
    held = obj("kube-scheduler", spec={"holderIdentity": "cp_1f2e", "leaseDurationSeconds": 15})
    assert names("leases", group) == ["Name", "Holder", "Age"]
    assert cells("leases", held, group) == ["kube-scheduler", "cp_1f2e", AGE]
    assert cells("leases", obj("free"), group) == ["free", "", AGE]


def test_role_bindings() -> None:
    group = "rbac.authorization.k8s.io"
    binding = obj(
        "viewers",
        roleRef={"apiGroup": group, "kind": "ClusterRole", "name": "view"},
        subjects=[
            {"kind": "User", "name": "alice"},
            {"kind": "Group", "name": "devs"},
            {"kind": "ServiceAccount", "namespace": "ci", "name": "deployer"},
            {"kind": "User", "name": "bob"},
        ],
    )
    assert names("rolebindings", group, wide=True) == [
        "Name",
        "Role",
        "Age",
        "Users",
        "Groups",
        "ServiceAccounts",
    ]
    assert cells("rolebindings", binding, group) == [
        "viewers",
        "ClusterRole/view",
        AGE,
        "alice, bob",
        "devs",
        "ci/deployer",
    ]
    admins = obj(
        "cluster-admin",
        roleRef={"apiGroup": group, "kind": "ClusterRole", "name": "cluster-admin"},
        subjects=[{"kind": "Group", "name": "system:masters"}],
    )
    assert cells("clusterrolebindings", admins, group) == [
        "cluster-admin",
        "ClusterRole/cluster-admin",
        AGE,
        "",
        "system:masters",
        "",
    ]
    assert (
        column_definitions("clusterrolebindings", group)[3]["description"]
        == "Users in the clusterRoleBinding"
    )


# --- events -----------------------------------------------------------------------------------


def test_events_columns() -> None:
    assert names("events") == ["Last Seen", "Type", "Reason", "Object", "Message"]
    assert names("events", wide=True) == [
        "Last Seen",
        "Type",
        "Reason",
        "Object",
        "Subobject",
        "Source",
        "Message",
        "First Seen",
        "Count",
        "Name",
    ]
    assert column_definitions("events", "events.k8s.io") == column_definitions("events", "")


def test_core_events() -> None:
    back_off = obj(
        "web-1.17a2b3c4d5e6f708",
        type="Warning",
        reason="BackOff",
        involvedObject={
            "kind": "Pod",
            "name": "web-1",
            "namespace": "default",
            "fieldPath": "spec.containers{web}",
        },
        source={"component": "kubelet", "host": "node-1"},
        message="Back-off restarting failed container web in pod web-1_default(0d4f)\n",
        firstTimestamp=ago(minutes=10),
        lastTimestamp=ago(seconds=30),
        count=42,
    )
    assert cells("events", back_off) == [
        "30s",
        "Warning",
        "BackOff",
        "pod/web-1",
        "spec.containers{web}",
        "kubelet, node-1",
        "Back-off restarting failed container web in pod web-1_default(0d4f)",
        "10m",
        42,
        "web-1.17a2b3c4d5e6f708",
    ]
    series = obj(
        "p.2",
        type="Normal",
        reason="Scheduled",
        involvedObject={"kind": "Pod", "name": "p"},
        eventTime=(NOW - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        series={"count": 3, "lastObservedTime": ago(minutes=1)},
        reportingComponent="default-scheduler",
        reportingInstance="default-scheduler-cp",
        source={},
    )
    assert cells("events", series)[:9] == [
        "60s",
        "Normal",
        "Scheduled",
        "pod/p",
        "",
        "default-scheduler, default-scheduler-cp",
        "",
        "5m",
        3,
    ]
    singleton = obj(
        "n.3",
        involvedObject={"kind": "Node"},
        firstTimestamp=ago(minutes=2),
        source={"component": "kubelet"},
    )
    assert cells("events", singleton)[:9] == ["2m", "", "", "node", "", "kubelet", "", "2m", 1]


def test_events_k8s_io_events() -> None:
    group = "events.k8s.io"
    scaled = obj(
        "web.17a",
        regarding={"kind": "Deployment", "name": "web", "namespace": "default"},
        note="Scaled up replica set web-7d4 from 0 to 3",
        reason="ScalingReplicaSet",
        type="Normal",
        action="Scale",
        reportingController="deployment-controller",
        reportingInstance="",
        eventTime="2026-03-01T11:57:00.000000Z",
    )
    assert cells("events", scaled, group) == [
        "3m",
        "Normal",
        "ScalingReplicaSet",
        "deployment/web",
        "",
        "deployment-controller",
        "Scaled up replica set web-7d4 from 0 to 3",
        "3m",
        1,
        "web.17a",
    ]
    legacy = obj(
        "web-1.17b",
        regarding={"kind": "Pod", "name": "web-1", "fieldPath": "spec.containers{web}"},
        note="Pulling image",
        reason="Pulling",
        type="Normal",
        deprecatedSource={"component": "kubelet", "host": "node-1"},
        deprecatedFirstTimestamp=ago(hours=1),
        deprecatedLastTimestamp=ago(minutes=2),
        deprecatedCount=7,
        reportingController="kubelet",
        reportingInstance="node-9",
    )
    assert cells("events", legacy, group) == [
        "2m",
        "Normal",
        "Pulling",
        "pod/web-1",
        "spec.containers{web}",
        "kubelet, node-1",
        "Pulling image",
        "60m",
        7,
        "web-1.17b",
    ]


# --- storage ----------------------------------------------------------------------------------


def test_persistent_volumes() -> None:
    bound = obj(
        "pv-1",
        spec={
            "capacity": {"storage": "10Gi"},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Retain",
            "claimRef": {"namespace": "default", "name": "data-db-0"},
            "storageClassName": "standard",
            "volumeMode": "Filesystem",
        },
        status={"phase": "Bound"},
    )
    assert names("persistentvolumes") == [
        "Name",
        "Capacity",
        "Access Modes",
        "Reclaim Policy",
        "Status",
        "Claim",
        "StorageClass",
        "VolumeAttributesClass",
        "Reason",
        "Age",
    ]
    assert cells("persistentvolumes", bound) == [
        "pv-1",
        "10Gi",
        "RWO",
        "Retain",
        "Bound",
        "default/data-db-0",
        "standard",
        "<unset>",
        "",
        AGE,
        "Filesystem",
    ]
    failing = obj(
        "pv-2",
        meta={
            "deletionTimestamp": ago(seconds=1),
            "annotations": {"volume.beta.kubernetes.io/storage-class": "slow"},
        },
        spec={
            "capacity": {"storage": "1Ti"},
            "accessModes": [
                "ReadWriteMany",
                "ReadOnlyMany",
                "ReadWriteOnce",
                "ReadWriteOnce",
                "ReadWriteOncePod",
            ],
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": "fast",
            "volumeAttributesClassName": "gold",
        },
        status={"phase": "Failed", "reason": "ProvisioningFailed"},
    )
    assert cells("persistentvolumes", failing) == [
        "pv-2",
        "1Ti",
        "RWO,ROX,RWX,RWOP",
        "Delete",
        "Terminating",
        "",
        "slow",
        "gold",
        "ProvisioningFailed",
        AGE,
        "<unset>",
    ]
    assert cells("persistentvolumes", obj("bare"))[1] == "0"


def test_persistent_volume_claims() -> None:
    bound = obj(
        "data-db-0",
        spec={
            "volumeName": "pv-1",
            "storageClassName": "standard",
            "volumeMode": "Filesystem",
            "resources": {"requests": {"storage": "5Gi"}},
        },
        status={
            "phase": "Bound",
            "capacity": {"storage": "10Gi"},
            "accessModes": ["ReadWriteOnce"],
        },
    )
    assert names("persistentvolumeclaims", wide=True) == [
        "Name",
        "Status",
        "Volume",
        "Capacity",
        "Access Modes",
        "StorageClass",
        "VolumeAttributesClass",
        "Age",
        "VolumeMode",
    ]
    assert cells("persistentvolumeclaims", bound) == [
        "data-db-0",
        "Bound",
        "pv-1",
        "10Gi",
        "RWO",
        "standard",
        "<unset>",
        AGE,
        "Filesystem",
    ]
    pending = obj(
        "scratch",
        meta={"annotations": {"volume.beta.kubernetes.io/storage-class": ""}},
        spec={"storageClassName": "standard", "volumeAttributesClassName": "silver"},
        status={
            "phase": "Pending",
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": "1Gi"},
        },
    )
    assert cells("persistentvolumeclaims", pending) == [
        "scratch",
        "Pending",
        "",
        "",
        "",
        "",
        "silver",
        AGE,
        "<unset>",
    ]
    releasing = obj(
        "old",
        meta={"deletionTimestamp": ago(seconds=1)},
        spec={"volumeName": "pv-9"},
        status={"phase": "Bound"},
    )
    assert cells("persistentvolumeclaims", releasing)[1:5] == ["Terminating", "pv-9", "0", ""]


def test_storage_classes() -> None:
    group = "storage.k8s.io"
    local = obj(
        "standard",
        meta={"annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        provisioner="rancher.io/local-path",
        reclaimPolicy="Delete",
        volumeBindingMode="WaitForFirstConsumer",
    )
    beta = obj(
        "fast",
        meta={"annotations": {"storageclass.beta.kubernetes.io/is-default-class": "true"}},
        provisioner="ebs.csi.aws.com",
        reclaimPolicy="Retain",
        allowVolumeExpansion=True,
    )
    plain = obj(
        "slow",
        meta={"annotations": {"storageclass.kubernetes.io/is-default-class": "yes"}},
        provisioner="example.com/nfs",
    )
    assert names("storageclasses", group) == [
        "Name",
        "Provisioner",
        "ReclaimPolicy",
        "VolumeBindingMode",
        "AllowVolumeExpansion",
        "Age",
    ]
    assert cells("storageclasses", local, group) == [
        "standard (default)",
        "rancher.io/local-path",
        "Delete",
        "WaitForFirstConsumer",
        False,
        AGE,
    ]
    assert cells("storageclasses", beta, group)[:5] == [
        "fast (default)",
        "ebs.csi.aws.com",
        "Retain",
        "Immediate",
        True,
    ]
    assert cells("storageclasses", plain, group)[:5] == [
        "slow",
        "example.com/nfs",
        "Delete",
        "Immediate",
        False,
    ]


# --- default table, formatters, invariants ----------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "group"),
    [
        ("roles", "rbac.authorization.k8s.io"),
        ("clusterroles", "rbac.authorization.k8s.io"),
        ("limitranges", ""),
        ("widgets", "example.com"),
    ],
)
def test_default_table(resource: str, group: str) -> None:
    item = obj("thing", meta={"creationTimestamp": "2026-02-27T14:30:00+02:00"})
    assert not has_printer(resource, group)
    assert [(c["name"], c["type"], c["format"]) for c in column_definitions(resource, group)] == [
        ("Name", "string", "name"),
        ("Created At", "date", ""),
    ]
    assert cells(resource, item, group) == ["thing", "2026-02-27T12:30:00Z"]
    assert cells(resource, obj("zero", meta={"creationTimestamp": None}), group) == [
        "zero",
        "0001-01-01T00:00:00Z",
    ]


def test_format_labels() -> None:
    assert format_labels({}) == "<none>"
    assert format_labels(None) == "<none>"
    # Go sorts the "k=v" strings, so "a.b=2" sorts before "a=1".
    assert format_labels({"a": "1", "a.b": "2", "B": "3"}) == "B=3,a.b=2,a=1"


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        (None, "<none>"),
        ({}, "<none>"),
        ({"matchLabels": {"app": "web"}}, "app=web"),
        (
            {"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}]},
            "env in (prod)",
        ),
        ({"matchExpressions": [{"key": "env", "operator": "Exists", "values": ["x"]}]}, "<error>"),
        ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": []}]}, "<error>"),
        ({"matchExpressions": [{"key": "env", "operator": "in", "values": ["a"]}]}, "<error>"),
    ],
)
def test_format_label_selector(selector: object, expected: str) -> None:
    assert format_label_selector(selector) == expected


PRINTED = sorted(tables._PRINTERS)


@pytest.mark.parametrize(("group", "resource"), PRINTED)
def test_every_printer_fills_every_column(group: str, resource: str) -> None:
    columns = column_definitions(resource, group)
    assert all(column["description"] for column in columns)
    for item in ({}, obj("x"), {"metadata": "nonsense", "spec": [], "status": 5}):
        row = row_cells(resource, group, item, NOW)
        assert len(row) == len(columns)
        assert all(isinstance(cell, str | int) for cell in row)


def test_printers_cover_the_brief() -> None:
    expected = {
        ("", "pods"),
        ("", "services"),
        ("", "endpoints"),
        ("discovery.k8s.io", "endpointslices"),
        ("", "configmaps"),
        ("", "secrets"),
        ("", "serviceaccounts"),
        ("", "events"),
        ("events.k8s.io", "events"),
        ("", "nodes"),
        ("", "namespaces"),
        ("", "persistentvolumes"),
        ("", "persistentvolumeclaims"),
        ("storage.k8s.io", "storageclasses"),
        ("apps", "replicasets"),
        ("", "replicationcontrollers"),
        ("apps", "deployments"),
        ("apps", "daemonsets"),
        ("apps", "statefulsets"),
        ("apps", "controllerrevisions"),
        ("batch", "jobs"),
        ("batch", "cronjobs"),
        ("networking.k8s.io", "ingresses"),
        ("networking.k8s.io", "ingressclasses"),
        ("networking.k8s.io", "networkpolicies"),
        ("coordination.k8s.io", "leases"),
        ("autoscaling", "horizontalpodautoscalers"),
        ("", "resourcequotas"),
        ("scheduling.k8s.io", "priorityclasses"),
        ("policy", "poddisruptionbudgets"),
        ("rbac.authorization.k8s.io", "rolebindings"),
        ("rbac.authorization.k8s.io", "clusterrolebindings"),
        ("", "podtemplates"),
        ("", "componentstatuses"),
    }
    assert set(PRINTED) == expected


# --- table() ----------------------------------------------------------------------------------


def test_table_shape_with_partial_object_metadata() -> None:
    item = obj(
        "p", meta={"labels": {"app": "web"}, "uid": "u-1"}, spec={"containers": [{"name": "a"}]}
    )
    result = table(
        "pods", "", [item], NOW, list_metadata={"resourceVersion": "123", "continue": ""}
    )
    assert list(result) == ["kind", "apiVersion", "metadata", "columnDefinitions", "rows"]
    assert (result["kind"], result["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    assert result["metadata"] == {"resourceVersion": "123"}
    assert result["columnDefinitions"] == column_definitions("pods", "")
    assert result["rows"] == [
        {
            "cells": ["p", "0/1", "", "0", AGE, "<none>", "<none>", "<none>", "<none>"],
            "object": {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": item["metadata"],
            },
        }
    ]
    # Rows share the (immutable, stored) object's metadata: a Table is encoded at once.
    assert result["rows"][0]["object"]["metadata"] is item["metadata"]
    json.dumps(result)


def test_table_include_object() -> None:
    item = obj("web", spec={"replicas": 1})
    before = copy.deepcopy(item)
    full = table("deployments", "apps", [item], NOW, include_object="Object")["rows"][0]["object"]
    assert full == {"apiVersion": "apps/v1", "kind": "Deployment", **before}
    assert item == before
    typed = {"apiVersion": "events.k8s.io/v1", "kind": "Event", **obj("e")}
    assert table("events", "events.k8s.io", [typed], NOW, "Object")["rows"][0]["object"] == typed
    assert table("widgets", "example.com", [item], NOW, "Object")["rows"][0]["object"] == before


def test_table_include_none_and_default() -> None:
    item = obj("web")
    assert table("configmaps", "", [item], NOW, include_object="None")["rows"] == [
        {"cells": ["web", 0, AGE], "object": None}
    ]
    empty = table("configmaps", "", [item], NOW, include_object="")
    assert empty["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


def test_table_rejects_unknown_include_object() -> None:
    with pytest.raises(ValueError, match=r'^unrecognized includeObject value: "Bogus"$'):
        table("pods", "", [], NOW, include_object="Bogus")


def test_table_metadata() -> None:
    result = table(
        "pods",
        "",
        [],
        NOW,
        list_metadata={
            "resourceVersion": "9",
            "continue": "abc",
            "remainingItemCount": 0,
            "selfLink": "x",
        },
    )
    assert result["metadata"] == {
        "resourceVersion": "9",
        "continue": "abc",
        "remainingItemCount": 0,
    }
    assert result["rows"] == []
    assert table("pods", "", [], NOW)["metadata"] == {}
