"""A real Kubernetes API for any project's tests: the ``pykctl`` pytest plugin.

Installing pykctl registers this module as a pytest plugin (entry point ``pytest11``). Its
fixtures start a simulator in the test process, on a free port of 127.0.0.1, with a temporary
state directory and its own CA and token, and stop it afterwards::

    def test_my_operator(pykctl_kubeconfig):
        subprocess.run(["kubectl", "--kubeconfig", pykctl_kubeconfig, "get", "pods"], check=True)

``pykctl_kubeconfig`` is the path of a kubeconfig whose current context is the simulator;
``pykctl_simulator`` gives the running simulator (URL, token, CA file, kubeconfig, and the
in-process Simulator for white-box tests). Both are function-scoped: every test gets an empty
cluster with one node that runs pods as local processes. A test of API semantics alone (as
with envtest) asks for no nodes::

    @pytest.mark.pykctl_simulator(nodes=0)
    def test_my_controller_reconciles(pykctl_kubeconfig): ...
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from backends.simulator import certs
from backends.simulator.clock import Clock
from backends.simulator.server import Simulator, TLSFiles


@dataclass
class RunningSimulator:
    """A simulator served from a background thread of the test process."""

    simulator: Simulator
    url: str
    token: str
    ca_file: Path
    kubeconfig: Path
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread

    def call(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` on the simulator's event loop and return its result."""

        async def invoke() -> Any:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(invoke(), self.loop).result(timeout=30)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.simulator.stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)


def write_kubeconfig(
    path: Path, url: str, ca_pem: bytes, token: str, name: str = "pykctl-test"
) -> None:
    """A kubeconfig with one context for the simulator at ``url``."""
    import base64

    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": name,
                "cluster": {
                    "server": url,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode(),
                    "extensions": [{"name": "pykctl.io/simulator", "extension": {"name": name}}],
                },
            }
        ],
        "users": [{"name": name, "user": {"token": token}}],
        "contexts": [
            {"name": name, "context": {"cluster": name, "user": name, "namespace": "default"}}
        ],
        "current-context": name,
    }
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)


def start_simulator(
    directory: Path,
    store: bool = True,
    nodes: int = 1,
    clock: Clock | None = None,
    drive: bool = True,
) -> RunningSimulator:
    """Start a simulator on a free port, with state under ``directory`` and ``nodes`` nodes
    (0: the API server alone), on ``clock`` (the real one by default).

    With ``drive=False`` nothing runs by itself (no control loop, no kubelets): the caller moves
    a FakeClock and calls ``simulator.cluster.sync()`` (through ``RunningSimulator.call``)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = certs.make_ca("pykctl-test-ca")
    serving = certs.make_serving_cert(ca)
    (directory / "ca.crt").write_bytes(ca.cert_pem)
    (directory / "tls.crt").write_bytes(serving.cert_pem)
    (directory / "tls.key").write_bytes(serving.key_pem)
    token = secrets.token_urlsafe(24)
    loop = asyncio.new_event_loop()
    ready: Future[Simulator] = Future()

    async def boot() -> None:
        try:
            simulator = Simulator(
                str(directory / "store.db") if store else None,
                token,
                TLSFiles(
                    str(directory / "tls.crt"),
                    str(directory / "tls.key"),
                    str(directory / "ca.crt"),
                ),
                clock=clock,
                name="pykctl-test",
                nodes=nodes,
                drive_cluster=drive,
                state_dir=str(directory),
            )
            await simulator.start(0)
            ready.set_result(simulator)
        except BaseException as err:
            ready.set_exception(err)

    def run() -> None:
        asyncio.set_event_loop(loop)
        task = loop.create_task(boot())
        loop.run_forever()
        del task
        loop.close()

    thread = threading.Thread(target=run, name="pykctl-simulator", daemon=True)
    thread.start()
    simulator = ready.result(timeout=60)
    url = f"https://127.0.0.1:{simulator.port}"
    kubeconfig = directory / "kubeconfig"
    write_kubeconfig(kubeconfig, url, ca.cert_pem, token)
    return RunningSimulator(simulator, url, token, directory / "ca.crt", kubeconfig, loop, thread)


MARKER = "pykctl_simulator"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(nodes=1): how the pykctl_simulator fixture runs the cluster "
        "(nodes=0: the API server alone, no scheduler or kubelet)",
    )


@pytest.fixture
def pykctl_simulator(request: pytest.FixtureRequest) -> Iterator[RunningSimulator]:
    """A fresh simulator for one test: one node that runs pods, unless the test's
    ``@pytest.mark.pykctl_simulator(nodes=N)`` says otherwise."""
    marker = request.node.get_closest_marker(MARKER)
    nodes = int(marker.kwargs.get("nodes", 1)) if marker is not None else 1
    with tempfile.TemporaryDirectory(prefix="pykctl-sim-") as directory:
        running = start_simulator(Path(directory), nodes=nodes)
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture
def pykctl_kubeconfig(pykctl_simulator: RunningSimulator) -> str:
    """The path of a kubeconfig whose current context is a fresh simulator."""
    return os.fspath(pykctl_simulator.kubeconfig)
