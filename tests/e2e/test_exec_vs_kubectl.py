"""``pykctl exec`` and ``attach`` against the real kubectl on one simulator (same bytes, same
exit codes, terminals driven through a pty), the official Python client's ``stream()`` against
the simulator's exec (v4.channel.k8s.io), and the ``--help`` pages of logs, exec, attach and cp.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import isolated_env, run_process, run_pykctl
from tests.e2e.streams_support import Streams, busybox, phase, streams

pytestmark = pytest.mark.e2e
__all__ = ["streams"]


@pytest.fixture(scope="module")
def pods(streams: Streams) -> Streams:
    streams.pod(busybox("shell", "sleep 3600"))
    streams.pod(busybox("pair", "sleep 3600", ("other", "sleep 3600")))
    streams.pod(busybox("done", "true", restartPolicy="Never"), until=phase("Succeeded"))
    streams.pod(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pulling"},
            "spec": {"containers": [{"name": "c", "image": "no-such-image.invalid/x"}]},
        },
        until=lambda pod: "waiting" in str((pod.get("status") or {}).get("containerStatuses")),
    )
    return streams


@pytest.mark.parametrize(
    "args",
    [
        ["shell", "--", "echo", "hi"],
        ["shell", "--", "sh", "-c", "echo out; echo err >&2"],
        ["shell", "--", "sh", "-c", "exit 3"],
        ["shell", "-c", "shell", "--", "printf", "%s|", "a b", "c"],
        ["pod/shell", "--", "echo", "typed"],
        ["pair", "--", "echo", "x"],
        ["pair", "-q", "--", "echo", "x"],
        ["pair", "-c", "other", "--", "echo", "y"],
        ["pair", "-c", "nope", "--", "true"],
        ["shell", "echo", "hi"],
        ["shell"],
        ["--", "echo"],
        ["missing", "--", "true"],
        ["deploy/missing", "--", "true"],
        ["cm/kube-root-ca.crt", "--", "true"],
        ["done", "--", "true"],
        ["pulling", "--", "true"],
        ["shell", "--", "no-such-command"],
        ["shell", "--pod-running-timeout=0", "--", "true"],
        ["shell", "-t", "--", "echo", "t"],
        ["shell", "-it", "--", "echo", "t"],
    ],
    ids=" ".join,
)
def test_exec(pods: Streams, args: list[str]) -> None:
    pods.same("exec", *args)


def test_stdin_is_piped(pods: Streams) -> None:
    result = pods.same("exec", "-i", "shell", "--", "cat", stdin="hi\nthere\n")
    assert result.stdout == "hi\nthere\n"
    pods.same("exec", "-i", "shell", "--", "wc", "-c", stdin="x" * 100_000)


def _winsize(fd: int, rows: int, columns: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def _through_pty(
    argv: list[str], env: dict[str, str], cwd: Path, prompt: bytes = b"", typed: bytes = b""
) -> bytes:
    """Run ``argv`` on a fresh pty (24x100), type ``typed`` once ``prompt`` was printed, and
    return all it printed."""
    master, slave = pty.openpty()
    _winsize(slave, 24, 100)
    process = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, close_fds=True
    )
    os.close(slave)
    output = b""
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], deadline - time.monotonic())
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every writer closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if typed and prompt in output:
                os.write(master, typed)
                typed = b""
    finally:
        process.wait(timeout=30)
        os.close(master)
    return output


def test_a_tty_session_through_a_pty(pods: Streams) -> None:
    """The terminal's size reaches the remote one (asked for after a typed line, as the size
    may arrive just after the command started)."""
    script = "test -t 0 && echo is-a-tty; read line; stty size"
    args = ["exec", "-it", "shell", "--", "sh", "-c", script]
    typed = {"prompt": b"is-a-tty\r\n", "typed": b"\r"}
    theirs = _through_pty(pods.kubectl_argv(*args), pods.kubectl_env(), pods.kubectl_home, **typed)
    ours = _through_pty(pods.pykctl_argv(*args), pods.pykctl_env(), pods.pykctl_home, **typed)
    assert ours == theirs
    assert ours == b"is-a-tty\r\n\r\n24 100\r\n"


def test_typed_input_reaches_a_tty_command(pods: Streams) -> None:
    args = ["exec", "-it", "shell", "--", "sh", "-c", "echo ready; read line; echo got:$line"]
    typed = {"prompt": b"ready\r\n", "typed": b"hello\r"}
    theirs = _through_pty(pods.kubectl_argv(*args), pods.kubectl_env(), pods.kubectl_home, **typed)
    ours = _through_pty(pods.pykctl_argv(*args), pods.pykctl_env(), pods.pykctl_home, **typed)
    assert ours == theirs
    assert ours == b"ready\r\nhello\r\ngot:hello\r\n"


def _waiting_for_input(name: str) -> dict[str, Any]:
    pod = busybox(name, "read line; echo got $line; echo bye >&2", restartPolicy="Never")
    pod["spec"]["containers"][0].update({"stdin": True, "stdinOnce": True})
    return pod


def test_attach_with_stdin(pods: Streams) -> None:
    pods.pod(_waiting_for_input("attach-k"))
    pods.pod(_waiting_for_input("attach-p"))
    theirs = pods.kubectl("attach", "-i", "attach-k", stdin="hello\n")
    ours = pods.pykctl("attach", "-i", "attach-p", stdin="hello\n")
    assert (ours.stdout, ours.stderr, ours.code) == (theirs.stdout, theirs.stderr, theirs.code)
    assert "got hello" in ours.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["missing"],
        ["done"],
        ["pair", "-c", "nope"],
        [],
        ["a", "b", "c"],
        ["cm/kube-root-ca.crt"],
        ["shell", "--pod-running-timeout=0"],
    ],
    ids=lambda a: " ".join(a) or "no-args",
)
def test_attach_errors(pods: Streams, args: list[str]) -> None:
    pods.same("attach", *args)


def _finish(session: Any) -> None:
    """Close a client session, and its socket, which websocket-client keeps after the
    server's close frame."""
    session.close()
    session.sock.shutdown()


