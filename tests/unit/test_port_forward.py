"""port-forward's pure parts: ports and addresses as client-go parses them, service ports as
kubectl translates them, the pod kubectl picks, and the klog line of a failed connection."""

from __future__ import annotations

import io
import re
import socket
from typing import Any

import pytest

from pykctl.cli.commands import port_forward as pf
from pykctl.cli.errors import CommandError

Obj = dict[str, Any]


def test_ports_pick_free_local_ports_and_refuse_bad_specs() -> None:
    assert [(p.local, p.remote) for p in pf.parse_ports(["80", ":81", "0:82", "8080:83"])] == [
        (80, 80),
        (0, 81),
        (0, 82),
        (8080, 83),
    ]
    for spec, message in [
        ("a:b:c", "invalid port format 'a:b:c'"),
        ("x:80", "error parsing local port 'x': strconv.ParseUint: parsing \"x\": invalid syntax"),
        ("80:70000", "error parsing remote port '70000': strconv.ParseUint: parsing \"70000\": "
         "value out of range"),
        ("80:0", "remote port must be > 0"),
    ]:  # fmt: skip
        with pytest.raises(CommandError, match=re.escape(message)):
            pf.parse_ports([spec])


def test_localhost_is_both_loopbacks_sorted_and_deduplicated() -> None:
    addresses = pf.parse_addresses(["localhost", "127.0.0.1", "0.0.0.0"])
    assert [(a.address, a.family, a.failure_mode) for a in addresses] == [
        ("0.0.0.0", socket.AF_INET, "any"),
        ("127.0.0.1", socket.AF_INET, "any"),  # named explicitly: it must work
        ("::1", socket.AF_INET6, "all"),
    ]
    with pytest.raises(CommandError, match=re.escape("example.com is not a valid IP")):
        pf.parse_addresses(["example.com"])


POD: Obj = {
    "metadata": {"name": "web"},
    "spec": {"containers": [{"ports": [{"name": "http", "containerPort": 8080}]}]},
}


def service(**spec: Any) -> Obj:
    return {"metadata": {"name": "web"}, "spec": spec}


def test_service_ports_become_the_pods_target_ports() -> None:
    ports = [
        {"name": "web", "port": 80, "targetPort": "http"},
        {"name": "alt", "port": 81, "targetPort": 9090},
        {"name": "same", "port": 82},
    ]
    translated = pf.translate_service_ports(
        ["80", "5000:81", "web", "82", "6000:alt"], service(ports=ports), POD
    )
    assert translated == ["80:8080", "5000:9090", "80:8080", "82", "6000:9090"]
    headless = service(clusterIP="None", ports=ports)
    assert pf.translate_service_ports(["80"], headless, POD) == ["80"]
    with pytest.raises(
        CommandError, match=re.escape("Service web does not have a service port 99")
    ):
        pf.translate_service_ports(["99"], service(ports=ports), POD)


def test_named_container_ports_become_numbers() -> None:
    assert pf.convert_named_ports(["http", "5000:http", "9000"], POD) == [
        "8080",
        "5000:8080",
        "9000",
    ]
    with pytest.raises(
        CommandError, match=re.escape("Pod 'web' does not have a named port 'nope'")
    ):
        pf.convert_named_ports(["nope"], POD)


def pod(name: str, phase: str, ready: bool = False, node: str = "node-1") -> Obj:
    conditions = [{"type": "Ready", "status": "True" if ready else "False"}]
    return {
        "metadata": {"name": name, "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"nodeName": node},
        "status": {"phase": phase, "conditions": conditions},
    }


def test_the_most_active_pod_is_chosen() -> None:
    pods = [
        pod("unscheduled", "Pending", node=""),
        pod("pending", "Pending"),
        pod("running", "Running"),
        pod("ready", "Running", ready=True),
    ]
    assert pf.most_active(pods)["metadata"]["name"] == "ready"
    assert pf.most_active(pods[:3])["metadata"]["name"] == "running"
    assert pf.most_active(pods[:2])["metadata"]["name"] == "pending"


def test_a_failed_connection_is_logged_as_klog_does() -> None:
    err = io.StringIO()
    pf.klog_error(err, "An error occurred forwarding", 'port "x" failed', 8080, 80)
    assert re.fullmatch(
        r'E\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ portforward\.go:549\] "An error occurred forwarding" '
        r'err="port \\"x\\" failed" localPort=8080 remotePort=80\n',
        err.getvalue(),
    )
