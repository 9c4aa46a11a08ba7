"""port-forward end to end: the real kubectl (WebSocket tunnel and SPDY upgrade), pykctl and the
official Python client, each through the simulator's pods/portforward to kuard and nginx
running on its kubelet; and kubectl's and pykctl's transcripts compared where they fail."""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import re
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.conftest import Result, run_pykctl
from tests.e2e.port_forward_support import (
    BIG_FILE_SIZE,
    TOOLS,
    Cluster,
    cluster,
    free_port,
    http_get,
    normalise,
)

pytestmark = pytest.mark.e2e
__all__ = ["cluster"]  # the fixture, used by name


def forwarding_lines(port: int, remote: int, connections: int) -> str:
    return (
        f"Forwarding from 127.0.0.1:{port} -> {remote}\nForwarding from [::1]:{port} -> {remote}\n"
    ) + f"Handling connection for {port}\n" * connections


@pytest.mark.parametrize("tool", TOOLS)
def test_kuard_answers_through_the_tunnel(cluster: Cluster, tool: str) -> None:
    port = free_port()
    forward = cluster.forward(tool, "pod/kuard", f"{port}:8080")
    try:
        assert forward.forwarding() == port
        status, page = http_get(port, "/")
        assert status == 200 and b"<title>KUAR Demo</title>" in page
        assert http_get(port, "/healthy") == (200, b"ok")
        assert http_get(port, "/healthy", host="::1") == (200, b"ok")
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: http_get(port, "/healthy"), range(6)))
        assert answers == [(200, b"ok")] * 6
    finally:
        result = forward.result()
    assert result == Result(forwarding_lines(port, 8080, 9), "", 0)


@pytest.mark.parametrize("tool", TOOLS)
def test_five_megabytes_come_through_intact(cluster: Cluster, tool: str) -> None:
    forward = cluster.forward(tool, "nginx", ":80")
    try:
        port = forward.forwarding(1)
        status, body = http_get(port, "/big.bin")
        assert status == 200 and len(body) == BIG_FILE_SIZE
        expected = (cluster.home.parent / "www" / "big.bin").read_bytes()
        assert hashlib.sha256(body).digest() == hashlib.sha256(expected).digest()
    finally:
        forward.result()


@pytest.mark.parametrize(
    ("target", "spec", "remote"),
    [
        ("svc/kuard", "{port}:80", 8080),
        ("service/kuard", "{port}:web", 8080),
        ("deploy/kuard-deploy", "{port}:http", 8080),
        ("rs/kuard-rs", "{port}:8080", 8080),
        ("sts/kuard-sts", "{port}:http", 8080),
        ("kuard", "{port}:http", 8080),
    ],
)
def test_services_deployments_and_named_ports_reach_the_pod(
    cluster: Cluster, target: str, spec: str, remote: int
) -> None:
    for tool in ("kubectl", "pykctl"):
        port = free_port()
        forward = cluster.forward(tool, target, spec.format(port=port))
        try:
            forward.forwarding()
            assert http_get(port, "/healthy") == (200, b"ok")
        finally:
            result = forward.result()
        assert result == Result(forwarding_lines(port, remote, 1), "", 0)


def test_only_the_addresses_asked_for_are_listened_on(cluster: Cluster) -> None:
    for tool in ("kubectl", "pykctl"):
        port = free_port()
        forward = cluster.forward(tool, "--address=127.0.0.1", "kuard", f"{port}:8080")
        try:
            forward.forwarding(1)
            assert http_get(port, "/healthy") == (200, b"ok")
        finally:
            result = forward.result()
        expected = f"Forwarding from 127.0.0.1:{port} -> 8080\nHandling connection for {port}\n"
        assert result == Result(expected, "", 0)


def _without_port(result: Result, port: int) -> Result:
    pattern = re.compile(rf"\b{port}\b")
    return Result(
        normalise(pattern.sub("PORT", result.stdout)),
        normalise(pattern.sub("PORT", result.stderr)),
        result.code,
    )


