"""From kubeconfig + command-line overrides to the one cluster a command talks to.

client-go's rules: the context is ``--context`` or current-context; cluster and user come from
the context unless ``--cluster``/``--user`` say otherwise; the namespace is ``-n``, else the
context's, else ``default``; ``--server``, ``--token``, ``--certificate-authority`` and friends
override what the entries say. Credentials are read here: inline data, files, tokens kept in
the OS keyring (pykctl.kubeconfig.credentials) and exec credential plugins. Errors carry
kubectl's wording.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from typing import Any

from backends.base import ClusterInfo
from pykctl.kubeconfig import credentials
from pykctl.kubeconfig.errors import ConfigurationError, KubeconfigError
from pykctl.kubeconfig.loader import PathOptions
from pykctl.kubeconfig.model import Config, Entry

SIMULATOR_EXTENSION = "pykctl.io/simulator"
DEFAULT_SERVER = "http://localhost:8080"


@dataclass(frozen=True)
class Overrides:
    """Global flags that change what the kubeconfig says."""

    context: str = ""
    cluster: str = ""
    user: str = ""
    namespace: str = ""
    server: str = ""
    token: str = ""
    certificate_authority: str = ""
    client_certificate: str = ""
    client_key: str = ""
    insecure_skip_tls_verify: bool = False
    tls_server_name: str = ""
    proxy_url: str = ""
    username: str = ""
    password: str = ""
    request_timeout: str = "0"


@dataclass
class Resolved:
    """The context a command uses."""

    context_name: str
    cluster_name: str
    user_name: str
    namespace: str
    namespace_explicit: bool
    cluster: Entry
    user: Entry
    config: Config
    paths: PathOptions
    overrides: Overrides = field(default_factory=Overrides)

    @property
    def simulator_name(self) -> str | None:
        """The simulator this context's cluster belongs to, if it is one."""
        extension = (self.cluster.get("extensions") or {}).get(SIMULATOR_EXTENSION)
        if extension is None:
            return None
        if isinstance(extension, dict):
            return str(extension.get("name") or "default")
        return "default"

    @property
    def server(self) -> str:
        return self.overrides.server or self.cluster.get("server") or DEFAULT_SERVER

    def cluster_info(self) -> ClusterInfo:
        """Everything needed to open a connection (reads files, keyring and exec plugins)."""
        o = self.overrides
        cluster = self.cluster
        user = self.user
        ca_data = cluster.get("certificate-authority-data") or None
        ca_file = str(o.certificate_authority or cluster.get("certificate-authority") or "")
        if o.certificate_authority or (ca_file and not ca_data):
            ca_data = _read(ca_file, self, "certificate-authority")
        insecure = o.insecure_skip_tls_verify or bool(cluster.get("insecure-skip-tls-verify"))
        secure = self.server.startswith("https://")
        token = username = password = None
        client_cert = client_key = None
        if secure:  # client-go sends credentials only over TLS
            token = o.token or _token(user, self)
            username = o.username or user.get("username")
            password = o.password or user.get("password")
            client_cert = _data_or_file(user, "client-certificate", o.client_certificate, self)
            client_key = _data_or_file(user, "client-key", o.client_key, self)
            if token is None and user.get("exec") and credentials.keyring_account(user) is None:
                token, client_cert, client_key = _run_exec_plugin(
                    user["exec"], self, client_cert, client_key
                )
        return ClusterInfo(
            server=self.server,
            ca_data=ca_data,
            insecure=insecure,
            token=token,
            client_cert=client_cert,
            client_key=client_key,
            username=username,
            password=password,
            tls_server_name=o.tls_server_name or cluster.get("tls-server-name", ""),
            proxy_url=o.proxy_url or cluster.get("proxy-url", ""),
            extensions=dict(cluster.get("extensions") or {}),
            timeout=parse_timeout(o.request_timeout),
        )


def _read(path: str, resolved: Resolved, what: str) -> bytes:
    try:
        with open(os.path.expanduser(path), "rb") as f:
            return f.read()
    except OSError as err:
        raise KubeconfigError(
            f"unable to read {what} {path} for {resolved.cluster_name} due to {err}"
        ) from None


