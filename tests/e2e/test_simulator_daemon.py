"""The simulator as users run it: ``pykctl sim start`` starts a daemon, writes the kubeconfig
entry, survives ``kill -9`` without losing an acknowledged write, and starts by itself when a
command needs it."""

from __future__ import annotations

import json
import os
import signal
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from backends.simulator import daemon
from tests.conftest import Result, isolated_env, run_process

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


class Sandbox:
    """A HOME with its own kubeconfig and simulator state; runs pykctl and kubectl in it."""

    def __init__(self, root: Path, kubectl: str) -> None:
        self.home = root / "sandbox-home"
        self.home.mkdir()
        self.env = isolated_env(self.home)
        self.env["PYKCTL_HOME"] = str(root / "pykctl")
        self.kubectl_binary = kubectl
        self.pykctl_binary = str(Path(self.env["PATH"].split(os.pathsep)[0]) / "pykctl")

    def pykctl(self, *args: str) -> Result:
        return run_process([self.pykctl_binary, *args], cwd=self.home, env=self.env)

    def kubectl(self, *args: str, stdin: str = "") -> Result:
        return run_process([self.kubectl_binary, *args], cwd=self.home, env=self.env, stdin=stdin)

    @property
    def state(self) -> daemon.StateDir:
        return daemon.StateDir(
            daemon.DEFAULT_NAME, Path(self.env["PYKCTL_HOME"]) / "sim" / daemon.DEFAULT_NAME
        )

    def info(self) -> daemon.DaemonInfo:
        data = json.loads(self.state.info_file.read_text())
        return daemon.DaemonInfo(daemon.DEFAULT_NAME, data["pid"], data["port"], data["started"])

    def session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would replace our CA
        session.headers["Authorization"] = f"Bearer {self.state.token()}"
        session.verify = str(self.state.ca_cert)
        return session


@pytest.fixture
def sandbox(tmp_path: Path, kubectl: str) -> Iterator[Sandbox]:
    box = Sandbox(tmp_path, kubectl)
    try:
        yield box
    finally:
        box.pykctl("sim", "stop")


def test_sim_start_writes_the_context_and_kubectl_uses_it(sandbox: Sandbox) -> None:
    started = sandbox.pykctl("sim", "start")
    assert started.code == 0, started.stderr
    info = sandbox.info()
    assert (
        started.stdout
        == f'Simulator "default" is running at {info.server} (context "pykctl-sim").\n'
    )
    config = yaml.safe_load((sandbox.home / ".kube" / "config").read_text())
    assert config["current-context"] == "pykctl-sim"
    cluster = config["clusters"][0]
    assert cluster["name"] == "pykctl-sim"
    assert cluster["cluster"]["server"] == info.server
    assert cluster["cluster"]["extensions"] == [
        {"name": "pykctl.io/simulator", "extension": {"name": "default"}}
    ]
    namespaces = sandbox.kubectl("get", "namespaces", "-o", "name")
    assert namespaces.stdout.split() == [
        "namespace/default",
        "namespace/heptio-contour",  # the built-in ingress controller's
        "namespace/kube-node-lease",
        "namespace/kube-public",
        "namespace/kube-system",
    ]
    again = sandbox.pykctl("sim", "start")
    assert (
        again.stdout
        == f'Simulator "default" is already running at {info.server} (context "pykctl-sim").\n'
    )
    status = sandbox.pykctl("sim", "status")
    assert "Status:     running" in status.stdout
    assert f"Address:    {info.server}" in status.stdout
    assert "namespaces" in status.stdout
    assert sandbox.pykctl("sim", "stop").stdout == 'Simulator "default" stopped.\n'
    assert sandbox.pykctl("sim", "stop").stdout == 'Simulator "default" is not running.\n'


def test_the_daemon_listens_on_loopback_only(sandbox: Sandbox) -> None:
    assert sandbox.pykctl("sim", "start").code == 0
    port = sandbox.info().port
    connections = Path("/proc/net/tcp").read_text().splitlines()[1:]
    listening = [line.split() for line in connections if line.split()[3] == "0A"]
    ours = [fields[1] for fields in listening if int(fields[1].split(":")[1], 16) == port]
    assert ours == ["0100007F:" + f"{port:04X}"]


def test_kill_9_loses_no_acknowledged_write(sandbox: Sandbox) -> None:
    assert sandbox.pykctl("sim", "start").code == 0
    info = sandbox.info()
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        with sandbox.session() as session:
            for i in range(100_000):
                if stop.is_set():
                    return
                name = f"cm-{i}"
                body = {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": name},
                    "data": {"i": str(i)},
                }
                try:
                    response = session.post(
                        f"{info.server}/api/v1/namespaces/default/configmaps", json=body, timeout=5
                    )
                except requests.RequestException:
                    return
                if response.status_code == 201:
                    acknowledged.append(name)

    thread = threading.Thread(target=writer)
    thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 200 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(info.pid, signal.SIGKILL)
    thread.join(timeout=30)
    stop.set()
    assert len(acknowledged) >= 200
    restarted = sandbox.pykctl("sim", "start")
    assert restarted.code == 0, restarted.stderr
    with sandbox.session() as session:
        listed = session.get(f"{sandbox.info().server}/api/v1/namespaces/default/configmaps").json()
    names = {item["metadata"]["name"] for item in listed["items"]}
    assert set(acknowledged) <= names