def test_python_client_stream(pods: Streams) -> None:
    """The official client offers v5 then v4; the exit code comes from channel 3."""
    from kubernetes import client, config
    from kubernetes.stream import stream

    api = client.CoreV1Api(config.new_client_from_config(config_file=pods.kubeconfig))
    finished = stream(
        api.connect_get_namespaced_pod_exec,
        "shell",
        "default",
        command=["sh", "-c", "echo from-python; echo oops >&2; exit 4"],
        stderr=True,
        stdin=False,
        stdout=True,
        tty=False,
        _preload_content=False,
    )
    finished.run_forever(timeout=10)
    assert finished.subprotocol == "v5.channel.k8s.io"
    assert (finished.read_stdout(), finished.read_stderr()) == ("from-python\n", "oops\n")
    assert finished.returncode == 4
    _finish(finished)
    piped = stream(
        api.connect_get_namespaced_pod_exec,
        "shell",
        "default",
        command=["cat"],
        stderr=True,
        stdin=True,
        stdout=True,
        tty=False,
        _preload_content=False,
    )
    piped.write_stdin("piped\n")
    piped.close_channel(0)  # v5: the end of stdin ends cat
    piped.run_forever(timeout=10)
    assert (piped.read_stdout(), piped.returncode) == ("piped\n", 0)
    _finish(piped)


def test_python_client_v4(pods: Streams) -> None:
    """A v4-only client: no close signal, so the command is told its input ended by nothing
    but gets its stdin all the same."""
    from kubernetes import config
    from kubernetes.stream.ws_client import WSClient, get_websocket_url

    api_client = config.new_client_from_config(config_file=pods.kubeconfig)
    configuration = api_client.configuration
    url = get_websocket_url(
        f"{configuration.host}/api/v1/namespaces/default/pods/shell/exec"
        "?command=sh&command=-c&command=head+-n1%3B+exit+5&stdin=true&stdout=true&stderr=true"
    )
    headers = {"sec-websocket-protocol": "v4.channel.k8s.io"}
    headers["authorization"] = f"Bearer {pods.sim.token}"
    session = WSClient(configuration, url, headers, capture_all=True)
    assert session.subprotocol == "v4.channel.k8s.io"
    session.write_stdin("first\nsecond\n")
    session.run_forever(timeout=10)
    assert (session.read_stdout(), session.returncode) == ("first\n", 5)
    _finish(session)


@pytest.mark.parametrize("command", ["logs", "exec", "attach", "cp"])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_matches_kubectl(kubectl: str, tmp_path: Path, command: str, flag: str) -> None:
    expected = run_process([kubectl, command, flag], env=isolated_env(tmp_path))
    ours = run_pykctl([command, flag])
    assert (ours.stdout, ours.stderr, ours.code) == (
        re.sub(r"kubectl(?![-.])", "pykctl", expected.stdout),
        expected.stderr,
        expected.code,
    )
