"""Upgrade requests (exec, attach and port-forward's first step) over real sockets: the
simulator's TLS and token, a refused port, a non-101 answer with its Status body, and a 101
whose first frame arrived with the head."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest

from backends.base import ClusterInfo
from backends.errors import ConnectionFailed
from backends.simulator.testing import RunningSimulator
from backends.upgrade import upgrade

pytestmark = pytest.mark.e2e

WEBSOCKET = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Protocol": "v5.channel.k8s.io",
}


def test_a_non_101_answer_comes_back_with_its_status(pykctl_simulator: RunningSimulator) -> None:
    info = ClusterInfo(
        pykctl_simulator.url,
        pykctl_simulator.ca_file.read_bytes(),
        token=pykctl_simulator.token,
    )
    answer = upgrade(info, "GET", "/api/v1/namespaces/default/pods/nope", [], WEBSOCKET)
    assert answer.status == 404
    assert answer.sock is None
    assert json.loads(answer.body)["message"] == 'pods "nope" not found'


def test_the_token_is_sent(pykctl_simulator: RunningSimulator) -> None:
    info = ClusterInfo(pykctl_simulator.url, pykctl_simulator.ca_file.read_bytes(), token="wrong")
    assert upgrade(info, "GET", "/api/v1/namespaces", None, {}).status == 401


def test_a_refused_port_is_connection_failed() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionFailed) as failed:
        upgrade(ClusterInfo(f"https://127.0.0.1:{port}"), "GET", "/", None, {})
    assert failed.value.refused
    assert failed.value.host == f"127.0.0.1:{port}"


@pytest.fixture
def switching_server() -> Iterator[tuple[int, list[bytes]]]:
    """A plain-HTTP server that answers 101 and sends a first frame in the same packet."""
    listener = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(4096)
            received.append(data)
            conn.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n\x82\x02\x01x"
            )
            conn.recv(1)  # until the client closes

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], received
    thread.join(timeout=10)
    listener.close()


def test_101_hands_over_the_socket_and_the_first_bytes(
    switching_server: tuple[int, list[bytes]],
) -> None:
    port, received = switching_server
    info = ClusterInfo(f"http://127.0.0.1:{port}", token="t0k")
    answer = upgrade(
        info, "GET", "/api/v1/x/exec", [("command", "ls"), ("stdout", "true")], WEBSOCKET
    )
    try:
        assert answer.status == 101
        assert answer.headers["sec-websocket-protocol"] == "v5.channel.k8s.io"
        assert answer.leftover == b"\x82\x02\x01x"
        assert answer.sock is not None
    finally:
        answer.close()
    request = received[0].decode()
    assert request.startswith("GET /api/v1/x/exec?command=ls&stdout=true HTTP/1.1\r\n")
    assert "Authorization: Bearer t0k\r\n" in request
    assert "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n" in request
