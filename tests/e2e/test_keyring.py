"""Tokens kept in the OS keyring: the kubeconfig holds only a reference, nothing prints the secret,
and both pykctl and the real kubectl get the token back when they talk to a cluster."""

from __future__ import annotations

import http.server
import json
import os
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from backends.simulator import certs
from pykctl.kubeconfig import credentials, files
from tests.conftest import isolated_env, run_process, run_pykctl

TOKEN = "s3cr3t-t0ken-value"


def keyring_file() -> dict[str, str]:
    path = Path(os.environ["PYKCTL_TEST_KEYRING_FILE"])
    return json.loads(path.read_text()) if path.exists() else {}


def test_token_goes_to_the_keyring_not_the_file(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "config"
    result = run_pykctl(
        [
            "--kubeconfig",
            str(kubeconfig),
            "config",
            "set-credentials",
            "ci",
            f"--token={TOKEN}",
            "--keyring",
        ]
    )
    assert (result.code, result.stdout, result.stderr) == (0, 'User "ci" set.\n', "")
    text = kubeconfig.read_text()
    assert TOKEN not in text
    assert "__keyring-credential" in text
    assert list(keyring_file().values()) == [TOKEN]
    user = files.load_file(str(kubeconfig)).users["ci"]
    assert credentials.token_for(user) == TOKEN


def test_no_command_prints_the_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kubeconfig = str(tmp_path / "config")
    run_pykctl(
        [
            "--kubeconfig",
            kubeconfig,
            "config",
            "set-credentials",
            "ci",
            f"--token={TOKEN}",
            "--keyring",
        ]
    )
    for argv in (
        ["config", "view"],
        ["config", "view", "--raw"],
        ["config", "view", "--flatten", "-o", "json"],
        ["config", "get-users"],
    ):
        result = run_pykctl(["--kubeconfig", kubeconfig, *argv])
        assert result.code == 0
        assert TOKEN not in result.stdout + result.stderr
    account = credentials.keyring_account(files.load_file(kubeconfig).users["ci"])
    assert account is not None
    refused = run_pykctl(["__keyring-credential", account])
    assert refused.code == 1
    assert TOKEN not in refused.stdout + refused.stderr
    assert "KUBERNETES_EXEC_INFO" in refused.stderr


def test_exec_plugin_prints_an_exec_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kubeconfig = str(tmp_path / "config")
    run_pykctl(
        [
            "--kubeconfig",
            kubeconfig,
            "config",
            "set-credentials",
            "ci",
            f"--token={TOKEN}",
            "--keyring",
        ]
    )
    account = credentials.keyring_account(files.load_file(kubeconfig).users["ci"])
    assert account is not None
    monkeypatch.setenv(
        "KUBERNETES_EXEC_INFO",
        '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}',
    )
    result = run_pykctl(["__keyring-credential", account])
    assert result.code == 0
    assert json.loads(result.stdout) == {
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"token": TOKEN},
    }


def test_delete_user_forgets_the_token(tmp_path: Path) -> None:
    kubeconfig = str(tmp_path / "config")
    run_pykctl(
        [
            "--kubeconfig",
            kubeconfig,
            "config",
            "set-credentials",
            "ci",
            f"--token={TOKEN}",
            "--keyring",
        ]
    )
    assert keyring_file()
    result = run_pykctl(["--kubeconfig", kubeconfig, "config", "delete-user", "ci"])
    assert result.code == 0
    assert keyring_file() == {}


def test_keyring_needs_a_token(tmp_path: Path) -> None:
    result = run_pykctl(
        ["--kubeconfig", str(tmp_path / "c"), "config", "set-credentials", "ci", "--keyring"]
    )
    assert result.code == 1
    assert result.stderr == (
        "error: --keyring needs a non-empty --token\n"
        "See 'pykctl config set-credentials -h' for help and examples\n"
    )
    assert not (tmp_path / "c").exists()


def test_missing_keyring_entry_is_a_clear_error(tmp_path: Path) -> None:
    kubeconfig = str(tmp_path / "config")
    run_pykctl(
        [
            "--kubeconfig",
            kubeconfig,
            "config",
            "set-credentials",
            "ci",
            f"--token={TOKEN}",
            "--keyring",
        ]
    )
    Path(os.environ["PYKCTL_TEST_KEYRING_FILE"]).unlink()
    user = files.load_file(kubeconfig).users["ci"]
    with pytest.raises(Exception, match=r"no token for .* in the OS keyring"):
        credentials.token_for(user)


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        _Recorder.seen.append(self.headers.get("Authorization"))
        body = json.dumps({"major": "1", "minor": "37", "gitVersion": "v1.37.1"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on 127.0.0.1 that records Authorization headers."""
    ca = certs.make_ca()
    serving = certs.make_serving_cert(ca)
    (tmp_path / "ca.crt").write_bytes(ca.cert_pem)
    (tmp_path / "tls.crt").write_bytes(serving.cert_pem)
    (tmp_path / "tls.key").write_bytes(serving.key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "tls.crt", tmp_path / "tls.key")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    _Recorder.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", tmp_path / "ca.crt"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.e2e
def test_real_kubectl_gets_the_token_through_the_plugin(
    tmp_path: Path, kubectl: str, tls_server: tuple[str, Path]
) -> None:
    url, ca = tls_server
    kubeconfig = str(tmp_path / "config")
    for argv in (
        [
            "config",
            "set-cluster",
            "c",
            f"--server={url}",
            f"--certificate-authority={ca}",
            "--embed-certs",
        ],
        ["config", "set-credentials", "u", f"--token={TOKEN}", "--keyring"],
        ["config", "set-context", "x", "--cluster=c", "--user=u"],
        ["config", "use-context", "x"],
    ):
        assert run_pykctl(["--kubeconfig", kubeconfig, *argv]).code == 0
    env = isolated_env(Path(os.environ["HOME"]))
    result = run_process([kubectl, "--kubeconfig", kubeconfig, "version"], env=env)
    assert result.code == 0, result.stderr
    assert "Server Version: v1.37.1" in result.stdout
    assert f"Bearer {TOKEN}" in _Recorder.seen