def _data_or_file(user: Entry, key: str, override: str, resolved: Resolved) -> bytes | None:
    if override:
        return _read(override, resolved, key)
    data = user.get(f"{key}-data")
    if data:
        return bytes(data)
    if user.get(key):
        return _read(user[key], resolved, key)
    return None


def _token(user: Entry, resolved: Resolved) -> str | None:
    token = credentials.token_for(user)
    if token:
        return token
    token_file = user.get("tokenFile")
    if token_file:
        return _read(token_file, resolved, "tokenFile").decode().strip()
    return None


def _run_exec_plugin(
    spec: dict[str, Any], resolved: Resolved, cert: bytes | None, key: bytes | None
) -> tuple[str | None, bytes | None, bytes | None]:
    """Run a client-go exec credential plugin and read its ExecCredential."""
    api_version = spec.get("apiVersion") or "client.authentication.k8s.io/v1"
    info = {"apiVersion": api_version, "kind": "ExecCredential", "spec": {"interactive": False}}
    env = dict(os.environ)
    env.update({var.get("name", ""): var.get("value", "") for var in spec.get("env") or []})
    env["KUBERNETES_EXEC_INFO"] = json.dumps(info)
    command = [spec.get("command", ""), *(spec.get("args") or [])]
    try:
        import subprocess  # exec credential plugins only

        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        hint = spec.get("installHint") or ""
        raise KubeconfigError(
            f"getting credentials: exec: executable {command[0]} not found"
            + (f"\n\n{hint}" if hint else "")
        ) from None
    if done.returncode != 0:
        raise KubeconfigError(
            f"getting credentials: exec: executable {command[0]} failed with exit code {done.returncode}"
        )
    try:
        status = json.loads(done.stdout).get("status") or {}
    except (ValueError, AttributeError):
        raise KubeconfigError(
            "getting credentials: decoding stdout: couldn't get version/kind"
        ) from None
    token = status.get("token")
    if status.get("clientCertificateData"):
        cert = status["clientCertificateData"].encode()
        key = (status.get("clientKeyData") or "").encode() or key
    return token, cert, key


def parse_timeout(text: str) -> float | None:
    """``--request-timeout``: seconds as an integer, or a Go duration; 0/empty is none."""
    from pykctl.cli.flags import parse_duration

    if text in ("", "0"):
        return None
    if text.lstrip("+").isdigit():
        return float(int(text)) or None
    try:
        seconds = parse_duration(text)
    except ValueError:
        raise KubeconfigError(
            "Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed "
            "by a corresponding time unit (e.g. 1s | 2m | 3h)"
        ) from None
    return seconds or None


def resolve(paths: PathOptions, overrides: Overrides, config: Config | None = None) -> Resolved:
    """The context to use; ConfigurationError for an unknown ``--context``."""
    if paths.explicit and not os.path.exists(paths.explicit):
        raise KubeconfigError(f"stat {paths.explicit}: no such file or directory")
    config = config if config is not None else paths.load()
    context_name = overrides.context or config.current_context
    context: Entry = {}
    if context_name:
        if context_name not in config.contexts:
            if overrides.context:
                raise ConfigurationError(
                    f"context was not found for specified context: {context_name}"
                )
        else:
            context = config.contexts[context_name]
    cluster_name = overrides.cluster or context.get("cluster", "")
    user_name = overrides.user or context.get("user", "")
    if overrides.cluster and cluster_name not in config.clusters:
        raise ConfigurationError(f'cluster "{cluster_name}" does not exist')
    if overrides.user and user_name not in config.users:
        raise ConfigurationError(f'auth info "{user_name}" does not exist')
    namespace = overrides.namespace or context.get("namespace") or "default"
    return Resolved(
        context_name=context_name,
        cluster_name=cluster_name,
        user_name=user_name,
        namespace=namespace,
        namespace_explicit=bool(overrides.namespace),
        cluster=config.clusters.get(cluster_name, {}),
        user=config.users.get(user_name, {}),
        config=config,
        paths=paths,
        overrides=overrides,
    )


def decode_pem(data: Any) -> bytes:
    """certificate data as bytes (base64 text in a kubeconfig, bytes once loaded)."""
    return bytes(data) if isinstance(data, (bytes, bytearray)) else base64.b64decode(str(data))