def test_a_port_nothing_listens_on_ends_the_session_as_in_kubectl(cluster: Cluster) -> None:
    transcripts = {}
    for tool in TOOLS:
        port = free_port()
        forward = cluster.forward(tool, "kuard", f"{port}:9999")
        forward.forwarding()
        with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
            assert conn.recv(100) == b""
        transcripts[tool] = _without_port(forward.result(interrupt=False), port)
    kubectl = transcripts["kubectl"]
    assert kubectl.code == 1
    assert kubectl.stdout == (
        "Forwarding from 127.0.0.1:PORT -> 9999\n"
        "Forwarding from [::1]:PORT -> 9999\n"
        "Handling connection for PORT\n"
    )
    assert (
        '"An error occurred forwarding" err="error forwarding port 9999 to pod ' in kubectl.stderr
    )
    assert kubectl.stderr.endswith(
        " localPort=PORT remotePort=9999\nerror: lost connection to pod\n"
    )
    assert transcripts["kubectl-spdy"] == kubectl
    assert transcripts["pykctl"] == kubectl


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port taken on both 127.0.0.1 and ::1."""
    port = free_port()
    with socket.socket(socket.AF_INET) as v4, socket.socket(socket.AF_INET6) as v6:
        v4.bind(("127.0.0.1", port))
        v6.bind(("::1", port))
        v4.listen()
        v6.listen()
        yield port


FAILURES = [
    ["pending", "8080"],
    ["kuard"],
    [],
    ["kuard", "a:b:c"],
    ["kuard", "x:8080"],
    ["cm/kube-root-ca.crt", "80"],
    ["svc/kubernetes", "443"],
    ["kuard", "8080:0"],
    ["kuard", "99999"],
    ["kuard", "8080:nope"],
    ["svc/kuard", "8080:nope"],
    ["svc/kuard", "8080:81"],
    ["nope", "8080"],
    ["deploy/nope", "8080"],
    ["no-such-kind/x", "8080"],
    ["a/b/c", "8080"],
    ["--pod-running-timeout=0", "kuard", "8080"],
    ["--address=nonsense", "kuard", "8080"],
]


@pytest.mark.parametrize("args", FAILURES, ids=lambda args: " ".join(args) or "none")
def test_failures_read_as_kubectls(cluster: Cluster, args: list[str]) -> None:
    kubectl = cluster.run("kubectl", "port-forward", *args)
    pykctl = cluster.run("pykctl", "port-forward", *args)
    assert kubectl.code != 0
    assert _without_port(pykctl, 0) == _without_port(kubectl, 0)


def test_a_port_in_use_reads_as_kubectls(cluster: Cluster, busy_port: int) -> None:
    kubectl = cluster.run("kubectl", "port-forward", "kuard", f"{busy_port}:8080")
    pykctl = cluster.run("pykctl", "port-forward", "kuard", f"{busy_port}:8080")
    assert kubectl.code == 1 and "address already in use" in kubectl.stderr
    assert _without_port(pykctl, busy_port) == _without_port(kubectl, busy_port)


def test_the_python_clients_portforward(cluster: Cluster) -> None:
    from kubernetes import client, config
    from kubernetes.stream import portforward

    api_client = config.new_client_from_config(str(cluster.sim.kubeconfig))  # type: ignore[no-untyped-call]
    api = client.CoreV1Api(api_client)
    forward = portforward(
        api.connect_get_namespaced_pod_portforward, "kuard", "default", ports="8080,9999"
    )
    try:
        conn = forward.socket(8080)
        conn.setblocking(True)
        conn.sendall(b"GET /healthy HTTP/1.1\r\nHost: pf\r\nConnection: close\r\n\r\n")
        received = b"".join(iter(lambda: conn.recv(1 << 16), b""))
        assert received.startswith(b"HTTP/1.1 200 OK\r\n") and received.endswith(b"\r\n\r\nok")
        error = forward.error(9999) or ""
        assert error.startswith("error forwarding port 9999 to pod ")
        assert "failed to connect to localhost:9999 inside namespace" in error
    finally:
        forward.close()
        forward.websocket.shutdown()  # the client leaves its socket open when the server ends
        api_client.close()


def test_help_is_kubectls(cluster: Cluster) -> None:
    kubectl = cluster.run("kubectl", "port-forward", "--help")
    pykctl = run_pykctl(["port-forward", "--help"])
    assert pykctl.code == 0 and pykctl.stderr == ""
    assert normalise(pykctl.stdout) == kubectl.stdout


@pytest.mark.parametrize(
    ("pod", "code", "message"),
    [
        ("kuard", 400, "Upgrade request required"),
        ("pending", 400, "pod pending does not have a host assigned"),
        ("nope", 404, 'pods "nope" not found'),
    ],
)
def test_requests_without_an_upgrade_get_kube_apiservers_status(
    cluster: Cluster, pod: str, code: int, message: str
) -> None:
    context = ssl.create_default_context(cafile=str(cluster.sim.ca_file))
    request = urllib.request.Request(
        f"{cluster.sim.url}/api/v1/namespaces/default/pods/{pod}/portforward?ports=8080",
        headers={"Authorization": f"Bearer {cluster.sim.token}"},
    )
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(request, context=context, timeout=10)
    with failure.value as answer:
        status = json.loads(answer.read())
    assert (answer.code, status["kind"], status["message"]) == (code, "Status", message)