def test_concurrent_writers_never_lose_an_update(sandbox: Sandbox) -> None:
    assert sandbox.pykctl("sim", "start").code == 0
    server = sandbox.info().server
    url = f"{server}/api/v1/namespaces/default/configmaps"
    with sandbox.session() as session:
        created = session.post(
            url,
            json={
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "counter"},
                "data": {"n": "0"},
            },
        )
        assert created.status_code == 201
    conflicts = []

    def increment(times: int) -> None:
        with sandbox.session() as session:
            done = 0
            while done < times:
                current = session.get(f"{url}/counter").json()
                current["data"]["n"] = str(int(current["data"]["n"]) + 1)
                response = session.put(f"{url}/counter", json=current)
                if response.status_code == 409:
                    conflicts.append(response.json()["reason"])
                    continue
                assert response.status_code == 200, response.text
                done += 1

    threads = [threading.Thread(target=increment, args=(25,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with sandbox.session() as session:
        final = session.get(f"{url}/counter").json()
    assert final["data"]["n"] == "100"
    assert set(conflicts) <= {"Conflict"}


def test_a_command_starts_the_daemon_when_it_is_not_running(sandbox: Sandbox) -> None:
    assert sandbox.pykctl("sim", "start").code == 0
    assert sandbox.pykctl("sim", "stop").code == 0
    result = sandbox.pykctl("get", "--raw", "/api/v1/namespaces/default")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["metadata"]["name"] == "default"
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith('Starting the pykctl simulator "default"')


def test_first_command_on_a_machine_without_kubeconfig_just_works(sandbox: Sandbox) -> None:
    assert not (sandbox.home / ".kube" / "config").exists()
    result = sandbox.pykctl("get", "--raw", "/api/v1/namespaces/kube-system")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["metadata"]["name"] == "kube-system"
    config = yaml.safe_load((sandbox.home / ".kube" / "config").read_text())
    assert config["current-context"] == "pykctl-sim"
    assert sandbox.kubectl("get", "ns", "default", "-o", "name").stdout == "namespace/default\n"


def test_reset_deletes_every_object(sandbox: Sandbox) -> None:
    assert sandbox.pykctl("sim", "start").code == 0
    assert sandbox.kubectl("create", "configmap", "keep-me-not", "--from-literal=a=b").code == 0
    assert (
        sandbox.pykctl("sim", "reset").stdout
        == 'Simulator "default" reset: every object was deleted.\n'
    )
    missing = sandbox.kubectl("get", "configmap", "keep-me-not")
    assert missing.stderr == 'Error from server (NotFound): configmaps "keep-me-not" not found\n'
    assert sandbox.kubectl("get", "ns", "default", "-o", "name").code == 0


def test_tls_certificate_is_for_127_0_0_1(sandbox: Sandbox) -> None:
    assert sandbox.pykctl("sim", "start").code == 0
    context = ssl.create_default_context(cafile=str(sandbox.state.ca_cert))
    import socket

    with (
        socket.create_connection(("127.0.0.1", sandbox.info().port)) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        cert = tls.getpeercert()
    assert cert is not None
    assert ("IP Address", "127.0.0.1") in cert["subjectAltName"]


def test_sim_node_stop_and_start_and_the_node_count_is_remembered(sandbox: Sandbox) -> None:
    assert sandbox.pykctl("sim", "start", "--nodes", "2").code == 0
    nodes = sandbox.kubectl("get", "nodes", "-o", "name")
    assert nodes.stdout == "node/node-1\nnode/node-2\n"

    assert sandbox.pykctl("sim", "node", "stop", "node-2").stdout == "node/node-2 stopped\n"
    again = sandbox.pykctl("sim", "node", "stop", "node-2")
    assert (again.stdout, again.code) == ("node/node-2 already stopped\n", 0)
    assert sandbox.pykctl("sim", "node", "start", "node-2").stdout == "node/node-2 started\n"

    unknown = sandbox.pykctl("sim", "node", "stop", "node-9")
    assert (unknown.stderr, unknown.code) == (
        'Error from server (NotFound): nodes "node-9" not found\n',
        1,
    )
    missing = sandbox.pykctl("sim", "node", "stop")
    assert missing.code == 1
    assert missing.stderr.startswith("error: exactly one NODE is required, got 0\n")

    # A restart without --nodes runs the same nodes again.
    assert sandbox.pykctl("sim", "stop").code == 0
    assert sandbox.pykctl("sim", "start").code == 0
    assert sandbox.pykctl("sim", "node", "stop", "node-2").stdout == "node/node-2 stopped\n"
    assert sandbox.pykctl("sim", "stop").code == 0
    stopped = sandbox.pykctl("sim", "node", "start", "node-2")
    assert (stopped.stderr, stopped.code) == ('error: simulator "default" is not running\n', 1)


def test_sim_status_shows_the_nodes_the_runtime_and_the_objects(sandbox: Sandbox) -> None:
    stopped = sandbox.pykctl("sim", "status").stdout.splitlines()
    assert stopped[2] == "Status:     stopped"
    assert sandbox.pykctl("sim", "start", "--nodes", "2").code == 0
    lines = sandbox.pykctl("sim", "status").stdout.splitlines()
    assert lines[2] == "Status:     running"
    assert "Nodes:      node-1, node-2" in lines
    isolation = next(line for line in lines if line.startswith("Isolation:  "))
    assert isolation.split(None, 1)[1].startswith(("bwrap", "plain processes"))
    assert any(line.startswith("Resources:  memory: ") for line in lines)
    objects = lines[lines.index("Objects:") + 1 :]
    assert [line.split() for line in objects if line.split()[0] == "nodes"] == [["nodes", "2"]]
